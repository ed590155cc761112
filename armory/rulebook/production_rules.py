"""Checks of a production against the rule packs it names.

A pack alone cannot know a production's own facts (``production.<id>``), and
a production alone cannot know the rules it switches off: both are checked
here, once the packs are found, each problem located in the production file.
Also what lint lists as information, not as a problem: the rules a production
has turned off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from armory.problems import Problem
from armory.production.models import Production
from armory.rulebook.models import Rule, is_production_fact
from armory.source import SourceFile, did_you_mean, one_of, quote

if TYPE_CHECKING:
    from armory.rulebook.loaded import LoadedPack

_FACT_KEYS = ("equals_fact", "at_least_fact", "at_most_fact")

#: Which declared fact types each answer kind may compare with.
_TYPES_FOR_ANSWER: dict[str, tuple[str, ...]] = {
    "count": ("count",),
    "sensed": ("count",),
    "measurement": ("feet", "metres"),
    "text": ("text",),
    "digits": ("text",),
    "choice": ("text",),
}


def production_rule_problems(production: Production, packs: Sequence[LoadedPack],
                             source: SourceFile) -> list[Problem]:
    """Overrides naming rules that are not in force, and declared facts the packs use wrongly or miss."""
    out: list[Problem] = []
    info = production.production
    rules: dict[str, Rule] = {}
    for loaded in packs:
        for rule in loaded.pack.rule:
            rules.setdefault(rule.id, rule)
    weapon_ids = [w.id for w in production.weapon]
    seen: dict[str, int] = {}
    for i, override in enumerate(info.override):
        at = ("production", "override", i)
        if override.rule not in rules:
            out.append(source.problem(at + ("rule",), f"no rule {quote(override.rule)} in the packs this production "
                                                      f"names{did_you_mean(override.rule, list(rules))}"))
        for k, weapon in enumerate(override.weapons):
            if weapon not in weapon_ids:
                out.append(source.problem(at + ("weapons", k),
                                          f"no weapon {quote(weapon)} in [[weapon]]{did_you_mean(weapon, weapon_ids)}"))
        if override.replaced_by is not None:
            if override.replaced_by == override.rule:
                out.append(source.problem(at + ("replaced_by",), "a rule cannot replace itself"))
            elif override.replaced_by not in rules:
                out.append(source.problem(at + ("replaced_by",),
                                          f"no rule {quote(override.replaced_by)} in the packs this production names"
                                          f"{did_you_mean(override.replaced_by, list(rules))}"))
            elif override.rule in rules and rules[override.replaced_by].phase != rules[override.rule].phase:
                out.append(source.problem(at + ("replaced_by",),
                                          f"{quote(override.replaced_by)} is asked in phase "
                                          f"{quote(rules[override.replaced_by].phase)}, but "
                                          f"{quote(override.rule)} in {quote(rules[override.rule].phase)}"))
        key = override.rule + "/" + ",".join(sorted(override.weapons))
        if key in seen:
            out.append(source.problem(at + ("rule",), f"{quote(override.rule)} is already switched off above "
                                                      f"(production.override[{seen[key] + 1}])"))
        seen.setdefault(key, i)

    declared = {f.id: (i, f) for i, f in enumerate(info.fact)}
    for i, fact in enumerate(info.fact):
        at = ("production", "fact", i)
        if fact.id in [f.id for f in info.fact[:i]]:
            out.append(source.problem(at + ("id",), f"fact {quote(fact.id)} is declared twice"))
        if fact.type == "count" and (isinstance(fact.value, bool) or not isinstance(fact.value, int)):
            out.append(source.problem(at + ("value",), f"a count is a whole number, not {quote(fact.value)}"))
        elif fact.type in ("feet", "metres") and not isinstance(fact.value, (int, float)):
            out.append(source.problem(at + ("value",), f"a distance in {fact.type} is a number, not {quote(fact.value)}"))
        elif fact.type == "text" and not isinstance(fact.value, str):
            out.append(source.problem(at + ("value",), f'a text fact is a string ("..."), not {quote(fact.value)}'))
    used: set[str] = set()
    for loaded in packs:
        for rule in loaded.pack.rule:
            answer = "sensed" if rule.sense is not None else (rule.answer or "")
            for key in _FACT_KEYS:
                name = getattr(rule.expect, key)
                if name is None or not is_production_fact(name):
                    continue
                fact_id = name.split(".", 1)[1]
                used.add(fact_id)
                where = f"rule {rule.id} (pack {loaded.pack.pack.id}) compares with {quote(name)}"
                if fact_id not in declared:
                    hint = did_you_mean(fact_id, list(declared))
                    out.append(source.problem(("production", "fact"),
                                              f"{where}, which this production does not declare{hint}: add "
                                              f'[[production.fact]] id = {quote(fact_id)}'))
                    continue
                i, fact = declared[fact_id]
                allowed = _TYPES_FOR_ANSWER.get(answer, ())
                if fact.type not in allowed:
                    out.append(source.problem(("production", "fact", i, "type"),
                                              f"{where}, a {answer} answer, but this fact is {quote(fact.type)}; "
                                              f"a {answer} compares with {one_of(allowed) if allowed else 'no fact'}"))
                elif answer == "measurement" and rule.unit != fact.type:
                    out.append(source.problem(("production", "fact", i, "type"),
                                              f"{where}, measured in {rule.unit}, but this fact is in {fact.type}"))
    return out


def override_notes(production: Production, source: SourceFile) -> list[str]:
    """One line per rule the production switches off, for lint to list (these are not problems)."""
    notes = []
    for i, override in enumerate(production.production.override):
        line = source.line(("production", "override", i, "rule"))
        where = f"{source.display}:{line}" if line else source.display
        scope = f" for {', '.join(override.weapons)}" if override.weapons else ""
        instead = f", replaced by {override.replaced_by}" if override.replaced_by else ""
        notes.append(f"{where}: turned off: {override.rule}{scope}{instead}: {override.reason}")
    return notes
