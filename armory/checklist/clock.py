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
