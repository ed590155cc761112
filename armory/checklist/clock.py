"""Time as the engine reads it: the clock a session is given, and the ledger's timestamps as datetimes.

Kept apart from the session so that the decisions that measure ages (is a check still recent?) can read a
ledger time without importing the session that records it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

#: What a session asks for "now": the real clock, or a drill's or a test's.
Clock = Callable[[], dt.datetime]


def parse_time(stamp: str) -> dt.datetime:
    """A ledger timestamp (ISO 8601, ``Z`` for UTC) as an aware datetime."""
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def utc_now() -> dt.datetime:
    """The real clock, in UTC: a session's clock when none is given."""
    return dt.datetime.now(dt.timezone.utc)


def clock_time(entry) -> str:
    """When the writer's clock said the entry happened.

    The ledger never lets time run backwards: an entry written by a clock
    behind the previous entry takes that entry's time and records the skew.
    Ages (is this check still recent?) are measured on the writer's clock,
    the same clock the engine reads "now" from, so they subtract the skew.
    """
    skew = getattr(entry, "clock_skew_ms", 0) or 0
    if not skew:
        return entry.time
    moment = dt.datetime.fromisoformat(entry.time.replace("Z", "+00:00")) - dt.timedelta(milliseconds=skew)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
