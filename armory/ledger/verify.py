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

This module is the front door, :func:`verify_file`, and exports every name
callers use; the work is in :mod:`armory.ledger.recompute` (the chain),
:mod:`armory.ledger.export_file` (reading exports) and
:mod:`armory.ledger.extends` (against earlier heads and exports).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from armory.fastjson import paused_gc
from armory.ledger.export_file import (
    SQLITE_MAGIC,
    NotCanonicalLine,
    UnparsedLine,
    _parse_export,
    file_kind,
    read_export,
)
from armory.ledger.extends import check_against, check_against_note, check_head, read_note
from armory.ledger.recompute import VerifyResult, verify_entries, verify_rows
from armory.problems import InputError

__all__ = [
    "SQLITE_MAGIC",
    "NotCanonicalLine",
    "UnparsedLine",
    "VerifyResult",
    "check_against",
    "check_against_note",
    "check_head",
    "file_kind",
    "read_export",
    "read_note",
    "verify_entries",
    "verify_file",
    "verify_ledger",
    "verify_ledger_apart",
    "verify_rows",
]


def _told(items: Iterable, total: int, progress: Callable[[int, int], None] | None) -> Iterable:
    """``items``, calling ``progress(done, total)`` every thousand of them and at the end."""
    if progress is None:
        yield from items
        return
    done = 0
    for done, item in enumerate(items, 1):
        yield item
        if done % 1000 == 0:
            progress(done, total)
    progress(done, total)


def verify_ledger(ledger) -> VerifyResult:
    """An open ledger's chain checked as ``log verify`` checks it, holding no hash per entry (the app opening a
    season's ledger)."""
    return verify_rows(ledger.rows(), hash_of=ledger.hash_at)


def verify_ledger_apart(path: Path) -> VerifyResult:
    """:func:`verify_ledger` on a read-only connection of its own: for a worker thread, while the app works on
    its ledger on another (SQLite connections are not shared between threads). Nothing is written, nor warned."""
    import sqlite3

    from armory.ledger.sqlite_file import connect, sqlite_problem

    conn = connect(Path(path), readonly=True)
    try:
        def hash_of(seq: int) -> str:
            row = conn.execute("SELECT hash FROM entries WHERE seq = ?", (seq,)).fetchone()
            return row[0] if row and isinstance(row[0], str) else ""

        def rows():
            cursor = conn.execute("SELECT seq, time, kind, who, scope, hash, body FROM entries ORDER BY seq")
            while batch := cursor.fetchmany(2048):
                yield from batch

        return verify_rows(rows(), hash_of=hash_of)
    except sqlite3.Error as err:
        raise sqlite_problem(Path(path), err, "reading") from None
    finally:
        conn.close()


@paused_gc()
def verify_file(path: Path, *, progress: Callable[[int, int], None] | None = None) -> tuple[VerifyResult, str]:
    """Verify a ledger file or an export; returns the result and the file's kind.

    An export (jsonl or html) must end with a signed checkpoint over every
    entry before it, as ``armory export`` writes it: one that does not was
    cut short (or came from elsewhere), and fails. ``progress(done, total)``
    is told how many entries are checked, every thousand (a season's take seconds).
    """
    path = Path(path)
    kind = file_kind(path)
    if kind == "ledger":
        from armory.ledger.store import Ledger

        with Ledger.open(path, readonly=True) as ledger:
            result = verify_rows(_told(ledger.rows(), len(ledger), progress))
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
    result = verify_entries(_told(records, len(records), progress))
    result.records = records
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
