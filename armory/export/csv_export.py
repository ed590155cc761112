"""The spreadsheet: one row per ledger entry, columns a producer understands.

Written with the ``csv`` module (every field that holds a comma, a quote or a
newline is quoted, quotes doubled), UTF-8 with a byte-order mark so that
spreadsheet programs that guess the encoding guess right, and CRLF line ends
as RFC 4180 asks.

The csv is a copy for reading, and says so in its first row: it carries no
chain and no signature, so it proves nothing on its own. That row names the
head and key of the chain it was made from, and the command that checks every
row against a verified jsonl export of that chain (:mod:`armory.export.csv_check`).
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import IO, Iterable, Mapping

from armory.export.days import local_with_offset
from armory.export.records import Record, zone

COLUMNS = (
    "time_local",
    "time_utc",
    "day",
    "day_opened",
    "run",
    "scene",
    "weapon",
    "who",
    "what",
    "result",
    "observed",
    "expected",
    "rule",
    "reason",
    "seq",
    "hash",
)

#: How the first row begins, so a reader (and ``log verify``) knows the file for what it is.
NOTE_START = "armory csv export"


def header(timezone: str) -> list[str]:
    """Column titles, each distinct: ``time (UTC)`` as recorded, and ``local time (<zone>)`` in the
    production's zone (when no production file says which zone, the local column says so)."""
    local = f"local time ({timezone})" if timezone and timezone != "UTC" else "local time (zone unknown, shown in UTC)"
    titles = {
        "time_local": local,
        "time_utc": "time (UTC)",
        "day_opened": "day opened on (local date)",
        "run": "drill run (blank: the real record)",
    }
    names = [titles.get(column, column) for column in COLUMNS]
    assert len(set(names)) == len(names), names
    return names


def note_row(title: str, head_seq: int, head_hash: str, key: str) -> list[str]:
    """The first row: what the file is, which head it was made from, and how to check it."""
    return [f"{NOTE_START} of {title}: a spreadsheet copy for reading, which proves nothing on its own. "
            f"Made from the chain to head #{head_seq} {head_hash[:16]} (key {key or 'unknown'}). "
            "To check every row against the signed record, export the jsonl of the same ledger and run: "
            "armory log verify --rows THIS-FILE.csv EXPORT.jsonl"]


def row(record: Record, tz: dt.tzinfo = dt.timezone.utc, opened_on: str = "") -> list[str]:
    weapon = record.weapon or ", ".join(record.weapons)
    observed = expected = found = None
    for label, value in record.details:  # the last of each label wins, as in a dict of them
        if label == "Observed":
            observed = value
        elif label == "Expected":
            expected = value
        elif label == "Found in the ledger":
            found = value
    return [
        local_with_offset(record.time_utc, tz),
        record.time_utc,
        record.day or "",
        opened_on,
        record.scope,
        record.scene or "",
        weapon,
        record.who,
        record.what,
        record.result,
        observed if observed is not None else found if found is not None else "",
        expected if expected is not None else "",
        record.rule,
        record.reason,
        str(record.seq),
        record.hash,
    ]


#: Rows written at a time (and progress told between them).
_BATCH = 1000


def write_csv(handle: IO[str], records: Iterable[Record], *, timezone: str = "UTC", progress=None,
              note: list[str] | None = None, opened_on: Mapping[int, str] | None = None) -> int:
    """Write ``records`` to ``handle`` (opened with ``newline=""``); return the rows written.

    ``note``: the first row (see :func:`note_row`); ``opened_on``: seq -> the local date its day was opened on;
    ``progress``: called with the rows written so far, every thousand rows and at the end."""
    handle.write("\ufeff")
    writer = csv.writer(handle, lineterminator="\r\n")
    if note:
        writer.writerow(note)
    writer.writerow(header(timezone))
    tz = zone(timezone)
    opened_on = opened_on or {}
    records = list(records)
    for start in range(0, len(records), _BATCH):
        writer.writerows([row(record, tz, opened_on.get(record.seq, "")) for record in records[start:start + _BATCH]])
        if progress is not None:
            progress(min(start + _BATCH, len(records)))
    return len(records)
