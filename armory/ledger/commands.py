"""The ledger's commands: ``armory log verify``, ``armory log show``, ``armory crew enroll|list``."""

from __future__ import annotations

import argparse
import difflib
import getpass
import sys
from pathlib import Path

from armory.problems import InputError

EXIT_OK, EXIT_TAMPERED = 0, 1


# -- where things are ----------------------------------------------------------


def _production_path(args: argparse.Namespace) -> Path:
    from armory import paths

    return Path(args.production) if getattr(args, "production", None) else paths.SAMPLE_PRODUCTION


def _ledger_path(args: argparse.Namespace) -> Path:
    from armory import paths

    if getattr(args, "ledger", None):
        return Path(args.ledger)
    return paths.default_ledger_path(_production_path(args))


def _load_production(path: Path):
    from armory.rulebook.loader import load_production

    return load_production(path).production


UTC_NOTE = "times in UTC; pass --production for names and local time"


def recorded_title(ledger) -> str | None:
    """The production title the ledger's first entry records, or None (none recorded, or unreadable)."""
    try:
        first = ledger.get(1)
    except (InputError, ValueError, KeyError, TypeError):
        return None
    if first is None or first.kind != "ledger_opened" or not isinstance(first.payload, dict):
        return None
    return first.payload.get("production_title") or None


def check_title(production, title: str | None, path: Path, *, given: bool = True) -> None:
    """Refuse a production file whose title is not the one the ledger was opened for."""
    if title and production.production.title != title:
        if not given:  # the bundled sample, taken by default: the user named no production at all
            raise InputError(
                f"this ledger was opened for {title!r} (its first entry says so), not for the bundled sample "
                f"{production.production.title!r} used when --production is left out: give --production with "
                f"the production file of {title!r}; nothing was done")
        raise InputError(
            f"--production {path} is {production.production.title!r}, but this ledger was opened for {title!r} "
            "(its first entry says so): give that production's file, or leave out --production; nothing was done")


def bundled_sample_titled(title: str | None):
    """The bundled sample production whose title is ``title`` (the default Western first), else None."""
    import tomllib

    from armory import paths

    if not title:
        return None
    candidates = [paths.SAMPLE_PRODUCTION, *sorted(paths.SAMPLE_PRODUCTIONS.glob("*/production.toml"))]
    for path in dict.fromkeys(candidates):
        try:  # the title alone first: loading a production costs more than reading its table
            with open(path, "rb") as handle:
                found = (tomllib.load(handle).get("production") or {}).get("title")
        except (OSError, tomllib.TOMLDecodeError, AttributeError):
            continue
        if found != title:
            continue
        try:
            production = _load_production(path)
        except (InputError, OSError):
            return None
        return production if production.production.title == title else None
    return None


def production_for_ledger(path: Path | None, title: str | None):
    """(production, note) for reading a ledger whose first entry records ``title``.

    ``--production`` is used when given, and refused when its title is not the
    ledger's; without it, the bundled sample whose title matches; otherwise no
    production (crew ids and UTC) and a one-line note saying so.
    """
    if path is not None:
        production = _load_production(Path(path))
        check_title(production, title, Path(path))
        return production, None
    production = bundled_sample_titled(title)
    if production is not None:
        return production, None
    return None, UTC_NOTE


# -- armory log verify -----------------------------------------------------------


def verify(args: argparse.Namespace) -> int:
    from armory.ledger.verify import check_head, verify_file

    if args.file is not None and args.ledger is not None:
        raise InputError("give either FILE or --ledger PATH, not both")
    if getattr(args, "rows", None) is not None and args.file is None:
        raise InputError(f"--rows {args.rows}: give the jsonl (or html) export to check its rows against: "
                         f"armory log verify --rows {args.rows} EXPORT.jsonl")
    target = Path(args.file) if args.file is not None else _ledger_path(args)
    result, kind = verify_file(target)
    out = sys.stdout
    what = {"ledger": "ledger", "jsonl": "jsonl export", "html": "html report"}[kind]
    key = result.key_fingerprint or "unknown"
    if not result.ok:
        seq, entry_kind, reason = result.first_bad or (0, "?", "no entries")
        print(f"TAMPERED: {target} ({what})", file=out)
        print(f"  first bad entry: #{seq} ({entry_kind}): {reason}", file=out)
        before = min(result.entries, max(seq - 1, 0))
        print(f"  entries before it that link up: {before}, {_signed_upto(result, before)}; signing key {key}",
              file=out)
        # The chain is bad on its own, but what the producer kept still says where it was first changed:
        # a chain rewritten after entry #69 and re-hashed fails only at the next checkpoint's signature.
        if args.head is not None:
            found, message = check_head(result, args.head, complete=False, upto=before)
            print(f"  {'ok' if found else 'FAILED'}: {message}", file=out)
        if args.against is not None:
            print(f"  {_against_broken(result, Path(args.against))}", file=out)
        return EXIT_TAMPERED

    failures: list[str] = []
    notes: list[str] = []
    if args.head is not None:
        found, message = check_head(result, args.head)
        (notes if found else failures).append(message)
    if args.against is not None:
        bad, failure, note, earlier_key = _against(result, Path(args.against))
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

        readable = check_report(target, read_export(target))
        if readable.matches:
            notes.append(readable.message)
        else:  # a page that cannot be drawn again is not passed: what it shows is not known to be the record
            failures.append(("NOT CHECKED: " if readable.matches is None else "") + readable.message)

    if getattr(args, "rows", None) is not None:  # a csv's rows, each drawn again from a verified entry
        from armory.export.csv_check import check_rows
        from armory.ledger.verify import read_export

        if kind == "ledger":
            raise InputError(f"--rows {args.rows}: FILE must be a jsonl or html export, not a ledger")
        rows = check_rows(Path(args.rows), read_export(target))
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


def _signed_upto(result, before: int) -> str:
    """How much of the chain before a bad entry a signature vouches for (linked hashes alone can be recomputed)."""
    signed = min(result.signed_through, before)
    if signed:
        return f"of which #1-#{signed} are covered by a signed checkpoint that holds"
    return "none of them covered by a signed checkpoint that holds"


def _against_broken(result, earlier_path: Path) -> str:
    """One line comparing a chain that fails on its own with an earlier export, as far as the chain verifies."""
    from armory.ledger.verify import check_against, check_against_note, read_note, verify_file

    note_text = read_note(earlier_path)
    if note_text is not None:
        bad = check_against_note(result, note_text, str(earlier_path), complete=False)
        if bad is None:
            return f"against {earlier_path}: the entries before the bad one match the head it signs"
        return f"FAILED against {earlier_path}: first entry that differs from it: #{bad[0]} ({bad[1]}): {bad[2]}"
    try:
        earlier, _ = verify_file(earlier_path)
    except InputError as err:
        return f"FAILED: --against {earlier_path} could not be compared: {err}"
    if not earlier.ok:
        seq, kind, reason = earlier.first_bad or (0, "?", "no entries")
        return f"FAILED: the earlier file {earlier_path} does not verify itself: #{seq} ({kind}): {reason}"
    bad = check_against(result, earlier, str(earlier_path), complete=False)
    if bad is not None:
        return f"FAILED against {earlier_path}: first entry that differs from it: #{bad[0]} ({bad[1]}): {bad[2]}"
    shared = min(result.entries, earlier.entries)
    return (f"against {earlier_path}: the {shared} entries before the bad one are the same as there; "
            f"it has {earlier.entries}")


def _against(result, earlier_path: Path):
    """(first bad entry, failure, note, earlier key) of checking ``result`` extends ``earlier_path``.

    EARLIER is an earlier export or ledger, or a checkpoint note kept on its own.
    """
    from armory.ledger.verify import check_against, check_against_note, read_note, verify_file

    note_text = read_note(earlier_path)
    if note_text is not None:
        bad = check_against_note(result, note_text, str(earlier_path))
        if bad is not None:
            return bad, None, None, "?"
        size = note_text.split("\n")[1]
        return None, None, f"extends the head signed in {earlier_path} (#{size}, the same key) unchanged", \
            result.key_fingerprint
    earlier, _ = verify_file(earlier_path)
    if not earlier.ok:
        seq, kind, reason = earlier.first_bad or (0, "?", "no entries")
        return None, f"the earlier file {earlier_path} does not verify itself: #{seq} ({kind}): {reason}", None, \
            earlier.key_fingerprint
    bad = check_against(result, earlier, str(earlier_path))
    note = f"extends {earlier_path} ({earlier.entries} entries, the same key) unchanged" if bad is None else None
    return bad, None, note, earlier.key_fingerprint


# -- armory log head -------------------------------------------------------------


def head(args: argparse.Namespace) -> int:
    """The call-sheet line: the key fingerprint and the signed head every export of this moment carries."""
    import os

    from armory.ledger.head import call_sheet_line
    from armory.ledger.store import Ledger
    from armory.ledger.verify import verify_rows

    path = _ledger_path(args)
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

_PEOPLE_FIELDS = ("giver", "receiver", "actor", "crew_id", "reported_by", "caused_by", "authorized_by")


def _mentions_person(entry, person: str) -> bool:
    p = entry.payload
    if entry.who == person:
        return True
    if any(p.get(name) == person for name in _PEOPLE_FIELDS):
        return True
    return any(person in (p.get(name) or []) for name in ("signed_by", "witnesses"))


def _mentions_weapon(entry, weapon: str) -> bool:
    p = entry.payload
    return p.get("weapon") == weapon or weapon in (p.get("weapons") or []) or (
        p.get("item") == weapon and p.get("item_kind", "weapon") == "weapon")


def show(args: argparse.Namespace) -> int:
    from armory.ledger.describe import describe_all
    from armory.ledger.entries import KINDS
    from armory.ledger.store import Ledger

    for kind in args.kind or []:
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; kinds: {', '.join(KINDS)}"
            raise InputError(f"--kind {kind!r}: not an entry kind{hint}")
    with Ledger.open(_ledger_path(args), create=False, readonly=True) as ledger:
        production, note = production_for_ledger(getattr(args, "production", None), recorded_title(ledger))
        if production is not None:
            if args.weapon and production.weapon_by_id(args.weapon) is None:
                raise InputError(f"--weapon {args.weapon!r}: no such weapon in {production.production.title}")
            if args.person and production.crew_member(args.person) is None:
                raise InputError(f"--person {args.person!r}: no such crew id in {production.production.title}")
        runs = _runs_matching(ledger, getattr(args, "run", None))
        chosen = []
        days_seen: dict[str, None] = {}  # every day the ledger records, in order (any run)
        open_day: dict[str, str | None] = {}  # each drill run opens and closes its own days
        for entry in ledger.entries(scope=None):
            entry_day = entry.payload.get("day") or open_day.get(entry.scope)
            if entry.kind == "day_opened":
                open_day[entry.scope] = entry.payload.get("day")
            elif entry.kind == "day_closed":
                open_day[entry.scope] = None
            if isinstance(entry_day, str):
                days_seen.setdefault(entry_day)
            if runs is not None and entry.scope not in runs:
                continue
            if args.day and entry_day != args.day:
                continue
            if args.kind and entry.kind not in args.kind:
                continue
            if args.weapon and not _mentions_weapon(entry, args.weapon):
                continue
            if args.person and not _mentions_person(entry, args.person):
                continue
            chosen.append(entry)
    if args.day and args.day not in days_seen:
        _unknown_day(args.day, list(days_seen), production)
    if note is not None:
        print(f"armory: note: {note}", file=sys.stderr)
    for line in describe_all(chosen, production):  # each drill run's entries are labelled with its scope
        print(line)
    if not chosen:
        print("no entries match", file=sys.stderr)
    return EXIT_OK


def _unknown_day(day: str, recorded: list[str], production) -> None:
    """Refuse a --day the ledger never recorded, unless the production has it (then it is merely empty)."""
    known = ", ".join(recorded) if recorded else "none yet"
    if production is not None and production.day_by_id(day) is not None:
        print(f"armory: note: nothing was recorded on {day} (the day was never opened); days with entries: "
              f"{known}", file=sys.stderr)
        return
    names = list(dict.fromkeys([*recorded, *(d.id for d in production.day)] if production is not None
                               else recorded))
    close = difflib.get_close_matches(day, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(f"--day {day!r}: no such day in this ledger{hint}; days with entries: {known}")


def _runs_matching(ledger, wanted: str | None) -> set[str] | None:
    """The scopes ``--run`` selects: ``main`` (the production's own), a whole scope (``drill:NAME:ID``, as each
    line is labelled), a drill's name (every run of it) or a run's id."""
    if wanted is None:
        return None
    scopes = list(dict.fromkeys(row[4] for row in ledger.rows()))
    if wanted in ("main", ""):
        return {""}
    found = {s for s in scopes if s and (s == wanted or s.split(":")[1:2] == [wanted] or
                                          (s.startswith("drill:") and s.split(":")[-1] == wanted))}
    if not found:
        names = sorted({s.split(":")[1] if s.startswith("drill:") and s.count(":") >= 2 else s for s in scopes if s})
        listed = ", ".join(["main", *names]) if names else "main (this ledger holds no drill runs)"
        close = difflib.get_close_matches(wanted, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"--run {wanted!r}: no such run in this ledger{hint}; runs: {listed}")
    return found


# -- armory crew enroll / list ----------------------------------------------------


def _check_pin(pin: str, whose: str) -> str:
    from armory.ledger.identity import PIN_PATTERN

    if not PIN_PATTERN.fullmatch(pin):
        raise InputError(f"{whose}: a PIN is 4 to 8 digits; nothing was changed")
    return pin


def _ask(prompt: str) -> str:
    """One PIN typed at the terminal, hidden; refused (never echoed) where it cannot be hidden."""
    import warnings

    try:
        with warnings.catch_warnings():
            # getpass falls back to reading standard input with the PIN shown when there is no terminal
            # to hide it on; refuse that instead of echoing a PIN.
            warnings.simplefilter("error", getpass.GetPassWarning)
            return getpass.getpass(prompt)
    except getpass.GetPassWarning:
        raise InputError("no terminal to type the PIN on unseen (standard input is not a terminal); from a "
                         "script, use --pin-stdin: the new PIN on the first line, the authorizing officer's "
                         "on the second; nothing was changed") from None
    except EOFError:
        sys.stderr.write("\n")
        hint = ("" if sys.stdin is not None and sys.stdin.isatty() else
                "; standard input is not a terminal: from a script, use --pin-stdin (the new PIN on the first "
                "line, the authorizing officer's on the second)")
        raise InputError(f"no PIN was entered (the input ended){hint}; nothing was changed") from None
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        raise InputError("enrollment cancelled at the PIN prompt; nothing was changed") from None


def _read_pins(args: argparse.Namespace, crew_id: str, officer: str, officer_needed: bool,
               why_needed: str = "") -> tuple[str, str | None]:
    """(new PIN, officer's PIN or None), each checked for form before anything is opened or created."""
    if args.pin_stdin:
        lines = sys.stdin.read().splitlines()
        if not lines or not lines[0].strip():
            raise InputError("--pin-stdin: expected the new PIN on the first line of standard input")
        pin = _check_pin(lines[0].strip(), f"the new PIN for {crew_id} (first line)")
        officer_pin = lines[1].strip() if len(lines) > 1 and lines[1].strip() else None
        if not officer_needed:
            return pin, None
        if officer_pin is None:
            raise InputError(f"--pin-stdin: expected {officer}'s PIN on the second line of standard input"
                             f"{why_needed}")
        return pin, _check_pin(officer_pin, f"{officer}'s PIN (second line)")
    pin = _check_pin(_ask(f"New PIN for {crew_id} (4-8 digits): "), f"the new PIN for {crew_id}")
    again = _ask(f"New PIN for {crew_id} again: ")
    if pin != again:
        raise InputError("the two PINs differ; nothing was changed")
    officer_pin = _check_pin(_ask(f"{officer}'s PIN (authorizes it): "), f"{officer}'s PIN") if officer_needed \
        else None
    return pin, officer_pin


def _demo_ids(production) -> set[str]:
    """The crew with demo PINs when the production is a marked sample (enrolled on first use), else none."""
    if not production.production.sample:
        return set()
    return {member.id for member in production.crew if member.demo_pin}


def enroll(args: argparse.Namespace) -> int:
    from armory.ledger.identity import Credentials, is_safety_officer
    from armory.ledger.store import Ledger

    production_path = _production_path(args)
    production = _load_production(production_path)
    from armory.rulebook.source import did_you_mean

    crew_id, officer = args.crew_id, args.by or args.crew_id
    crew_ids = [member.id for member in production.crew]
    if production.crew_member(crew_id) is None:
        raise InputError(f"unknown crew id {crew_id!r}: not in the crew of {production.production.title}"
                         f"{did_you_mean(crew_id, crew_ids)}")
    if args.by is not None and production.crew_member(args.by) is None:
        raise InputError(f"--by {args.by!r}: unknown crew id, not in the crew of {production.production.title}"
                         f"{did_you_mean(args.by, crew_ids)}")
    path = _ledger_path(args)
    enrolled: set[str] = set()
    if path.exists():  # read first, so a refused enrollment creates and changes nothing
        with Ledger.open(path, create=False, readonly=True) as ledger:
            check_title(production, recorded_title(ledger), production_path,
                        given=getattr(args, "production", None) is not None)
            enrolled = Credentials(ledger).enrolled()
    # A sample production's demo PINs are enrolled on first use, as the app does: count them as enrolled.
    demo_missing = _demo_ids(production) - enrolled
    first = not any(is_safety_officer(production, cid) for cid in enrolled | demo_missing)
    if not is_safety_officer(production, officer):
        if args.by is None:
            hint = (" No safety officer is enrolled yet: the first enrollment is a safety officer enrolling "
                    "themselves (armory crew enroll OFFICER)." if first else "")
            raise InputError(f"{crew_id} is not a safety officer, so a safety officer authorizes this "
                             f"enrollment: give --by OFFICER.{hint}")
        raise InputError(f"{officer} is not a safety officer; only a safety officer authorizes an enrollment")
    if first and officer != crew_id:
        raise InputError("no safety officer is enrolled on this ledger yet: the first enrollment is a safety "
                         f"officer enrolling themselves (armory crew enroll {officer})")
    why = (f" ({officer} already has a PIN here: the sample's demo PIN, enrolled on first use)"
           if officer in demo_missing else "")
    pin, officer_pin = _read_pins(args, crew_id, officer, officer_needed=not first, why_needed=why)
    with Ledger.open(path, production_title=production.production.title) as ledger:
        credentials = Credentials(ledger, production=production)
        if demo_missing and _demo_ids(production) - credentials.enrolled():
            credentials.enroll_demo(production)
            print(f"armory: note: {production.production.title} is a sample: its crew's demo PINs were enrolled "
                  "first, as the app does on first use (a sample, never for a real set)", file=sys.stderr)
        entry = credentials.enroll(crew_id, pin, authorized_by=officer, authorizer_pin=officer_pin,
                                   production=production)
        verb = "changed" if entry.payload["changed"] else "enrolled"
        print(f"{production.crew_member(crew_id).name}'s PIN {verb} (recorded as entry #{entry.seq}, "
              f"authorized by {officer})")
    return EXIT_OK


def crew_list(args: argparse.Namespace) -> int:
    from armory.ledger.identity import Credentials
    from armory.ledger.store import Ledger

    production_path = _production_path(args)
    production = _load_production(production_path)
    path = _ledger_path(args)
    enrolled: set[str] = set()
    if path.exists():
        with Ledger.open(path, create=False, readonly=True) as ledger:
            check_title(production, recorded_title(ledger), production_path,
                        given=getattr(args, "production", None) is not None)
            enrolled = Credentials(ledger).enrolled()
    width = max(len(m.id) for m in production.crew)
    for member in production.crew:
        state = "enrolled" if member.id in enrolled else "no PIN"
        if member.demo_pin and production.production.sample and member.id not in enrolled:
            state += " (sample demo PIN, enrolled on first use)"
        roles = ", ".join(member.roles) or "-"
        print(f"{member.id:<{width}}  {state:<8}  {member.name} ({roles})")
    return EXIT_OK
