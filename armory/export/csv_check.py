"""``armory log verify --rows FILE.csv EXPORT.jsonl``: every row of a csv is what a verified entry gives.

The csv proves nothing on its own: anyone can change a cell. Its rows carry
each entry's ``seq`` and ``hash``, so it can be checked against a jsonl
export of the same ledger that does verify: each row must name an entry of
that chain by number and hash, and every other cell must be what armory
writes for that entry (drawn again from the verified entry, with the names
and time zone the chain itself records). The first cell that differs is
named, with its row and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from armory.problems import InputError


@dataclass(frozen=True)
class RowsCheck:
    ok: bool
    message: str


def check_rows(csv_path: Path, chain: Sequence[dict], *, progress=None) -> RowsCheck:
    """Check every row of ``csv_path`` against ``chain`` (the entries of an export that verified);
    ``progress(done, total)`` is told the rows checked, every thousand and at the end."""
    from armory.fastjson import paused_gc

    with paused_gc():  # a season's rows and records
        return _check_rows(csv_path, chain, progress)


def _check_rows(csv_path: Path, chain: Sequence[dict], progress) -> RowsCheck:
    from armory.export.csv_export import NOTE_START, header, row
    from armory.export.openings import openings_by_seq
    from armory.export.clean import as_int, clean_all
    from armory.export.days import assign_days, zone
    from armory.export.production_file import production_in_chain, recorded_title
    from armory.export.records import Names, build_records

    rows = _read(csv_path)
    note = None
    if rows and rows[0] and rows[0][0].startswith(NOTE_START):
        note, rows = rows[0], rows[1:]
    if not rows:
        raise InputError(f"--rows {csv_path}: no header row: not an armory csv export")
    chain = clean_all(chain)
    production = production_in_chain(chain)
    if production is None:
        from armory.ledger.opened_for import bundled_sample_titled

        production = bundled_sample_titled(recorded_title(chain))
    names = Names(production)
    if note is not None:  # what the first row says is checked too: the head it names, in this chain's words
        problem = _check_note(note, chain, names, csv_path)
        if problem:
            return RowsCheck(False, problem)
    titles, body = rows[0], rows[1:]
    expected_titles = header(names.timezone)
    if titles != expected_titles:
        return RowsCheck(False, f"{csv_path}: its columns are not those armory writes for this chain "
                                f"({', '.join(titles[:4])}… where {', '.join(expected_titles[:4])}… were expected): "
                                "made from another production's file, or edited")
    seq_col, hash_col = titles.index("seq"), titles.index("hash")
    by_seq = {as_int(e.get("seq")): index for index, e in enumerate(chain)}
    records = build_records(chain, names, local=False)  # the csv's row writes its own, with the offset
    tz = zone(names.timezone)
    opened = openings_by_seq(chain, assign_days(chain), tz, names.production)
    seen: set[int] = set()
    for number, cells in enumerate(body, 3):  # the note row and the header come first
        if progress is not None and number % 1000 == 0:
            progress(number - 2, len(body))
        where = f"{csv_path}: row {number}"
        if len(cells) != len(titles):
            return RowsCheck(False, f"{where} has {len(cells)} cells, not {len(titles)}: the file was edited")
        try:
            seq = int(cells[seq_col])
        except ValueError:
            return RowsCheck(False, f"{where}: seq {cells[seq_col]!r} is not an entry number: the file was edited")
        if seq in seen:
            return RowsCheck(False, f"{where}: entry #{seq} appears twice: the file was edited")
        seen.add(seq)
        index = by_seq.get(seq)
        if index is None:
            return RowsCheck(False, f"{where}: entry #{seq} is not in the verified chain, which ends at #{len(chain)}: "
                                    "check it against a jsonl exported with or after this csv")
        entry = chain[index]
        if cells[hash_col] != entry.get("hash"):
            return RowsCheck(False, f"{where}: entry #{seq}'s hash is {cells[hash_col][:16]}…, but the verified "
                                    f"chain's is {str(entry.get('hash'))[:16]}…: the row was changed")
        opening = opened.get(seq)
        expected = row(records[index], tz, opening.date.isoformat() if opening is not None else "")
        for column, (found, wanted) in enumerate(zip(cells, expected)):
            if found != wanted:
                return RowsCheck(False, f"{where} (entry #{seq}), column {titles[column]!r} reads {_clip(found)} "
                                        f"where the verified entry gives {_clip(wanted)}: the cell was changed")
    if progress is not None:
        progress(len(body), len(body))
    return RowsCheck(True, f"every row of {csv_path} ({len(body)}) is a verified entry of this chain, "
                           "field for field and hash for hash")


def _check_note(note: list[str], chain: Sequence[dict], names, csv_path: Path) -> str | None:
    """The first row must be what armory writes for the head it names, and that head must be in the chain."""
    import re

    from armory.export.csv_export import note_row
    from armory.export.production_file import recorded_title

    found = re.search(r"head #(\d+) ([0-9a-f]{16}) \(key ([0-9a-f]+|unknown)\)", note[0] if note else "")
    if found is None or len(note) != 1:
        return f"{csv_path}: row 1 does not name the head the csv was made from: the file was edited"
    seq = int(found.group(1))
    if not 1 <= seq <= len(chain) or not str(chain[seq - 1].get("hash", "")).startswith(found.group(2)):
        return (f"{csv_path}: row 1 says the csv was made from head #{seq} {found.group(2)}, which is not in this "
                "chain: check it against a jsonl exported with or after it, of the same ledger")
    key = str((chain[0].get("payload") or {}).get("key_fingerprint", ""))
    expected = note_row(names.title or recorded_title(chain) or "an unnamed production", seq,
                        str(chain[seq - 1].get("hash", "")), key)
    if note != expected:
        return f"{csv_path}: row 1 is not what armory writes for head #{seq} of this chain: the file was edited"
    return None


def _read(path: Path) -> list[list[str]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"--rows {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"--rows {path}: cannot read it as UTF-8 text ({err})") from None
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise InputError(f"--rows {path}: not a csv file ({err})") from None


def _clip(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")
