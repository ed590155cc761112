"""``armory studio witness``: a witness that is not the unit cosigns each unit's new head, or refuses it.

Run at the studio (from cron, say) with a key the units never hold and a
state file of its own: for each unit, the last seq and hash it cosigned. It
accepts a new head only when the chain the store holds still has the last
cosigned entry unchanged and links forward from it to the new head, every
entry checked as on arrival (:mod:`armory.studio.ingest`); then it signs a
note naming the ledger, the size and the head hash, in the checkpoint's form,
with its own key. The unit's next sync brings the cosignature home.

As a C2SP tlog-witness does, it remembers in its own state and not in the
store it checks (a store rewritten by someone with full rights cannot make it
forget), never cosigns a head that does not extend the one it cosigned last,
and never goes backwards: an inconsistent head is refused and recorded as a
conflict. The state file is written whole (a temporary file, fsync, rename)
after each cosignature is committed, so a crash can at worst make it cosign
the same head again.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from armory.ledger import signing
from armory.ledger.store import GENESIS, format_time
from armory.problems import InputError
from armory.studio.ingest import Tip, check_extension
from armory.studio.schema import SCHEMA


@dataclass
class Witnessed:
    production_title: str
    unit: str
    ledger_id: str
    outcome: str
    """cosigned, unchanged, refused or empty."""
    seq: int
    hash: str
    message: str = ""


def read_state(path: Path) -> dict:
    """The witness's memory: ``{"units": {ledger_id: {"seq": N, "hash": HEX}}, "key_fingerprint": ...}``."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return {"units": {}}
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: the witness state cannot be read ({err}); it is the witness's memory, so "
                         "nothing is cosigned until it is restored from backup") from None
    if not isinstance(data, dict) or not isinstance(data.get("units"), dict):
        raise InputError(f"{path}: not a witness state file")
    return data


def write_state(path: Path, data: dict) -> None:
    from armory.studio.state import write_json_atomically

    path = Path(path)
    try:
        write_json_atomically(path, data)
    except OSError as err:
        raise InputError(f"{path}: the witness state cannot be written ({err.strerror or err}); nothing was "
                         "cosigned") from None


def witness(conn, key, name: str, state_path: Path, *, host: str = "witness") -> list[Witnessed]:
    """Cosign every unit's new head that is consistent with the last one this witness cosigned."""
    public_raw = signing.public_raw(key)
    public_b64 = base64.b64encode(public_raw).decode()
    fingerprint = signing.fingerprint(public_raw)
    state = read_state(state_path)
    if state.get("key_fingerprint") not in (None, fingerprint):
        raise InputError(f"{state_path}: this state belongs to witness key {state['key_fingerprint']}, not "
                         f"{fingerprint}: give the witness's own key and state")
    state["key_fingerprint"] = fingerprint
    remembered: dict = state["units"]
    with conn.cursor() as cur:
        cur.execute(f"SELECT ledger_id, production_title, unit, public_key, key_fingerprint FROM {SCHEMA}.units "
                    "ORDER BY production_title, unit")
        units = [row[:4] for row in cur.fetchall() if _not_own(row, fingerprint, state_path)]
    conn.commit()
    # the state must be writable before anything is cosigned: a cosignature it could not remember is
    # one it could not refuse to contradict later
    write_state(state_path, state)
    said = []
    for ledger_id, title, unit, public_key in units:
        with conn.transaction(), conn.cursor() as cur:
            outcome = _one(cur, ledger_id, title, unit, base64.b64decode(public_key), remembered.get(ledger_id),
                           key, name, public_b64, fingerprint, host)
        said.append(outcome)
        if outcome.outcome == "cosigned":
            remembered[ledger_id] = {"seq": outcome.seq, "hash": outcome.hash}
            write_state(state_path, state)
    return said


def _not_own(unit_row: tuple, fingerprint: str, state_path: Path) -> bool:
    """True, or InputError when the witness's key is a unit's own: a unit cannot witness itself."""
    _ledger_id, title, unit, _key, unit_fingerprint = unit_row
    if unit_fingerprint == fingerprint:
        raise InputError(f"the witness key {fingerprint} is the signing key of {title} / {unit} itself: a witness "
                         "holds a key of its own that no unit holds (give --key a new file to make one); nothing "
                         "was cosigned")
    return True


def _one(cur, ledger_id: str, title: str, unit: str, public_key: bytes, last: dict | None, key, name: str,
         public_b64: str, fingerprint: str, host: str) -> Witnessed:
    cur.execute(f"SELECT seq, hash, time FROM {SCHEMA}.entries WHERE ledger_id = %s ORDER BY seq DESC LIMIT 1",
                (ledger_id,))
    head = cur.fetchone()
    if head is None:
        return Witnessed(title, unit, ledger_id, "empty", 0, "")
    head_seq, head_hash, _ = head
    last_seq, last_hash = (last["seq"], last["hash"]) if last else (0, GENESIS)
    if (head_seq, head_hash) == (last_seq, last_hash):
        return Witnessed(title, unit, ledger_id, "unchanged", head_seq, head_hash)

    def refuse(first_seq: int, store_hash: str, what: str) -> Witnessed:
        from armory.studio import conflicts

        conflicts.record(cur, ledger_id=ledger_id, production_title=title, unit=unit, first_seq=first_seq,
                         store_hash=store_hash, pushed_hash=last_hash, host=host, found_by="witness",
                         reason="inconsistent")
        return Witnessed(title, unit, ledger_id, "refused", head_seq, head_hash, what)

    last_time = ""
    if last_seq:
        cur.execute(f"SELECT hash, time FROM {SCHEMA}.entries WHERE ledger_id = %s AND seq = %s", (ledger_id, last_seq))
        row = cur.fetchone()
        if row is None or row[0] != last_hash:
            return refuse(last_seq, row[0] if row else "", f"the store no longer holds the head #{last_seq} "
                          f"{last_hash[:16]}… this witness cosigned: the chain was rewritten or cut; refused")
        last_time = row[1]
    cur.execute(f"SELECT seq, time, kind, who, scope, hash, body FROM {SCHEMA}.entries WHERE ledger_id = %s "
                "AND seq > %s ORDER BY seq", (ledger_id, last_seq))
    rows = [(seq, time, kind, who, scope, hash_hex, bytes(body)) for seq, time, kind, who, scope, hash_hex, body
            in cur.fetchall()]

    def hash_at(seq: int) -> str | None:
        cur.execute(f"SELECT hash FROM {SCHEMA}.entries WHERE ledger_id = %s AND seq = %s", (ledger_id, seq))
        found = cur.fetchone()
        return found[0] if found else None

    extension = check_extension(Tip(ledger_id, public_key, last_seq, last_hash, last_time), rows, hash_at)
    if extension.bad is not None:
        seq, kind, what = extension.bad
        cosigned = f"the head #{last_seq} this witness cosigned" if last_seq else "the start of the chain"
        return refuse(seq, hash_at(seq) or "", f"entry #{seq} ({kind}) does not extend {cosigned}: {what}; refused")
    if all(row[2] == "cosignature" for row in rows):
        # only the cosignatures brought home since: cosigning them would be brought home in turn, one entry
        # a run for ever, on a unit that recorded nothing
        return Witnessed(title, unit, ledger_id, "unchanged", last_seq, last_hash)
    origin = f"armory.ledger/{ledger_id}"
    from datetime import datetime, timezone

    note = signing.sign_note(signing.note_text(origin, head_seq, head_hash, format_time(datetime.now(timezone.utc))),
                             name, key)
    cur.execute(f"INSERT INTO {SCHEMA}.cosignatures (ledger_id, seq, hash, witness_name, witness_fingerprint, "
                "witness_public_key, note) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (ledger_id, head_seq, head_hash, name, fingerprint, public_b64, note))
    return Witnessed(title, unit, ledger_id, "cosigned", head_seq, head_hash)
