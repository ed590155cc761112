"""``armory rules test``: run drills, print a line each and a diff for each failure."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from armory.problems import InputError


def _expand(paths: list[Path]) -> list[Path]:
    drills: list[Path] = []
    for path in paths:
        if path.is_dir():
            drills.extend(sorted(p for p in path.rglob("*.toml") if _is_drill(p)))
        else:
            drills.append(path)
    return drills


def _is_drill(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.strip() == "[drill]" for line in head.splitlines())


def test(args) -> int:
    from armory.drills.runner import run_drill

    drills = _expand(list(args.drills))
    if not drills:
        raise InputError("no drill files given (a drill is a TOML file with a [drill] table)")
    for path in drills:
        if not path.is_file():
            raise InputError(f"{path}: no such drill file")
    only = list(dict.fromkeys(getattr(args, "coverage_of", None) or []))
    if only:
        _check_packs_named(only, drills, list(args.rules))  # a mistyped pack id: before anything is written
    tmp = None
    ends_by: list = [None] * len(drills)
    if args.ledger is None:
        # Never the ledger ARMORY_LEDGER names: drills are rehearsals, not the record. One ledger per
        # drill, so drills of several productions never share one production's record.
        tmp = tempfile.TemporaryDirectory(prefix="armory-drills-")
        ledger_path = None
    else:
        from armory.drills.runner import check_shared_ledger

        ledger_path = args.ledger
        # Before anything is written; each drill's times end by the real clock, leaving room for those after it.
        ends_by = check_shared_ledger(drills, ledger_path, list(args.rules))
    failed = 0
    unusable: list[Path] = []
    fired_all: set[str] = set()
    rules_in_force: dict[str, str] = {}
    try:
        for n, path in enumerate(drills):
            where = ledger_path or Path(tmp.name) / f"{n:03d}-{path.stem}.sqlite"
            try:
                result = run_drill(path, where, list(args.rules), end_by=ends_by[n])
            except InputError as err:
                # One drill that cannot run (a broken file, a missing pack) does not stop the others.
                unusable.append(path)
                print(f"ERROR {path}: could not run:")
                for line in str(err).splitlines():
                    print(f"        {line}")
                continue
            fired_all |= result.fired
            for pack in _packs_of(path, result, list(args.rules)):
                for rule in pack.pack.rule:
                    rules_in_force.setdefault(rule.id, pack.pack.pack.id)
            mark = "PASS" if result.passed else "FAIL"
            print(f"{mark}  {path}  {result.drill.drill.title}  (outcome {result.outcome})")
            if not result.passed:
                failed += 1
                for line in result.diff:
                    print(f"        - {line}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    total = len(drills)
    print(f"{total - failed - len(unusable)} passed, {failed} failed"
          + (f", {len(unusable)} could not run" if unusable else ""))
    code = 2 if unusable else (1 if failed else 0)
    if args.coverage or only:
        # --coverage-of: only the rules of the packs named (a safety officer's own pack, given with --rules),
        # not every bundled rule the drills happen to run under.
        counted = [r for r in rules_in_force if not only or rules_in_force[r] in only]
        never = sorted(r for r in counted if r not in fired_all)
        of = f" of {', '.join(only)}" if only else ""
        print(f"coverage{of}: {len(counted) - len(never)} of {len(counted)} rules fired in some drill")
        for rule_id in never:
            print(f"  never fired: {rule_id} ({rules_in_force[rule_id]})")
        if never and code == 0:
            code = 1
    sys.stdout.flush()
    return code


def _check_packs_named(only: list[str], drills: list[Path], rules: list[Path]) -> None:
    """Every pack named by --coverage-of is in force in some drill; else InputError with a did-you-mean.
    Drills that cannot be loaded are left to the run, which reports them."""
    from armory.drills.runner import load_drill, production_path
    from armory.rulebook.loader import load_context
    from armory.source import did_you_mean

    in_force: dict[str, None] = {}
    for path in drills:
        try:
            _loaded, packs = load_context(production_path(path, load_drill(path, rules)), rules)
        except InputError:
            continue
        in_force.update((pack.pack.pack.id, None) for pack in packs)
    if not in_force:
        return
    unknown = [pack_id for pack_id in only if pack_id not in in_force]
    if unknown:
        raise InputError("\n".join(
            f"--coverage-of {pack_id!r}: no pack of that id is in force in these drills"
            f"{did_you_mean(pack_id, in_force)}" for pack_id in unknown)
            + f"\npacks in force: {', '.join(in_force)}")


def _packs_of(path: Path, result, rules: list[Path]):
    from armory.drills.runner import production_path
    from armory.rulebook.loader import load_context

    _loaded, packs = load_context(production_path(path, result.drill), rules)
    return packs
