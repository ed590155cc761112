"""``armory rules lint | schema | show | test``: the safety officer's tools for rule files and drills."""

from __future__ import annotations

import argparse
import contextlib
import sys
import textwrap
from pathlib import Path

from armory.problems import InputError

WIDTH = 80
PHASE_TITLES = {
    "day_start": "DAY START (once a day, before any firearm is issued)",
    "before_setup": "BEFORE THE SETUP (while preparing and loading the weapon)",
    "before_handoff": "BEFORE THE HANDOFF (armorer to actor)",
    "on_return": "ON RETURN (actor to armorer)",
    "after_firing": "AFTER FIRING",
    "end_of_day": "END OF DAY (at wrap)",
    "on_incident": "ON AN INCIDENT (discharge, misfire, injury)",
}


def lint(args: argparse.Namespace) -> int:
    from armory.rulebook.lint import lint_report

    from armory.rulebook.lint import lint_notes

    extra = list(getattr(args, "rules", []) or [])
    files, problems = lint_report(list(args.paths), extra)
    if getattr(args, "ledger", None) is not None:
        problems = problems + _ledger_problems(list(args.paths), extra, args.ledger)
    for problem in problems:
        print(problem)
    for note in lint_notes(list(args.paths), extra):  # warnings and rules turned off: never a failure
        print(note)
    checked = f"{files} file{'s' if files != 1 else ''}"
    if problems:
        count = len(problems)
        print(f"{count} problem{'s' if count != 1 else ''} in {checked}")
        return 2
    print(f"{checked} checked: no problems")
    return 0


def _ledger_problems(paths_to_lint: list[Path], extra: list[Path], ledger: Path) -> list:
    """Packs linted (and those the linted productions name) whose text the ledger recorded otherwise under
    the same version."""
    from armory.ledger.pack_versions import ledger_problems
    from armory.rulebook.lint import default_lint_paths
    from armory.rulebook.loader import toml_files
    from armory.source import display_path, read_source

    if not Path(ledger).is_file():
        raise InputError(f"{ledger}: no such ledger")
    files, _ = toml_files([*(paths_to_lint or default_lint_paths()), *extra])
    packs = []
    for path in files:
        source, _problems = read_source(path)
        info = source.data.get("pack") if source is not None else None
        if isinstance(info, dict) and isinstance(info.get("id"), str) and isinstance(info.get("version"), str):
            packs.append((display_path(path), info["id"], info["version"], source.sha256))
    return ledger_problems(Path(ledger), packs)


def schema(args: argparse.Namespace) -> int:
    from armory.rulebook.schema import render

    try:
        text = render(args.kind)
    except LookupError as err:
        raise InputError(str(err)) from None
    print(text, end="")
    return 0


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent.rstrip()]


def show(args: argparse.Namespace) -> int:
    from armory import paths
    from armory.checklist.plan import DAY_PHASES, WEAPON_PHASES, find_place, overridden_here, plan_checks
    from armory.rulebook.loader import load_context

    production_path = args.production or paths.SAMPLE_PRODUCTION
    loaded, packs = load_context(production_path, list(args.rules or []))
    production = loaded.production
    if args.day is None and args.scene is None and args.weapon is None:
        from armory.checklist.overview import render_csv, render_table

        render = render_csv if args.format == "csv" else render_table
        print(render(production, packs), end="")
        return 0
    missing = [f"--{name}" for name in ("day", "scene", "weapon") if getattr(args, name) is None]
    if missing:
        raise InputError(f"one setup's checklist needs --day, --scene and --weapon (missing {', '.join(missing)}); "
                         "without any of them, rules show prints every rule against every setup")
    day, scene, setup, issue, weapon = find_place(
        production, day=args.day, scene=args.scene, setup=args.setup, weapon=args.weapon)
    assert scene is not None and setup is not None and issue is not None and weapon is not None

    def person(crew_id: str | None) -> str:
        if crew_id is None:
            return "nobody"
        member = production.crew_member(crew_id)
        return f"{member.name} ({crew_id})" if member else crew_id

    info = production.production
    lines = [f"{info.title}: {day.id}, {day.date.isoformat()}" + (f", {day.location}" if day.location else "")]
    lines += _wrap(f"Scene {scene.id}" + (f": {scene.title}" if scene.title else ""), "")
    lines += _wrap(f"Setup {setup.id}" + (f": {setup.description}" if setup.description else ""), "")
    facts = list(dict.fromkeys([*scene.facts, *setup.facts]))
    lines += _wrap(f"Facts: {', '.join(facts) if facts else 'none'}", "")
    lines += _wrap(f"Weapon {weapon.id}: {weapon.kind}, {weapon.make} {weapon.model}, serial ending "
                   f"{weapon.serial[-4:]}" + ("" if weapon.firing else " (non-firing)"), "")
    load = issue.load if issue.load == "cold" else f"{issue.load}, {issue.rounds} rounds from lot {issue.lot}"
    lines += _wrap(f"Load: {load}; held by {person(issue.actor)}", "  ")
    armorers = []
    for member in production.crew:
        roles = production.roles_on(member.id, day.id)
        if "armorer" in roles:
            others = sorted(roles - {"armorer"})
            armorers.append(person(member.id) + (f", also {' and '.join(others)} (DOMAIN F4)" if others else ""))
    lines += _wrap(f"Armorer that day: {'; '.join(armorers) or 'nobody'}", "  ")
    lines += _wrap("Packs: " + ", ".join(f"{p.pack.pack.id} {p.pack.pack.version}" for p in packs), "")
    lines.append("")
    lines += _wrap("What passes is shown here for the safety officer; the armorer never sees an "
                   "expected count before answering.", "")
    total = 0
    for phase in (*DAY_PHASES[:1], *WEAPON_PHASES, *DAY_PHASES[1:]):
        planned = plan_checks(production, packs, day=day.id, phase=phase, scene=scene.id, setup=setup.id,
                              weapon=weapon.id)
        switched_off = overridden_here(production, packs, day=day.id, phase=phase, scene=scene.id, setup=setup.id,
                                       weapon=weapon.id)
        lines.append("")
        lines.append(PHASE_TITLES.get(phase, phase.upper()))
        for rule, reason in switched_off:
            head = f"  {rule.id}"
            lines.append(head + "OFF".rjust(max(1, WIDTH - len(head))))
            lines += _wrap(f"switched off by the production: {reason}", "    ")
        if not planned:
            lines.append("  (no checks)")
            continue
        for check in planned:
            total += 1
            rule = check.rule
            severity = rule.severity.upper()
            head = f"  {rule.id}"
            lines.append(head + severity.rjust(max(1, WIDTH - len(head))))
            lines += _wrap(rule.title, "    ")
            if rule.sense is not None:
                lines += _wrap(f"sensed: {rule.sense} (the ledger answers; nobody ticks it)", "    ")
            else:
                lines += _wrap(f"asks: {rule.ask}", "    ")
                answer = f"{rule.answer}" + (f" in {rule.unit}" if rule.unit else "")
                if rule.choices:
                    answer += ": " + " / ".join(rule.choices)
                if rule.per_round:
                    answer += f"; once for each of the {issue.rounds} rounds" if issue.rounds else \
                        "; once per round (none loaded here)"
                lines += _wrap(f"answer: {answer}", "    ")
                if rule.asked_of:
                    who = []
                    for role in rule.asked_of:
                        if role == "actor" and issue.actor:
                            who.append(f"actor {person(issue.actor)}")
                        else:
                            holders = [c.id for c in production.crew if role in production.roles_on(c.id, day.id)]
                            who.append(f"{role} " + (", ".join(person(h) for h in holders) or "(nobody)"))
                    lines += _wrap(f"answered and signed by: {'; '.join(who)}", "    ")
            lines += _wrap(f"passes: {_passes(check.expected_text)}", "    ")
            if rule.hazards:
                lines += _wrap("means a hazard, whatever the severity: " + "; ".join(
                    f"{option} = {hazard.replace('_', ' ')}" for option, hazard in rule.hazards.items()), "    ")
            if rule.required_before:
                lines += _wrap("must be answered before: " + ", ".join(
                    m.replace("_", " ") for m in rule.required_before), "    ")
            lines += _wrap(f"sources: {', '.join(rule.sources)}; failures: {', '.join(rule.failures)}", "    ")
    lines.append("")
    lines.append(f"{total} checks for {weapon.id} in setup {setup.id}.")
    print("\n".join(lines))
    return 0


def _passes(expected: str) -> str:
    """"none" reads as "no answer passes"; a count that passes only at zero says so."""
    return "0 (none found)" if expected == "none" else expected


# -- armory rules test -------------------------------------------------------------


def _shown_again(progress, done: int) -> None:
    """The progress line again, under what was just printed (printed first: stdout may be buffered)."""
    if progress.enabled:
        sys.stdout.flush()
        progress(done)


def test(args: argparse.Namespace) -> int:
    """Run drills, print a line each and a diff for each failure (and the coverage, when asked)."""
    from armory.drills.suite import check_packs_named, coverage, find_drills, run_drills
    from armory.export.progress import Progress

    drills = find_drills(list(args.drills))
    only = list(dict.fromkeys(getattr(args, "coverage_of", None) or []))
    if only:
        check_packs_named(only, drills, list(args.rules))  # a mistyped pack id: before anything is written
    failed = 0
    unusable: list[Path] = []
    runs = []
    progress = Progress("running drills", len(drills), unit="drills")  # on a terminal only
    with contextlib.closing(run_drills(drills, args.ledger, list(args.rules))) as each:
        for run in each:
            progress.done()  # the line is wiped before each result is printed, and shown again after it
            runs.append(run)
            if run.error is not None:
                # One drill that cannot run (a broken file, a missing pack) does not stop the others.
                unusable.append(run.path)
                print(f"ERROR {run.path}: could not run:")
                for line in str(run.error).splitlines():
                    print(f"        {line}")
                _shown_again(progress, len(runs))
                continue
            result = run.result
            mark = "PASS" if result.passed else "FAIL"
            print(f"{mark}  {run.path}  {result.drill.drill.title}  (outcome {result.outcome})")
            if not result.passed:
                failed += 1
                for line in result.diff:
                    print(f"        - {line}")
            _shown_again(progress, len(runs))
    progress.done()
    total = len(drills)
    print(f"{total - failed - len(unusable)} passed, {failed} failed"
          + (f", {len(unusable)} could not run" if unusable else ""))
    code = 2 if unusable else (1 if failed else 0)
    if args.coverage or only:
        # --coverage-of: only the rules of the packs named (a safety officer's own pack, given with --rules),
        # not every bundled rule the drills happen to run under.
        found = coverage(runs, only)
        of = f" of {', '.join(only)}" if only else ""
        print(f"coverage{of}: {found.counted - len(found.never)} of {found.counted} rules fired in some drill")
        for rule_id, pack_id in found.never:
            print(f"  never fired: {rule_id} ({pack_id})")
        if found.never and code == 0:
            code = 1
    sys.stdout.flush()
    return code
