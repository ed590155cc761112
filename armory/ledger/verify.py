"""Check a ledger or an export: the hash chain, the index columns and the signatures.

``verify_entries`` recomputes every entry's hash from its canonical bytes,
checks each links to the one before (sequence numbers, ``prev``, time never
going back), that a ledger's index columns say what its bytes say, and that
every checkpoint's signed note verifies with the key recorded in the first
entry. It names the first entry that does not match.

A whole chain rewritten and re-signed with a new key verifies on its own; it
is caught by its key fingerprint (printed, to compare with the call sheet), by
``--head`` (a head noted earlier must be in the chain) and by ``--against``
(an earlier export must be a prefix, under the same key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from armory.ledger import signing
from armory.ledger.canonical import canonical_bytes
from armory.ledger.entries import KINDS
from armory.ledger.store import GENESIS, HASHED_FIELDS, Entry
from armory.problems import InputError

SQLITE_MAGIC = b"SQLite format 3\x00"
_HTML_BLOCK = re.compile(
    rb"<script\b[^>]*\bid=[\"']armory-ledger[\"'][^>]*>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE
)
_FIELD_SET = frozenset(HASHED_FIELDS)
_ENTRY_KEYS = _FIELD_SET | {"hash"}
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


class UnparsedLine(InputError):
    """A line of an export that is not a JSON object: the file was cut short or edited."""

    def __init__(self, path: Path, lineno: int, reason: str, records_before: list[dict], *,
                 message: str | None = None, kind: str = "?") -> None:
        super().__init__(message or f"{path}:{lineno}: this line does not parse as a ledger entry ({reason}): "
                                    "the file was cut short or edited")
        self.lineno = lineno
        self.records_before = records_before
        self.kind = kind


class NotCanonicalLine(UnparsedLine):
    """A line that parses, but is not the exact bytes armory writes for its entry (a repeated key, spacing, ...).

    ``json.loads`` keeps the last of two equal keys, so the hash can still match
    while a reader that keeps the first (or a person) sees other content: a line
    is only trusted as written when it is its entry's canonical bytes.
    """

    def __init__(self, path: Path, lineno: int, what: str, records_before: list[dict], kind: str) -> None:
        super().__init__(path, lineno, what, records_before, kind=kind,
                         message=f"{path}:{lineno}: {what}, so it is not the exact bytes armory writes for an "
                                 "entry (RFC 8785 canonical JSON): the line was edited after it was exported")


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise _DuplicateKey(f"the key {repeated!r} appears twice in one object")
    return result


def _html_escaped(line: bytes) -> bytes:
    """A line as the HTML report embeds it (``armory.export.html_report.embed_jsonl``)."""
    return line.replace(b"&", b"\\u0026").replace(b"<", b"\\u003c").replace(b">", b"\\u003e")


class _Check:
    """State of one pass over the chain."""

    def __init__(self) -> None:
        self.hashes: list[str] = []
        self.kinds: list[str] = []
        self.prev_time = ""
        self.public_key: bytes | None = None
        self.fingerprint = ""
        self.origin = ""
        self.checkpoints = 0
        self.signed_through = 0
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
            hashes=self.hashes,
            kinds=self.kinds,
            public_key=self.public_key or b"",
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


def verify_rows(rows: Iterable[tuple]) -> VerifyResult:
    """Verify a ledger's rows ``(seq, time, kind, who, scope, hash, body)``: bytes, columns and chain.

    Most entries take a fast path: the canonical bytes of an entry end with its
    ``prev``, ``scope``, ``seq``, ``time`` and ``who`` (JCS sorts the keys, and
    ``payload`` sorts before them), so one ``endswith`` against the bytes built
    from the index columns and the previous hash checks the columns and the
    link at once. The payload stays opaque there: the hash covers it. Anything
    unusual (first entry, checkpoints, a mismatch) goes through a full parse,
    which also says what differs.
    """
    check = _Check()
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


_PLAIN_KINDS = frozenset(KINDS) - {"ledger_opened", "checkpoint"}


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


# -- files -------------------------------------------------------------------


def file_kind(path: Path) -> str:
    """``ledger``, ``html`` or ``jsonl``, from the file's first bytes (then its name)."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(512)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a ledger or an export") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read it: {err.strerror or err}") from None
    if start.startswith(SQLITE_MAGIC):
        return "ledger"
    head = start.lstrip().lower()
    if head.startswith((b"<!doctype", b"<html")) or path.suffix.lower() in (".html", ".htm"):
        return "html"
    return "jsonl"


def read_export(path: Path) -> list[dict]:
    """The entries of a jsonl export, or of the ledger embedded in an HTML report.

    Raises ``UnparsedLine`` (an InputError; verify treats it as tampering) for a
    line that is not JSON once some entries have parsed, ``NotCanonicalLine``
    (one too) for a line that is not exactly its entry's canonical bytes, and
    InputError when the file is no export at all.
    """
    records, not_canonical = _parse_export(Path(path))
    if not_canonical is not None:
        raise not_canonical
    return records


def _parse_export(path: Path) -> tuple[list[dict], NotCanonicalLine | None]:
    """Every entry of an export, and the first line that is not its entry's canonical bytes (or None).

    A line with a repeated key is read as ``json.loads`` reads it (the last one
    wins), so the chain can still be checked and a changed entry named as such.
    """
    kind = file_kind(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read it: {err.strerror or err}") from None
    first_line = 1
    if kind == "html":
        match = _HTML_BLOCK.search(data)
        if match is None:
            raise InputError(f'{path}: an HTML file without an embedded ledger (<script id="armory-ledger">)')
        first_line = data.count(b"\n", 0, match.start(1)) + 1
        data = match.group(1)
    elif kind == "ledger":
        raise InputError(f"{path}: a ledger file, not an export")
    records: list[dict] = []
    not_canonical: NotCanonicalLine | None = None
    pieces = data.split(b"\n")
    # armory ends a jsonl file with a newline, and puts the embedded lines of a report between two
    if pieces and not pieces[-1]:
        pieces.pop()
    if kind == "html" and pieces and not pieces[0]:
        pieces.pop(0)
        first_line += 1
    for offset, line in enumerate(pieces):
        lineno = first_line + offset
        if not line.strip() and not records:
            continue  # leading blank lines: the first entry decides whether this is an export at all
        repeated = None
        try:
            try:
                record = json.loads(line, object_pairs_hook=_no_duplicates)
            except _DuplicateKey as err:
                repeated = str(err)
                record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except (ValueError, UnicodeDecodeError, RecursionError) as err:
            if not records:
                head = line if isinstance(line, bytes) else str(line).encode("utf-8", "replace")
                start = head.lstrip("\ufeff".encode()).lstrip(b'"')
                if Path(path).suffix.lower() == ".csv" or start.startswith((b"local time (", b"armory csv export")):
                    raise InputError(f"{path}: a csv export is a spreadsheet copy: its rows carry each entry's hash, "
                                     "but no chain or signature to check them with, so it proves nothing on its "
                                     "own. Check its rows against a jsonl export of the same ledger (armory log "
                                     f"verify --rows {path} EXPORT.jsonl), or verify the jsonl or html export or "
                                     "the ledger itself") from None
                raise InputError(f"{path}: not an armory export: its first line (line {lineno}) is not a JSON "
                                 "object, so this is no export to verify") from None
            raise UnparsedLine(path, lineno, str(err).split(":")[0] or "an empty line", records) from None
        if not records and not (record.keys() & _ENTRY_KEYS):
            # JSON, but nothing like an entry: some other file, not an export someone edited (that is exit 1)
            raise InputError(f"{path}: not an armory export: its first line (line {lineno}) is JSON but has none of "
                             f"an entry's fields ({', '.join(sorted(_ENTRY_KEYS))}), so this is no export to verify")
        if not_canonical is None:
            seq = record.get("seq")
            where = f"#{seq}" if isinstance(seq, int) else f"entry {len(records) + 1}"
            try:
                expected = canonical_bytes(record)
            except (TypeError, ValueError, RecursionError):
                expected = None  # outside the canonical domain: verify_entries names it
            if repeated is not None:
                not_canonical = NotCanonicalLine(path, lineno, f"in entry {where}, {repeated}", records[:],
                                                 str(record.get("kind", "?")))
            elif expected is not None and line != (_html_escaped(expected) if kind == "html" else expected):
                not_canonical = NotCanonicalLine(
                    path, lineno, f"entry {where} is written differently from its canonical form "
                                  f"({_first_difference(line, expected, kind)})", records[:],
                    str(record.get("kind", "?")))
        records.append(record)
    if not records:
        raise InputError(f"{path}: an empty export (no entries)")
    return records, not_canonical


def _name(line: bytes, position: int) -> str:
    """``#seq`` of a line that may not parse cleanly (the last ``seq`` wins, as in json.loads), else its position."""
    found = re.findall(rb'"seq":\s*(\d+)', line)
    return f"#{int(found[-1])}" if found else str(position)


def _kind_of(line: bytes) -> str:
    found = re.findall(rb'"kind":\s*"([a-z_]+)"', line)
    return found[-1].decode() if found else "?"


def _first_difference(line: bytes, expected: bytes, kind: str) -> str:
    if kind == "html":
        expected = _html_escaped(expected)
    at = next((i for i, (a, b) in enumerate(zip(line, expected)) if a != b), min(len(line), len(expected)))
    if line.endswith(b"\r"):
        return "a carriage return at its end: the file's line endings were converted"
    if line.strip() != line:
        return "whitespace around it"
    if len(line) > len(expected) and line[at:at + 1].isspace():
        return f"extra whitespace at column {at + 1}"
    return f"it first differs at column {at + 1}"


def verify_file(path: Path) -> tuple[VerifyResult, str]:
    """Verify a ledger file or an export; returns the result and the file's kind.

    An export (jsonl or html) must end with a signed checkpoint over every
    entry before it, as ``armory export`` writes it: one that does not was
    cut short (or came from elsewhere), and fails.
    """
    path = Path(path)
    kind = file_kind(path)
    if kind == "ledger":
        from armory.ledger.store import Ledger

        with Ledger.open(path, readonly=True) as ledger:
            result = verify_rows(ledger.rows())
        if not result.entries and result.first_bad is None:
            raise InputError(f"{path}: the ledger has no entries")
        return result, kind
    try:
        records, not_canonical = _parse_export(path)
        if not_canonical is not None:
            # a changed entry is named as changed; a line written differently only when nothing before it is bad
            whole = verify_entries(records)
            if not whole.ok and whole.first_bad and whole.first_bad[0] <= len(not_canonical.records_before) + 1:
                return whole, kind
            raise not_canonical
    except UnparsedLine as err:
        result = verify_entries(err.records_before)  # what came before still names the key
        if result.first_bad is None:  # (also when the bad line is the first)
            result.ok = False
            result.first_bad = (result.entries + 1, err.kind, str(err))
            result.problems.clear()
        return result, kind
    result = verify_entries(records)
    if result.ok and result.last_kind != "checkpoint":
        result.ok = False
        where = (f"after its last signed checkpoint (#{result.signed_through})" if result.signed_through
                 else "and holds no signed checkpoint at all")
        result.first_bad = (
            result.entries, result.last_kind,
            f"the export ends at #{result.entries} ({result.last_kind}), {where}; armory ends every export with "
            "one, so this file was cut short or entries were added to it",
        )
        result.problems.clear()
    return result, kind


def check_head(result: VerifyResult, head_text: str, *, complete: bool = True,
               upto: int | None = None) -> tuple[bool, str]:
    """Whether a head noted earlier (the call-sheet line, ``#N HEX`` or a hex prefix of at least 8) is in
    this chain, and if not, which it is: later than this file, past where the file breaks off, or not in
    this chain at all (:mod:`armory.ledger.head`)."""
    from armory.ledger.head import check_noted, parse_noted

    checked = check_noted(result, parse_noted(head_text), complete=complete, upto=upto)
    return checked.found, checked.message


def check_against(new: VerifyResult, earlier: VerifyResult, earlier_name: str, *,
                  complete: bool = True) -> tuple[int, str, str] | None:
    """The first way ``new`` fails to extend ``earlier`` (seq, kind, what), or None.

    ``complete=False``: ``new`` is only the part of a chain that verified before
    its first bad entry; compare what there is, and do not call it cut short.
    """
    if earlier.key_fingerprint != new.key_fingerprint:
        return (1, "ledger_opened",
                f"signed by key {new.key_fingerprint}, but {earlier_name} by key {earlier.key_fingerprint}: "
                "the chain was rewritten under another key, or these are different ledgers")
    for index, (ours, theirs) in enumerate(zip(new.hashes, earlier.hashes)):
        if ours != theirs:
            return (index + 1, new.kinds[index],
                    f"differs from entry #{index + 1} of {earlier_name} ({earlier.kinds[index]}, "
                    f"{theirs[:16]}… there, {ours[:16]}… here): the entry was rewritten")
    if complete and new.entries < earlier.entries:
        return (new.entries, new.last_kind,
                f"this chain ends at #{new.entries}, but {earlier_name} has {earlier.entries} entries: "
                f"entries were removed, or the two files were given the wrong way round: this file is a prefix "
                f"of {earlier_name}, so {earlier_name} may be the newer one (armory log verify NEWER --against "
                "EARLIER)")
    return None


def read_note(path: Path) -> str | None:
    """The text of ``path`` if it is a signed checkpoint note (as kept from a checkpoint entry), else None."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(64)
            if not start.startswith(b"armory.ledger/"):
                return None
            return (start + handle.read()).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def check_against_note(new: VerifyResult, note: str, name: str, *,
                       complete: bool = True) -> tuple[int, str, str] | None:
    """The first way ``new`` fails to extend the head a signed checkpoint note names, or None.

    ``complete=False``: ``new`` stops before its first bad entry (see ``check_against``).
    """
    try:
        parsed = signing.parse_and_verify_note(note, new.public_key)
    except ValueError as err:
        return (1, "ledger_opened", f"{name}: {err}: it was not signed with this chain's key "
                                    f"{new.key_fingerprint}; the chain was rewritten or is another ledger's")
    if parsed.size > new.entries:
        if not complete:
            return None
        return (new.entries, new.last_kind, f"{name} signs {parsed.size} entries, but this chain has "
                                            f"{new.entries}: entries were removed")
    if new.hashes[parsed.size - 1] != parsed.head_hash:
        return (parsed.size, new.kinds[parsed.size - 1],
                f"{name} signs {parsed.head_hash[:16]}… as head #{parsed.size}; this chain has "
                f"{new.hashes[parsed.size - 1][:16]}… there: the entries up to it were rewritten")
    return None
