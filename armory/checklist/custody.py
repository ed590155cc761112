"""Custody of a weapon: handed from one person to another, and taken back with its rounds reconciled.

Whether a handoff may happen is decided in :mod:`armory.checklist.handoff` (the TUI asks the same
question to grey out "hand over"); here it is recorded, or refused and the refusal recorded. A take-back
whose rounds do not add up (out = back + fired) stops the weapon. Evidence passed to an investigator is
in :mod:`armory.checklist.evidence`.
"""

from __future__ import annotations

from collections.abc import Sequence

from armory.checklist.base import one_action
from armory.checklist.handoff import handler_words, handoff_decision, is_handler
from armory.checklist.moments import weapon_due
from armory.checklist.incidents import NON_FIRING_LOADS, IncidentActions
from armory.checklist.invariants import INVARIANTS
from armory.checklist.types import CheckItem, Decision, invariant_reason
from armory.problems import InputError


class CustodyActions(IncidentActions):
    """A weapon handed from one person to another, and taken back with its rounds reconciled."""

    def may_hand_over(self, *, day: str, scene: str | None, setup: str | None, weapon: str, giver: str,
                      receiver: str, counts_at_handover: bool = False) -> Decision:
        """Whether the handoff is allowed now; with ``counts_at_handover``, whether it will be once the checks
        asked at the handover (:func:`~armory.checklist.handoff.asked_at_handover`) are answered and pass."""
        return handoff_decision(self, day=day, scene=scene, setup=setup, weapon=weapon, giver=giver, receiver=receiver,
                                counts_at_handover=counts_at_handover)

    @one_action
    def hand_over(self, *, day: str, scene: str, setup: str | None, weapon: str, giver: str, receiver: str,
                  witnesses: Sequence[str] = (), signed_by: Sequence[str],
                  answers: Sequence[tuple[CheckItem, Sequence[str], str]] = ()):
        """Hand a weapon to someone, after both authenticated. Refusals are recorded, then raised.

        ``answers`` are (check, observed, by) given as the handoff was signed (the actor's and the 1st AD's
        count of the load they were shown, each authenticated by the face as any answer is): recorded first,
        each judged as any answer, then the handoff decided on them; one that fails leaves its hold (or stop)
        on record and the handoff is refused, that refusal recorded too."""
        from armory.ledger.entries import Handoff

        self._person(giver)
        self._person(receiver)
        for w in witnesses:
            self._person(w)
        if not ({giver, receiver} <= set(signed_by)):
            raise InputError("both the giver and the receiver must sign a handoff with their PIN")
        signers_as_witnesses = [w for w in witnesses if w in (giver, receiver)]
        if signers_as_witnesses:
            raise InputError(f"{', '.join(self.name(w) for w in signers_as_witnesses)} signs this handoff and "
                             "cannot also witness it: a witness is neither the giver nor the receiver")
        for item, observed, by in answers:
            self.answer(item, observed, by=by)
        setup = self.setup_of(day, scene, setup)[1].id if scene else setup
        if day in self.state.days_opened and day not in self.state.days_closed and scene:
            self.sense(day=day, phase="before_handoff", scene=scene, setup=setup, weapon=weapon)
        decision = self.may_hand_over(day=day, scene=scene, setup=setup, weapon=weapon, giver=giver, receiver=receiver)
        if not decision.allowed:
            raise self._refuse("handoff", giver, list(decision.reasons), weapon=weapon, day=day)
        issue = self.issue_of(day, scene, setup, weapon) if scene else None
        current = self.state.weapons[weapon]
        rounds = issue.rounds if issue and not is_handler(self, receiver, day, weapon) else current.rounds_out
        load = issue.load if issue else "cold"
        return self._append("handoff", giver, Handoff(
            day=day, scene=scene, setup=setup, weapon=weapon, giver=giver, receiver=receiver, load=load,
            rounds=rounds, witnesses=list(witnesses), signed_by=list(signed_by)))

    @one_action
    def take_back(self, *, day: str, weapon: str, giver: str, receiver: str, rounds_fired: int,
                  rounds_returned: int, signed_by: Sequence[str]):
        """The armorer takes a weapon back and reconciles its rounds; a mismatch is a stop."""
        from armory.ledger.entries import Return

        self._person(giver)
        self._person(receiver)
        self.weapon(weapon)
        if rounds_fired < 0 or rounds_returned < 0:
            raise InputError("rounds fired and returned are counts: 0 or more")
        if not ({giver, receiver} <= set(signed_by)):
            raise InputError("both the person returning the weapon and the armorer must sign with their PIN")
        current = self.state.weapons[weapon]
        reasons = []
        if current.holder != giver:
            reasons.append(invariant_reason(
                "invariant.wrong-holder",
                f"The record shows {weapon} with {self.name(current.holder) if current.holder else 'the armory'}, "
                f"not {self.name(giver)}."))
        if not is_handler(self, receiver, day, weapon):
            reasons.append(invariant_reason(
                "invariant.handler-only", f"{self.name(receiver)} may not collect {weapon}: only "
                f"{handler_words(self, weapon)} takes a firearm back on this production."))
        reasons.extend(weapon_due(self, "take_back", weapon))
        if reasons:
            raise self._refuse("return", giver, reasons, weapon=weapon, day=day)
        fired = current.rounds_fired + rounds_fired
        handoff = self.ledger.get(current.handoff_seq) if current.handoff_seq else None
        hp = handoff.payload if handoff else {}
        # Rounds fired from dummies or a cold weapon add up, but nobody can vouch for them: not reconciled.
        impossible = rounds_fired > 0 and hp.get("load") in NON_FIRING_LOADS
        out = current.rounds_out  # read before the return is folded in (it empties the weapon's state)
        balanced = out == rounds_returned + fired
        reconciled = balanced and not impossible
        entry = self._append("return", giver, Return(
            day=day, scene=hp.get("scene"), setup=hp.get("setup"), weapon=weapon, giver=giver, receiver=receiver,
            rounds_out=current.rounds_out, rounds_fired=fired, rounds_returned=rounds_returned,
            reconciled=reconciled, signed_by=list(signed_by)))
        # One take-back, one stop, naming everything it found: a firing that cannot be (every firearm stops,
        # and it is an incident to review) and rounds that do not add up.
        counts = "" if balanced else rounds_not_accounted(weapon, out, rounds_returned, fired)
        if impossible:
            self._impossible_firing(day=day, weapon=weapon, load=hp["load"], rounds=rounds_fired, by=receiver,
                                    seq=entry.seq, also_found=counts)
        elif not balanced:
            inv = INVARIANTS["invariant.round-reconciliation"]
            self._stop(scope="weapon", weapons=[weapon], cause=inv.id, failures=inv.failures, caused_by=None,
                       from_seq=entry.seq, day=day, reason=f"{counts}. {inv.why}")
        if hp.get("scene"):
            self.sense(day=day, phase="on_return", scene=hp["scene"], setup=hp.get("setup"), weapon=weapon)
        return entry


def rounds_not_accounted(weapon: str, out: int, back: int, fired: int) -> str:
    """'saa-1: 6 out, 3 back, 2 fired: 1 round not accounted for' (or more back than went out)."""
    missing = out - back - fired
    plural = "s" if abs(missing) != 1 else ""
    if missing > 0:
        gap = f"{missing} round{plural} not accounted for"
    else:
        gap = f"{-missing} round{plural} more back or fired than went out"
    return f"{weapon}: {out} out, {back} back, {fired} fired: {gap}"
