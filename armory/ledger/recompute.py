"""Recomputing the chain: every entry's hash from its canonical bytes, every link, every signature.

``verify_entries`` takes entries as export lines (or ``Entry`` objects),
``verify_rows`` the rows of a ledger's table, whose index columns must also
say what its bytes say. Each checks that an entry links to the one before
(sequence numbers, ``prev``, time never going back) and that every
checkpoint's signed note verifies with the key recorded in the first entry,
and names the first entry that does not match. Reading files is
:mod:`armory.ledger.export_file`; :mod:`armory.ledger.verify` puts the two
together.
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
from armory.ledger.chain import GENESIS, HASHED_FIELDS, Entry
from armory.ledger.entries import KINDS

_FIELD_SET = frozenset(HASHED_FIELDS)
_KIND_SET = frozenset(KINDS)


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    head: str
    """Hash of the last entry checked (empty when none)."""
    first_bad: tuple[int, str, str] | None
    """(sequence number, kind, what differs) of the first entry that does not match."""
    checkpoints_checked: int
    key_fingerprint: str
    problems: list[str] = field(default_factory=list)
    """Warnings that do not make the chain bad (an unsigned tail, ...)."""
    signed_through: int = 0
    """Sequence number of the last checkpoint whose signature held (0 if none)."""
    last_kind: str = ""
    hashes: list[str] = field(default_factory=list, repr=False)
    """Hash of each entry in order (``hashes[i]`` is entry ``i + 1``'s)."""
    kinds: list[str] = field(default_factory=list, repr=False)
    public_key: bytes = field(default=b"", repr=False)
    """The raw Ed25519 public key from the first entry (empty if none)."""
    cosigned: list[tuple[str, int, str]] = field(default_factory=list, repr=False)
    """(witness key fingerprint, size, head hash) of each studio witness cosignature that verified."""
    records: list[dict] | None = field(default=None, repr=False, compare=False)
    """An export's entries as :func:`armory.ledger.verify.verify_file` read them (None for a ledger): what
    ``read_export`` would return, so a caller checking the page or a csv against them need not read the file
    again (a season's html took as long to read twice as to check)."""


class _Latest:
    """A chain's hashes (or kinds) as a pass needs them, without one string per entry: how many, the last, and
    any earlier one read back on demand (a checkpoint or cosignature names an earlier head)."""

    __slots__ = ("count", "last", "read_back")

    def __init__(self, read_back: Callable[[int], str]) -> None:
        self.count = 0
        self.last = ""
        self.read_back = read_back

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def append(self, value: str) -> None:
        self.count += 1
        self.last = value

    def __getitem__(self, index: int) -> str:
        if index == -1 or index == self.count - 1:
            return self.last
        if 0 <= index < self.count:
            return self.read_back(index + 1)
        raise IndexError(index)


class _Check:
    """State of one pass over the chain."""

    def __init__(self, hash_of: Callable[[int], str] | None = None) -> None:
        self.hashes: list[str] | _Latest = [] if hash_of is None else _Latest(hash_of)
        self.kinds: list[str] | _Latest = [] if hash_of is None else _Latest(_no_read_back)
        self.prev_time = ""
        self.public_key: bytes | None = None
        self.fingerprint = ""
        self.origin = ""
        self.checkpoints = 0
        self.signed_through = 0
        self.cosigned: list[tuple[str, int, str]] = []
        self.bad: tuple[int, str, str] | None = None

    def fail(self, seq: int, kind: str, what: str) -> None:
        if self.bad is None:
            self.bad = (seq, kind, what)

    def link(self, fields: dict, digest: str) -> None:
        """Check one entry's fields (already parsed) against the chain so far."""
        expected = len(self.hashes) + 1
        seq, kind = fields["seq"], fields["kind"]
        if seq != expected:
            if isinstance(seq, int) and seq > expected:
                what = f"sequence number {seq} where {expected} was expected: entry {expected} is missing or moved"
            else:
                what = f"sequence number {seq!r} where {expected} was expected: entries are out of order or repeated"
            self.fail(seq if isinstance(seq, int) else expected, str(kind), what)
            return
        prev = self.hashes[-1] if self.hashes else GENESIS
        if fields["prev"] != prev:
            self.fail(seq, kind, f"prev is {str(fields['prev'])[:16]}…, but the entry before hashes to {prev[:16]}…: "
                                 "an earlier entry was changed, removed or reordered")
            return
        if not isinstance(kind, str) or kind not in _KIND_SET:
            self.fail(seq, str(kind), f"unknown entry kind {kind!r}")
            return
        time = fields["time"]
        if not isinstance(time, str) or time < self.prev_time:
            self.fail(seq, kind, f"time {time} is earlier than the entry before ({self.prev_time})")
            return
        self.prev_time = time
        if kind == "ledger_opened" or seq == 1:
            self._opened(seq, kind, fields["payload"])
        elif kind == "checkpoint":
            self._checkpoint(seq, fields["payload"], time)
        elif kind == "cosignature":
            self._cosignature(seq, fields["payload"])
        if self.bad is None:
            self.hashes.append(digest)
            self.kinds.append(kind)

    def _opened(self, seq: int, kind: str, payload: dict) -> None:
        if seq != 1 or kind != "ledger_opened":
            self.fail(seq, kind, "only the first entry may be ledger_opened, and the first entry must be one")
            return
        try:
            raw = base64.b64decode(payload["public_key"], validate=True)
            if len(raw) != 32:
                raise ValueError
        except (KeyError, TypeError, ValueError, binascii.Error):
            self.fail(seq, kind, "the public key is missing or not 32 bytes of base64")
            return
        if payload.get("key_fingerprint") != signing.fingerprint(raw):
            self.fail(seq, kind, "the key fingerprint does not match the public key")
            return
        self.public_key, self.fingerprint = raw, payload["key_fingerprint"]
        self.origin = f"armory.ledger/{payload.get('ledger_id')}"

    def _checkpoint(self, seq: int, payload: dict, time: str) -> None:
        if self.public_key is None:
            self.fail(seq, "checkpoint", "no public key to check the signature with")
            return
        try:
            note = signing.parse_and_verify_note(payload["note"], self.public_key)
        except (KeyError, TypeError) as err:
            self.fail(seq, "checkpoint", f"the checkpoint has no usable note ({err})")
            return
        except ValueError as err:
            self.fail(seq, "checkpoint", f"{err} (key {self.fingerprint})")
            return
        if not 1 <= note.size < seq or self.hashes[note.size - 1] != note.head_hash:
            self.fail(seq, "checkpoint", f"its signature is over head #{note.size} {note.head_hash[:16]}…, which "
                                         "is not this chain's entry: the entries before it were rewritten")
            return
        if note.origin != self.origin:
            self.fail(seq, "checkpoint", f"signed for {note.origin}, not this ledger ({self.origin})")
            return
        if (note.origin, note.size, note.head_hash) != (payload.get("origin"), payload.get("size"),
                                                          payload.get("head_hash")):
            self.fail(seq, "checkpoint", "the checkpoint's fields say something other than its signed note")
            return
        if note.time is not None and note.time != time:
            self.fail(seq, "checkpoint", f"the entry's time {time} is not the {note.time} its note signs")
            return
        self.checkpoints += 1
        self.signed_through = seq

    def _cosignature(self, seq: int, payload: dict) -> None:
        """A studio witness's cosignature: its note verifies with the witness key it names, over this chain.

        Whose key that is, the command compares with the studio's (``log verify --witness``)."""
        try:
            raw = base64.b64decode(payload["witness_key"], validate=True)
            if len(raw) != 32 or signing.fingerprint(raw) != payload.get("witness_fingerprint"):
                raise ValueError
            note = signing.parse_and_verify_note(payload["note"], raw)
        except (KeyError, TypeError, ValueError, binascii.Error) as err:
            self.fail(seq, "cosignature", f"the witness's cosignature does not verify ({err or 'its key is unusable'})")
            return
        if (note.size, note.head_hash) != (payload.get("size"), payload.get("head_hash")) or note.origin != self.origin:
            self.fail(seq, "cosignature", "the cosignature's fields say something other than its signed note")
            return
        if not 1 <= note.size < seq or self.hashes[note.size - 1] != note.head_hash:
            self.fail(seq, "cosignature", f"the studio witness cosigned head #{note.size} {note.head_hash[:16]}…, "
                                          "which is not this chain's entry: the entries up to it were rewritten "
                                          "after the witness saw them")
            return
        self.cosigned.append((payload.get("witness_fingerprint", ""), note.size, note.head_hash))

    def result(self) -> VerifyResult:
        problems = []
        if self.bad is None and self.hashes and self.signed_through < len(self.hashes):
            tail = len(self.hashes) - self.signed_through
            if self.signed_through:
                what = (f"the last {tail} entr{'y is' if tail == 1 else 'ies are'} after the last signed "
                        f"checkpoint (#{self.signed_through})")
            else:
                what = f"no signed checkpoint covers the {tail} entr{'y' if tail == 1 else 'ies'} (there is none yet)"
            problems.append(f"{what}; compare the head with a noted one (--head) or an earlier export (--against)")
        return VerifyResult(
            ok=self.bad is None and bool(self.hashes),
            entries=len(self.hashes),
            head=self.hashes[-1] if self.hashes else "",
            first_bad=self.bad,
            checkpoints_checked=self.checkpoints,
            key_fingerprint=self.fingerprint,
            problems=problems,
            signed_through=self.signed_through,
            last_kind=self.kinds[-1] if self.kinds else "",
            hashes=self.hashes if isinstance(self.hashes, list) else [],
            kinds=self.kinds if isinstance(self.kinds, list) else [],
            public_key=self.public_key or b"",
            cosigned=self.cosigned,
        )


def verify_entries(items: Iterable[dict | Entry]) -> VerifyResult:
    """Verify entries given as export lines (dicts) or ``Entry`` objects, in file order."""
    check = _Check()
    for item in items:
        if check.bad is not None:
            break
        record = item.to_json() if isinstance(item, Entry) else item
        position = len(check.hashes) + 1
        if not isinstance(record, dict):
            check.fail(position, "?", "not a JSON object")
            break
        keys = set(record)
        if keys != _FIELD_SET | {"hash"}:
            missing = sorted(_FIELD_SET | {"hash"} - keys)
            extra = sorted(keys - _FIELD_SET - {"hash"})
            what = "; ".join(filter(None, [missing and f"missing {', '.join(missing)}",
                                            extra and f"unexpected {', '.join(extra)}"]))
            check.fail(record.get("seq", position) if isinstance(record.get("seq"), int) else position,
                       str(record.get("kind", "?")), f"fields differ from an entry's: {what}")
            break
        fields = {name: record[name] for name in HASHED_FIELDS}
        try:
            body = canonical_bytes(fields)
        except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as err:
            check.fail(position, str(record.get("kind")), f"cannot be written canonically ({err})")
            break
        digest = hashlib.sha256(body).hexdigest()
        if digest != record["hash"]:
            check.fail(fields["seq"] if isinstance(fields["seq"], int) else position, str(fields["kind"]),
                       f"its content hashes to {digest[:16]}…, not the {str(record['hash'])[:16]}… it carries: "
                       "the entry was changed after it was written")
            break
        check.link(fields, digest)
    return check.result()


def verify_rows(rows: Iterable[tuple], *, hash_of: Callable[[int], str] | None = None) -> VerifyResult:
    """Verify a ledger's rows ``(seq, time, kind, who, scope, hash, body)``: bytes, columns and chain.

    With ``hash_of`` (the stored hash of entry ``seq``, read in the same transaction as ``rows``) no hash is kept
    per entry: a checkpoint's earlier head is read back through it once the pass has checked that entry, and the
    result carries no ``hashes``. For a season's ledger opened in the app: a few hundred bytes, not 15 MiB.

    Most entries take a fast path: the canonical bytes of an entry end with its
    ``prev``, ``scope``, ``seq``, ``time`` and ``who`` (JCS sorts the keys, and
    ``payload`` sorts before them), so one ``endswith`` against the bytes built
    from the index columns and the previous hash checks the columns and the
    link at once. The payload stays opaque there: the hash covers it. Anything
    unusual (first entry, checkpoints, a mismatch) goes through a full parse,
    which also says what differs.
    """
    check = _Check(hash_of)
    sha256 = hashlib.sha256
    hashes, kinds = check.hashes, check.kinds
    quoted: dict[str | None, str] = {}
    for row in rows:
        seq, time, kind, who, scope, stored_hash, body = row
        if type(body) is not bytes:
            # armory stores every body as a BLOB; sqlite3's replace() and friends write TEXT back
            check.fail(seq, str(kind), f"its body is stored as {_sql_type(body)}, not as the bytes armory writes: "
                                       "it was edited outside armory (with the sqlite3 tool or the like)")
            break
        digest = sha256(body).hexdigest()
        if digest != stored_hash:
            check.fail(seq, str(kind), f"its bytes hash to {digest[:16]}…, not the stored {str(stored_hash)[:16]}…: "
                                       "the entry was changed after it was written")
            break
        if (seq == len(hashes) + 1 and kind in _PLAIN_KINDS and type(time) is str and time >= check.prev_time):
            who_json = quoted.get(who) or quoted.setdefault(who, _json_text(who))
            scope_json = quoted.get(scope) or quoted.setdefault(scope, _json_text(scope))
            prev = hashes[-1] if hashes else GENESIS
            tail = f'}},"prev":"{prev}","scope":{scope_json},"seq":{seq},"time":"{time}","who":{who_json}}}'
            head_end = body.find(b',"payload":{', 17)
            if (body.endswith(tail.encode()) and body.startswith(b'{"clock_skew_ms":')
                    and body[head_end - len(kind) - 10:head_end] == f',"kind":"{kind}"'.encode()
                    and body[17:head_end - len(kind) - 10].isdigit()):
                check.prev_time = time
                hashes.append(digest)
                kinds.append(kind)
                continue
        _slow_row(check, row, digest)
        if check.bad is not None:
            break
    return check.result()


def _no_read_back(seq: int) -> str:
    raise IndexError(seq)


_PLAIN_KINDS = frozenset(KINDS) - {"ledger_opened", "checkpoint", "cosignature"}


def _sql_type(value: object) -> str:
    """How SQLite stored a value, in words (sqlite3 hands back str for TEXT, int for INTEGER, ...)."""
    return {str: "text", int: "an integer", float: "a real number", type(None): "NULL"}.get(
        type(value), type(value).__name__)


def _json_text(value: str | None) -> str:
    return json.dumps(value, ensure_ascii=False)


def _slow_row(check: _Check, row: tuple, digest: str) -> None:
    seq, time, kind, who, scope, _stored_hash, body = row
    try:
        fields = json.loads(body)
        if not isinstance(fields, dict) or fields.keys() != _FIELD_SET:
            raise ValueError("its fields differ from an entry's")
        if canonical_bytes(fields) != bytes(body):
            raise ValueError("its bytes are not in canonical form")
    except (ValueError, TypeError, RecursionError) as err:
        check.fail(seq, kind, f"its bytes are not an entry ({err})")
        return
    columns = {"seq": seq, "time": time, "kind": kind, "who": who, "scope": scope}
    names = [name for name, value in columns.items() if fields[name] != value]
    if names:
        check.fail(seq, str(fields["kind"]), f"the index column{'s' if len(names) > 1 else ''} "
                                             f"{', '.join(names)} differ{'' if len(names) > 1 else 's'} "
                                             "from the entry's bytes")
        return
    check.link(fields, digest)
