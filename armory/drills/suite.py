"""Running several drills as a suite: finding them, a ledger for each, and which rules none made fire.

Drills are rehearsals, not the record: without a ledger named, each drill
runs in a temporary ledger of its own (never the one ARMORY_LEDGER names),
so drills of several productions never share one production's record. A
drill that cannot run (a broken file, a missing pack) is reported and does
not stop the others.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from armory.problems import InputError


@dataclass
class DrillRun:
    """One drill of a suite: its result, or why it could not run."""

    path: Path
    result: object | None = None
    """The :class:`~armory.drills.runner.DrillResult`, or None when the drill could not run."""
    error: InputError | None = None
    rules_in_force: dict[str, str] = field(default_factory=dict)
    """Rule id -> pack id of every rule in force in the drill's production."""


@dataclass(frozen=True)
class Coverage:
    """Which rules in force no drill made fire."""

    packs: tuple[str, ...]
    """The pack ids counted (empty: every pack in force)."""
    counted: int
    never: tuple[tuple[str, str], ...]
    """(rule id, pack id) of each rule that never fired, sorted by rule id."""


def find_drills(paths: list[Path]) -> list[Path]:
    """The drill files named, a directory standing for every drill under it; InputError for none or a missing one."""
    drills: list[Path] = []
    for path in paths:
        if path.is_dir():
            drills.extend(sorted(p for p in path.rglob("*.toml") if _is_drill(p)))
        else:
            drills.append(path)
    if not drills:
        raise InputError("no drill files given (a drill is a TOML file with a [drill] table)")
    for path in drills:
        if not path.is_file():
            raise InputError(f"{path}: no such drill file")
    return drills


def _is_drill(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.strip() == "[drill]" for line in head.splitlines())


def check_packs_named(only: list[str], drills: list[Path], rules: list[Path]) -> None:
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


def run_drills(drills: list[Path], ledger_path: Path | None, rules: list[Path]) -> Iterator[DrillRun]:
    """Run each drill in turn, yielding each as it ends; with ``ledger_path``, all of them in that ledger.

    A shared ledger is checked before anything is written (InputError at the first step of the iteration).
    """
    from armory.drills.runner import run_drill

    tmp = None
    ends_by: list = [None] * len(drills)
    if ledger_path is None:
        tmp = tempfile.TemporaryDirectory(prefix="armory-drills-")
    else:
        from armory.drills.runner import check_shared_ledger

        # Before anything is written; each drill's times end by the real clock, leaving room for those after it.
        ends_by = check_shared_ledger(drills, ledger_path, rules)
    try:
        for n, path in enumerate(drills):
            where = ledger_path or Path(tmp.name) / f"{n:03d}-{path.stem}.sqlite"
            try:
                result = run_drill(path, where, rules, end_by=ends_by[n])
            except InputError as err:
                yield DrillRun(path, error=err)
                continue
            in_force: dict[str, str] = {}
            for pack in _packs_of(path, result, rules):
                for rule in pack.pack.rule:
                    in_force.setdefault(rule.id, pack.pack.pack.id)
            yield DrillRun(path, result, rules_in_force=in_force)
    finally:
        if tmp is not None:
            tmp.cleanup()


def _packs_of(path: Path, result, rules: list[Path]):
    from armory.drills.runner import production_path
    from armory.rulebook.loader import load_context

    _loaded, packs = load_context(production_path(path, result.drill), rules)
    return packs


def coverage(runs: list[DrillRun], only: list[str]) -> Coverage:
    """The rules in force in ``runs`` that none made fire; with ``only``, of those packs' rules alone."""
    fired: set[str] = set()
    in_force: dict[str, str] = {}
    for run in runs:
        if run.result is not None:
            fired |= run.result.fired
        for rule_id, pack_id in run.rules_in_force.items():
            in_force.setdefault(rule_id, pack_id)
    counted = [r for r in in_force if not only or in_force[r] in only]
    never = tuple((r, in_force[r]) for r in sorted(r for r in counted if r not in fired))
    return Coverage(tuple(only), len(counted), never)
