"""Keeping a season's folded state out of the cyclic garbage collector's full passes.

A session's :class:`~armory.checklist.state.State` is a fold of every entry of the ledger: on a season's
ledger (100,000 entries and more) that is hundreds of thousands of live objects, made once when the session
opens (or replays the ledger after another process appended) and kept. CPython's collector walks every
tracked object of its oldest generation on each full pass, and a full pass comes every few dozen answers
while the screens draw; so the answer it lands on waited in proportion to the length of the season (half a
second on a 270-day season, ten times a fresh ledger's).

``gc.freeze()`` moves every object alive at that moment to a permanent generation that the passes skip;
reference counting still frees them as usual, and what the screens make afterwards is collected as before.
The app freezes once each time the session's state is folded anew, and hands everything back to the
collector when it exits.
"""

from __future__ import annotations

import gc


class FoldKeeper:
    """Freezes the objects alive once a session's state is folded, once per fold."""

    def __init__(self) -> None:
        self._kept: int | None = None
        """``id()`` of the state last frozen (an id, not the state: the old fold must be free to go)."""

    def keep(self, session) -> bool:
        """Freeze now if ``session``'s state is a fold not frozen yet; True if it did."""
        state = getattr(session, "state", None)
        if state is None or id(state) == self._kept:
            return False
        gc.freeze()
        self._kept = id(state)
        return True

    def release(self) -> None:
        """Hand every frozen object back to the collector (the app is done with its session)."""
        if self._kept is not None:
            gc.unfreeze()
            self._kept = None
