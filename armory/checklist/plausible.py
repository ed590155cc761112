"""Values no one means to record: asked again before they are judged.

A finger slips (5555 chambers on a six-shot revolver), or a key typed ahead
lands in the wrong field (a time still to come, a number where a name is
asked). Judged as they are, such values raise a stop a correction never
lifts, and a safety officer's PIN and reason follow. A face asks for an
implausible value once more; a value typed twice is recorded as it is (and
stops, if it fails). Nothing here changes what is judged or recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

#: Counts at or above this are a slip whatever is counted (people, rounds, chambers) on one set.
ANY_COUNT_CEILING = 1000
#: A time this far ahead of the clock is still plausible (clocks on set differ a little).
CLOCK_SLACK = dt.timedelta(minutes=5)


def count_ceiling(rule, facts: Mapping[str, object], lot_count: int | None) -> tuple[int, str] | None:
    """The most a count can plausibly be, and what holds that many, when the rule counts rounds or chambers
    of this weapon (its expectation names a weapon or setup fact)."""
    expect = rule.expect
    named = {expect.equals_fact, expect.at_least_fact, expect.at_most_fact} - {None}
    if not named:
        return None
    # What the weapon holds bounds any count of its chambers or rounds; without it, what the setup loads
    # or, last, what its lot holds.
    capacity = facts.get("weapon.capacity")
    rounds = facts.get("setup.rounds")
    if isinstance(capacity, int) and capacity > 0:
        return capacity, f"the weapon holds {capacity}"
    if isinstance(rounds, int) and rounds > 0:
        return rounds, f"this setup loads {rounds}"
    if lot_count:
        return lot_count, f"its lot holds {lot_count}"
    return None


def implausible(rule, value: str, facts: Mapping[str, object], now_local: dt.datetime,
                lot_count: int | None = None) -> str | None:
    """Why ``value`` (as ``judge.parse`` returned it) is unlikely to be what was meant, or None.

    The message never names an expected value: counts stay blind (a ceiling is what the weapon or lot can
    hold, which anyone can read off it, not what the check expects)."""
    kind = rule.answer
    if kind == "count":
        number = int(value)
        ceiling = count_ceiling(rule, facts, lot_count)
        if ceiling is not None and number > ceiling[0]:
            return f"{number}? More than can be there ({ceiling[1]})."
        if number >= ANY_COUNT_CEILING:
            return f"{number}? That is a lot to count on one set."
        return None
    if kind == "time":
        hours, minutes = (int(part) for part in value.split(":"))
        said = now_local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
        if said > now_local + CLOCK_SLACK:
            return f"{value}? It is only {now_local:%H:%M} now."
        return None
    if kind == "text" and value.strip().isdigit():
        return f"{value!r}? A number, where words are asked."
    return None
