"""The engine's front: a production, its rule packs and a ledger, and every action on them.

:class:`Session` is what the faces (the TUI, the CLI, the drill runner) open and call. It is put together
from one class per concern, each in a module named for it, all over the one fold of ledger entries:

- :mod:`~armory.checklist.base`: the production, the ledger, the state folded from it; recording an
  entry, a refusal or a stop; lookups by id.
- :mod:`~armory.checklist.crew`: PINs checked and enrolled.
- :mod:`~armory.checklist.days`: a shooting day opened and closed.
- :mod:`~armory.checklist.answers`: the checklist of a phase, answers, sensed items, corrections.
- :mod:`~armory.checklist.rounds`: rounds verified one by one, rounds fired.
- :mod:`~armory.checklist.custody`: handoffs and take-backs (decided in :mod:`~armory.checklist.handoff`).
- :mod:`~armory.checklist.incidents`: incidents recorded and reviewed.
- :mod:`~armory.checklist.evidence`: what is frozen as evidence, its seals and custody.
- :mod:`~armory.checklist.stops`: overrides of holds and clearances of stops.
- :mod:`~armory.checklist.spares`: a spare weapon or lot put on a setup for the day.

Faces authenticate people and pass crew ids in; the engine decides, records and refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from armory.checklist.answers import DAY_PHASES, DEFAULT_ASKED_OF
from armory.checklist.builtin import BUILTIN_PACK, BUILTIN_RULES
from armory.checklist.clock import Clock, parse_time
from armory.checklist.crew import CrewActions
from armory.checklist.custody import CustodyActions
from armory.checklist.days import DayActions
from armory.checklist.incidents import NON_FIRING_LOADS
from armory.checklist.rounds import RoundActions
from armory.checklist.spares import SpareActions
from armory.checklist.stops import StopActions

#: Names the faces, drills and tests import from here; they live in the concern modules above.
__all__ = [
    "BUILTIN_PACK", "BUILTIN_RULES", "DAY_PHASES", "DEFAULT_ASKED_OF", "NON_FIRING_LOADS", "Clock", "Session",
    "parse_time",
]


class Session(CrewActions, DayActions, CustodyActions, RoundActions, StopActions, SpareActions):
    """One production, its packs and its ledger, in one scope of that ledger."""

    @classmethod
    def open(cls, production_path: Path, ledger_path: Path, rules_paths: Sequence[Path] = (), *,
             scope: str = "", clock: Clock | None = None, key_path: Path | None = None,
             readonly: bool = False, saved_fold: Path | None = None) -> Session:
        """Load and check the files, open (or create) the ledger, replay it (after the fold saved at
        ``saved_fold``, when it holds: see armory.checklist.saved_fold)."""
        from armory.ledger.identity import Credentials
        from armory.ledger.store import Ledger
        from armory.rulebook.loader import load_context

        loaded, packs = load_context(Path(production_path), list(rules_paths))
        ledger = Ledger.open(
            Path(ledger_path), production_title=loaded.production.production.title,
            clock=clock, key_path=key_path, readonly=readonly,
        )
        session = cls(loaded, packs, ledger, scope=scope, clock=clock,
                      credentials=Credentials(ledger, production=loaded.production), saved_fold=saved_fold)
        if not readonly:
            session._note_pack_change()
        return session
