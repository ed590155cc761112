"""Parse an observed answer and judge it against a rule's expectation.

Judging is a pure function of the rule, what was observed, the resolved
production facts and the local time: no ledger, no clock of its own. The
face never sees the expected value before the answer (counts are blind);
:func:`expected_text` is for the verdict and the record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from armory.problems import InputError
from armory.rulebook.checks import FACT_UNITS
from armory.rulebook.models import Expect, Rule

FEET_PER_METRE = Decimal("3.28084")

_UNIT_WORDS = {
    "ft": "feet", "foot": "feet", "feet": "feet", "'": "feet",
    "m": "metres", "metre": "metres", "metres": "metres", "meter": "metres", "meters": "metres",
}


class AnswerError(InputError):
    """An answer that cannot be read (not a number, not one of the choices): nothing is recorded."""


#: What to enter, by answer kind, said when nothing was entered.
_ENTER = {
    "count": "enter the whole number you counted, like 6 (0 if there were none)",
    "digits": "enter the characters as written on the part, like 4471",
    "choice": "enter one of {choices}",
    "yes_no": "enter yes or no",
    "time": "enter a clock time as HH:MM, like 07:45 (today's; the record shows its date)",
    "measurement": "enter a distance with its unit, like 12 ft or 4 m",
    "text": 'write what you observed, in words (type "none" if there is nothing to name)',
}

#: A text answer that names nothing. ``not_empty`` asks for a name, a seal id, a firearm: an answer that
#: says there is none is recorded as given, and fails. A blank is no answer at all (refused, never recorded).
NOTHING_WORDS = frozenset({"none", "nobody", "no one", "no-one", "noone", "nothing", "n/a", "na", "nil", "-",
                           "unknown"})


def names_nothing(value: str) -> bool:
    """Does a text answer say there is nothing to name (blank, "none", "nobody", "unknown", ...)?"""
    return value.strip().rstrip(".!").strip().casefold() in NOTHING_WORDS or not value.strip()


def parse(rule: Rule, raw: str) -> str:
    """Return the canonical form of one observed value, or raise :class:`AnswerError`.

    Nothing entered (or only spaces) is never an answer, of any kind: a blank is
    refused here, so it is never recorded (as a pass or as a failure).
    """
    text = raw.strip()
    kind = rule.answer
    if not text:
        hint = _ENTER.get(kind or "text", _ENTER["text"]).format(choices=", ".join(rule.choices))
        raise AnswerError(f"nothing entered; {hint}")
    if kind == "count":
        if not re.fullmatch(r"[0-9]{1,6}", text):
            raise AnswerError(f"expected a whole number counted, like 6 (not {raw!r})")
        return str(int(text))
    if kind == "digits":
        if not re.fullmatch(r"[A-Za-z0-9]{1,12}", text):
            raise AnswerError(f"expected the characters as written on the part, like 4471 (not {raw!r})")
        return text.upper()
    if kind == "choice":
        for choice in rule.choices:
            if text.casefold() == choice.casefold():
                return choice
        raise AnswerError(f"expected one of {', '.join(rule.choices)} (not {raw!r})")
    if kind == "yes_no":
        low = text.casefold()
        if low in ("y", "yes"):
            return "yes"
        if low in ("n", "no"):
            return "no"
        raise AnswerError(f"expected yes or no (not {raw!r})")
    if kind == "time":
        match = re.fullmatch(r"([01]?[0-9]|2[0-3])[:.h]?([0-5][0-9])", text)
        if not match:
            raise AnswerError(f"expected a clock time as HH:MM, like 07:45 (not {raw!r})")
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    if kind == "measurement":
        match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z']*)", text)
        unit_word = match.group(2).casefold() if match else ""
        if not match or (unit_word and unit_word not in _UNIT_WORDS):
            raise AnswerError(f"expected a distance with its unit, like 12 ft or 4 m (not {raw!r})")
        if not unit_word:
            # "15" could be feet or metres, three times apart: the tape measure says which.
            raise AnswerError(f"give the unit with the distance: {match.group(1)} ft or {match.group(1)} m "
                              f"(not {raw!r})")
        unit = _UNIT_WORDS[unit_word]
        return f"{match.group(1)} {'ft' if unit == 'feet' else 'm'}"
    if not any(ch.isalnum() for ch in text) and not names_nothing(text):
        # "!!!" or "--" is a keystroke, not an observation: it was recorded as a name and passed a check
        # asking who or what. ("-" says there is none: recorded as given, and it fails.)
        raise AnswerError(f"write what you observed, in words (not {raw!r}: it has no letter or digit)")
    return text  # text


def parse_all(rule: Rule, raws: Sequence[str], rounds: int, facts: Mapping[str, object] | None = None,
              now_local: dt.datetime | None = None) -> list[str]:
    """Every observed value in canonical form: one, or one per round loaded.

    Given the facts and the local time, a per-round list shorter than the rounds
    loaded is taken when (and only when) its last value fails the rule: the check
    stopped at that round, and the failure is recorded at once (see :func:`fails_now`).
    Any other short or long list is refused.
    """
    if rule.per_round:
        if len(raws) != rounds:
            if 0 < len(raws) < rounds and facts is not None and now_local is not None:
                values = [parse(rule, raw) for raw in raws]
                if fails_now(rule, values[-1], facts, now_local):
                    return values
            raise AnswerError(f"expected one answer for each of the {rounds} rounds loaded (got {len(raws)}); "
                              "fewer are taken only when the last one fails, which stops the check there")
    elif len(raws) != 1:
        raise AnswerError(f"expected one answer (got {len(raws)})")
    return [parse(rule, raw) for raw in raws]


def fails_now(rule: Rule, value: str, facts: Mapping[str, object], now_local: dt.datetime) -> bool:
    """Does this one round's value (as :func:`parse` returned it) fail a per-round rule?

    When it does, the rounds answered so far, ending with this one, are an answer
    on their own: a face records them at once instead of asking for the next round.
    """
    return bool(rule.per_round) and not judge_one(rule, value, facts, now_local)


def convert(amount: Decimal, given_unit: str, unit: str) -> Decimal:
    """A distance in ``given_unit`` (feet or metres) expressed in ``unit``."""
    if given_unit == unit:
        return amount
    return amount * FEET_PER_METRE if unit == "feet" else amount / FEET_PER_METRE


def measurement_in(value: str, unit: str) -> Decimal:
    number, _, given = value.partition(" ")
    return convert(Decimal(number), "feet" if given == "ft" else "metres", unit)


def fact_value(rule: Rule, fact: str, facts: Mapping[str, object]) -> object:
    """A fact's value as the rule compares and shows it: a distance in the rule's unit.

    A fact that is a distance (``FACT_UNITS``: ``settings.min_blank_distance_feet`` is in feet) is converted
    into the unit of a measurement rule that measures in another unit, so 20 feet is compared and shown as
    6.1 metres, never as 20 metres.
    """
    value = facts.get(fact)
    fact_unit = FACT_UNITS.get(fact)
    if value is None or fact_unit is None or rule.answer != "measurement":
        return value
    unit = rule.unit or "feet"
    if unit == fact_unit:
        return value
    try:
        return convert(Decimal(str(value)), fact_unit, unit)
    except InvalidOperation:
        return value


def show_number(value: object) -> str:
    """A number as the crew reads it: 20, 6.1 (at most two decimals, no trailing zeros)."""
    if isinstance(value, Decimal):
        text = format(value.quantize(Decimal("0.01")).normalize(), "f")
        return text
    return str(value)


def _number(rule: Rule, value: str) -> Decimal:
    if rule.answer == "measurement":
        return measurement_in(value, rule.unit or "feet")
    try:
        return Decimal(value)
    except InvalidOperation:
        return Decimal("NaN")


def _bound(rule: Rule, expect_value: int | str | None, fact: str | None, facts: Mapping[str, object]) -> object:
    if fact is not None:
        return fact_value(rule, fact, facts)
    return expect_value


def _same(rule: Rule, observed: str, wanted: object) -> bool:
    if wanted is None:
        return False
    if rule.answer in ("count", "measurement"):
        try:
            return _number(rule, observed) == Decimal(str(wanted))
        except InvalidOperation:
            return False
    return observed.casefold() == str(wanted).casefold()


def judge_one(rule: Rule, observed: str, facts: Mapping[str, object], now_local: dt.datetime) -> bool:
    """Does one observed value meet every key of the rule's expectation?"""
    e: Expect = rule.expect
    if e.equals is not None or e.equals_fact is not None:
        if not _same(rule, observed, _bound(rule, e.equals, e.equals_fact, facts)):
            return False
    for bound, fact, ok in (
        (e.at_least, e.at_least_fact, lambda a, b: a >= b),
        (e.at_most, e.at_most_fact, lambda a, b: a <= b),
    ):
        if bound is None and fact is None:
            continue
        limit = _bound(rule, bound, fact, facts)
        try:
            if limit is None or not ok(_number(rule, observed), Decimal(str(limit))):
                return False
        except InvalidOperation:
            return False
    if e.one_of is not None and observed not in e.one_of:
        return False
    if e.within_minutes is not None:
        seen = _moment(observed, now_local)
        if now_local - seen > dt.timedelta(minutes=e.within_minutes):
            return False
    if e.not_empty and names_nothing(observed):
        return False
    return True


_DATED = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}):([0-9]{2})")


def _moment(observed: str, now_local: dt.datetime) -> dt.datetime:
    """The local moment a time answer names: its own date when it carries one (``2000-01-04 06:30``).

    An answer recorded as a bare ``HH:MM`` (before answers were dated) is read as today's, or yesterday's
    when that is later than now.
    """
    dated = _DATED.fullmatch(observed)
    if dated:
        day = dt.date.fromisoformat(dated.group(1))
        return dt.datetime.combine(day, dt.time(int(dated.group(2)), int(dated.group(3))), tzinfo=now_local.tzinfo)
    hour, minute = (int(x) for x in observed.split(":"))
    seen = now_local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if seen > now_local + dt.timedelta(minutes=1):
        seen -= dt.timedelta(days=1)  # a clock time later than now was yesterday's
    return seen


def date_time(value: str, now_local: dt.datetime, opened_local: dt.datetime | None) -> str:
    """A clock time (``HH:MM``, as :func:`parse` returns it) dated on the day it was given: ``2000-01-04 06:30``.

    It is today's time, or, when that is later than now (a night shoot past midnight), yesterday's; but
    never a time before the day was opened (``opened_local``) and never a time to come: a briefing "at
    23:30" typed at 07:00 is not last night's briefing passing for today's. Raises :class:`AnswerError`.
    """
    if _DATED.fullmatch(value):
        return value
    hour, minute = (int(x) for x in value.split(":"))
    seen = now_local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if seen > now_local + dt.timedelta(minutes=1):
        earlier = seen - dt.timedelta(days=1)
        opened = opened_local.replace(second=0, microsecond=0) if opened_local is not None else None
        if opened is None or earlier < opened:
            since = f" (it opened at {opened_local:%H:%M})" if opened_local is not None else ""
            raise AnswerError(f"{value} has not come yet today, and yesterday at {value} is before this day was "
                              f"opened{since}: enter the time it happened, no later than now ({now_local:%H:%M})")
        seen = earlier
    return f"{seen:%Y-%m-%d %H:%M}"


def judge(rule: Rule, observed: Sequence[str], facts: Mapping[str, object], now_local: dt.datetime) -> bool:
    return bool(observed) and all(judge_one(rule, value, facts, now_local) for value in observed)


#: Each fact a rule may compare with, in the words a crew member reads.
FACT_WORDS: dict[str, str] = {
    "weapon.capacity": "the weapon's capacity",
    "weapon.serial_last4": "the last four digits of the serial",
    "weapon.kind": "the kind of weapon",
    "weapon.caliber": "the weapon's caliber",
    "setup.rounds": "the rounds stated for this setup",
    "setup.load": "the load stated for this setup",
    "setup.lot": "the lot of this setup",
    "setup.actor": "the actor named for this setup",
    "lot.caliber": "the caliber of the lot",
    "settings.min_blank_distance_feet": "the production's minimum distance for blanks",
    "settings.check_valid_minutes": "the minutes a check stays valid",
}


def describe(rule: Rule, facts: Mapping[str, object] | None, *, only_given: bool = False) -> str:
    """What passes, in plain words: "the weapon's capacity (6)", "none", "every round: rattles".

    With ``facts``, each fact the rule names shows its value in brackets ("unknown" when it has none);
    with ``only_given``, only the facts present in ``facts`` do. Without, the fact is named in words only.
    Counts are blind: a face shows this only once the person has answered.
    """
    e = rule.expect
    unit = f" {rule.unit}" if rule.answer == "measurement" and rule.unit else ""
    counted = rule.answer in ("count", None)  # a sensed item is a count too

    def fact(name: str) -> str:
        words = FACT_WORDS.get(name, name)
        if facts is None or (only_given and name not in facts):
            return words
        value = fact_value(rule, name, facts)
        return f"{words} ({'unknown' if value is None else show_number(value) + unit})"

    def literal(value: object) -> str:
        return f"{show_number(value)}{unit}"

    parts: list[str] = []
    if e.equals is not None:
        parts.append(literal(e.equals))
    if e.equals_fact is not None:
        parts.append(fact(e.equals_fact))
    if e.at_least is not None:
        parts.append(f"at least {literal(e.at_least)}")
    if e.at_least_fact is not None:
        parts.append(f"at least {fact(e.at_least_fact)}")
    if e.at_most is not None:
        parts.append("none" if counted and e.at_most == 0 else f"no more than {literal(e.at_most)}")
    if e.at_most_fact is not None:
        parts.append(f"no more than {fact(e.at_most_fact)}")
    if e.one_of is not None:
        parts.append(" or ".join(e.one_of))
    if e.within_minutes is not None:
        parts.append(f"a time within the last {e.within_minutes} minutes")
    if e.not_empty:
        parts.append("a name or words (not none, nobody or unknown)")
    text = " and ".join(parts)
    return f"every round: {text}" if rule.per_round else text


def expected_text(rule: Rule, facts: Mapping[str, object]) -> str:
    """What passes, in words, with facts resolved: "the weapon's capacity (6)". Shown with the verdict only."""
    return describe(rule, facts)


def passing_answer(rule: Rule, facts: Mapping[str, object], now_local: dt.datetime) -> str | None:
    """An answer that passes, for drills that say "everything else passes". ``None`` if none is known."""
    e = rule.expect
    candidates: list[object] = []
    for value, name in ((e.equals, e.equals_fact), (e.at_least, e.at_least_fact), (e.at_most, e.at_most_fact)):
        bound = _bound(rule, value, name, facts)
        if bound is not None:
            candidates.append(bound)
    if e.one_of:
        candidates.extend(e.one_of)
    if e.within_minutes is not None:
        candidates.append(now_local.strftime("%H:%M"))
    if rule.answer == "yes_no":
        candidates.extend(["yes", "no"])
    if rule.answer == "choice":
        candidates.extend(rule.choices)
    if rule.answer in ("text",):
        candidates.append("recorded")
    if rule.answer == "count":
        candidates.append(0)
    for candidate in candidates:
        raw = str(candidate)
        if rule.answer == "measurement":
            raw = f"{raw} {'ft' if rule.unit == 'feet' else 'm'}"
        try:
            value = parse(rule, raw)
        except AnswerError:
            continue
        if judge_one(rule, value, facts, now_local):
            return value
    return None
