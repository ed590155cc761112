"""May this weapon go from this person to that one now? Every reason it may not.

The decision reads only the production and the engine's folded state, so the
TUI can grey out "hand over" with the same answer the engine enforces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from armory.checklist.clock import parse_time
from armory.checklist.invariants import INVARIANTS, failure_order
from armory.checklist.moments import day_due, weapon_due
from armory.checklist.state import State, setup_key
from armory.checklist.types import CheckItem, Decision, Reason, invariant_reason
from armory.production.models import Issue, Production, Weapon
from armory.production.vocabulary import CONFLICTING_DUTIES, HANDLER_ROLES, NEVER_HANDLERS

if TYPE_CHECKING:
    from armory.rulebook.models import Rule

class SessionView(Protocol):
    """What a decision here reads of a session: its production, its folded state, its clock and checklists.

    The session passes itself; typing it by what is read keeps this module below the session.
    """

    production: Production
    state: State

    def now(self) -> dt.datetime: ...

    def roles(self, crew_id: str, day: str | None) -> frozenset[str]: ...

    def name(self, crew_id: str | None) -> str: ...

    def weapon(self, weapon_id: str) -> Weapon: ...

    def issue_of(self, day_id: str, scene_id: str, setup_id: str | None, weapon_id: str) -> Issue: ...

    def find_rule(self, rule_id: str) -> Rule | None: ...

    def checklist(self, *, day: str, phase: str, scene: str | None = None, setup: str | None = None,
                  weapon: str | None = None) -> list[CheckItem]: ...


#: Phases whose checks must be complete before a weapon goes to an actor.
READINESS_PHASES = ("before_setup", "before_handoff")


def asked_at_handover(item: CheckItem) -> bool:
    """A check the people shown the load answer as they sign the handover, each their own count with their own
    PIN (the actor, the 1st AD): asked before the handoff, of someone who does not hand firearms over, one
    typed value. A face may ask it there; answered any other way (a drill, the checks screen) it counts the same.
    """
    return (item.phase == "before_handoff" and not item.sensed and not item.per_round
            and item.answer_kind not in ("choice", "yes_no") and not set(item.asked_of) & HANDLER_ROLES)


def handler_roles(session: SessionView, weapon: str) -> frozenset[str]:
    """The roles that may hand ``weapon`` over: the production's ``settings.handlers`` (the armorer and the
    assistant armorer by default; the property master where it allows), and the property master for a
    non-firing prop. Never the first AD or a performer: the model refuses them in ``handlers``."""
    allowed = set(session.production.production.settings.handlers) - NEVER_HANDLERS
    model = session.production.weapon_by_id(weapon)
    if model is not None and not model.firing:
        allowed |= {"property_master"}
    return frozenset(allowed)


def other_duties(session: SessionView, crew_id: str, day: str, weapon: str) -> frozenset[str]:
    """The duties that keep a property master from handling a firearm that day (§9153: "no other duties").

    Only for a property master whom the production allows to hand firearms over; an armorer with a second
    job is held at day start instead (invariant.sole-duty), and a non-firing prop is the props' own work.
    """
    roles = session.roles(crew_id, day)
    model = session.production.weapon_by_id(weapon)
    if roles & HANDLER_ROLES or "property_master" not in roles or (model is not None and not model.firing):
        return frozenset()
    return frozenset(roles & CONFLICTING_DUTIES)


def is_handler(session: SessionView, crew_id: str | None, day: str, weapon: str) -> bool:
    """Someone who may hand ``weapon`` over that day (see :func:`handler_roles`), with no other duty."""
    if crew_id is None:
        return False
    roles = session.roles(crew_id, day)
    if not roles & handler_roles(session, weapon):
        return False
    return not other_duties(session, crew_id, day, weapon)


def handler_words(session: SessionView, weapon: str) -> str:
    """'the armorer or an assistant armorer', or with the property master where the production allows it."""
    allowed = handler_roles(session, weapon)
    names = [name for role, name in (("armorer", "the armorer"), ("assistant_armorer", "an assistant armorer"),
                                     ("property_master", "the property master")) if role in allowed]
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1] if names else "nobody"


def _age(session: SessionView, stamp: str) -> dt.timedelta:
    return session.now() - parse_time(stamp)


def sealed_reasons(session: SessionView, weapon: str | None, lot: str | None) -> list[Reason]:
    """Evidence that may not be loaded or issued: a sealed weapon, or rounds from a sealed lot."""
    reasons = []
    seal = session.state.weapons[weapon].sealed if weapon in session.state.weapons else None  # None: lot only
    if seal:
        reasons.append(Reason("invariant.sealed", f"{weapon} is sealed as evidence ({seal}): no round goes into it. "
                              "Sealed evidence moves only to a named investigator.", ("F8",)))
    if lot and lot in session.state.sealed_lots:
        reasons.append(Reason(
            "invariant.sealed",
            f"Lot {lot} is sealed as evidence ({session.state.sealed_lots[lot]}): a lot that held a live round or was "
            "involved in an injury never goes into a weapon again, on any setup. Sealed evidence moves only to a "
            "named investigator.", ("F1", "F8")))
    return reasons


def _checks_reason(detail: str, rules: dict[str, tuple[str, ...]] | None = None,
                   named: Sequence[str] = ()) -> Reason:
    """invariant.checks-complete, citing its own failures and those of every failed rule that blocks.

    A check failed and not resolved names what it prevents (the split job, F4; the misfires nobody reviewed,
    F11). A check merely not yet answered, or gone stale, is the invariant's own gap (F2, F3); its rule id
    (``named``) is kept in ``related`` all the same, for drills and logs.
    """
    rules = rules or {}
    inv = INVARIANTS["invariant.checks-complete"]
    cites = set(inv.failures) | {f for failures in rules.values() for f in failures}
    return Reason(inv.id, f"{detail} {inv.title}.", tuple(sorted(cites, key=failure_order)),
                  related=tuple(dict.fromkeys([*rules, *named])))


def _checks(titles: dict[str, str], what: str) -> str:
    """'3 checks not yet answered: Lot read off the container; ...': how many, then each by its title."""
    n = len(titles)
    return f"{n} {what.replace('check', 'checks', 1) if n != 1 else what}: {'; '.join(titles.values())}"


def signature_reasons(session: SessionView, day: str) -> list[Reason]:
    """The day-start checks not yet signed by the armorer, on a day opened asking for that signature (a day
    opened by an earlier armory did not, and is not refused for it)."""
    state = session.state
    if day not in state.days_to_sign or (day, "day_start") in state.checks_signed:
        return []
    return [invariant_reason(
        "invariant.day-start-signed",
        f"The day-start checks of {day} are not signed: once each is answered, the armorer signs them with a PIN "
        "(f6 on the day-start checks).")]


def readiness_reasons(session: SessionView, *, day: str, scene: str, setup: str | None, weapon: str,
                      counts_at_handover: bool = False) -> list[Reason]:
    """What is missing before ``weapon`` may leave the armorer in this setup (empty when ready).

    ``counts_at_handover``: the checks :func:`asked_at_handover` still pending are not missing, because the
    handover about to be signed answers them first (and is refused if one fails)."""
    reasons: list[Reason] = []
    valid = dt.timedelta(minutes=session.production.production.settings.check_valid_minutes)
    # rule id -> the DOMAIN failures it prevents, per kind of gap, in checklist order
    missing: dict[str, tuple[str, ...]] = {}
    failed: dict[str, tuple[str, ...]] = {}
    stale: dict[str, tuple[str, ...]] = {}
    titles: dict[str, str] = {}  # rule id -> title, as the crew reads it
    for phase in READINESS_PHASES:
        for item in session.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon):
            titles[item.rule.id] = item.rule.title
            if item.status == "pending":
                if not (counts_at_handover and asked_at_handover(item)):
                    missing[item.rule.id] = item.failures
                continue
            ans = session.state.answer_for(item.key)
            if ans is None or not ans.resolved or session.state.holds_on(item.key):
                failed[item.rule.id] = item.failures
            elif _age(session, ans.time) > valid:
                stale[item.rule.id] = item.failures
    def named(ids) -> dict[str, str]:
        return {rule_id: titles.get(rule_id, rule_id) for rule_id in ids}

    if missing:
        reasons.append(_checks_reason(f"{_checks(named(missing), 'check not yet answered')}.", named=list(missing)))
    if failed:
        reasons.append(_checks_reason(
            f"{_checks(named(failed), 'check failed and not resolved')} (answer again once fixed; a cleared stop "
            "or an override is needed first where the failure was a stop or a hold).", failed))
    day_missing: dict[str, tuple[str, ...]] = {}
    day_failed: dict[str, tuple[str, ...]] = {}
    for item in session.checklist(day=day, phase="day_start"):
        titles[item.rule.id] = item.rule.title
        ans = session.state.answer_for(item.key)
        if ans is None:
            day_missing[item.rule.id] = item.failures
        elif not ans.resolved or session.state.holds_on(item.key):
            day_failed[item.rule.id] = item.failures
    # A hold opened on this day or this setup stays open until overridden, even if its rule is no longer
    # planned (the packs changed since): it still blocks.
    here = {setup_key(day, None, None, None), setup_key(day, scene, setup, weapon)}
    for hold in session.state.open_holds:
        if hold.key.rsplit("/", 2)[0] in here and hold.rule_id not in failed and hold.rule_id not in day_failed:
            rule = session.find_rule(hold.rule_id)
            day_failed[hold.rule_id] = tuple(rule.failures) if rule is not None else ()
            if rule is not None:
                titles.setdefault(hold.rule_id, rule.title)
    if day_missing:
        reasons.append(_checks_reason(f"{_checks(named(day_missing), 'day-start check not yet answered')}.",
                                      named=list(day_missing)))
    if day_failed:
        reasons.append(_checks_reason(
            f"{_checks(named(day_failed), 'day-start check failed and not resolved')} (a hold needs a signed "
            "override).", day_failed))
    if stale:
        minutes = int(valid.total_seconds() // 60)
        reasons.append(_checks_reason(
            f"{_checks(named(stale), f'check older than {minutes} minutes, to check again')}.", named=list(stale)))
    issue = session.issue_of(day, scene, setup, weapon)
    model = session.weapon(weapon)
    reasons.extend(sealed_reasons(session, None, issue.lot))  # the weapon's own seal: handoff_decision
    if model.firing and issue.load != "cold":
        from armory.checklist.round_checks import rounds_verified

        rounds = rounds_verified(session, day, scene, setup, weapon)
        verified = [r for n, r in rounds.items() if 1 <= n <= issue.rounds]
        passed = [r for r in verified if r.verdict == "pass"]
        if len(passed) != issue.rounds:
            reasons.append(invariant_reason(
                "invariant.rounds-verified",
                f"{len(passed)} of {issue.rounds} rounds verified one by one as {issue.load}."))
        elif any(_age(session, r.time) > valid for r in passed):
            reasons.append(invariant_reason(
                "invariant.rounds-verified",
                f"Round verification is older than {int(valid.total_seconds() // 60)} minutes; verify again."))
    return reasons


def handoff_decision(session: SessionView, *, day: str, scene: str | None, setup: str | None, weapon: str, giver: str,
                     receiver: str, counts_at_handover: bool = False) -> Decision:
    state = session.state
    session.weapon(weapon)
    reasons: list[Reason] = []
    if day not in state.days_opened or day in state.days_closed:
        reasons.append(invariant_reason("invariant.day-open", f"{day} is not open."))
    current = state.weapons[weapon]
    if current.sealed:
        reasons.append(invariant_reason("invariant.sealed", f"{weapon} is sealed as evidence ({current.sealed})."))
    holder = current.holder
    giver_handles = is_handler(session, giver, day, weapon)
    receiver_handles = is_handler(session, receiver, day, weapon)
    if holder is not None and holder != giver:
        reasons.append(invariant_reason(
            "invariant.wrong-holder", f"The record shows {weapon} with {session.name(holder)}, not {session.name(giver)}."))
    if holder is None and not giver_handles:
        reasons.append(invariant_reason(
            "invariant.handler-only",
            f"{session.name(giver)} is not an armorer and may not take {weapon} from the armory."))
    if not receiver_handles and not giver_handles:
        roles = ", ".join(sorted(r.replace("_", " ") for r in session.roles(giver, day))) or "no role"
        duties = other_duties(session, giver, day, weapon)
        also = (f" Today {session.name(giver)} also has another duty ({', '.join(sorted(d.replace('_', ' ') for d in duties))}), "
                "and whoever hands a firearm over has no other duty meanwhile (California Labor Code §9153)."
                if duties else "")
        reasons.append(invariant_reason(
            "invariant.handler-only",
            f"{session.name(giver)} ({roles}) may not hand a firearm to {session.name(receiver)}: only "
            f"{handler_words(session, weapon)} hands a firearm to an actor.{also}"))
    if not receiver_handles:
        stops = state.stops_on(weapon)
        if stops:
            causes = ", ".join(f"{s.cause} (entry {s.seq})" for s in stops)
            base = invariant_reason("invariant.stop-open", f"{weapon} is stopped: {causes}.")
            reasons.append(Reason(base.cause, base.message, base.failures,
                                  related=tuple(dict.fromkeys(s.cause for s in stops))))
        if session.weapon(weapon).firing:
            reasons.extend(signature_reasons(session, day))
        if scene is None:
            reasons.append(Reason("invariant.checks-complete",
                                  "A handoff to an actor names the scene and setup it is for.", ("F3",)))
        else:
            issue = session.issue_of(day, scene, setup, weapon)
            if issue.actor and issue.actor != receiver:
                reasons.append(Reason(
                    "invariant.handler-only",
                    f"The setup gives {weapon} to {session.name(issue.actor)}, not {session.name(receiver)}.", ("F3",)))
            reasons.extend(readiness_reasons(session, day=day, scene=scene, setup=setup, weapon=weapon,
                                             counts_at_handover=counts_at_handover))
        # Checks a rule requires before the weapon goes out again: the bore after its last firing, ...
        reasons.extend(weapon_due(session, "handoff", weapon))
        reasons.extend(day_due(session, "handoff", day))
    return Decision(allowed=not reasons, reasons=tuple(reasons))
