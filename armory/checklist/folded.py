"""What the fold keeps of each thing it follows: an answer, a stop, a hold, a weapon, a round, an incident.

:class:`~armory.checklist.state.State` holds these, keyed by entry or by check; each is updated in place as
later entries (a correction, an override, a clearance, a return) are folded in. Slotted: a season's ledger
folds tens of thousands of answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class AnswerState:
    """The latest word on one check: an answer, possibly corrected or overridden."""

    seq: int
    """The answer entry (a correction points here too)."""
    time: str
    rule_id: str
    severity: str
    verdict: str
    observed: list[str]
    expected: str
    sensed: bool
    by: str | None
    corrected_by: int | None = None
    overridden_by: int | None = None

    @property
    def resolved(self) -> bool:
        """Passed, or a failed hold/note that may go on (a hold only once overridden)."""
        if self.verdict == "pass":
            return True
        if self.severity == "note":
            return True
        if self.severity == "hold":
            return self.overridden_by is not None
        return False


@dataclass(slots=True)
class StopState:
    seq: int
    time: str
    scope: str
    weapons: list[str]
    cause: str
    reason: str
    failures: list[str]
    caused_by: str | None
    day: str | None
    from_seq: int | None = None


@dataclass(slots=True)
class HoldState:
    """A failed hold: open from the failing answer until an override names that answer.

    A later answer on the same check, or a correction, is recorded but never
    closes it (DESIGN 4): only the override entry does.
    """

    answer_seq: int
    rule_id: str
    weapon: str | None
    day: str
    time: str
    key: str = ""
    observed: list[str] = field(default_factory=list)
    by: str | None = None
    sensed: bool = False


@dataclass(slots=True)
class WeaponState:
    weapon: str
    holder: str | None = None
    """Crew id of who holds it; ``None`` while it is in the armory."""
    rounds_out: int = 0
    """Rounds in the weapon when it was handed out."""
    rounds_fired: int = 0
    """Rounds recorded fired since it was handed out."""
    handoff_seq: int | None = None
    sealed: str | None = None
    """Seal id while frozen as evidence."""
    last_lot: str | None = None
    """The lot its rounds were last verified from (what it was loaded with)."""
    investigator: str | None = None
    returned_seq: int | None = None
    """The entry of its last take-back: checks and rounds recorded before it are for the last time out."""
    out_for: tuple[str, str | None, str | None] | None = None
    """(day, scene, setup) of the handoff that last took it out."""
    fired_seq: int | None = None
    fired_for: tuple[str, str | None, str | None] | None = None
    """Its last firing sequence (rounds fired, a misfire, a discharge): the entry, and its (day, scene, setup)."""


@dataclass(slots=True)
class RoundState:
    round_no: int
    method: str
    verdict: str
    seq: int
    time: str


@dataclass(slots=True)
class IncidentState:
    seq: int
    time: str
    incident: str
    weapon: str | None
    day: str | None
    description: str
    reported_by: str
    reviewed_by: int | None = None
