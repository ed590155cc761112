"""Days and times of exported entries: which shooting day each belongs to, and its time UTC and local.

An entry names its day, or belongs to the day open when it was written; the
checkpoints and export records an export writes after a day's last entry
belong to no day, so they never stretch a day to the time of an export.
"""

from __future__ import annotations

import datetime as dt
import re
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
    """``2026-03-02 07:05:00``: an entry time as the local wall-clock time in ``tz`` (the text as recorded
    when it is not a time)."""
    return local_times(tz).local(value)


def local_with_offset(value: str, tz: dt.tzinfo) -> str:
    """``2026-03-02 07:05:00 -07:00``: the local time, with its offset from UTC so nobody has to guess it
    (the text as recorded when it is not a time)."""
    return local_times(tz).with_offset(value)


def exact_local_time(value: str, tz: dt.tzinfo) -> str:
    """:func:`local_time` worked out from scratch for one time (what :class:`LocalTimes` must agree with)."""
    try:
        t = parse_time(value).astimezone(tz)
    except (ValueError, OverflowError):  # not a time; a time the zone moves past year 1 or 9999
        return value
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def exact_local_with_offset(value: str, tz: dt.tzinfo) -> str:
    """:func:`local_with_offset` worked out from scratch for one time (what :class:`LocalTimes` must agree with)."""
    try:
        local = parse_time(value).astimezone(tz)
    except (ValueError, OverflowError):
        return value
    offset = local.strftime("%z")
    return f"{local.strftime('%Y-%m-%d %H:%M:%S')} {offset[:3]}:{offset[3:]}"


#: An entry time as armory writes it (``2026-03-02T14:05:00.000000Z``): the UTC hour, its minute and second.
_UTC_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d):([0-5]\d):([0-5]\d)(?:\.\d{3}|\.\d{6})?Z", re.ASCII)
_HOUR_END = dt.timedelta(minutes=59, seconds=59)


class LocalTimes:
    """Local times of entry times in one zone, worked out once per UTC hour rather than once per entry.

    Within an hour whose offset from UTC is the same at its first and its last second (every hour but those
    a clock change falls in) and is whole minutes, an entry's local time is the hour's local start plus the
    entry's minutes and seconds: no parsing, no zone lookup. Anything else (a clock change within the hour,
    an offset with seconds, a year before 1000, a time armory did not write) is worked out from scratch, so
    the text is always the one :func:`exact_local_time` and :func:`exact_local_with_offset` give.
    """

    def __init__(self, tz: dt.tzinfo) -> None:
        self.tz = tz
        self._hours: dict[str, tuple[str, int, str] | None] = {}

    def _hour(self, hour: str) -> tuple[str, int, str] | None:
        """(local date and hour ``2026-03-02 07``, local minute of the hour's start, offset ``-07:00``), or None
        when an entry of this UTC hour must be worked out from scratch."""
        try:
            start = parse_time(f"{hour}:00:00Z")
            local, end = start.astimezone(self.tz), (start + _HOUR_END).astimezone(self.tz)
        except (ValueError, OverflowError):
            return None
        offset = local.utcoffset()
        if (offset is None or offset != end.utcoffset()
                or offset % dt.timedelta(minutes=1) or not 1000 <= local.year <= 9999):
            return None
        text = local.strftime("%z")
        return (f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}", local.minute,
                f"{text[:3]}:{text[3:]}")

    def _parts(self, value: str) -> tuple[str, str] | None:
        """(local time, offset) of ``value`` from its hour, or None when it must be worked out from scratch."""
        match = _UTC_TIME.fullmatch(value)
        if match is None:
            return None
        hour, minute, second = match.groups()
        try:
            known = self._hours[hour]
        except KeyError:
            known = self._hours[hour] = self._hour(hour)
        if known is None:
            return None
        prefix, start_minute, offset = known
        minute_no = start_minute + int(minute)
        if minute_no >= 60:  # a half-hour zone's local hour ends within this UTC hour
            return None
        return f"{prefix}:{minute_no:02d}:{second}", offset

    def local(self, value: str) -> str:
        parts = self._parts(value)
        return exact_local_time(value, self.tz) if parts is None else parts[0]

    def with_offset(self, value: str) -> str:
        parts = self._parts(value)
        return exact_local_with_offset(value, self.tz) if parts is None else f"{parts[0]} {parts[1]}"


_LOCAL_TIMES: dict[dt.tzinfo, LocalTimes] = {}


def local_times(tz: dt.tzinfo) -> LocalTimes:
    """The :class:`LocalTimes` of ``tz``, kept for the next export in the same zone."""
    try:
        return _LOCAL_TIMES[tz]
    except KeyError:
        return _LOCAL_TIMES.setdefault(tz, LocalTimes(tz))


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
