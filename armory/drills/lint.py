"""Cross-checks for drill files: every id a drill names must exist in its production and packs."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from armory.checklist.invariants import INVARIANTS
from armory.problems import InputError, Problem
from armory.production.vocabulary import PHASES


def _hint(value: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def drill_cross_check(drill, ctx) -> list[Problem]:
    from armory.rulebook.loader import load_context

    problems: list[Problem] = []
    production_path = (ctx.source.path.parent / drill.drill.production).resolve()
    if not production_path.is_file():
        return [ctx.problem(("drill", "production"), f"no production file at {drill.drill.production!r} "
                                                      "(the path is relative to the drill)")]
    try:
        loaded, packs = load_context(production_path, list(ctx.extra_rules))
    except InputError as err:
        return [ctx.problem(("drill", "production"), f"{drill.drill.production} does not load: {err.message}"),
                *err.problems]
    production = loaded.production
    crew = [c.id for c in production.crew]
    weapons = [w.id for w in production.weapon]
    days = {d.id: d for d in production.day}
    rule_ids = [r.id for p in packs for r in p.pack.rule]
    known_causes = rule_ids + list(INVARIANTS)

    if drill.drill.day not in days:
        problems.append(ctx.problem(("drill", "day"), f"unknown day {drill.drill.day!r}{_hint(drill.drill.day, days)}"))
    for i, step in enumerate(drill.step):
        def bad(key: str, message: str, index: int = i) -> None:
            problems.append(ctx.problem(("step", index, key), message))

        for key in ("by", "giver", "receiver"):
            value = getattr(step, key)
            if value is not None and value not in crew:
                bad(key, f"unknown crew member {value!r}{_hint(value, crew)}")
        for witness in step.witnesses:
            if witness not in crew:
                bad("witnesses", f"unknown crew member {witness!r}{_hint(witness, crew)}")
        if step.weapon is not None and step.weapon not in weapons:
            bad("weapon", f"unknown weapon {step.weapon!r}{_hint(step.weapon, weapons)}")
        day = days.get(step.day or drill.drill.day)
        if step.day is not None and step.day not in days:
            bad("day", f"unknown day {step.day!r}{_hint(step.day, days)}")
        if day is not None and step.scene is not None:
            scenes = {s.id: s for s in day.scene}
            if step.scene not in scenes:
                bad("scene", f"unknown scene {step.scene!r} on {day.id}{_hint(step.scene, scenes)}")
            elif step.setup is not None and step.setup not in [s.id for s in scenes[step.scene].setup]:
                bad("setup", f"unknown setup {step.setup!r} in scene {step.scene}")
        if step.phase is not None and step.phase not in PHASES:
            bad("phase", f"unknown phase {step.phase!r}{_hint(step.phase, PHASES)}")
        for rule_id in [*step.answers, *([step.rule] if step.rule else [])]:
            if rule_id not in rule_ids:
                bad("answers" if rule_id in step.answers else "rule",
                    f"no rule {rule_id!r} in the packs in force{_hint(rule_id, rule_ids)}")
        if step.refused_by is not None and step.refused_by not in known_causes:
            bad("refused_by", f"no rule or invariant {step.refused_by!r}{_hint(step.refused_by, known_causes)}")
    for key in ("fired", "not_fired", "refused"):
        for value in getattr(drill.expect, key):
            if value not in known_causes:
                problems.append(ctx.problem(("expect", key), f"no rule or invariant {value!r}{_hint(value, known_causes)}"))
    for value in drill.expect.never_held_by:
        if value not in crew:
            problems.append(ctx.problem(("expect", "never_held_by"), f"unknown crew member {value!r}{_hint(value, crew)}"))
    return problems


def register() -> None:
    from armory.drills.models import Drill
    from armory.rulebook.loader import register_kind

    register_kind("drill", Drill, drill_cross_check)
