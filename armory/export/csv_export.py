"""The spreadsheet: one row per ledger entry, columns a producer understands.

Written with the ``csv`` module (every field that holds a comma, a quote or a
newline is quoted, quotes doubled), UTF-8 with a byte-order mark so that
spreadsheet programs that guess the encoding guess right, and CRLF line ends
as RFC 4180 asks.
"""

from __future__ import annotations

import csv
from typing import IO, Iterable

from armory.export.records import Record

COLUMNS = (
    "time_local",
    "time_utc",
    "day",
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


def header(timezone: str) -> list[str]:
    """Column titles, each distinct: ``time (UTC)`` as recorded, and ``local time (<zone>)`` in the
    production's zone (when no production file says which zone, the local column says so)."""
    local = f"local time ({timezone})" if timezone and timezone != "UTC" else "local time (zone unknown, shown in UTC)"
    titles = {
        "time_local": local,
        "time_utc": "time (UTC)",
        "run": "drill run (blank: the real record)",
    }
    names = [titles.get(column, column) for column in COLUMNS]
    assert len(set(names)) == len(names), names
    return names


def row(record: Record) -> list[str]:
    weapon = record.weapon or ", ".join(record.weapons)
    details = dict(record.details)
    return [
        record.time_local,
        record.time_utc,
        record.day or "",
        record.scope,
        record.scene or "",
        weapon,
        record.who,
        record.what,
        record.result,
        details.get("Observed", details.get("Found in the ledger", "")),
        details.get("Expected", ""),
        record.rule,
        record.reason,
        str(record.seq),
        record.hash,
    ]


def write_csv(handle: IO[str], records: Iterable[Record], *, timezone: str = "UTC", progress=None) -> int:
    """Write ``records`` to ``handle`` (opened with ``newline=""``); return the rows written."""
    handle.write("\ufeff")
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(header(timezone))
    written = 0
    for record in records:
        writer.writerow(row(record))
        written += 1
        if progress is not None:
            progress(written)
    return written
