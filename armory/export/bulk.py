"""Bulk work over a season's entries, with Python's cycle collector paused.

An export parses a hundred thousand entry bodies into dicts and turns each into
a row: millions of small objects that all stay alive until the file is written.
Each object allocated counts towards the cycle collector's next pass, and each
pass of the oldest generation walks every one of them again: on a season that
is more than half the time of parsing. None of those objects form cycles (JSON
gives trees), so the collector would find nothing; it is paused while the
entries are read and the file written, and runs again afterwards.

Turned back on, its next pass would walk everything made meanwhile once more
(the youngest generation holds it all). So what was made is first moved to the
oldest generation without a pass (``gc.freeze`` then ``gc.unfreeze``, as
documented), where it waits for the collector's next full pass like anything
long-lived; that is done only when nothing else in the process keeps objects
frozen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (it stays off if it was off; nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()  # everything tracked to the permanent generation, without a pass...
                gc.unfreeze()  # ...and from there to the oldest generation
            gc.enable()
