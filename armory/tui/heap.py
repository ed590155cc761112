"""Keeping a season's folded state out of the cyclic garbage collector's full passes.

A session's :class:`~armory.checklist.state.State` is a fold of every entry of the ledger: on a season's
ledger (100,000 entries and more) that is hundreds of thousands of live objects, made once when the session
opens (or replays the ledger after another process appended) and kept. CPython's collector walks every
tracked object of its oldest generation on each full pass, and a full pass comes every few dozen answers
while the screens draw; so the answer it lands on waited in proportion to the length of the season (half a
second on a 270-day season, ten times a fresh ledger's).

``gc.freeze()`` moves every object alive at that moment to a permanent generation that the passes skip;
reference counting still frees them as usual. The app freezes once each time the session's state is folded
anew, and hands everything back to the collector when it exits.

What the screens make afterwards is collected as before, but a full pass (tens of milliseconds of what they
made since) is no longer left to land wherever the allocations make it due, which is often in the middle of an
answer: it runs when due just after the next question is painted (:meth:`FoldKeeper.collect_due`, which the
app calls after each action's redraw and on its two-second look at the ledger), while the armorer reads.
"""

from __future__ import annotations

import gc

FULL_PASS_DUE = 10
"""Collections of the middle generation after which a full pass is due: CPython's own default cadence."""
_NEVER = 1 << 30
"""The oldest generation's threshold while the app runs its full passes itself (the collector never does)."""


class FoldKeeper:
    """Freezes the objects alive once a session's state is folded, once per fold."""

    def __init__(self) -> None:
        self._kept: int | None = None
        """``id()`` of the state last frozen (an id, not the state: the old fold must be free to go)."""
        self._thresholds: tuple[int, int, int] | None = None
        """The collector's thresholds before the app took over its full passes; restored on release."""

    def keep(self, session) -> bool:
        """Freeze now if ``session``'s state is a fold not frozen yet; True if it did."""
        state = getattr(session, "state", None)
        if state is None or id(state) == self._kept:
            return False
        gc.freeze()
        self._kept = id(state)
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _oldest = self._thresholds
            gc.set_threshold(young, middle, _NEVER)
        return True

    def collect_due(self) -> bool:
        """Run the full pass if it is due (the collector would have run it by now); True if it ran."""
        if self._thresholds is None or gc.get_count()[2] < FULL_PASS_DUE:
            return False
        gc.collect()
        return True

    def release(self) -> None:
        """Hand every frozen object, and the full passes, back to the collector (the app is done)."""
        if self._kept is not None:
            gc.unfreeze()
            self._kept = None
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
