"""A progress indicator on stderr for long exports.

Shown when stderr is a terminal (one line rewritten in place) or, for an
export of many entries, as a few plain lines a log file can hold. Short
exports to a pipe stay silent.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Entries above which an export counts as long even when stderr is not a terminal.
LONG_EXPORT = 20_000


class Progress:
    def __init__(self, label: str, total: int, *, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.tty = bool(isatty())
        self.enabled = self.tty or total >= LONG_EXPORT
        self._last_shown = 0.0
        self._last_quarter = 0

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        percent = min(100, done * 100 // self.total)
        if self.tty:
            now = time.monotonic()
            if now - self._last_shown < 0.1 and done < self.total:
                return
            self._last_shown = now
            self.stream.write(f"\rarmory: {self.label}: {done:,} of {self.total:,} entries ({percent}%)")
            self.stream.flush()
        elif percent // 25 > self._last_quarter:
            self._last_quarter = percent // 25
            self.stream.write(f"armory: {self.label}: {percent}%\n")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
