"""Checking a push on arrival: the new entries extend the chain the store holds, as ``log verify`` would check them.

A push carries a unit's entries after the store's head. :func:`check_extension`
checks them against that head without re-reading the chain: each entry's
bytes hash to its hash and are its canonical form, the index columns say what
the bytes say, each links to the one before (sequence, ``prev``, time never
going back), the first entry names the unit's key, every checkpoint's note
verifies with that key over this chain's entry, and every cosignature's note
verifies with its witness's key over this chain's entry. Hashes of entries
before the batch (a checkpoint may sign an older head) come from the store.

Most entries take the fast path of ``armory.ledger.verify.verify_rows``: the
canonical bytes end with ``prev``, ``scope``, ``seq``, ``time`` and ``who``
(JCS sorts the keys), so one comparison checks the columns and the link.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from armory.ledger import signing
from armory.ledger.canonical import canonical_bytes
from armory.ledger.entries import KINDS
from armory.ledger.store import GENESIS, HASHED_FIELDS

_FIELD_SET = frozenset(HASHED_FIELDS)
_KIND_SET = frozenset(KINDS)
_PLAIN_KINDS = _KIND_SET - {"ledger_opened", "checkpoint", "cosignature"}


@dataclass
class Tip:
    """What the store holds of one unit's chain: its key and its head."""

    ledger_id: str
    public_key: bytes
    """The unit's Ed25519 public key (raw), from its first entry."""
    seq: int = 0
    hash: str = GENESIS
    time: str = ""

    @property
    def origin(self) -> str:
        return f"armory.ledger/{self.ledger_id}"


@dataclass
class Extension:
    """The result of checking a push: the rows to insert, or the first entry that does not extend the chain."""

    rows: list[tuple] = field(default_factory=list)
    """(seq, time, kind, who, scope, hash, body) of each entry that checked, in order."""
    bad: tuple[int, str, str] | None = None
    """(seq, kind, what is wrong) of the first entry refused."""
    signed_through: int = 0
    """Sequence number of the last checkpoint in the push (0: none)."""
    cosigned: list[tuple[str, int, str]] = field(default_factory=list)
    """(witness fingerprint, size, head hash) of each cosignature entry in the push."""


def check_extension(tip: Tip, rows: Iterable[tuple], hash_at: Callable[[int], str | None]) -> Extension:
    """Check ``rows`` (a ledger's ``(seq, time, kind, who, scope, hash, body)``) as the continuation of ``tip``.

    ``hash_at(seq)`` gives the hash the store holds at an earlier sequence number (None when it has none).
    """
    result = Extension()
    accepted = result.rows
    batch: dict[int, str] = {}
    prev, prev_time, expected = tip.hash, tip.time, tip.seq + 1
    sha256 = hashlib.sha256
    quoted: dict[str | None, str] = {}

    def earlier(seq: int) -> str | None:
        return batch.get(seq) if seq in batch else (tip.hash if seq == tip.seq else hash_at(seq))

    for row in rows:
        seq, time, kind, who, scope, stored_hash, body = row
        if type(body) is not bytes:
            result.bad = (seq, str(kind), "its body is not stored as bytes: the ledger was edited outside armory")
            break
        digest = sha256(body).hexdigest()
        if digest != stored_hash:
            result.bad = (seq, str(kind), f"its bytes hash to {digest[:16]}…, not the {str(stored_hash)[:16]}… "
                                          "the ledger holds: the entry was changed after it was written")
            break
        if seq == expected and kind in _PLAIN_KINDS and type(time) is str and time >= prev_time:
            who_json = quoted.get(who) or quoted.setdefault(who, json.dumps(who, ensure_ascii=False))
            scope_json = quoted.get(scope) or quoted.setdefault(scope, json.dumps(scope, ensure_ascii=False))
            tail = f'}},"prev":"{prev}","scope":{scope_json},"seq":{seq},"time":"{time}","who":{who_json}}}'
            head_end = body.find(b',"payload":{', 17)
            if (body.endswith(tail.encode()) and body.startswith(b'{"clock_skew_ms":')
                    and body[head_end - len(kind) - 10:head_end] == f',"kind":"{kind}"'.encode()
                    and body[17:head_end - len(kind) - 10].isdigit()):
                accepted.append(row)
                batch[seq] = prev = digest
                prev_time, expected = time, seq + 1
                continue
        what = _slow(tip, row, expected, prev, prev_time, earlier, result)
        if what is not None:
            result.bad = (seq if isinstance(seq, int) else expected, str(kind), what)
            break
        accepted.append(row)
        batch[seq] = prev = digest
        prev_time, expected = time, seq + 1
    return result


def _slow(tip: Tip, row: tuple, expected: int, prev: str, prev_time: str,
          earlier: Callable[[int], str | None], result: Extension) -> str | None:
    """What is wrong with one entry off the fast path (first entry, checkpoints, cosignatures), or None."""
    seq, time, kind, who, scope, _hash, body = row
    try:
        fields = json.loads(body)
        if not isinstance(fields, dict) or fields.keys() != _FIELD_SET:
            return "its fields differ from an entry's"
        if canonical_bytes(fields) != body:
            return "its bytes are not in canonical form"
    except (ValueError, TypeError, RecursionError) as err:
        return f"its bytes are not an entry ({err})"
    names = [name for name, value in {"seq": seq, "time": time, "kind": kind, "who": who, "scope": scope}.items()
             if fields[name] != value]
    if names:
        return f"the index columns {', '.join(names)} differ from the entry's bytes"
    if seq != expected:
        return f"sequence number {seq!r} where {expected} was expected"
    if fields["prev"] != prev:
        return (f"prev is {str(fields['prev'])[:16]}…, but the entry before hashes to {prev[:16]}…: "
                "it does not extend the chain the store holds")
    if kind not in _KIND_SET:
        return f"unknown entry kind {kind!r}"
    if not isinstance(time, str) or time < prev_time:
        return f"time {time} is earlier than the entry before ({prev_time})"
    payload = fields["payload"]
    if not isinstance(payload, dict):
        return "its payload is not an object"
    if seq == 1 or kind == "ledger_opened":
        if seq != 1 or kind != "ledger_opened":
            return "only the first entry may be ledger_opened, and the first entry must be one"
        try:
            raw = base64.b64decode(payload["public_key"], validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error):
            return "the public key is missing or not base64"
        if raw != tip.public_key or payload.get("ledger_id") != tip.ledger_id:
            return "its key or ledger id is not the unit's"
        if payload.get("key_fingerprint") != signing.fingerprint(raw):
            return "the key fingerprint does not match the public key"
    elif kind == "checkpoint":
        try:
            note = signing.parse_and_verify_note(payload["note"], tip.public_key)
        except (KeyError, TypeError, ValueError) as err:
            return f"its signed note does not verify with the unit's key ({err})"
        if not 1 <= note.size < seq or earlier(note.size) != note.head_hash:
            return f"it signs head #{note.size} {note.head_hash[:16]}…, which is not this chain's entry"
        if note.origin != tip.origin or (note.origin, note.size, note.head_hash) != (
                payload.get("origin"), payload.get("size"), payload.get("head_hash")):
            return "the checkpoint's fields say something other than its signed note"
        if note.time is not None and note.time != time:
            return f"the entry's time {time} is not the {note.time} its note signs"
        result.signed_through = seq
    elif kind == "cosignature":
        try:
            raw = base64.b64decode(payload["witness_key"], validate=True)
            if len(raw) != 32 or signing.fingerprint(raw) != payload.get("witness_fingerprint"):
                return "the witness key does not match its fingerprint"
            note = signing.parse_and_verify_note(payload["note"], raw)
        except (KeyError, TypeError, ValueError, binascii.Error) as err:
            return f"the witness's cosignature does not verify ({err})"
        if note.origin != tip.origin or (note.size, note.head_hash) != (payload.get("size"), payload.get("head_hash")):
            return "the cosignature's fields say something other than its signed note"
        if not 1 <= note.size < seq or earlier(note.size) != note.head_hash:
            return f"it cosigns head #{note.size} {note.head_hash[:16]}…, which is not this chain's entry"
        result.cosigned.append((payload["witness_fingerprint"], note.size, note.head_hash))
    return None
