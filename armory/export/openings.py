"""When each shooting day was really opened: the date the record shows, beside the date the schedule gave.

A production file schedules ``day-1`` for a date; the ledger records when the
armorer opened it. A day shot off schedule (weather, a moved location) and a
day id opened again (a drill run, a reshoot) are common, so every heading and
row of an export names the recorded local date, and says the scheduled one
only where it differs: "day-1, scheduled Mon 3 Jan 2000, opened Tue 1 Dec 2026".

An :class:`Opening` is one ``day_opened`` entry (per drill run): the entries
of a day belong to the opening before them in their own run. ``--day
day-1@2026-12-01`` picks the openings of ``day-1`` on that local date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Sequence

from armory.problems import InputError

_CHOICE = re.compile(r"^(?P<day>[^@]+)@(?P<date>\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Opening:
    """One opening of a shooting day, as the ledger recorded it."""

    day: str
    scope: str
    """The drill run it belongs to (empty: the production's own record)."""
    seq: int
    """The ``day_opened`` entry (or, for a day whose opening the record does not carry, its first entry)."""
    date: dt.date
    """The local date it was opened on."""
    scheduled: dt.date | None
    """The date the production's schedule gave the day (None when the production is not known)."""
    location: str = ""

    @property
    def label(self) -> str:
        """The day as ``--day`` picks this opening: ``day-1@2026-12-01``."""
        return f"{self.day}@{self.date.isoformat()}"

    @property
    def off_schedule(self) -> bool:
        return self.scheduled is not None and self.scheduled != self.date

    def heading(self) -> str:
        """``day-1: Tuesday 1 December 2026, Ranch`` or, off schedule,
        ``day-1, scheduled Mon 3 Jan 2000, opened Tue 1 Dec 2026``."""
        if self.off_schedule:
            assert self.scheduled is not None
            return f"{self.day}, scheduled {short_date(self.scheduled)}, opened {short_date(self.date)}"
        where = f", {self.location}" if self.location else ""
        return f"{self.day}: {long_date(self.date)}{where}"

    def brief(self) -> str:
        """``day-1 (opened Tue 1 Dec 2026, scheduled Mon 3 Jan 2000)``, for a line of text."""
        scheduled = f", scheduled {short_date(self.scheduled)}" if self.off_schedule and self.scheduled else ""
        return f"{self.day} (opened {short_date(self.date)}{scheduled})"


def off_schedule_note(day: str, scheduled: dt.date, today: dt.date) -> str | None:
    """What the app tells the armorer opening ``day`` on another date than its schedule's, else None."""
    if scheduled == today:
        return None
    return (f"{day} is scheduled for {short_date(scheduled)}, but today is {short_date(today)}: the record will "
            f"show it opened today, with the scheduled date beside it")


def short_date(date: dt.date) -> str:
    return f"{date.strftime('%a')} {date.day} {date.strftime('%b %Y')}"


def long_date(date: dt.date) -> str:
    return f"{date.strftime('%A')} {date.day} {date.strftime('%B %Y')}"


def _local_date(entry: dict, tz: dt.tzinfo) -> dt.date | None:
    from armory.export.days import parse_time

    try:
        return parse_time(str(entry.get("time", ""))).astimezone(tz).date()
    except (ValueError, OverflowError):
        return None


def openings_by_seq(entries: Sequence[dict], days: Sequence[str | None], tz: dt.tzinfo,
                    production: Any = None) -> dict[int, Opening]:
    """For each entry that belongs to a day (``days``, from ``assign_days``), the opening it belongs to."""
    from armory.export.clean import as_int

    current: dict[tuple[str, str], Opening] = {}
    found: dict[int, Opening] = {}
    for entry, day in zip(entries, days):
        if not day:
            continue
        scope = str(entry.get("scope") or "")
        key = (scope, day)
        opening = current.get(key)
        if entry.get("kind") == "day_opened" or opening is None:
            date = _local_date(entry, tz)
            if date is None:
                continue
            scheduled = production.day_by_id(day) if production is not None else None
            opening = current[key] = Opening(day, scope, as_int(entry.get("seq")), date,
                                             scheduled.date if scheduled is not None else None,
                                             scheduled.location if scheduled is not None else "")
        found[as_int(entry.get("seq"))] = opening
    return found


def openings(entries: Sequence[dict], tz: dt.tzinfo, production: Any = None) -> list[Opening]:
    """Every opening the entries record, in order."""
    from armory.export.days import assign_days

    return list(dict.fromkeys(openings_by_seq(entries, assign_days(entries), tz, production).values()))


def split_choice(text: str) -> tuple[str, dt.date | None]:
    """``day-1@2026-12-01`` as (``day-1``, that date); ``day-1`` as (``day-1``, None)."""
    match = _CHOICE.match(text)
    if match is None:
        if "@" in text:
            raise InputError(f"--day {text}: give a day id, or a day id and the local date it was opened on "
                             "(day-1@2026-12-01)")
        return text, None
    try:
        return match["day"], dt.date.fromisoformat(match["date"])
    except ValueError:
        raise InputError(f"--day {text}: {match['date']} is not a date (YYYY-MM-DD)") from None


def positions_of(entries: Sequence[dict], choice: str, tz: dt.tzinfo,
                 production: Any = None) -> tuple[list[int], list[Opening]]:
    """(indexes of the entries ``--day choice`` picks, every opening of its day id).

    ``day-1`` picks every opening of day-1; ``day-1@DATE`` those opened on that local date."""
    from armory.export.clean import as_int
    from armory.export.days import assign_days

    day, date = split_choice(choice)
    days = assign_days(entries)
    by_seq = openings_by_seq(entries, days, tz, production)
    of_day = list(dict.fromkeys(o for o in by_seq.values() if o.day == day))
    picked = []
    for index, (entry, entry_day) in enumerate(zip(entries, days)):
        if entry_day != day:
            continue
        opening = by_seq.get(as_int(entry.get("seq")))
        if date is None or (opening is not None and opening.date == date):
            picked.append(index)
    return picked, of_day


def several_dates_note(choice: str, of_day: Sequence[Opening]) -> str | None:
    """A note when ``--day D`` (without a date) covers openings on several dates."""
    dates = list(dict.fromkeys(o.date for o in of_day))
    if "@" in choice or len(dates) < 2:
        return None
    listed = ", ".join(f"{choice}@{d.isoformat()}" for d in dates)
    return (f"{choice} was opened on {len(dates)} dates; this export holds them all, each under its own heading. "
            f"To pick one, give --day as one of: {listed}")


def openings_of_chain(chain: Sequence[dict], tz: dt.tzinfo, production: Any = None) -> dict[int, Opening]:
    """The opening of a day each entry of the chain belongs to, by sequence number."""
    from armory.export.days import assign_days

    return openings_by_seq(chain, assign_days(chain), tz, production)


def days_listed(days: Sequence[str], opened: dict[int, Opening]) -> str:
    """The days a page shows: their ids, with the dates they were opened on where a day id was opened on
    several dates or off its schedule."""
    dates: dict[str, list[Opening]] = {}
    for opening in dict.fromkeys(opened.values()):
        if opening.day in days and all(o.date != opening.date for o in dates.get(opening.day, [])):
            dates.setdefault(opening.day, []).append(opening)
    shown = []
    for day in days:
        those = dates.get(day, [])
        if len(those) > 1 or any(o.off_schedule for o in those):
            shown += [f"{day} on {o.date.isoformat()}" for o in those]
        else:
            shown.append(day)
    return ", ".join(shown[:8]) + (f" and {len(shown) - 8} more" if len(shown) > 8 else "")
