"""``armory export``: the producer's files (jsonl, csv, html) and the incident evidence bundle.

The writing, signing and recording are :mod:`armory.export.writing` and
:mod:`armory.export.bundle_write`; this says what was written, warns when the
chain does not verify (exit 1) and names what a read-only ledger left out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from armory.export.writing import Loaded, export_format, load  # noqa: F401 - load: what callers hand in
from armory.problems import InputError

EXIT_OK, EXIT_CHECK_FAILED = 0, 1


def export(args: argparse.Namespace) -> int:
    if getattr(args, "unit", None) is not None:
        raise InputError("--unit names a unit in the studio store: it applies with --store --incident SEQ")
    if args.incident is not None and args.day is not None:
        raise InputError("--day does not apply to --incident: an evidence bundle always carries the whole chain")
    if args.incident is not None and args.format is not None:
        raise InputError(f"--format {args.format} does not apply to --incident: an evidence bundle is a directory "
                         "that holds the chain (jsonl), its index and an html report of the incident; give --out DIR "
                         "without --format")
    fmt = None
    if args.incident is None:
        from armory.export.atomic import check_target

        out = check_target(args.out)  # "--out sub/" or a device is refused before the ledger is even opened
        fmt = export_format(args.format, out)
    loaded = _open(args)
    try:
        if args.incident is not None:
            return export_bundle(loaded, args.incident, Path(args.out), stderr=sys.stderr)
        return export_file(loaded, fmt, out, day=args.day, stderr=sys.stderr)
    finally:
        loaded.ledger.close()


def _open(args: argparse.Namespace) -> Loaded:
    from armory import paths
    from armory.export.writing import open_ledger
    from armory.ledger.opened_for import UTC_NOTE

    production_path = Path(args.production) if args.production else None
    ledger_path = Path(args.ledger) if args.ledger else paths.default_ledger_path(production_path or paths.SAMPLE_PRODUCTION)
    ledger = open_ledger(ledger_path)
    try:
        _announce(len(ledger))
        loaded = load(ledger, production_path)
    except BaseException:
        ledger.close()
        raise
    if loaded.production is None:
        print(f"armory: note: {UTC_NOTE}", file=sys.stderr)
    return loaded


def _announce(count: int) -> None:
    """Say what a long export is doing before the first progress line can (reading and checking take a while);
    on a terminal only, as the progress is."""
    from armory.export.progress import LONG_EXPORT

    if sys.stderr.isatty() and count >= LONG_EXPORT // 10:
        print(f"armory: reading {count:,} entries and checking the chain…", file=sys.stderr, flush=True)


def export_file(loaded: Loaded, fmt: str, out: Path, *, day: str | None, stderr: TextIO) -> int:
    """Write one file and say what was written on ``stderr``; 1 when the chain does not verify."""
    from armory.export.writing import write_export

    if day is not None:
        from armory.export.writing import several_openings_note, select_day

        select_day(loaded.entries, day, loaded.production)  # a bad day is refused before any note
        several = several_openings_note(loaded.entries, day, loaded.production)
        if several:
            print(f"armory: note: {several}", file=stderr)
    written = write_export(loaded, fmt, out, day=day, progress_stream=stderr)
    carried, verification, left_out = written.chain, written.verification, written.left_out
    scope = f" of {day}" if day else ""
    print(f"armory: wrote {out} ({fmt}{scope}): {written.shown} entries shown, chain of {len(carried)} "
          f"to head #{carried[-1].get('seq')} {str(carried[-1].get('hash', ''))[:16]}, key "
          f"{verification.key_fingerprint or '?'}",
          file=stderr)
    still_open = written.open_stops
    if still_open:
        listed = ", ".join(f"#{e.get('seq')}" for e in still_open)
        print(f"armory: note: {len(still_open)} stop{'s are' if len(still_open) > 1 else ' is'} still open "
              f"({listed}); the report lists {'them' if len(still_open) > 1 else 'it'} first", file=stderr)
    if not verification.ok:
        bad = verification.first_bad
        where = f"entry #{bad[0]} ({bad[1]}): {bad[2]}" if bad else "the chain is empty"
        print(f"armory: WARNING: the ledger does not verify: {where}. The file was written and says so; "
              "no checkpoint was signed over it", file=stderr)
        return EXIT_CHECK_FAILED
    why = loaded.cannot_sign or "the ledger is read-only"
    where = ("Export from a writable copy of the ledger" if loaded.ledger.readonly else
             "Export on the laptop that keeps the ledger (or restore its device secret here)")
    if left_out:
        count = len(left_out)
        span = f"#{left_out[0].get('seq')}" + (f"-#{left_out[-1].get('seq')}" if count > 1 else "")
        them = "them" if count > 1 else "it"
        print(f"armory: WARNING: {count} entr{'ies' if count > 1 else 'y'} after the last signed checkpoint "
              f"(#{carried[-1].get('seq')}) left out ({span}): {why}, so no checkpoint can be "
              f"signed over {them} and an export holding {them} could not prove where it ends. "
              f"{where} to include {them}", file=stderr)
    if not written.writable:
        print(f"armory: note: {why}, so no checkpoint was added and the export was not recorded", file=stderr)
    return EXIT_OK


def export_bundle(loaded: Loaded, incident_seq: int, out: Path, *, stderr: TextIO) -> int:
    """Write an incident's evidence bundle and say what it holds on ``stderr``; 1 when the chain does not verify."""
    from armory.export.bundle_write import write_bundle

    bundle = write_bundle(loaded, incident_seq, out)
    chain, index, verification = bundle.chain, bundle.index, bundle.verification
    print(f"armory: wrote the evidence bundle for incident #{incident_seq} to {out}: chain of {len(chain)} entries "
          f"to head {str(chain[-1].get('hash', ''))[:16]}, {len(index['entries'])} indexed, "
          f"{len(index['custody'])} sealed item(s)", file=stderr)
    if not verification.ok:
        seq, kind, what = verification.first_bad or (0, "?", "no entries")
        print(f"armory: WARNING: the ledger does not verify: entry #{seq} ({kind}): {what}. The bundle was "
              "written and says so; no checkpoint was signed over it", file=stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK
