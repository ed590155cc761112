"""Writing the producer's files (jsonl, csv, html) from a ledger, signed and recorded.

Order of work, so that bad input changes nothing and a file is never half
written: load and check everything (ledger, day, output path); then, when the
ledger is writable and its chain verifies, append a signed checkpoint; write
the file through a temporary file and a rename; then record the export in the
ledger. A chain that does not verify is never signed: its report is still
written, saying so at the top, and the result says so.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, TextIO

from armory.fastjson import paused_gc
from armory.problems import InputError


@dataclass
class Loaded:
    """A ledger's entries as export lines, with what the exports need to describe them."""

    ledger: Any
    writable: bool
    entries: list[dict]
    production: Any
    """The production model when known (names, time zone), else None."""
    stored_as_text: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    """(seq, kind) of each entry whose body the file holds as TEXT, not armory's BLOB: edited outside armory."""
    cannot_sign: str = ""
    """Why no checkpoint can be signed here (not ``writable``): the ledger is read-only, or its signing key is
    encrypted under the device secret of another computer."""


@dataclass(frozen=True)
class Written:
    """What an export wrote, for the one who asked to say it."""

    out: Path
    format: str
    day: str | None
    shown: int
    """How many entries the file shows (a day's, or all)."""
    chain: list[dict]
    """The chain the file carries, from the first entry (to the checkpoint this export signed, if it did)."""
    verification: Any
    """The ledger's VerifyResult of ``chain``: a file whose chain does not verify was written and says so."""
    left_out: list[dict]
    """Entries after the last signed checkpoint of a read-only ledger, which the file could not carry."""
    writable: bool
    """The ledger was writable: a checkpoint was signed and the export recorded, when the chain verified."""
    open_stops: list[dict]
    """Stops the chain leaves open (the report lists them first)."""


def open_ledger(ledger_path: Path) -> Any:
    """The ledger at ``ledger_path``, open for an export: writable when the file and its directory are."""
    from armory.ledger.store import Ledger

    if not ledger_path.exists():
        raise InputError(f"{ledger_path}: no ledger there (give --ledger PATH or set ARMORY_LEDGER)")
    writable = os.access(ledger_path, os.W_OK) and os.access(ledger_path.parent, os.W_OK)
    return Ledger.open(ledger_path, create=False, readonly=not writable)


_SUFFIX_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".html": "html", ".htm": "html"}


def export_format(given: str | None, out: Path) -> str:
    """The format to write: --format if given, else the one --out's suffix names, else jsonl.

    A --format that contradicts a suffix naming another format is refused:
    the file would be opened by the wrong program, and ``log verify`` reads a
    ``.html`` file as a report, so a jsonl chain in ``x.html`` would not verify.
    """
    by_suffix = _SUFFIX_FORMATS.get(out.suffix.lower())
    if given is None:
        return by_suffix or "jsonl"
    if by_suffix is not None and by_suffix != given:
        raise InputError(f"--format {given} but --out {out} ends in {out.suffix}, which names {by_suffix}: the file "
                         f"would be opened as {by_suffix} and misread; name it "
                         f"{out.with_suffix('.' + given).name}, or leave out --format")
    return given


def read_entries(ledger: Any, stored_as_text: list[tuple[int, str]] | None = None) -> Sequence[dict]:
    """Every entry of the ledger as an export line's dict, in order, whatever state the file is in.

    The entries are a :class:`~armory.export.chain.Chain`: each body is parsed when first looked at (an
    entry whose stored bytes are not JSON any more is kept as what its index columns say, so the export
    still shows everything around it and verification names it). An entry whose body is stored as text
    (edited with the sqlite3 tool) has its (seq, kind) added to ``stored_as_text``, for :func:`verify_loaded`.
    """
    from armory.export.chain import Chain

    rows = list(ledger.rows())
    if stored_as_text is not None:
        stored_as_text.extend((row[0], str(row[2])) for row in rows if type(row[6]) is not bytes)
    return Chain(rows)


def load(ledger: Any, production: Any = None) -> Loaded:
    """Read an open ledger for export; ``production`` is a model, a path, or None to guess."""
    stored_as_text: list[tuple[int, str]] = []
    entries = read_entries(ledger, stored_as_text)
    why_not = _cannot_sign(ledger)
    if production is None or isinstance(production, (str, Path)):
        production = _production(Path(production) if production else None, entries)
    return Loaded(ledger, not why_not, entries, production, stored_as_text, why_not)


def _cannot_sign(ledger: Any) -> str:
    """Why this export cannot sign a checkpoint over ``ledger``, or "" when it can."""
    from armory.ledger import device_secret, signing

    if ledger.readonly:
        return "the ledger is read-only"
    try:
        signing.load_or_create_key(ledger.key_path, create=False)
    except device_secret.SecretMissing:
        # A ledger moved to another laptop: it still exports (to its last checkpoint) and verifies.
        return ("the ledger's signing key is encrypted under the device secret of the laptop it was made on, "
                "which is not on this computer")
    return ""


def verify_loaded(loaded: Loaded, entries: Sequence[dict]) -> Any:
    """``verify_entries`` of the chain read from the ledger, also failing at an entry whose body is stored as text.

    The export reads entries as JSON, so a body that sqlite3's ``replace()`` turned
    into TEXT would otherwise verify here while ``log verify --ledger`` names it.
    """
    from armory.export.chain import Chain
    from armory.ledger.verify import verify_entries, verify_rows

    verification = None
    if isinstance(entries, Chain) and len(entries.rows) == len(entries):
        # The stored rows, checked as `log verify` checks a ledger: each body's hash, the index columns and
        # the links, without parsing every body. A chain that fails is checked again entry by entry below,
        # which names what differs as the export's readers know it.
        verification = verify_rows(entries.rows)
        if not verification.ok:
            verification = None
    if verification is None:
        verification = verify_entries(entries)
    for seq, kind in loaded.stored_as_text:
        if seq > len(entries):
            break
        if verification.first_bad is None or seq <= verification.first_bad[0]:
            count = min(verification.entries, seq - 1)
            verification = dataclasses.replace(
                verification, ok=False, entries=count, problems=[],
                first_bad=(seq, kind, "its body is stored as text, not as the bytes armory writes: it was edited "
                                      "outside armory (with the sqlite3 tool or the like)"),
                hashes=verification.hashes[:count], kinds=verification.kinds[:count],
                head=verification.hashes[count - 1] if count else "")
        break
    return verification


def _production(path: Path | None, entries: Sequence[dict]) -> Any:
    """The production for a ledger's export: --production when its title is the ledger's (refused when it
    is not: a report must never carry another production's title), else the bundled sample whose title the
    ledger's first entry records, else None (crew ids and UTC)."""
    from armory.export.records import recorded_title
    from armory.ledger.opened_for import production_for_ledger

    return production_for_ledger(path, recorded_title(entries))[0]


# -- one file ---------------------------------------------------------------


def jsonl_lines(entries: Sequence[dict]) -> list[str]:
    """Each entry as one line of a jsonl export (the same text the jsonl file holds)."""
    from armory.export.jsonl import entry_line

    return [entry_line(entry) for entry in entries]


def select_day(entries: Sequence[dict], day: str, production: Any) -> tuple[list[dict], list[dict]]:
    """(carried, shown) for ``--day``: the chain from the start to the first signed checkpoint
    at or after the day's last entry, and the day's own entries.

    ``day-1`` is every opening of day-1; ``day-1@2026-12-01`` only those opened on that local date."""
    import datetime as dt

    from armory.export.openings import positions_of, split_choice
    from armory.export.records import days_in, production_in_chain, zone

    in_force = production_in_chain(entries) or production
    tz = zone(in_force.production.timezone) if in_force is not None else dt.timezone.utc
    positions, of_day = positions_of(entries, day, tz, in_force)
    if not positions:
        day_id, date = split_choice(day)
        if date is not None and of_day:
            opened = ", ".join(dict.fromkeys(o.label for o in of_day))
            raise InputError(f"--day {day}: {day_id} was not opened on {date.isoformat()}; it was opened as "
                             f"{opened}; nothing written")
        recorded = days_in(entries)
        known = ", ".join(recorded) if recorded else "none yet"
        if production is not None and production.day_by_id(day_id) is not None:
            raise InputError(f"--day {day}: nothing was recorded on {day_id} (the day was never opened); "
                             f"days with entries: {known}; nothing written")
        raise InputError(f"--day {day}: no such day in this ledger; days with entries: {known}; nothing written")
    end = positions[-1]
    while end < len(entries) and entries[end].get("kind") != "checkpoint":
        end += 1
    carried = list(entries[: end + 1])
    shown = [entries[i] for i in positions]
    return carried, shown


def several_openings_note(entries: Sequence[dict], day: str, production: Any) -> str | None:
    """A note when ``--day D`` covers openings of D on several dates (each shown under its own heading)."""
    import datetime as dt

    from armory.export.openings import positions_of, several_dates_note
    from armory.export.records import production_in_chain, zone

    in_force = production_in_chain(entries) or production
    tz = zone(in_force.production.timezone) if in_force is not None else dt.timezone.utc
    return several_dates_note(day, positions_of(entries, day, tz, in_force)[1])


def sign(loaded: Loaded, entries: list[dict], verification: Any) -> tuple[list[dict], Any]:
    """Append a signed checkpoint over a chain that verified; return the chain with it and its verification.

    When the chain already ends on a signed checkpoint followed by nothing but records of exports, no new
    one is signed: the chain up to that checkpoint is returned, so exports of one moment share one head.

    The new checkpoint is checked on its own when it directly follows the
    entries read (the usual case); when another process appended in between,
    the whole chain is read and verified again.
    """
    import dataclasses

    from armory.export.chain import Chain
    from armory.ledger import signing
    from armory.ledger.head import shared_checkpoint
    from armory.ledger.verify import verify_entries

    shared = shared_checkpoint(entries)
    if shared is not None:
        # Nothing but exports was recorded since the last signed head (a day's close, an export a minute
        # ago): end on it, so every export of this moment carries the head on the call sheet.
        size = shared + 1
        return entries[:size], dataclasses.replace(
            verification, entries=size, head=verification.hashes[shared], signed_through=size,
            checkpoints_checked=verification.kinds[:size].count("checkpoint"), last_kind="checkpoint",
            problems=[], hashes=verification.hashes[:size], kinds=verification.kinds[:size])
    checkpoint = loaded.ledger.checkpoint().to_json()
    public_key = _public_key(entries)
    try:
        note = signing.parse_and_verify_note(checkpoint["payload"]["note"], public_key)
        follows = (checkpoint["seq"] == len(entries) + 1 and checkpoint["prev"] == entries[-1]["hash"]
                   and note.head_hash == entries[-1]["hash"] and note.size == len(entries))
    except (KeyError, TypeError, ValueError):
        follows = False
    if not follows:
        loaded.entries = [entry.to_json() for entry in loaded.ledger.entries(scope=None)]
        return loaded.entries, verify_entries(loaded.entries)
    extended = dataclasses.replace(
        verification, entries=verification.entries + 1, head=checkpoint["hash"],
        checkpoints_checked=verification.checkpoints_checked + 1, signed_through=checkpoint["seq"],
        last_kind="checkpoint", problems=[], hashes=[*verification.hashes, checkpoint["hash"]],
        kinds=[*verification.kinds, "checkpoint"])
    return entries + [checkpoint] if isinstance(entries, Chain) else [*entries, checkpoint], extended


def _public_key(entries: Sequence[dict]) -> bytes:
    import base64

    return base64.b64decode((entries[0].get("payload") or {}).get("public_key", ""))


@paused_gc()
def write_export(loaded: Loaded, fmt: str, out: Path, *, day: str | None, progress_stream: TextIO | None = None
                 ) -> Written:
    """Write ``loaded`` as ``fmt`` to ``out`` (of ``day`` only, when given); sign and record it where it may be.

    Progress of a long export goes to ``progress_stream`` (default: standard error).
    """
    from armory.export.atomic import atomic_open, check_writable
    from armory.export.chain import of_kinds
    from armory.export.progress import Progress
    from armory.export.records import Names, build_records, open_stops, production_in_chain

    entries = loaded.entries
    left_out: list[dict] = []
    if not entries:
        raise InputError(f"{loaded.ledger.path}: the ledger has no entries; nothing written")
    if day is not None:
        select_day(entries, day, loaded.production)  # a bad day is refused before anything is signed
    check_writable(out)
    verification = verify_loaded(loaded, entries)
    if verification.ok and loaded.writable:
        entries, verification = sign(loaded, entries, verification)
    elif verification.ok and entries[-1].get("kind") != "checkpoint" and day is None:
        # Without a signed head at its end an export cannot prove where it ends (log verify fails it), and a
        # read-only ledger cannot sign one: export the chain up to its last checkpoint, which verifies alone.
        entries, left_out = _to_last_checkpoint(loaded, entries)
        verification = verify_loaded(loaded, entries)
    carried, shown = select_day(entries, day, loaded.production) if day is not None else (entries, entries)
    if day is not None and carried is not entries:
        verification = verify_loaded(loaded, carried)
        if verification.ok and carried[-1].get("kind") != "checkpoint":
            if loaded.ledger.readonly:
                raise InputError(f"--day {day}: no signed checkpoint follows that day in this read-only ledger, so "
                                 "the export could not prove where it ends; export from a writable ledger. Nothing "
                                 "written")
            raise InputError(f"--day {day}: no signed checkpoint follows that day, and none can be signed here "
                             f"({loaded.cannot_sign}), so the export could not prove where it ends; export on the "
                             "laptop that keeps the ledger. Nothing written")

    progress = Progress(f"writing {out.name}", len(carried if fmt == "jsonl" else shown), stream=progress_stream)
    # The production the chain itself recorded when the day opened, where it did: then every name, weapon
    # and local time on the page is covered by the signatures (and log verify can draw the page again).
    if fmt == "jsonl":
        from armory.export.chain import Chain
        from armory.export.jsonl import entry_line

        with atomic_open(out, "w", encoding="utf-8", newline="\n") as handle:
            # the same lines as armory.export.jsonl.write_lines, with progress
            for written in range(1, len(carried) + 1):
                if isinstance(carried, Chain):
                    handle.write(carried.line(written - 1, verified=verification.ok) + "\n")
                else:
                    handle.write(entry_line(carried[written - 1]) + "\n")
                if written % 1000 == 0:
                    progress(written)
    elif fmt == "csv":
        from armory.export.csv_export import note_row, write_csv
        from armory.export.days import assign_days, zone
        from armory.export.openings import openings_by_seq
        from armory.export.production_file import recorded_title

        names = Names(production_in_chain(carried) or loaded.production)
        records = build_records(shown, names, verified=verification.ok)
        opened = openings_by_seq(carried, assign_days(carried), zone(names.timezone), names.production)
        note = note_row(names.title or recorded_title(carried) or "an unnamed production",
                        int(carried[-1].get("seq") or 0), str(carried[-1].get("hash", "")),
                        verification.key_fingerprint)
        with atomic_open(out, "w", encoding="utf-8", newline="") as handle:
            write_csv(handle, records, timezone=names.timezone, progress=progress, note=note,
                      opened_on={seq: o.date.isoformat() for seq, o in opened.items()})
    elif fmt == "html":
        from armory.export.chain import Chain
        from armory.export.html_report import ReportData, render_report

        names = Names(production_in_chain(carried) or loaded.production)
        signed_now = verification.ok and loaded.writable
        # A day's page ends before the checkpoint this export signed: it says "record as of" its last
        # entry, a time the page's own entries prove, not an export time they cannot.
        lines = ([carried.line(i, verified=verification.ok) for i in range(len(carried))]
                 if isinstance(carried, Chain) else jsonl_lines(carried))
        data = ReportData(chain=carried, lines=lines, shown=shown, names=names,
                          verification=verification, day=day,
                          generated=str(entries[-1].get("time", "")) if signed_now and day is None else None)
        text = render_report(data, progress=progress)
        with atomic_open(out, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:  # the command line restricts --format; a caller from Python may not
        raise InputError(f"--format {fmt!r}: expected jsonl, csv or html")
    progress.done()

    if verification.ok and loaded.writable:
        from armory.ledger.entries import ExportRecorded

        loaded.ledger.append("export_recorded", None, ExportRecorded(
            format=fmt, day=day, entries=len(carried), head_hash=str(carried[-1].get("hash", ""))))
    return Written(out, fmt, day, len(shown), carried, verification, left_out, loaded.writable,
                   open_stops(of_kinds(carried, frozenset({"stop", "clearance"}))))


def export_ledger(ledger_path: Path, production_path: Path | None, fmt: str, out: Path, *,
                  day: str | None = None, progress_stream: TextIO | None = None) -> Written:
    """Export the ledger at ``ledger_path`` to ``out`` in one call: check the target, open, load, write, close."""
    from armory.export.atomic import check_target

    out = check_target(out)
    fmt = export_format(fmt, out)
    ledger = open_ledger(ledger_path)
    try:
        return write_export(load(ledger, production_path), fmt, out, day=day, progress_stream=progress_stream)
    finally:
        ledger.close()


def _to_last_checkpoint(loaded: Loaded, entries: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the chain up to its last signed checkpoint, the entries after it) of a read-only ledger."""
    last = next((i for i in range(len(entries) - 1, -1, -1) if entries[i].get("kind") == "checkpoint"), None)
    if last is None:
        if loaded.ledger.readonly:
            raise InputError(
                f"{loaded.ledger.path}: the ledger is read-only and holds no signed checkpoint, so none can be signed "
                "over its entries and the export could not prove where it ends; export from a writable ledger (or a "
                "writable copy of it). Nothing written")
        raise InputError(
            f"{loaded.ledger.path}: no checkpoint can be signed here ({loaded.cannot_sign}) and the ledger holds "
            "none, so the export could not prove where it ends; export on the laptop that keeps the ledger, or "
            "restore its device secret here. Nothing written")
    return entries[: last + 1], entries[last + 1:]
