"""What the engine hands to faces: check items, verdicts, decisions, refusals."""

from __future__ import annotations

from dataclasses import dataclass, field

from armory.checklist.invariants import INVARIANTS
from armory.ledger.entries import ROUND_METHOD_WORDS, ROUND_METHODS  # noqa: F401 - the engine's words for faces
from armory.problems import InputError
from armory.rulebook.models import Rule


@dataclass(frozen=True)
class Reason:
    """Why something was refused or stopped: which rule or invariant, in plain words."""

    cause: str
    message: str
    failures: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    """Rule or invariant ids behind the cause: the causes of the open stops that block, the rules failed and not
    resolved, not yet answered or gone stale (the message names checks by title; the ids stay here). A drill may
    name any of them in `refused_by`; the refusal entry records them."""

    def __str__(self) -> str:
        cites = f" (prevents {', '.join(self.failures)})" if self.failures else ""
        return f"{self.message} [{self.cause}]{cites}"


def invariant_reason(invariant_id: str, detail: str) -> Reason:
    inv = INVARIANTS[invariant_id]
    return Reason(invariant_id, f"{detail} {inv.title}.", inv.failures)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...] = ()

    @property
    def message(self) -> str:
        return "; ".join(str(r) for r in self.reasons)


class Refused(InputError):
    """The engine refused an action; a ``refusal`` entry was recorded where the action was real."""

    def __init__(self, reasons: list[Reason] | tuple[Reason, ...], seq: int | None = None) -> None:
        self.reasons = tuple(reasons)
        self.seq = seq
        super().__init__("refused: " + "; ".join(str(r) for r in self.reasons))


@dataclass(frozen=True)
class CheckItem:
    """One rule asked of one weapon in one setup (or of the day). Blind until answered."""

    key: str
    rule: Rule
    pack_id: str
    day: str
    scene: str | None
    setup: str | None
    weapon: str | None
    phase: str
    question: str
    answer_kind: str | None
    choices: tuple[str, ...]
    unit: str | None
    per_round: int
    sensed: bool
    severity: str
    why: str
    sources: tuple[str, ...]
    failures: tuple[str, ...]
    asked_of: tuple[str, ...] = ("armorer", "assistant_armorer")
    """Roles of who answers and signs; a face asks one of them for their PIN."""
    status: str = "pending"
    """pending, passed, failed, overridden or corrected."""
    answer_seq: int | None = None
    observed: tuple[str, ...] | None = None
    expected_text: str | None = None
    """Shown only once answered: counts are blind."""
    answered_at: str | None = None

    @property
    def rule_id(self) -> str:
        return self.rule.id


@dataclass(frozen=True)
class Verdict:
    passed: bool
    severity: str
    expected_text: str
    observed: tuple[str, ...]
    entry_seq: int
    stop_seq: int | None = None
    needs_override: bool = False
    message: str = ""
    failed_rounds: tuple[int, ...] = field(default_factory=tuple)
