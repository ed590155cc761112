"""Which rounds of a setup are verified: one by one on the rounds step, or by the per-round checks.

A round is looked at once. Where the rule packs ask per-round questions of a
setup (each dummy shaken, its primer pocket and its case seen), a round that
passed every one of them is verified: the rounds step does not ask it again.
Where they ask none (an empty pack, a load no per-round rule covers), each
round is verified on the rounds step, as before. Nothing is written here: this
reads the answers already on record, which carry who answered and when.
"""

from __future__ import annotations

from typing import Protocol

from armory.checklist.state import RoundState, State
from armory.checklist.types import CheckItem
from armory.production.models import Issue


class RoundsView(Protocol):
    """What is read of a session here (typed by use, so this module stays below the session)."""

    state: State

    def issue_of(self, day_id: str, scene_id: str, setup_id: str | None, weapon_id: str) -> Issue: ...

    def checklist(self, *, day: str, phase: str, scene: str | None = None, setup: str | None = None,
                  weapon: str | None = None) -> list[CheckItem]: ...

#: The phases whose per-round answers describe the rounds going into the weapon for this setup.
LOADING_PHASES = ("before_setup", "before_handoff")
BY_CHECKS = "per_round_checks"
"""The method of a round verified by the per-round checks (never written to the ledger)."""


def per_round_checks(session: RoundsView, day: str, scene: str, setup: str | None, weapon: str) -> list:
    """The per-round check items of this weapon in this setup (answered by a person, not sensed)."""
    return [item for phase in LOADING_PHASES
            for item in session.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon)
            if item.per_round and not item.sensed]


def rounds_verified(session: RoundsView, day: str, scene: str, setup: str | None, weapon: str) -> dict[int, RoundState]:
    """Rounds verified for this setup since the weapon last came back, by either way.

    Rounds recorded on the rounds step come first (a failed one stays failed until verified again there);
    every other round counts as verified once each per-round check of the setup has passed (an answer
    is recorded only once every round was answered, or at the round that failed)."""
    rounds = dict(session.state.rounds_for(day, scene, setup, weapon))
    issue = session.issue_of(day, scene, setup, weapon)
    if not issue.rounds:
        return rounds
    items = per_round_checks(session, day, scene, setup, weapon)
    if not items or any(item.status not in ("passed", "corrected") for item in items):
        return rounds
    oldest = min(items, key=lambda item: item.answered_at or "")
    for round_no in range(1, issue.rounds + 1):
        rounds.setdefault(round_no, RoundState(round_no, BY_CHECKS, "pass", oldest.answer_seq or 0,
                                               oldest.answered_at or ""))
    return rounds
