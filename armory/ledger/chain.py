"""An entry as a link of the hash chain: its fields, its canonical bytes and hash, its time.

An entry's canonical bytes (RFC 8785 JSON of every field except its hash) are
the entry; :class:`Entry` is built from them alone. This module says which
fields are hashed, how an entry's bytes are made from a payload its kind's
model has validated, and how entry times are written. It knows nothing of
SQLite: :mod:`armory.ledger.store` keeps the entries, :mod:`armory.ledger.verify`
checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from pydantic import BaseModel, ValidationError

from armory.fastjson import loads
from armory.ledger.canonical import (
    MAX_SAFE_INTEGER,
    check_domain,
    checked_canonical_bytes,
    presorted_canonical_bytes,
    sha256_hex,
)
from armory.ledger.entries import FLAT_LAYOUTS, PAYLOADS, Payload, payload_json
from armory.problems import InputError

#: ``prev`` of the first entry.
GENESIS = "0" * 64
#: Fields hashed, in the order an export line shows them (the hash itself is sorted in by JCS).
HASHED_FIELDS = ("seq", "time", "kind", "who", "scope", "payload", "prev", "clock_skew_ms")


def format_time(moment: datetime) -> str:
    """UTC RFC 3339 with microseconds and ``Z``; strings of this form sort in time order."""
    tz = moment.tzinfo
    if tz is not timezone.utc:
        if tz is None:
            raise ValueError("the ledger clock must return an aware datetime")
        moment = moment.astimezone(timezone.utc)
    # What isoformat(timespec="microseconds") writes, less "+00:00", in half its time.
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, moment.microsecond)


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def entry_bytes(seq: int, time: str, kind: str, who: str | None, scope: str, payload: dict,
                 presorted: bool, prev: str, skew_ms: int) -> bytes:
    """The canonical bytes of an entry: every hashed field (the payload already validated by its model)."""
    if presorted and type(scope) is str and type(prev) is str and type(time) is str:
        # Keys in sorted order; seq and skew are ints of ours, kind one of PAYLOADS, who None or text
        # (checked by _append), the payload proven in the domain: only text may hold a lone surrogate,
        # which presorted_canonical_bytes refuses.
        return presorted_canonical_bytes({
            "clock_skew_ms": skew_ms, "kind": kind, "payload": payload, "prev": prev, "scope": scope,
            "seq": seq, "time": time, "who": who,
        }, f"{kind} entry")
    return checked_canonical_bytes({
        "seq": seq, "time": time, "kind": kind, "who": who, "scope": scope,
        "payload": payload, "prev": prev, "clock_skew_ms": skew_ms,
    }, f"{kind} entry")


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger entry, as read from its canonical bytes."""

    seq: int
    time: str
    kind: str
    who: str | None
    scope: str
    payload: dict
    prev: str
    hash: str
    body: bytes
    clock_skew_ms: int = 0

    def model(self) -> Payload:
        """The payload parsed with its kind's model."""
        return PAYLOADS[self.kind].model_validate(self.payload)

    def fields(self) -> dict:
        """Every hashed field (all but ``hash``)."""
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def to_json(self) -> dict:
        """Every field including the hash: one line of a jsonl export."""
        return {**self.fields(), "hash": self.hash}

    @classmethod
    def from_body(cls, body: bytes, hash_hex: str | None = None) -> "Entry":
        """Build from stored canonical bytes (``hash_hex`` defaults to their SHA-256)."""
        fields = loads(body)
        return cls(
            seq=fields["seq"],
            time=fields["time"],
            kind=fields["kind"],
            who=fields["who"],
            scope=fields["scope"],
            payload=fields["payload"],
            prev=fields["prev"],
            hash=hash_hex if hash_hex is not None else sha256_hex(body),
            body=bytes(body),
            clock_skew_ms=fields["clock_skew_ms"],
        )


def exactly_flat(data: dict) -> bool:
    """Every value an exact str, bool, None, int within the domain, or list of exact str."""
    for value in data.values():
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                continue
            return False
        if kind is list and all(type(item) is str for item in value):
            continue
        return False
    return True


def stored_payload(kind: str, payload: Payload | dict) -> tuple[dict, bool]:
    """``payload`` validated by its kind's model, as the ledger stores it.

    Returns the payload and whether it is known to be ready for ``presorted_canonical_bytes``: keys in
    sorted order and inside the canonical domain (see ``entries.FlatLayout``). A payload validated here
    of a flat kind is so by construction, once its ints are within 2**53; a model instance the caller
    made (perhaps without validation, with ``model_construct``) is walked. Any other payload is checked
    with the whole entry's bytes.
    """
    model_type = PAYLOADS.get(kind)
    if model_type is None:
        raise InputError(f"unknown ledger entry kind {kind!r}")
    try:
        if isinstance(payload, model_type):
            model, validated = payload, False
        elif isinstance(payload, BaseModel):
            model, validated = model_type.model_validate(payload.model_dump()), True
        else:
            model, validated = model_type.model_validate(payload), True
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        raise InputError(f"{kind} entry: {where}: {first['msg']}") from None
    layout = FLAT_LAYOUTS.get(kind)
    if layout is None or type(model) is not model_type:
        return payload_json(model), False  # its domain is checked with the whole entry's bytes
    try:
        data = layout.payload(model)
    except KeyError as err:  # an instance made without validation (model_construct) lacks a field
        raise InputError(f"{kind} entry: {err.args[0]}: Field required") from None
    if validated:
        for name in layout.ints:
            value = data.get(name)
            if value is not None and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                check_domain(data, f"{kind} entry.payload")  # raises, naming the field
    else:
        # Not validated here (model_construct, model_copy(update=...)): it may hold anything, so
        # every value must have exactly a flat type for the fast writer, which keeps dict order.
        for name in layout.lists:  # the caller keeps its model: the entry gets lists of its own
            if type(data.get(name)) is list:
                data[name] = data[name][:]
        if not exactly_flat(data):
            check_domain(data, f"{kind} entry.payload")  # refuses what is outside the domain, naming it
            return data, False  # inside it but not flat (a dict, say): the sorting writer
    return data, True
