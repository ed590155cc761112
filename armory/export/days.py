"""Days and times of exported entries: which shooting day each belongs to, and its time UTC and local.

An entry names its day, or belongs to the day open when it was written; the
checkpoints and export records an export writes after a day's last entry
belong to no day, so they never stretch a day to the time of an export.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from armory.export.clean import payload_of


def parse_time(value: str) -> dt.datetime:
    """An entry time (ISO 8601, ``Z`` or an offset) as an aware UTC datetime."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def local_time(value: str, tz: dt.tzinfo) -> str:
    try:
        t = parse_time(value).astimezone(tz)
    except ValueError:
        return value
    # strftime is the slow part of a 100,000-entry export; this is the same text.
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"


#: Entries the export itself writes (a signed head, a note that an export was made). They belong to the
#: chain, not to a shooting day: written after a day's last real entry, they do not extend that day.
BOOKKEEPING_KINDS = frozenset({"checkpoint", "export_recorded", "cosignature"})


def assign_days(entries: Sequence[dict]) -> list[str | None]:
    """The day each entry belongs to: its own ``day``, else the day open when it was written.

    A checkpoint or an export record belongs to the open day only when a real
    entry of that day follows it (an export made mid-day); those written after
    a day's last real entry (a day never closed, exported later, perhaps years
    later) belong to no day, so they never stretch the day to the export time.
    An export record's own ``day`` is the day it exported, not the day it was
    written in.
    """
    days: list[str | None] = []
    open_day: str | None = None
    pending: list[int] = []
    pending_day: str | None = None
    for index, entry in enumerate(entries):
        payload = payload_of(entry)
        kind = entry.get("kind")
        if kind in BOOKKEEPING_KINDS:
            days.append(None)
            if open_day is not None:
                pending.append(index)
                pending_day = open_day
            continue
        own = payload.get("day") if isinstance(payload.get("day"), str) else None
        if kind == "day_opened" and own:
            open_day = own
        day = own or open_day
        if pending and day == pending_day:
            for waiting in pending:
                days[waiting] = day
        pending = []
        days.append(day)
        if kind == "day_closed" and own == open_day:
            open_day = None
    return days


def days_in(entries: Sequence[dict]) -> list[str]:
    """Days that have entries, in the order they first appear."""
    seen: dict[str, None] = {}
    for day in assign_days(entries):
        if day:
            seen.setdefault(day, None)
    return list(seen)


def day_range(entries: Sequence[dict], day: str) -> tuple[int, int] | None:
    """(start, end) indexes of ``day``'s entries: from its first entry to its last.

    The end runs on over the checkpoints and export records written right after
    the day's last entry, so the prefix ``entries[:end]`` ends with a signed head
    where one was written.
    """
    days = assign_days(entries)
    positions = [i for i, d in enumerate(days) if d == day]
    if not positions:
        return None
    start, end = positions[0], positions[-1] + 1
    while end < len(entries) and entries[end].get("kind") in BOOKKEEPING_KINDS and days[end] is None:
        end += 1
    return start, end
