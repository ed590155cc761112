"""Cross-checks for drill files: every id a drill names must exist in its production and packs.

The checks read the drill's raw data, taking each value only where it has the
type the model wants, so they run the same on a drill that validated and on
one that did not: a misspelled outcome must not hide an unknown crew member
three steps earlier (everything is reported at once).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from armory.checklist.invariants import INVARIANTS
from armory.drills.models import Drill
from armory.problems import InputError, Problem
from armory.production.vocabulary import PHASES


def _hint(value: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _text(table: Any, key: str) -> str | None:
    """``table[key]`` when ``table`` is a table and the value a string, else None."""
    value = table.get(key) if isinstance(table, dict) else None
    return value if isinstance(value, str) else None


def _texts(table: Any, key: str) -> list[str]:
    """The strings in the array ``table[key]`` (none when it is not an array)."""
    value = table.get(key) if isinstance(table, dict) else None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def drill_cross_check(drill, ctx) -> list[Problem]:
    """Cross-check a drill that validated."""
    return drill_problems(drill.model_dump(), ctx)


def drill_partial_check(ctx) -> list[Problem]:
    """Cross-check a drill that did not validate, on whatever parts have the right type."""
    return drill_problems(ctx.source.data, ctx)


def drill_problems(data: dict, ctx) -> list[Problem]:
    """Every id the drill ``data`` names that its production or packs do not know."""
    from armory.rulebook.loader import load_context

    info = data.get("drill")
    production_name = _text(info, "production")
    if production_name is None:
        return []  # the model's problem already says so; without a production there is nothing to check
    production_path = (ctx.source.path.parent / production_name).resolve()
    if not production_path.is_file():
        return [ctx.problem(("drill", "production"), f"no production file at {production_name!r} "
                                                      "(the path is relative to the drill)")]
    try:
        loaded, packs = load_context(production_path, list(ctx.extra_rules))
    except InputError as err:
        return [ctx.problem(("drill", "production"), f"{production_name} does not load (its problems follow)"),
                *err.problems]
    production = loaded.production
    crew = [c.id for c in production.crew]
    weapons = [w.id for w in production.weapon]
    days = {d.id: d for d in production.day}
    rule_ids = [r.id for p in packs for r in p.pack.rule]
    rules = {r.id: r for p in packs for r in p.pack.rule}
    known_causes = rule_ids + list(INVARIANTS)

    problems: list[Problem] = []
    drill_day = _text(info, "day")
    if drill_day is not None and drill_day not in days:
        problems.append(ctx.problem(("drill", "day"), f"unknown day {drill_day!r}{_hint(drill_day, days)}"))
    steps = data.get("step")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue

        def bad(key: str, message: str, index: int = i) -> None:
            problems.append(ctx.problem(("step", index, key), message))

        for key in ("by", "giver", "receiver"):
            value = _text(step, key)
            if value is not None and value not in crew:
                bad(key, f"unknown crew member {value!r}{_hint(value, crew)}")
        for witness in _texts(step, "witnesses"):
            if witness not in crew:
                bad("witnesses", f"unknown crew member {witness!r}{_hint(witness, crew)}")
        weapon = _text(step, "weapon")
        if weapon is not None and weapon not in weapons:
            bad("weapon", f"unknown weapon {weapon!r}{_hint(weapon, weapons)}")
        step_day = _text(step, "day")
        if step_day is not None and step_day not in days:
            bad("day", f"unknown day {step_day!r}{_hint(step_day, days)}")
        day = days.get(step_day or drill_day or "")
        scene, setup = _text(step, "scene"), _text(step, "setup")
        if day is not None and scene is not None:
            scenes = {s.id: s for s in day.scene}
            if scene not in scenes:
                bad("scene", f"unknown scene {scene!r} on {day.id}{_hint(scene, scenes)}")
            elif setup is not None and setup not in [s.id for s in scenes[scene].setup]:
                bad("setup", f"unknown setup {setup!r} in scene {scene}")
        phase = _text(step, "phase")
        if phase is not None and phase not in PHASES:
            bad("phase", f"unknown phase {phase!r}{_hint(phase, PHASES)}")
        answers = step.get("answers")
        for rule_id, given in (answers if isinstance(answers, dict) else {}).items():
            if rule_id not in rule_ids:
                bad("answers", f"no rule {rule_id!r} in the packs in force{_hint(rule_id, rule_ids)}")
                continue
            for message in _answer_problems(rules[rule_id], given):
                problems.append(ctx.problem(("step", i, "answers", rule_id), message))
        rule = _text(step, "rule")
        if rule is not None and rule not in rule_ids:
            bad("rule", f"no rule {rule!r} in the packs in force{_hint(rule, rule_ids)}")
        refused_by = _text(step, "refused_by")
        if refused_by is not None and refused_by not in known_causes:
            bad("refused_by", f"no rule or invariant {refused_by!r}{_hint(refused_by, known_causes)}")
    expect = data.get("expect")
    for key in ("fired", "not_fired", "refused"):
        for value in _texts(expect, key):
            if value not in known_causes:
                problems.append(ctx.problem(("expect", key), f"no rule or invariant {value!r}{_hint(value, known_causes)}"))
    for value in _texts(expect, "never_held_by"):
        if value not in crew:
            problems.append(ctx.problem(("expect", "never_held_by"), f"unknown crew member {value!r}{_hint(value, crew)}"))
    return problems


def _answer_problems(rule, given: Any) -> list[str]:
    """An answer a drill gives that the rule could never take ("maybe" to a choice of three, "15" without
    its unit): ``rules test`` would stop at it, so lint says so first."""
    from armory.checklist.judge import AnswerError, parse

    if rule.sense is not None:
        return [f"{rule.id} is sensed from the ledger; nobody answers it"]
    values = given if isinstance(given, list) else [given]
    out = []
    for value in values:
        if not isinstance(value, str):
            continue  # the model's problem
        try:
            parse(rule, value)
        except AnswerError as err:
            out.append(f"{rule.id}: {err.message}")
    return out


def register() -> None:
    from armory.rulebook.loader import register_kind

    register_kind("drill", Drill, drill_cross_check, partial_check=drill_partial_check)


# Lint and the schema find drills through the loader's registry, which imports
# this module (not the model's) the first time a [drill] file is met: the
# drill kind always comes with its cross-check, and the model knows nothing
# of it.
register()
