"""``armory crew enroll`` and ``armory crew list``: crew PINs, asked for at the terminal or read from stdin."""

from __future__ import annotations

import argparse
import getpass
import sys

from armory.cli.common import ledger_path, production_path
from armory.problems import InputError

EXIT_OK = 0


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
    from armory.ledger.enrollment import check_new_pin, check_pin

    if args.pin_stdin:
        lines = sys.stdin.read().splitlines()
        if not lines or not lines[0].strip():
            raise InputError("--pin-stdin: expected the new PIN on the first line of standard input")
        pin = check_new_pin(lines[0].strip(), f"the new PIN for {crew_id} (first line)")
        officer_pin = lines[1].strip() if len(lines) > 1 and lines[1].strip() else None
        if not officer_needed:
            return pin, None
        if officer_pin is None:
            raise InputError(f"--pin-stdin: expected {officer}'s PIN on the second line of standard input"
                             f"{why_needed}")
        return pin, check_pin(officer_pin, f"{officer}'s PIN (second line)")
    pin = check_new_pin(_ask(f"New PIN for {crew_id} (6-8 digits best, 4 at least): "),
                        f"the new PIN for {crew_id}")
    again = _ask(f"New PIN for {crew_id} again: ")
    if pin != again:
        raise InputError("the two PINs differ; nothing was changed")
    officer_pin = check_pin(_ask(f"{officer}'s PIN (authorizes it): "), f"{officer}'s PIN") if officer_needed \
        else None
    return pin, officer_pin


def enroll(args: argparse.Namespace) -> int:
    from armory.ledger.enrollment import check_crew_ids, demo_ids, enrolled_on, plan_enrollment
    from armory.ledger.identity import Credentials
    from armory.ledger.opened_for import load_production_model
    from armory.ledger.store import Ledger

    production_file = production_path(args)
    production = load_production_model(production_file)
    check_crew_ids(production, args.crew_id, args.by)
    path = ledger_path(args)
    # read first, so a refused enrollment creates and changes nothing
    enrolled = enrolled_on(path, production, production_file, given=getattr(args, "production", None) is not None)
    plan = plan_enrollment(production, args.crew_id, args.by, enrolled)
    crew_id, officer = plan.crew_id, plan.officer
    pin, officer_pin = _read_pins(args, crew_id, officer, officer_needed=not plan.first,
                                  why_needed=plan.why_officer_pin)
    with Ledger.open(path, production_title=production.production.title) as ledger:
        credentials = Credentials(ledger, production=production)
        if plan.demo_missing and demo_ids(production) - credentials.enrolled():
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
    from armory.ledger.enrollment import enrolled_on
    from armory.ledger.opened_for import load_production_model

    production_file = production_path(args)
    production = load_production_model(production_file)
    enrolled = enrolled_on(ledger_path(args), production, production_file,
                           given=getattr(args, "production", None) is not None)
    width = max(len(m.id) for m in production.crew)
    for member in production.crew:
        state = "enrolled" if member.id in enrolled else "no PIN"
        if member.demo_pin and production.production.sample and member.id not in enrolled:
            state += " (sample demo PIN, enrolled on first use)"
        roles = ", ".join(member.roles) or "-"
        print(f"{member.id:<{width}}  {state:<8}  {member.name} ({roles})")
    return EXIT_OK
