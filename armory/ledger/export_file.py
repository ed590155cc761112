"""Reading a file that has left the set: which kind it is, and the entries of an export.

An export is a jsonl file, or the jsonl embedded in an HTML report. Each
line must be exactly its entry's canonical bytes (RFC 8785), as armory wrote
it: a line that parses but is written differently (a repeated key, spacing,
converted line endings) was edited after the export, and is named.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from armory.ledger.canonical import canonical_bytes
from armory.ledger.chain import HASHED_FIELDS
from armory.problems import InputError

SQLITE_MAGIC = b"SQLite format 3\x00"
_HTML_BLOCK = re.compile(
    rb"<script\b[^>]*\bid=[\"']armory-ledger[\"'][^>]*>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE
)
_ENTRY_KEYS = frozenset(HASHED_FIELDS) | {"hash"}


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
