"""``armory sync``: push a unit's new entries to the store, and bring the witness's cosignatures home.

A push is one transaction: lock the unit's row in ``armory.heads`` (two
pushers of one unit queue, never interleave), read the store's head for the
ledger, check that the laptop's chain holds that exact entry at that seq,
check the new entries as ``log verify`` would (:mod:`armory.studio.ingest`),
``COPY`` them in, update the unit's summary, commit. Anything else is
refused and changes nothing but a row in ``armory.conflicts``, which ``studio
status`` shows:

- a **fork**: the laptop's chain and the store's differ at some entry (a
  laptop restored from an old backup and used on, a rewritten chain); the
  first differing seq is named;
- a laptop **behind** the store (restored from an old backup): the store
  holds entries the laptop lost;
- **another ledger claiming the unit** (a second laptop, a new ledger);
- new entries that **do not verify**.

A dropped connection rolls back: the next push starts from the store's head
again, so a retry is always safe.
"""

from __future__ import annotations

import base64
import json
import socket
from dataclasses import dataclass, field

from armory.ledger.store import GENESIS, Ledger
from armory.studio.ingest import Tip, check_extension
from armory.studio.schema import SCHEMA

_ROWS = "SELECT seq, time, kind, who, scope, hash, body FROM entries WHERE seq > ? ORDER BY seq"
_COPY = f"COPY {SCHEMA}.entries (ledger_id, seq, time, kind, who, scope, hash, body, doc) FROM STDIN"


@dataclass
class Refusal:
    """A push refused: what the conflict row records."""

    reason: str
    """fork, behind, claimed or unverified."""
    first_seq: int
    store_hash: str
    pushed_hash: str
    message: str
    times: int = 1
    """How many times the store has now seen this same refusal (1: this is the first)."""

    @property
    def summary(self) -> str:
        """The refusal in a few words, for the app's first screen (``armory sync`` prints the whole message)."""
        return {
            "fork": f"fork at entry #{self.first_seq}: this ledger differs from the store's",
            "behind": f"this ledger lacks entries #{self.first_seq} on that the store holds (an old backup?)",
            "claimed": "another ledger holds this unit in the store: run armory sync --unit NAME once",
            "unverified": f"entry #{self.first_seq} of this ledger does not verify",
        }.get(self.reason, self.message)


@dataclass
class PushResult:
    ledger_id: str
    production_title: str
    unit: str
    pushed: int = 0
    head_seq: int = 0
    head_hash: str = ""
    refused: Refusal | None = None
    cosignatures: list[tuple[str, int, str]] = field(default_factory=list)
    """(witness fingerprint, size, head hash) of the cosignatures brought home and appended to the ledger."""


def _local_hash(ledger: Ledger, seq: int) -> str | None:
    row = ledger._conn.execute("SELECT hash FROM entries WHERE seq = ?", (seq,)).fetchone()
    return row[0] if row else None


def _store_hash(cur, ledger_id: str, seq: int) -> str | None:
    cur.execute(f"SELECT hash FROM {SCHEMA}.entries WHERE ledger_id = %s AND seq = %s", (ledger_id, seq))
    row = cur.fetchone()
    return row[0] if row else None


def first_difference(ledger: Ledger, cur, ledger_id: str, upto: int) -> int:
    """The first seq (1..upto) where the laptop's hash and the store's differ; each hash covers all before it."""
    low, high = 1, upto  # the answer is in [low, high]; entry ``upto`` differs
    while low < high:
        middle = (low + high) // 2
        if _local_hash(ledger, middle) == _store_hash(cur, ledger_id, middle):
            low = middle + 1
        else:
            high = middle
    return low


def _conflict(cur, result: PushResult, refusal: Refusal, host: str, found_by: str = "sync") -> None:
    from armory.studio import conflicts

    refusal.times = conflicts.record(
        cur, ledger_id=result.ledger_id, production_title=result.production_title, unit=result.unit,
        first_seq=refusal.first_seq, store_hash=refusal.store_hash, pushed_hash=refusal.pushed_hash, host=host,
        found_by=found_by, reason=refusal.reason)
    result.refused = refusal


def push(ledger: Ledger, conn, unit: str, *, host: str | None = None) -> PushResult:
    """Push the entries the store lacks, in one transaction; a refusal records a conflict and nothing else."""
    host = host or socket.gethostname()
    opened = ledger.opened().payload
    result = PushResult(opened["ledger_id"], opened["production_title"], unit)
    with conn.transaction(), conn.cursor() as cur:
        try:
            with conn.transaction():  # a savepoint: a refused push leaves nothing but its conflict row behind
                _push_in(cur, ledger, result, opened, host)
        except _Refused as refused:
            _conflict(cur, result, refused.refusal, host)
    return result


class _Refused(Exception):
    """A push refused: its savepoint is rolled back (no heads row of a unit never registered), then the
    conflict is recorded."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


def _push_in(cur, ledger: Ledger, result: PushResult, opened: dict, host: str) -> None:
    """The push itself, in the savepoint :func:`push` opened; a refusal raises :class:`_Refused`."""
    ledger_id, public_key = result.ledger_id, opened["public_key"]
    cur.execute(f"INSERT INTO {SCHEMA}.heads (ledger_id) VALUES (%s) ON CONFLICT DO NOTHING", (ledger_id,))
    cur.execute(f"SELECT 1 FROM {SCHEMA}.heads WHERE ledger_id = %s FOR UPDATE", (ledger_id,))
    new_unit = _claim(cur, result, opened)
    cur.execute(f"SELECT seq, hash, time FROM {SCHEMA}.entries WHERE ledger_id = %s ORDER BY seq DESC LIMIT 1",
                (ledger_id,))
    row = cur.fetchone()
    store_seq, store_hash, store_time = row if row else (0, GENESIS, "")
    result.head_seq, result.head_hash = store_seq, store_hash
    if store_seq:
        local = _local_hash(ledger, store_seq)
        if local != store_hash:
            local_len = len(ledger)
            if local is None:
                upto = local_len
                if _local_hash(ledger, local_len) == _store_hash(cur, ledger_id, local_len):
                    raise _Refused(Refusal(
                        "behind", local_len + 1, store_hash, "", f"this laptop's ledger ends at #{local_len}, "
                        f"but the store holds {store_seq} entries of it: entries #{local_len + 1}-#{store_seq} "
                        "are only in the store (was the ledger restored from an old backup?); nothing was "
                        "pushed, and nothing should be recorded on this copy"))
            else:
                upto = store_seq
            first = first_difference(ledger, cur, ledger_id, upto)
            raise _Refused(Refusal(
                "fork", first, _store_hash(cur, ledger_id, first) or "", _local_hash(ledger, first) or "",
                f"this laptop's chain differs from the store's at entry #{first}: a fork (a ledger restored from "
                "an old backup and used on, or a rewritten chain); refused, nothing was pushed, and the store "
                "keeps what it held"))
    tip = Tip(ledger_id, base64.b64decode(public_key), store_seq, store_hash, store_time)
    rows = ledger._conn.execute(_ROWS, (store_seq,)).fetchall()
    if not rows:
        _touch(cur, ledger_id, host)
        return
    extension = check_extension(tip, rows, lambda seq: _store_hash(cur, ledger_id, seq))
    if extension.bad is not None:
        seq, kind, what = extension.bad
        raise _Refused(Refusal(
            "unverified", seq, _store_hash(cur, ledger_id, seq) or "", _local_hash(ledger, seq) or "",
            f"entry #{seq} ({kind}) of this laptop's ledger does not verify: {what}; nothing was pushed"))
    if new_unit:
        _register(cur, result, opened, host)
    with cur.copy(_COPY) as copy:
        for seq, time, kind, who, scope, hash_hex, body in rows:
            copy.write_row((ledger_id, seq, time, kind, who, scope, hash_hex, body, body.decode()))
    last = rows[-1]
    cur.execute(
        f"UPDATE {SCHEMA}.heads SET head_seq = %s, head_hash = %s, head_time = %s, head_kind = %s, "
        "signed_through = greatest(signed_through, %s), last_sync_at = now(), last_sync_host = %s "
        "WHERE ledger_id = %s",
        (last[0], last[5], last[1], last[2], extension.signed_through, host, ledger_id))
    result.pushed, result.head_seq, result.head_hash = len(rows), last[0], last[5]


def _touch(cur, ledger_id: str, host: str) -> None:
    """A sync with nothing new still says the unit was heard from."""
    cur.execute(f"UPDATE {SCHEMA}.heads SET last_sync_at = now(), last_sync_host = %s WHERE ledger_id = %s",
                (host, ledger_id))


def _claim(cur, result: PushResult, opened: dict) -> bool:
    """False when the store knows the unit's ledger, True when it is new to the store (registered by
    :func:`_register` once its entries verify), and raises the refusal when another ledger or key holds the unit."""
    ledger_id = result.ledger_id
    cur.execute(f"SELECT ledger_id, unit, public_key FROM {SCHEMA}.units WHERE ledger_id = %s "
                "OR (production_title = %s AND unit = %s)", (ledger_id, result.production_title, result.unit))
    rows = cur.fetchall()
    ours = next((row for row in rows if row[0] == ledger_id), None)
    other = next((row for row in rows if row[0] != ledger_id), None)
    if ours is not None:
        if ours[2] != opened["public_key"]:
            raise _Refused(Refusal(
                "claimed", 1, "", "", f"the store holds ledger {ledger_id} under another key: refused"))
        result.unit = ours[1]  # the name the unit was first pushed under
        return False
    if other is not None:
        raise _Refused(Refusal(
            "claimed", 1, "", "", f"unit {result.unit!r} of {result.production_title!r} is held in the store by "
            f"another ledger ({other[0]}, another key): refused; a second laptop for a unit needs a unit name of "
            "its own (--unit NAME)"))
    return True


def _register(cur, result: PushResult, opened: dict, host: str) -> None:
    """Write the new unit's row, in the push's transaction; refused when another ledger just took it."""
    ledger_id = result.ledger_id
    cur.execute(f"INSERT INTO {SCHEMA}.units (ledger_id, production_title, unit, key_fingerprint, public_key, "
                "first_host) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (ledger_id, result.production_title, result.unit, opened["key_fingerprint"], opened["public_key"],
                 host))
    if cur.rowcount == 0:  # another ledger claimed the unit while we waited on its index
        raise _Refused(Refusal("claimed", 1, "", "", f"unit {result.unit!r} of "
                               f"{result.production_title!r} was just claimed by another ledger: refused"))


def pull_cosignatures(ledger: Ledger, conn) -> list[tuple[str, int, str]]:
    """Append to the ledger every cosignature of its heads the store holds and the ledger does not yet.

    Each is checked first: its note verifies with its witness's key, over an entry this ledger holds
    with that hash (a cosignature of another chain is left for ``sync`` to refuse as a fork).
    """
    from armory.ledger import signing

    opened = ledger.opened().payload
    ledger_id, own_key = opened["ledger_id"], opened["key_fingerprint"]
    have = set()
    for (body,) in ledger._conn.execute("SELECT body FROM entries WHERE kind = 'cosignature'"):
        payload = json.loads(body)["payload"]
        have.add((payload.get("witness_fingerprint"), payload.get("size")))
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(f"SELECT seq, hash, witness_name, witness_fingerprint, witness_public_key, note "
                    f"FROM {SCHEMA}.cosignatures WHERE ledger_id = %s ORDER BY seq", (ledger_id,))
        rows = cur.fetchall()
    brought: list[tuple[str, int, str]] = []
    for seq, hash_hex, name, fingerprint, public_key, note in rows:
        if (fingerprint, seq) in have or fingerprint == own_key or _local_hash(ledger, seq) != hash_hex:
            continue  # (the unit's own key witnesses nothing: log verify --store names such a row)
        try:
            raw = base64.b64decode(public_key, validate=True)
            parsed = signing.parse_and_verify_note(note, raw)
        except ValueError:
            continue
        if (parsed.size, parsed.head_hash) != (seq, hash_hex) or signing.fingerprint(raw) != fingerprint:
            continue
        ledger.append("cosignature", None, {
            "witness": name, "witness_key": public_key, "witness_fingerprint": fingerprint, "size": seq,
            "head_hash": hash_hex, "note": note,
        })
        have.add((fingerprint, seq))
        brought.append((fingerprint, seq, hash_hex))
    return brought
