"""``armory log verify``, ``log head``, ``log show`` and ``log fix-permissions``: check the ledger or an export,
note its head for the call sheet, read it in plain language, and keep its private files private."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from armory.cli.common import ledger_path
from armory.problems import InputError

EXIT_OK, EXIT_TAMPERED = 0, 1


# -- armory log verify -----------------------------------------------------------


def _verify_units(target: Path, args: argparse.Namespace) -> int:
    """The store's export of several units (``export --store ... --out units.jsonl``): each chain on its own."""
    from armory.studio.units_file import verify_units_file

    for option in ("head", "against", "index"):
        if getattr(args, option, None) is not None:
            raise InputError(f"--{option} checks one unit's chain: {target} holds several units (the studio "
                             "store's export); give that unit's own export")
    units = verify_units_file(target)
    bad = 0
    for unit in units:
        where = f"{unit.production_title} / {unit.unit} (ledger {unit.ledger_id}, key {unit.key_fingerprint})"
        result = unit.result
        if unit.ok:
            signed = (f"signed through #{result.signed_through}" if result.checkpoints_checked
                      else "no signed checkpoint")
            print(f"intact: {where}: {result.entries} entries, head #{result.entries} {result.head[:16]}, {signed}")
            for problem in result.problems:  # (--head and --against check one unit's own export)
                print(f"  note: {problem.split('; compare the head')[0]}")
            continue
        bad += 1
        print(f"TAMPERED: {where}")
        if result.first_bad is not None:
            seq, kind, what = result.first_bad
            print(f"  first bad entry: #{seq} ({kind}): {what}")
        for failure in unit.failures:
            print(f"  FAILED: {failure}")
    print(f"{len(units) - bad} of {len(units)} unit chain{'s' if len(units) != 1 else ''} in {target} intact "
          "(the studio store's export: each unit's chain checked on its own)")
    return EXIT_TAMPERED if bad else EXIT_OK


def verify(args: argparse.Namespace) -> int:
    from armory.ledger.against import check_extends, compare_broken, signed_upto
    from armory.ledger.verify import check_head, verify_file

    if args.file is not None and args.ledger is not None:
        raise InputError("give either FILE or --ledger PATH, not both")
    if getattr(args, "rows", None) is not None and args.file is None:
        raise InputError(f"--rows {args.rows}: give the jsonl (or html) export to check its rows against: "
                         f"armory log verify --rows {args.rows} EXPORT.jsonl")
    target = Path(args.file) if args.file is not None else ledger_path(args)
    if args.file is not None:
        from armory.studio.units_file import is_units_file, is_units_report

        if is_units_file(target):
            return _verify_units(target, args)
        if is_units_report(target):
            raise InputError(f"{target}: the studio store's report of several units, which carries no chain to "
                             "check; verify the store (armory log verify --store URL --production TITLE) or its "
                             "jsonl export (armory export --store ... --out units.jsonl), which verifies on its own")
    from armory.export.progress import Progress

    progress = Progress("verifying", 0)  # on a terminal only: a season's chain takes seconds
    try:
        result, kind = verify_file(target, progress=progress.of)
    finally:
        progress.done()
    out = sys.stdout
    what = {"ledger": "ledger", "jsonl": "jsonl export", "html": "html report"}[kind]
    key = result.key_fingerprint or "unknown"
    if not result.ok:
        seq, entry_kind, reason = result.first_bad or (0, "?", "no entries")
        print(f"TAMPERED: {target} ({what})", file=out)
        print(f"  first bad entry: #{seq} ({entry_kind}): {reason}", file=out)
        before = min(result.entries, max(seq - 1, 0))
        print(f"  entries before it that link up: {before}, {signed_upto(result, before)}; signing key {key}",
              file=out)
        # The chain is bad on its own, but what the producer kept still says where it was first changed:
        # a chain rewritten after entry #69 and re-hashed fails only at the next checkpoint's signature.
        if args.head is not None:
            found, message = check_head(result, args.head, complete=False, upto=before)
            print(f"  {'ok' if found else 'FAILED'}: {message}", file=out)
        if args.against is not None:
            print(f"  {compare_broken(result, Path(args.against))}", file=out)
        return EXIT_TAMPERED

    failures: list[str] = []
    notes: list[str] = []
    if args.head is not None:
        found, message = check_head(result, args.head)
        (notes if found else failures).append(message)
    if args.against is not None:
        bad, failure, note, earlier_key = check_extends(result, Path(args.against))
        if bad is not None:
            print(f"TAMPERED: {target} ({what}) does not extend {args.against}", file=out)
            print(f"  first bad entry: #{bad[0]} ({bad[1]}): {bad[2]}", file=out)
            print(f"  signing key here {key}, there {earlier_key}", file=out)
            return EXIT_TAMPERED
        if failure:
            failures.append(failure)
        if note:
            notes.append(note)

    if kind == "html":  # the text a producer reads, drawn again from the verified entries and compared
        from armory.export.report_check import check_report
        from armory.ledger.verify import read_export

        readable = check_report(target, result.records if result.records is not None else read_export(target))
        if readable.matches:
            notes.append(readable.message)
        else:  # a page that cannot be drawn again is not passed: what it shows is not known to be the record
            failures.append(("NOT CHECKED: " if readable.matches is None else "") + readable.message)

    if getattr(args, "rows", None) is not None:  # a csv's rows, each drawn again from a verified entry
        from armory.export.csv_check import check_rows
        from armory.ledger.verify import read_export

        if kind == "ledger":
            raise InputError(f"--rows {args.rows}: FILE must be a jsonl or html export, not a ledger")
        checking = Progress("checking rows", 0, unit="rows")
        try:
            records = result.records if result.records is not None else read_export(target)
            rows = check_rows(Path(args.rows), records, progress=checking.of)
        finally:
            checking.done()
        (notes if rows.ok else failures).append(rows.message)

    if getattr(args, "index", None) is not None:  # an evidence bundle's index, recomputed from the chain
        from armory.export.bundle import check_index_file

        matches, message = check_index_file(target, Path(args.index))
        (notes if matches else failures).append(message)

    status = "FAILED" if failures else "intact"
    print(f"{status}: {target} ({what})", file=out)
    print(f"  {result.entries} entries, head #{result.entries} {result.head[:16]}", file=out)
    print(f"  {result.checkpoints_checked} signed checkpoint{'s' if result.checkpoints_checked != 1 else ''} "
          f"verified (the last is #{result.signed_through}); signing key {key}", file=out)
    print("  compare the key and head with the ones on the call sheet or from the armorer", file=out)
    for note in notes:
        print(f"  ok: {note}", file=out)
    for problem in result.problems:
        print(f"  note: {problem}", file=out)
    for failure in failures:
        print(f"  FAILED: {failure}", file=out)
    return EXIT_TAMPERED if failures else EXIT_OK


# -- armory log head -------------------------------------------------------------


def head(args: argparse.Namespace) -> int:
    """The call-sheet line: the key fingerprint and the signed head every export of this moment carries."""
    import os

    from armory.ledger.head import call_sheet_line
    from armory.ledger.store import Ledger
    from armory.ledger.verify import verify_rows

    path = ledger_path(args)
    if not path.exists():
        raise InputError(f"{path}: no ledger there (give --ledger PATH or set ARMORY_LEDGER)")
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    with Ledger.open(path, create=False, readonly=not writable) as ledger:
        result = verify_rows(ledger.rows())
        if not result.ok:
            seq, kind, reason = result.first_bad or (0, "?", "no entries")
            print(f"TAMPERED: {path} does not verify: #{seq} ({kind}): {reason}; there is no head to note "
                  "(start a new ledger and keep this one as evidence)", file=sys.stdout)
            return EXIT_TAMPERED
        signed = _signed_head(result)
        if signed is None and writable:
            checkpoint = ledger.checkpoint()
            print(f"armory: note: signed a checkpoint over entries 1 to #{checkpoint.seq - 1} just now",
                  file=sys.stderr)
            signed = (checkpoint.seq, checkpoint.hash)
        elif signed is None:
            last = result.signed_through
            if not last:
                raise InputError(f"{path}: the ledger is read-only and holds no signed checkpoint; open it "
                                 "writable to sign one")
            print(f"armory: note: the ledger is read-only: entries #{last + 1} to #{result.entries} come after "
                  "its last signed checkpoint, which is the head below", file=sys.stderr)
            signed = (last, result.hashes[last - 1])
        print(call_sheet_line(result.key_fingerprint, *signed))
    return EXIT_OK


def _signed_head(result) -> tuple[int, str] | None:
    """(seq, hash) of the last checkpoint when nothing but records of exports follows it, else None."""
    from armory.ledger.head import shared_checkpoint

    index = shared_checkpoint([{"kind": kind} for kind in result.kinds])
    return (index + 1, result.hashes[index]) if index is not None else None


# -- armory log show -------------------------------------------------------------


def _zone(production):
    """The production's time zone (UTC without a production), in which ``--day DAY@DATE`` is a local date."""
    import datetime as dt

    from armory.export.days import zone

    return zone(production.production.timezone) if production is not None else dt.timezone.utc


def show(args: argparse.Namespace) -> int:
    from armory.export.openings import split_choice
    from armory.ledger.describe import describe_all
    from armory.ledger.opened_for import production_for_ledger, recorded_title
    from armory.ledger.select import check_kinds, check_names, runs_matching, select_entries, unknown_day
    from armory.ledger.store import Ledger

    check_kinds(args.kind)
    with Ledger.open(ledger_path(args), create=False, readonly=True) as ledger:
        production, note = production_for_ledger(getattr(args, "production", None), recorded_title(ledger))
        if production is not None:
            check_names(production, weapon=args.weapon, person=args.person)
        runs = runs_matching(ledger, getattr(args, "run", None))
        day, opened_on = split_choice(args.day) if args.day else (None, None)
        zone = _zone(production)
        chosen, days_seen = select_entries(ledger, runs=runs, day=day, kinds=args.kind, weapon=args.weapon,
                                           person=args.person, opened_on=opened_on, zone=zone)
    if day and day not in days_seen:
        print(f"armory: note: {unknown_day(day, days_seen, production)}", file=sys.stderr)
    if note is not None:
        print(f"armory: note: {note}", file=sys.stderr)
    for line in describe_all(chosen, production):  # each drill run's entries are labelled with its scope
        print(line)
    if not chosen:
        print("no entries match", file=sys.stderr)
    return EXIT_OK


def fix_permissions(args: argparse.Namespace) -> int:
    """``armory log fix-permissions``: list the ledger's private files others can read; make them private
    when the owner agrees (``--yes`` agrees beforehand)."""
    import stat

    from armory.ledger.device_secret import secret_file
    from armory.ledger.signing import default_key_path
    from armory.ledger.permissions import exposed, fix, ledger_files

    path = ledger_path(args)
    if not path.exists():
        raise InputError(f"{path}: no ledger there (give --ledger PATH or set ARMORY_LEDGER)")
    found = exposed(ledger_files(path, default_key_path(path), secret=secret_file()))
    if not found:
        print(f"{path}: the ledger, its signing key and the device secret are readable by their owner only")
        return 0
    for item in found:
        print(f"{item.path} ({item.what}): mode {stat.S_IMODE(item.mode):04o}, "
              f"would become {item.private_mode & 0o777:04o}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError("nothing was changed: give --yes to make these files private without being asked")
        answer = input("Make them readable by you only? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing was changed.")
            return 0
    failed = fix(found)
    for item in failed:
        print(f"armory: cannot change {item.path}: not its owner?", file=sys.stderr)
    if failed:
        return 1
    print(f"Done: {len(found)} file{'s' if len(found) != 1 else ''} made private.")
    return 0
