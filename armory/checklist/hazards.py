"""Answers bound to the engine's hazards: a rule's option that means a live round, an obstruction, a misfire.

A rule says which of its answers mean a hazard (``hazards = { "a live round" = "live_round" }``). Whatever the
rule's severity, such an answer triggers the invariant that round verification, a stop or an incident would:
a live or unconfirmed round stops every firearm of the production (invariant.live-round), an obstruction
stops the weapon (invariant.obstruction), a misfire or an unintended discharge is recorded as that incident
and stops every firearm (invariant.discharge). A note about a live round is never only a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from armory.checklist.invariants import INVARIANTS
from armory.checklist.state import State
from armory.checklist.types import CheckItem

if TYPE_CHECKING:
    from armory.production.models import Weapon
    from armory.rulebook.models import Rule


class Session(Protocol):
    """What acting on a hazard uses of a session: its state, its firearms, a stop, an incident."""

    state: State

    def firearms(self) -> list[Weapon]: ...

    def _stop(self, *, scope: str, weapons: list[str], cause: str, failures: Sequence[str], reason: str,
              caused_by: str | None, from_seq: int | None, day: str | None) -> int: ...

    def _record_incident(self, *, incident: str, day: str | None, weapon: str | None, description: str,
                         reported_by: str, also_prevents: Sequence[str] = ()) -> Any: ...

#: Hazards that mean a round nobody can vouch for: treated as live.
ROUND_HAZARDS = frozenset({"live_round", "unconfirmed_round"})
INCIDENT_HAZARDS = frozenset({"misfire", "unintended_discharge"})

HAZARD_WORDS = {
    "live_round": "a live round",
    "unconfirmed_round": "a round that cannot be confirmed as a dummy or a blank",
    "obstruction": "an obstructed bore",
    "misfire": "a misfire",
    "unintended_discharge": "an unintended discharge",
}


def bound(rule: Rule, values: Sequence[str]) -> list[tuple[int, str, str]]:
    """``(round or 0, value, hazard)`` for each answer value the rule binds to a hazard."""
    if not rule.hazards:
        return []
    by_fold = {option.casefold(): hazard for option, hazard in rule.hazards.items()}
    out = []
    for i, value in enumerate(values):
        hazard = by_fold.get(value.casefold())
        if hazard is not None:
            out.append((i + 1 if rule.per_round else 0, value, hazard))
    return out


def act(session: Session, item: CheckItem, values: Sequence[str], hits: list[tuple[int, str, str]], *,
        seq: int, by: str | None) -> tuple[int | None, str]:
    """Trigger the invariant of the most serious hazard answered; returns (stop entry, message)."""
    hazards = [h for _n, _v, h in hits]
    rounds = [n for n, _v, h in hits if n]
    where = (f" (round{'s' if len(rounds) > 1 else ''} {', '.join(map(str, rounds))})" if rounds else "")
    said = ", ".join(dict.fromkeys(v for _n, v, _h in hits))
    rule = item.rule
    if ROUND_HAZARDS & set(hazards):
        hazard = "live_round" if "live_round" in hazards else "unconfirmed_round"
        inv = INVARIANTS["invariant.live-round"]
        reason = (f"{rule.id} ({rule.title}) on {item.weapon or item.day}: answered {said!r}{where}, which means "
                  f"{HAZARD_WORDS[hazard]}. {inv.why}")
        stop_seq = session._stop(scope="production", weapons=[w.id for w in session.firearms()], cause=inv.id,
                                 failures=[*item.failures, *inv.failures], day=item.day, caused_by=by, from_seq=seq,
                                 reason=reason)
        return stop_seq, (f"STOP ({rule.id}, {inv.id}): answered {said!r}{where}: {HAZARD_WORDS[hazard]}. Every "
                          "firearm of the production stops until a safety officer clears it with a reason.")
    if INCIDENT_HAZARDS & set(hazards):
        hazard = "unintended_discharge" if "unintended_discharge" in hazards else "misfire"
        before = {s.seq for s in session.state.open_stops}
        session._record_incident(
            incident=hazard, day=item.day, weapon=item.weapon, reported_by=by or "",
            description=f"{rule.id} ({rule.title}) answered {said!r}{where}: {HAZARD_WORDS[hazard]} (entry {seq})")
        new = [s.seq for s in session.state.open_stops if s.seq not in before]
        return (new[-1] if new else None), (
            f"STOP ({rule.id}, invariant.discharge): answered {said!r}: {HAZARD_WORDS[hazard]}, recorded as an "
            "incident. Every firearm of the production stops until a safety officer reviews it and clears the stop.")
    inv = INVARIANTS["invariant.obstruction"]
    weapons = [item.weapon] if item.weapon else [w.id for w in session.firearms()]
    stop_seq = session._stop(scope="weapon" if item.weapon else "production", weapons=weapons, cause=inv.id,
                             failures=[*item.failures, *inv.failures], day=item.day, caused_by=by, from_seq=seq,
                             reason=(f"{rule.id} ({rule.title}) on {item.weapon or item.day}: answered {said!r}"
                                     f"{where}: {HAZARD_WORDS['obstruction']}. {inv.why}"))
    return stop_seq, (f"STOP ({rule.id}, {inv.id}): answered {said!r}: {HAZARD_WORDS['obstruction']}. "
                      f"{'The weapon' if item.weapon else 'Every firearm'} stops until a safety officer clears it.")
