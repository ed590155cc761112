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
    tmp = None
    if args.ledger is None:
        # Never the ledger ARMORY_LEDGER names: drills are rehearsals, not the record. One ledger per
        # drill, so drills of several productions never share one production's record.
        tmp = tempfile.TemporaryDirectory(prefix="armory-drills-")
        ledger_path = None
    else:
        from armory.drills.runner import check_shared_ledger

        ledger_path = args.ledger
        check_shared_ledger(drills, ledger_path, list(args.rules))  # before anything is written
    failed = 0
    unusable: list[Path] = []
    fired_all: set[str] = set()
    rules_in_force: dict[str, str] = {}
    try:
        for n, path in enumerate(drills):
            where = ledger_path or Path(tmp.name) / f"{n:03d}-{path.stem}.sqlite"
            try:
                result = run_drill(path, where, list(args.rules))
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
    if args.coverage:
        never = sorted(r for r in rules_in_force if r not in fired_all)
        print(f"coverage: {len(rules_in_force) - len(never)} of {len(rules_in_force)} rules fired in some drill")
        for rule_id in never:
            print(f"  never fired: {rule_id} ({rules_in_force[rule_id]})")
        if never and code == 0:
            code = 1
    sys.stdout.flush()
    return code


def _packs_of(path: Path, result, rules: list[Path]):
    from armory.drills.runner import production_path
    from armory.rulebook.loader import load_context

    _loaded, packs = load_context(production_path(path, result.drill), rules)
    return packs
