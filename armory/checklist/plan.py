"""Which checks a weapon gets in a setup, and what passes each, in words.

This is pure: a production, the packs and a place in the schedule go in; a
list of planned checks comes out. The engine asks them and ``armory rules
show`` prints them, so both always agree.

``expected_text`` tells what passes with the facts resolved ("the weapon's
capacity (6)"). Counts are blind: a face never shows it to the person
answering before they have answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from armory.problems import InputError
from armory.production.models import Day, Issue, Production, Scene, Setup, Weapon
from armory.rulebook.models import FACTS, Rule, is_production_fact
from armory.source import did_you_mean, quote

if TYPE_CHECKING:
    from armory.rulebook.loader import LoadedPack

#: Phases asked once a day, about no weapon in particular.
DAY_PHASES: tuple[str, ...] = ("day_start", "end_of_day", "on_incident")
#: Phases asked about one weapon in one setup, in the order they happen.
WEAPON_PHASES: tuple[str, ...] = ("before_setup", "before_handoff", "on_return", "after_firing")

FactValue = int | str | None


@dataclass(frozen=True)
class PlannedCheck:
    rule: Rule
    pack: LoadedPack
    expected_text: str
    """What passes, in words, facts resolved. Never shown before the answer (blind counts)."""
    facts: Mapping[str, FactValue] = field(default_factory=dict, hash=False, compare=False)
    """The value of every fact the rule's expectation refers to (None when unknown here)."""


def resolve_fact(
    fact: str,
    production: Production,
    day: Day | None = None,
    scene: Scene | None = None,
    setup: Setup | None = None,
    issue: Issue | None = None,
    weapon: Weapon | None = None,
) -> FactValue:
    """The value of ``fact`` (one of :data:`armory.rulebook.models.FACTS`) here, or None if unknown."""
    settings = production.production.settings
    if is_production_fact(fact):
        declared = production.declared_fact(fact.split(".", 1)[1])
        return declared.value if declared is not None else None
    if fact == "settings.min_blank_distance_feet":
        return settings.min_blank_distance_feet
    if fact == "settings.check_valid_minutes":
        return settings.check_valid_minutes
    if weapon is not None:
        if fact == "weapon.capacity":
            return weapon.capacity
        if fact == "weapon.serial_last4":
            return weapon.serial[-4:].upper()
        if fact == "weapon.kind":
            return weapon.kind
        if fact == "weapon.caliber":
            return weapon.caliber
    if issue is not None:
        if fact == "setup.rounds":
            return issue.rounds
        if fact == "setup.load":
            return issue.load
        if fact == "setup.lot":
            return issue.lot
        if fact == "setup.actor":
            return issue.actor
        if fact == "lot.caliber" and issue.lot is not None:
            lot = production.lot_by_id(issue.lot)
            return lot.caliber if lot else None
    if fact not in FACTS:
        raise ValueError(f"unknown fact {quote(fact)}")
    return None


def armorer_roles(production: Production, day: str) -> frozenset[str]:
    """Every role held that day by someone acting as armorer or assistant armorer."""
    roles: set[str] = set()
    for member in production.crew:
        held = production.roles_on(member.id, day)
        if held & {"armorer", "assistant_armorer"}:
            roles |= held
    return frozenset(roles)


def applies(rule: Rule, *, weapon: Weapon | None, issue: Issue | None, facts: set[str] | frozenset[str],
            production: Production | None = None, day: str | None = None) -> bool:
    """Whether ``rule``'s ``when`` matches. Without a weapon (day phases) only the day's roles are read."""
    when = rule.when
    if when.armorer_roles and production is not None and day is not None:
        if not set(when.armorer_roles) & armorer_roles(production, day):
            return False
    if weapon is None:
        return True
    if when.actor_roles and production is not None and day is not None:
        actor = issue.actor if issue is not None else None
        if actor is None or not set(when.actor_roles) & production.roles_on(actor, day):
            return False
    if when.weapon_kind and weapon.kind not in when.weapon_kind:
        return False
    if when.firing is not None and weapon.firing != when.firing:
        return False
    load = issue.load if issue is not None else "cold"
    if when.load and load not in when.load:
        return False
    return set(when.facts) <= set(facts)


def _fact_keys(rule: Rule) -> list[str]:
    expect = rule.expect
    return [f for f in (expect.equals_fact, expect.at_least_fact, expect.at_most_fact) if f is not None]


def describe_expectation(rule: Rule, facts: Mapping[str, FactValue] | None = None) -> str:
    """What passes, in plain words: "the weapon's capacity (6)"; a fact's value in brackets when given."""
    from armory.checklist.judge import describe

    return describe(rule, facts, only_given=True)


def _suggest(word: str, ids: Sequence[str]) -> str:

    hint = did_you_mean(word, ids)
    if hint:
        return hint
    return f" (known: {', '.join(ids)})" if ids else ""


def find_place(
    production: Production, *, day: str, scene: str | None = None, setup: str | None = None,
    weapon: str | None = None,
) -> tuple[Day, Scene | None, Setup | None, Issue | None, Weapon | None]:
    """The day, scene, setup, issue and weapon named, or InputError with a did-you-mean."""
    found_day = production.day_by_id(day)
    if found_day is None:
        raise InputError(f"no day {quote(day)}{_suggest(day, [d.id for d in production.day])}")
    if scene is None:
        if setup is not None or weapon is not None:
            raise InputError("a setup or weapon needs a scene (--scene)")
        return found_day, None, None, None, None
    found_scene = next((s for s in found_day.scene if s.id == scene), None)
    if found_scene is None:
        raise InputError(f"no scene {quote(scene)} on day {quote(day)}{_suggest(scene, [s.id for s in found_day.scene])}")
    if weapon is None:
        chosen = found_scene.setup[0] if setup is None else next((u for u in found_scene.setup if u.id == setup), None)
        if chosen is None:
            raise InputError(f"no setup {quote(setup)} in scene {quote(scene)}{_suggest(setup or '', [u.id for u in found_scene.setup])}")
        return found_day, found_scene, chosen, None, None
    found_weapon = production.weapon_by_id(weapon)
    if found_weapon is None:
        raise InputError(f"no weapon {quote(weapon)}{_suggest(weapon, [w.id for w in production.weapon])}")
    if setup is None:
        chosen = next((u for u in found_scene.setup if any(i.weapon == weapon for i in u.weapon)), None)
        if chosen is None:
            held = list(dict.fromkeys(i.weapon for u in found_scene.setup for i in u.weapon))
            raise InputError(f"weapon {quote(weapon)} is in no setup of scene {quote(scene)}{_suggest(weapon, held)}")
    else:
        chosen = next((u for u in found_scene.setup if u.id == setup), None)
        if chosen is None:
            raise InputError(f"no setup {quote(setup)} in scene {quote(scene)}{_suggest(setup, [u.id for u in found_scene.setup])}")
    issue = next((i for i in chosen.weapon if i.weapon == weapon), None)
    if issue is None:
        held = [i.weapon for i in chosen.weapon]
        raise InputError(f"weapon {quote(weapon)} is not in setup {quote(chosen.id)}{_suggest(weapon, held)}")
    return found_day, found_scene, chosen, issue, found_weapon


def plan_checks(
    production: Production,
    packs: Sequence[LoadedPack],
    *,
    day: str,
    phase: str,
    scene: str | None = None,
    setup: str | None = None,
    weapon: str | None = None,
) -> list[PlannedCheck]:
    """The rules of ``phase`` that apply here, in pack order then rule order.

    Day phases (``day_start``, ``end_of_day``, ``on_incident``) ignore scene,
    setup and weapon. Weapon phases need a scene and a weapon; the setup
    defaults to the scene's first setup that issues the weapon.
    """
    if phase in DAY_PHASES:
        found_day, *_ = find_place(production, day=day)
        found_scene = found_setup = found_issue = found_weapon = None
    elif phase in WEAPON_PHASES:
        if scene is None or weapon is None:
            raise InputError(f"phase {quote(phase)} is about one weapon in one setup: name a scene and a weapon")
        found_day, found_scene, found_setup, found_issue, found_weapon = find_place(
            production, day=day, scene=scene, setup=setup, weapon=weapon)
    else:
        raise InputError(f"no phase {quote(phase)}{_suggest(phase, [*DAY_PHASES, *WEAPON_PHASES])}")
    scene_facts = set(found_scene.facts if found_scene else ()) | set(found_setup.facts if found_setup else ())
    planned = []
    for loaded in packs:
        for rule in loaded.pack.rule:
            if rule.phase != phase:
                continue
            if not applies(rule, weapon=found_weapon, issue=found_issue, facts=scene_facts, production=production,
                           day=found_day.id):
                continue
            if production.override_for(rule.id, found_weapon.id if found_weapon else None) is not None:
                continue  # switched off by the production, with a reason on record (see ``overridden_here``)
            facts = {
                name: resolve_fact(name, production, found_day, found_scene, found_setup, found_issue, found_weapon)
                for name in _fact_keys(rule)
            }
            planned.append(PlannedCheck(rule, loaded, describe_expectation(rule, facts), facts))
    return planned


def overridden_here(production: Production, packs: Sequence[LoadedPack], *, day: str, phase: str,
                    scene: str | None = None, setup: str | None = None, weapon: str | None = None) -> list[tuple[Rule, str]]:
    """The rules of ``phase`` that would apply here but the production switched off: (rule, reason)."""
    if phase in DAY_PHASES:
        found_day, *_ = find_place(production, day=day)
        found_scene = found_setup = found_issue = found_weapon = None
    else:
        found_day, found_scene, found_setup, found_issue, found_weapon = find_place(
            production, day=day, scene=scene, setup=setup, weapon=weapon)
    scene_facts = set(found_scene.facts if found_scene else ()) | set(found_setup.facts if found_setup else ())
    out = []
    for loaded in packs:
        for rule in loaded.pack.rule:
            if rule.phase != phase or not applies(rule, weapon=found_weapon, issue=found_issue, facts=scene_facts,
                                                  production=production, day=found_day.id):
                continue
            override = production.override_for(rule.id, found_weapon.id if found_weapon else None)
            if override is not None:
                reason = override.reason + (f" (replaced by {override.replaced_by})" if override.replaced_by else "")
                out.append((rule, reason))
    return out
