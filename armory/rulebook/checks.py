"""Checks on a rule pack that its model alone cannot make.

The model says each value has the right type; these checks say the values
make sense together: each cited source is declared in the pack, each failure
id is in ``rules/failures.toml``, an expectation fits the kind of answer, a
fact is known in the phase where it is used, ``per_round`` is asked only where
rounds exist, and no rule id is used twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from armory.problems import Problem
from pydantic import ValidationError

from armory.source_lines import format_key
from armory.rulebook.models import FailureCatalogue, Pack, Rule, is_production_fact
from armory.source import SourceFile, did_you_mean, one_of, quote

if TYPE_CHECKING:
    from armory.rulebook.loaded import LoadedPack

#: Phases asked once per day, not per weapon: weapon and setup facts are unknown there.
DAY_PHASES: frozenset[str] = frozenset({"day_start", "end_of_day", "on_incident"})

NUMBER_FACTS = frozenset(
    {"weapon.capacity", "setup.rounds", "settings.min_blank_distance_feet", "settings.check_valid_minutes"}
)
DIGIT_FACTS = frozenset({"weapon.serial_last4"})
#: The unit of each number fact that is a distance. The judge converts both
#: the answer and the fact into the rule's `unit`; lint still asks a rule to
#: measure in its fact's unit, so the number a safety officer reads in the
#: pack is the number on the production (no 20 feet shown as 6.1 metres).
FACT_UNITS: dict[str, str] = {"settings.min_blank_distance_feet": "feet"}
#: Facts known without a weapon or setup (usable in day phases).
DAY_FACTS = frozenset({"settings.min_blank_distance_feet", "settings.check_valid_minutes"})

_NUMERIC = ("equals", "equals_fact", "at_least", "at_least_fact", "at_most", "at_most_fact")
#: Which expectation keys make sense for each answer kind.
EXPECTATIONS_FOR: dict[str, tuple[str, ...]] = {
    "count": _NUMERIC,
    "measurement": ("at_least", "at_least_fact", "at_most", "at_most_fact"),
    "digits": ("equals", "equals_fact"),
    "choice": ("equals", "one_of"),
    "time": ("within_minutes",),
    "text": ("not_empty", "equals", "equals_fact"),
    "yes_no": ("equals",),
    "sensed": _NUMERIC,
}
#: Answer kinds that can sensibly be asked once per round.
PER_ROUND_ANSWERS = frozenset({"choice", "yes_no", "digits", "text"})

_FACT_KEYS = ("equals_fact", "at_least_fact", "at_most_fact")

#: The moments each phase's rules may be required before (``required_before``), and why the others make
#: no sense there.
MOMENTS_FOR: dict[str, tuple[str, ...]] = {
    "after_firing": ("handoff", "take_back", "day_close"),
    "on_return": ("handoff", "day_close"),
    "on_incident": ("handoff", "take_back", "day_close"),
    "day_start": ("take_back", "day_close"),
    "end_of_day": ("day_close",),
    "before_setup": (),
    "before_handoff": (),
}
_MOMENT_WHY = {
    ("handoff", "day_start"): "the day-start checks are already required before any handoff",
    ("handoff", "before_setup"): "the setup's checks are already required before its handoff",
    ("handoff", "before_handoff"): "the setup's checks are already required before its handoff",
    ("take_back", "before_setup"): "the setup's checks were required before the weapon went out",
    ("take_back", "before_handoff"): "the setup's checks were required before the weapon went out",
    ("day_close", "before_setup"): "the setup's checks were required before the weapon went out",
    ("day_close", "before_handoff"): "the setup's checks were required before the weapon went out",
    ("handoff", "end_of_day"): "the end-of-day checks are asked at wrap, after the last handoff",
    ("take_back", "on_return"): "the return is the take-back; use `handoff` or `day_close`",
    ("take_back", "end_of_day"): "the end-of-day checks are asked at wrap, after the last take-back",
}

#: Words in an option's text that name a hazard, and the hazard they name. A negation just before
#: ("no obstruction", "not live") names its absence.
_HAZARD_WORDS: tuple[tuple[str, str], ...] = (
    (r"\blive\b", "live_round"),
    (r"\bbullets?\b", "live_round"),
    (r"\bunconfirmed\b", "unconfirmed_round"),
    (r"\bnot sure\b", "unconfirmed_round"),
    (r"\bcannot (?:tell|confirm)\b", "unconfirmed_round"),
    (r"\bobstruct\w*", "obstruction"),
    (r"\bblocked\b", "obstruction"),
    (r"\blodged\b", "obstruction"),
    (r"\bsquib\b", "obstruction"),
    (r"\bmisfired?s?\b", "misfire"),
    (r"\bdischarged?\b", "unintended_discharge"),
    (r"\bwent off\b", "unintended_discharge"),
)
_NEGATION = re.compile(r"\b(?:no|not|without|never)\s+(?:\w+\s+)?$")


def named_hazard(text: str) -> str | None:
    """The hazard an option's text names ("a live primer": live_round), or None."""
    low = text.casefold()
    for pattern, hazard in _HAZARD_WORDS:
        for match in re.finditer(pattern, low):
            if pattern != r"\bnot sure\b" and _NEGATION.search(low[:match.start()]):
                continue
            return hazard
    return None


def citation_problems(source: SourceFile, index: int, sources: object, failures: object,
                      failure_ids: Sequence[str] | None, source_ids: Sequence[str]) -> list[Problem]:
    """A rule's citations of undeclared sources and unknown failure ids (works on raw data too)."""
    out = []
    at = ("rule", index)
    for i, cited in enumerate(sources if isinstance(sources, list) else []):
        if isinstance(cited, str) and cited not in source_ids:
            hint = did_you_mean(cited, source_ids)
            declared = f" (declared: {', '.join(source_ids)})" if source_ids and not hint else ""
            out.append(source.problem(at + ("sources", i), f"source {quote(cited)} is not declared in this "
                                                           f"pack's [[source]] entries{hint}{declared}"))
    if failure_ids is not None:
        for i, cited in enumerate(failures if isinstance(failures, list) else []):
            if isinstance(cited, str) and cited not in failure_ids:
                out.append(source.problem(at + ("failures", i), f"failure id {quote(cited)} is not in "
                                                                f"rules/failures.toml{did_you_mean(cited, failure_ids)}"))
    return out


def rule_problems(source: SourceFile, index: int, rule: Rule, failure_ids: Sequence[str] | None,
                  source_ids: Sequence[str]) -> list[Problem]:
    """Problems of one rule (``index`` is its 0-based position in ``[[rule]]``)."""
    at = ("rule", index)
    out: list[Problem] = []

    def report(loc: tuple, message: str) -> None:
        out.append(source.problem(at + loc, message))

    out.extend(citation_problems(source, index, rule.sources, rule.failures, failure_ids, source_ids))

    answer = "sensed" if rule.sense is not None else (rule.answer or "")
    expect = rule.expect
    given = [k for k in EXPECTATIONS_FOR["count"] + ("one_of", "within_minutes", "not_empty")
             if getattr(expect, k) not in (None, False)]
    allowed = EXPECTATIONS_FOR.get(answer, ())
    for key in given:
        if key not in allowed:
            what = "a sensed value" if answer == "sensed" else f'answer = "{answer}"'
            report(("expect", key), f"`{key}` does not fit {what}; use {one_of(allowed)}")

    # Literal values must have the type the answer has.
    if expect.equals is not None and "equals" in allowed:
        value = expect.equals
        if answer in ("count", "sensed") and not isinstance(value, int):
            report(("expect", "equals"), f"a count is a whole number, not {quote(value)}")
        elif answer == "digits" and not (isinstance(value, str) and value.isalnum() and value.isascii()):
            report(("expect", "equals"), f'digits are written as a string ("1873"), not {quote(value)}')
        elif answer == "yes_no" and value not in ("yes", "no"):
            report(("expect", "equals"), f'a yes/no answer is "yes" or "no", not {quote(value)}')
        elif answer == "choice" and value not in rule.choices:
            report(("expect", "equals"),
                   f"{quote(value)} is not one of the choices{did_you_mean(value, rule.choices)}")
    if expect.one_of is not None and answer == "choice":
        for i, value in enumerate(expect.one_of):
            if value not in rule.choices:
                report(("expect", "one_of", i),
                       f"{quote(value)} is not one of the choices {one_of(rule.choices)}{did_you_mean(value, rule.choices)}")

    for key in _FACT_KEYS:
        fact = getattr(expect, key)
        if fact is None or key not in allowed:
            continue
        if is_production_fact(fact):
            continue  # declared by each production that names the pack: checked there, with its type
        if answer in ("count", "measurement", "sensed") and fact not in NUMBER_FACTS:
            report(("expect", key), f"{quote(fact)} is not a number; compare a count or measurement with "
                                    f"{one_of(sorted(NUMBER_FACTS))}")
        elif answer == "measurement" and fact not in FACT_UNITS:
            report(("expect", key), f"{quote(fact)} is not a distance; a measurement compares with "
                                    f"{one_of(sorted(FACT_UNITS))}")
        elif answer == "measurement" and rule.unit is not None and FACT_UNITS[fact] != rule.unit:
            report(("expect", key), f"{quote(fact)} is in {FACT_UNITS[fact]}, but this rule measures in "
                                    f"{rule.unit}; "
                                    f'use unit = "{FACT_UNITS[fact]}" (answers in {rule.unit} are still converted)')
        elif answer in ("count", "sensed") and fact in FACT_UNITS:
            report(("expect", key), f"{quote(fact)} is a distance in {FACT_UNITS[fact]}, not a count; ask for "
                                    f'answer = "measurement" with unit = "{FACT_UNITS[fact]}"')
        elif answer == "digits" and fact not in DIGIT_FACTS:
            report(("expect", key), f"{quote(fact)} is not digits; digits compare with {one_of(sorted(DIGIT_FACTS))}")
        elif answer == "text" and fact in NUMBER_FACTS:
            report(("expect", key), f"{quote(fact)} is a number; ask for a count to compare with it")
        if rule.phase in DAY_PHASES and fact not in DAY_FACTS:
            report(("expect", key), f"{quote(fact)} is not known in phase {quote(rule.phase)}, which is asked "
                                    "once a day without a weapon or setup")

    lows = [v for v in (expect.at_least,) if v is not None]
    highs = [v for v in (expect.at_most,) if v is not None]
    if lows and highs and lows[0] > highs[0]:
        report(("expect",), f"at_least {lows[0]} is more than at_most {highs[0]}: nothing can pass")

    if rule.per_round:
        if answer not in PER_ROUND_ANSWERS:
            report(("per_round",), f'`per_round` makes no sense with answer = "{answer}": one {answer} per round; '
                                   f"ask per round for {one_of(sorted(PER_ROUND_ANSWERS))}")
        if rule.phase in DAY_PHASES:
            report(("per_round",), f"`per_round` needs a loaded weapon, but phase {quote(rule.phase)} has none")
        if rule.when.load and set(rule.when.load) <= {"cold"}:
            report(("per_round",), "`per_round` on a cold load asks nothing: a cold weapon has no rounds")
    if rule.choices and answer != "choice":
        report(("choices",), 'choices are offered only with answer = "choice"')
    if len(set(rule.choices)) != len(rule.choices):
        report(("choices",), "a choice is listed twice")
    if rule.unit is not None and answer != "measurement":
        report(("unit",), 'a unit is used only with answer = "measurement"')
    if rule.phase in DAY_PHASES:
        for key in ("weapon_kind", "load", "facts", "actor_roles"):
            if getattr(rule.when, key):
                report(("when", key), f"has no effect in phase {quote(rule.phase)}, which is asked once a day "
                                      "without a weapon or setup")
        if rule.when.firing is not None:
            report(("when", "firing"), f"has no effect in phase {quote(rule.phase)}")
    if rule.asked_of and rule.sense is not None:
        report(("asked_of",), "a sensed rule is asked of nobody: the ledger answers it")
    out.extend(_moment_problems(source, at, rule))
    out.extend(_hazard_problems(source, at, rule))
    return out


def _moment_problems(source: SourceFile, at: tuple, rule: Rule) -> list[Problem]:
    out = []
    allowed = MOMENTS_FOR.get(rule.phase, ())
    seen: set[str] = set()
    for i, moment in enumerate(rule.required_before):
        if moment in seen:
            out.append(source.problem(at + ("required_before", i), f"{quote(moment)} is listed twice"))
        seen.add(moment)
        if moment not in allowed:
            why = _MOMENT_WHY.get((moment, rule.phase), f"phase {quote(rule.phase)} is never due then")
            out.append(source.problem(at + ("required_before", i),
                                      f"{quote(moment)} has no effect in phase {quote(rule.phase)}: {why}"
                                      + (f" (this phase allows {one_of(allowed)})" if allowed else "")))
    if rule.required_before and rule.sense is not None:
        out.append(source.problem(at + ("required_before",), "a sensed rule answers itself: nothing to wait for"))
    return out


def _hazard_problems(source: SourceFile, at: tuple, rule: Rule) -> list[Problem]:
    """Hazards bound to answers the rule can get, and options whose text names a hazard nothing binds."""
    out = []
    if rule.hazards and rule.answer not in ("choice", "yes_no"):
        what = "a sensed value" if rule.sense is not None else f'answer = "{rule.answer}"'
        out.append(source.problem(at + ("hazards",), f"hazards are bound to choices or yes/no answers, not to {what}"))
        return out
    options = list(rule.choices) if rule.answer == "choice" else ["yes", "no"] if rule.answer == "yes_no" else []
    for option, hazard in rule.hazards.items():
        if option not in options:
            out.append(source.problem(at + ("hazards", option),
                                      f"{quote(option)} is not an answer this rule can get"
                                      f"{did_you_mean(option, options)} (answers: {one_of(options)})"))
            continue
        passes = (rule.expect.one_of is not None and option in rule.expect.one_of) or (
            rule.expect.equals is not None and str(rule.expect.equals).casefold() == option.casefold())
        if passes:
            out.append(source.problem(at + ("hazards", option),
                                      f"{quote(option)} means {hazard.replace('_', ' ')}, but `expect` lets it pass; "
                                      "an answer that stops the production never passes"))
    return out


def hazard_warnings(source: SourceFile, pack: Pack) -> list[Problem]:
    """Options whose text names a hazard that nothing binds. Lint prints them as warnings: they never stop
    a pack from loading (a pack written before hazards existed loads unchanged)."""
    out = []
    for index, rule in enumerate(pack.rule):
        if rule.answer != "choice":
            continue
        for i, option in enumerate(rule.choices):
            named = named_hazard(option)
            if named is not None and option not in rule.hazards:
                out.append(source.problem(
                    ("rule", index, "choices", i),
                    f"warning: {quote(option)} names a hazard ({named.replace('_', ' ')}) that nothing binds: "
                    f"without `hazards = {{ {quote(option)} = {quote(named)} }}` this answer stops only what the "
                    "rule's severity says"))
    return out


def pack_problems(source: SourceFile, pack: Pack, failures: FailureCatalogue | None) -> list[Problem]:
    """Every problem inside one pack (not across packs)."""
    out: list[Problem] = []
    source_ids: list[str] = []
    for i, src in enumerate(pack.source):
        if src.id in source_ids:
            out.append(source.problem(("source", i, "id"), f"source id {quote(src.id)} is declared twice"))
        source_ids.append(src.id)
    failure_ids = [f.id for f in failures.failure] if failures is not None else None
    out.extend(_repeated_in_pack(source, [(i, rule.id) for i, rule in enumerate(pack.rule)]))
    for i, rule in enumerate(pack.rule):
        out.extend(rule_problems(source, i, rule, failure_ids, source_ids))
    return out


def _repeated_in_pack(source: SourceFile, rule_ids: Sequence[tuple[int, str]]) -> list[Problem]:
    """A rule id used twice in one pack, reported at the second use."""
    out = []
    seen: dict[str, int] = {}
    for i, rule_id in rule_ids:
        if rule_id in seen:
            first = source.line(("rule", seen[rule_id], "id"))
            where = f" (first at line {first})" if first else ""
            out.append(source.problem(("rule", i, "id"), f"rule id {quote(rule_id)} is used twice in this pack{where}"))
        else:
            seen[rule_id] = i
    return out


def raw_rule_ids(data: dict) -> list[tuple[int, str]]:
    """``(index, id)`` of each ``[[rule]]`` whose id is a string, read from the parsed TOML without the model."""
    rules = data.get("rule")
    if not isinstance(rules, list):
        return []
    return [(i, r["id"]) for i, r in enumerate(rules) if isinstance(r, dict) and isinstance(r.get("id"), str)]


def duplicate_rule_problems(packs: Iterable[LoadedPack]) -> list[Problem]:
    """A rule id used by two loaded packs: reported at the later one, naming the first."""
    from armory.source import display_path

    return _shared_ids(
        (SourceFile(path=loaded.path, text=loaded.text, sha256=loaded.sha256, data={},
                    display=display_path(loaded.path)),
         loaded.pack.pack.id, [(i, rule.id) for i, rule in enumerate(loaded.pack.rule)])
        for loaded in packs
    )


def duplicate_rule_problems_raw(sources: Iterable[SourceFile]) -> list[Problem]:
    """A rule id used by two pack files, read from their parsed TOML.

    Works on packs that do not validate: a typo in one rule's severity must
    not hide that another rule of the pack takes an id a bundled pack uses.
    """
    entries = []
    for source in sources:
        info = source.data.get("pack")
        pack_id = info.get("id") if isinstance(info, dict) and isinstance(info.get("id"), str) else None
        entries.append((source, pack_id, raw_rule_ids(source.data)))
    return _shared_ids(entries)


def _shared_ids(packs: Iterable[tuple[SourceFile, str | None, list[tuple[int, str]]]]) -> list[Problem]:
    first: dict[str, tuple[SourceFile, str | None, int]] = {}
    out: list[Problem] = []
    for source, pack_id, rule_ids in packs:
        for i, rule_id in rule_ids:
            if rule_id not in first:
                first[rule_id] = (source, pack_id, i)
                continue
            other, other_pack_id, j = first[rule_id]
            if other.path == source.path:
                continue  # a repeat inside one pack has its own message
            line = other.line(("rule", j, "id"))
            where = f"{other.display}:{line}" if line else other.display
            named = f"pack {quote(other_pack_id)}" if other_pack_id else "another pack"
            out.append(source.problem(("rule", i, "id"), f"rule id {quote(rule_id)} is also used by {named} ({where})"))
    return out


def pack_partial_problems(source: SourceFile, failure_ids: Sequence[str] | None) -> list[Problem]:
    """Check each rule of a pack that did not validate: whole if it is valid, else around its broken keys."""
    rules = source.data.get("rule")
    if not isinstance(rules, list):
        return []
    declared = source.data.get("source")
    source_ids = [s.get("id") for s in declared if isinstance(s, dict)] if isinstance(declared, list) else []
    out: list[Problem] = _repeated_in_pack(source, raw_rule_ids(source.data))
    declared_ids = [s for s in source_ids if isinstance(s, str)]
    for i, raw in enumerate(rules):
        try:
            rule = Rule.model_validate(raw)
        except ValidationError as err:
            if not isinstance(raw, dict):
                continue
            patched = _patched_rule(raw, err)
            if patched is None:  # the citations can still be checked
                out.extend(citation_problems(source, i, raw.get("sources"), raw.get("failures"),
                                             failure_ids, declared_ids))
                continue
            rule, bad_keys = patched
            prefix = format_key(("rule", i))
            out.extend(p for p in rule_problems(source, i, rule, failure_ids, declared_ids)
                       if not any(p.key == f"{prefix}.{k}" or p.key.startswith((f"{prefix}.{k}.", f"{prefix}.{k}["))
                                  for k in bad_keys))
            continue
        out.extend(rule_problems(source, i, rule, failure_ids, declared_ids))
    return out


#: Stand-ins for a rule's broken keys, so that the checks of its other keys still run.
_PLACEHOLDERS: dict[str, object] = {
    "id": "placeholder", "title": "placeholder", "why": "placeholder", "severity": "note",
    "expect": {"not_empty": True}, "sources": ["placeholder"], "failures": ["F1"],
}


def _patched_rule(raw: dict, err: ValidationError) -> tuple[Any, set[str]] | None:
    """The rule with each broken top-level key replaced or dropped, and those keys; None if that fails."""
    bad = {e["loc"][0] for e in err.errors() if e["loc"] and isinstance(e["loc"][0], str)}
    if not bad or bad & {"phase", "answer", "sense", "ask"}:
        return None  # what the other checks mean depends on these: do not guess
    patched = {k: v for k, v in raw.items() if k not in bad}
    for key in bad:
        if key in _PLACEHOLDERS:
            patched[key] = _PLACEHOLDERS[key]
    try:
        return Rule.model_validate(patched), bad
    except ValidationError:
        return None
