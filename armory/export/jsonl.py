"""The jsonl export: the whole chain, one entry per line, so it verifies on its own.

Each line is the entry's canonical JSON (RFC 8785) with its ``hash`` sorted
in; drop ``hash`` from a line and its JCS bytes hash to that value, so a
producer's own tools can recompute the chain without armory.

``--day D`` writes a prefix of the chain: from the first entry to the first
signed checkpoint at or after the last entry of day D (its ``day_closed``,
or its last entry carrying ``"day": D``). Day close and every export sign a
checkpoint, so that prefix always ends in a signed head.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from armory.ledger.canonical import canonical_bytes
from armory.ledger.store import Entry, Ledger
from armory.problems import InputError


def entry_line(entry: dict | Entry) -> str:
    """One export line (without the newline): canonical JSON of every field, hash included."""
    record = entry.to_json() if isinstance(entry, Entry) else entry
    return canonical_bytes(record).decode("utf-8")


def day_prefix(entries: Sequence[dict], day: str) -> list[dict]:
    """The chain from the start to the first checkpoint at or after day ``day``'s last entry."""
    last = None
    for index, entry in enumerate(entries):
        payload = entry.get("payload") or {}
        if payload.get("day") == day:
            last = index
    if last is None:
        raise InputError(f"--day {day}: nothing in this ledger was recorded on that day; nothing written")
    end = last
    while end < len(entries) and entries[end].get("kind") != "checkpoint":
        end += 1
    return list(entries[: end + 1])


def write_lines(entries: Iterable[dict | Entry], handle: IO[str]) -> int:
    count = 0
    for entry in entries:
        handle.write(entry_line(entry))
        handle.write("\n")
        count += 1
    return count


def write_jsonl(source: Ledger | Iterable[dict | Entry], out: Path | IO[str], *, day: str | None = None,
                entries: Sequence[dict] | None = None) -> int:
    """Write a jsonl export; returns the number of entries written.

    With a ``Ledger``: sign a checkpoint first when it is writable (refusing a
    read-only one whose head no checkpoint covers, since its export could not
    prove where it ends), write the chain (or ``--day``'s prefix) to a
    temporary file renamed over ``out``, then record ``export_recorded``.
    With entries (or ``entries=``) and an open text handle: just write the lines.
    """
    if not isinstance(source, Ledger):
        chosen = list(entries if entries is not None else source)
        if day is not None:
            chosen = day_prefix(chosen, day)
        if isinstance(out, (str, os.PathLike)):
            return _atomic_write(Path(out), chosen)
        return write_lines(chosen, out)

    ledger = source
    out = Path(out)
    chain = list(entries) if entries is not None else [e.to_json() for e in ledger.entries(scope=None)]
    if not chain:
        raise InputError(f"{ledger.path}: the ledger has no entries; nothing written")
    if day is not None:
        day_prefix(chain, day)  # a day with no entries is refused before anything is signed
    _check_target(out)
    if not ledger.readonly:
        chain.append(ledger.checkpoint().to_json())
    elif chain[-1].get("kind") != "checkpoint" and day is None:
        raise InputError(
            f"{ledger.path}: the ledger is read-only, so no checkpoint can be signed over its last entries and "
            "the export could not prove where it ends; export from a writable ledger. Nothing written"
        )
    chosen = day_prefix(chain, day) if day is not None else chain
    if chosen[-1].get("kind") != "checkpoint":
        raise InputError(f"--day {day}: no signed checkpoint follows that day in this read-only ledger; nothing written")
    count = _atomic_write(out, chosen)
    if not ledger.readonly:
        ledger.append("export_recorded", None, {
            "format": "jsonl", "day": day, "entries": count, "head_hash": chosen[-1]["hash"],
        })
    return count


def _check_target(out: Path) -> None:
    from armory.export.atomic import check_target

    check_target(out)  # a directory, a device, a fifo or a symlink is refused, never replaced
    if not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise InputError(f"--out {out}: the directory {out.parent} does not exist")


def _atomic_write(out: Path, entries: Sequence[dict | Entry]) -> int:
    """Write to a temporary file beside ``out``, fsync, then rename: never a half-written file."""
    _check_target(out)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as err:
        raise InputError(f"cannot write {out}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            count = write_lines(entries, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        _check_target(out)
        os.replace(tmp_name, out)
    except BaseException as err:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise InputError(f"cannot write {out}: {err.strerror or err}") from None
        raise
    return count
