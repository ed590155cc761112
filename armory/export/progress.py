"""Progress of a long job on stderr: one line rewritten in place, on a terminal only.

``armory export``, ``armory log verify`` and ``armory rules test`` over many
drills take seconds on a season's record; on a terminal they say how far they
are (``armory: verifying: 45,000 of 104,560 entries (43%)``). To a pipe or a
log file they say nothing, so what is kept holds only what the command found.
The core never prints: it is handed a :class:`Progress` (or any callable) by
the command line.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Entries from which reading and checking a ledger takes long enough to say so first (on a terminal).
LONG_EXPORT = 20_000


class Progress:
    """``progress(done)`` shows how far a job of ``total`` things is; ``done()`` wipes the line."""

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None, unit: str = "entries") -> None:
        self.label = label
        self.unit = unit
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", lambda: False)
        try:
            self.enabled = bool(isatty())
        except ValueError:  # a closed stream
            self.enabled = False
        self._last_shown = 0.0
        self._shown = False

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_shown < 0.1 and done < self.total:
            return
        self._last_shown = now
        percent = min(100, done * 100 // self.total)
        self.stream.write(f"\r\033[Karmory: {self.label}: {done:,} of {self.total:,} {self.unit} ({percent}%)")
        self.stream.flush()
        self._shown = True

    def of(self, done: int, total: int) -> None:
        """``progress(done)`` of a job whose size the core found out (a callback of ``(done, total)``)."""
        self.total = max(total, 1)
        self(done)

    def done(self) -> None:
        """Wipe the line (before a result is printed, and at the end)."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
            self._last_shown = 0.0
