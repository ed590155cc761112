"""Required moments: checks a rule says must be answered before a weapon goes out again, is taken back,
or the day closes (``required_before``).

What makes such a check due depends on its phase: each firing sequence of the weapon (``after_firing``:
rounds fired, a misfire, an unintended discharge), each return (``on_return``), each incident of the day
(``on_incident``), the day itself (``day_start``, ``end_of_day``). It is met by an answer to the rule,
about that weapon (or that day), recorded after what made it due; a failed answer is met too, and acts by
its severity and hazards. Like the invariants, the refusal reads only the production, the packs and the
folded state, so a face can grey out the step with the engine's own answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from armory.checklist.plan import applies
from armory.checklist.state import State
from armory.checklist.types import CheckItem, Reason
from armory.production.models import Production

if TYPE_CHECKING:
    from armory.rulebook.loaded import LoadedPack
    from armory.rulebook.models import Rule


class Session(Protocol):
    """What the moments read of a session: the production, its packs, the folded state, its checklists."""

    production: Production
    packs: Sequence[LoadedPack]
    state: State

    def checklist(self, *, day: str, phase: str, scene: str | None = None, setup: str | None = None,
                  weapon: str | None = None) -> list[CheckItem]: ...

#: How each moment reads in a refusal.
MOMENT_WORDS = {
    "handoff": "before it goes out again",
    "take_back": "before it is taken back",
    "day_close": "before the day closes",
}


def _answered_since(session: Session, rule_id: str, *, weapon: str | None, day: str | None, since: int) -> bool:
    """An answer to ``rule_id`` about ``weapon`` (or, for a day check, on ``day``) recorded after entry ``since``."""
    for key, ans in session.state.answers.items():
        if ans.rule_id != rule_id or ans.seq <= since:
            continue
        key_day, _scene, _setup, key_weapon, _phase, _rule = key.split("/", 5)
        if weapon is not None and key_weapon == weapon:
            return True
        if weapon is None and key_day == day:
            return True
    return False


def _required(session: Session, moment: str, phase: str) -> list[Rule]:
    return [rule for pack in session.packs for rule in pack.pack.rule
            if rule.phase == phase and moment in rule.required_before]


def _weapon_rules(session: Session, phase: str, moment: str, context, weapon: str) -> list[Rule]:
    """The rules of ``phase`` required before ``moment`` that apply to ``weapon`` in its setup ``context``."""
    required = _required(session, moment, phase)
    if not required or context is None:
        return []
    day, scene, setup = context
    if scene is None or session.production.day_by_id(day) is None:
        model = session.production.weapon_by_id(weapon)
        return [r for r in required if model is not None
                and applies(r, weapon=model, issue=None, facts=set(), production=session.production, day=day)
                and session.production.override_for(r.id, weapon) is None]
    try:
        planned = {item.rule.id for item in session.checklist(day=day, phase=phase, scene=scene, setup=setup,
                                                               weapon=weapon)}
    except Exception:  # noqa: BLE001 - a setup no longer in the production: nothing can be planned there
        return []
    return [r for r in required if r.id in planned]


def _reason(rule: Rule, moment: str, what: str) -> Reason:
    return Reason(rule.id, f"{rule.title} ({rule.id}) is not answered {what}: it must be, "
                           f"{MOMENT_WORDS[moment]}.", tuple(rule.failures), related=(rule.id,))


def weapon_due(session: Session, moment: str, weapon: str) -> list[Reason]:
    """What ``weapon`` still owes before ``moment`` (``handoff`` or ``take_back``)."""
    state = session.state.weapons.get(weapon)
    if state is None:
        return []
    reasons = []
    if state.fired_seq is not None:
        for rule in _weapon_rules(session, "after_firing", moment, state.fired_for, weapon):
            if not _answered_since(session, rule.id, weapon=weapon, day=None, since=state.fired_seq):
                reasons.append(_reason(rule, moment, f"for {weapon} since it last fired (entry {state.fired_seq})"))
    if moment == "handoff" and state.returned_seq is not None and state.holder is None:
        for rule in _weapon_rules(session, "on_return", moment, state.out_for, weapon):
            if not _answered_since(session, rule.id, weapon=weapon, day=None, since=state.returned_seq):
                reasons.append(_reason(rule, moment, f"for {weapon} since it came back (entry {state.returned_seq})"))
    return reasons


def day_due(session: Session, moment: str, day: str) -> list[Reason]:
    """What the day still owes before ``moment``: its own checks and those of its incidents."""
    reasons = []
    opened = session.state.days_opened.get(day)
    if opened is None:
        return []

    def planned(rule: Rule) -> bool:
        return (applies(rule, weapon=None, issue=None, facts=set(), production=session.production, day=day)
                and session.production.override_for(rule.id, None) is None)

    for phase in ("day_start", "end_of_day"):
        for rule in _required(session, moment, phase):
            if planned(rule) and not _answered_since(session, rule.id, weapon=None, day=day, since=opened):
                reasons.append(_reason(rule, moment, f"on {day}"))
    incidents = [i.seq for i in session.state.incidents.values() if i.day == day]
    if incidents:
        last = max(incidents)
        for rule in _required(session, moment, "on_incident"):
            if planned(rule) and not _answered_since(session, rule.id, weapon=None, day=day, since=last):
                reasons.append(_reason(rule, moment, f"since the incident of entry {last}"))
    return reasons


def close_due(session: Session, day: str) -> list[Reason]:
    """Everything that must be answered before ``day`` closes: the day's own, and each weapon's since it
    last fired or came back that day."""
    reasons = day_due(session, "day_close", day)
    for weapon, state in session.state.weapons.items():
        if state.fired_seq is not None and state.fired_for is not None and state.fired_for[0] == day:
            for rule in _weapon_rules(session, "after_firing", "day_close", state.fired_for, weapon):
                if not _answered_since(session, rule.id, weapon=weapon, day=None, since=state.fired_seq):
                    reasons.append(_reason(rule, "day_close",
                                           f"for {weapon} since it last fired (entry {state.fired_seq})"))
        if (state.returned_seq is not None and state.out_for is not None and state.out_for[0] == day):
            for rule in _weapon_rules(session, "on_return", "day_close", state.out_for, weapon):
                if not _answered_since(session, rule.id, weapon=weapon, day=None, since=state.returned_seq):
                    reasons.append(_reason(rule, "day_close",
                                           f"for {weapon} since it came back (entry {state.returned_seq})"))
    return reasons


def due_phases(session: Session, weapon: str) -> tuple[str, ...]:
    """The weapon's own phases with a required check still owed (``after_firing``, ``on_return``), for a face
    to put before the setup's checks: the bore after the last take is looked at before reloading."""
    state = session.state.weapons.get(weapon)
    if state is None:
        return ()
    owed = []
    if state.fired_seq is not None and any(
            not _answered_since(session, rule.id, weapon=weapon, day=None, since=state.fired_seq)
            for moment in ("handoff", "take_back", "day_close")
            for rule in _weapon_rules(session, "after_firing", moment, state.fired_for, weapon)):
        owed.append("after_firing")
    if state.returned_seq is not None and state.holder is None and any(
            not _answered_since(session, rule.id, weapon=weapon, day=None, since=state.returned_seq)
            for moment in ("handoff", "day_close")
            for rule in _weapon_rules(session, "on_return", moment, state.out_for, weapon)):
        owed.append("on_return")
    return tuple(owed)
