"""Overrides and clearances: how a failed hold goes on and how a stop is lifted.

A failed hold goes on only after a signed override with a reason by a safety officer who is not involved
in it; a stop is never overridden: a safety officer who did not cause it, and is not the first AD, clears
it with a reason, once any evidence it froze is sealed. Stops themselves are raised where their cause is
recorded (answers, rounds, custody, incidents).
"""

from __future__ import annotations

from collections.abc import Sequence

from armory.checklist.base import one_action
from armory.checklist.evidence import EvidenceActions
from armory.checklist.types import Reason, invariant_reason
from armory.problems import InputError


class StopActions(EvidenceActions):
    """A failed hold signed off by an override; a stop cleared by an independent safety officer."""

    @one_action
    def override(self, answer_seq: int, *, reason: str, signed_by: Sequence[str]):
        """A signed override of a failed hold. A stop is never overridden: it is cleared.

        The hold is named by the failing answer's entry, which stays open until
        overridden even when the check was answered again since.
        """
        from armory.ledger.entries import Override

        key = self.state.answers_by_seq.get(answer_seq)
        if key is None:
            raise InputError(f"entry {answer_seq} is not an answer to any check")
        if not reason.strip() or not signed_by:
            raise InputError("an override needs a reason and a signature")
        day = key.split("/", 1)[0]
        signer = signed_by[0]
        hold = self.state.holds.get(answer_seq)
        reasons = []
        if hold is None:
            source = self.ledger.get(answer_seq)
            p = source.payload if source is not None else {}
            if source is not None and source.kind == "correction":
                corrected = self.ledger.get(p.get("corrects_seq", 0))
                p = corrected.payload if corrected is not None else {}
            ans = self.state.answers.get(key)
            if p.get("severity") == "stop" and p.get("verdict") == "fail":
                reasons.append(Reason("invariant.stop-open", "Only a failed hold can be overridden; a stop must be "
                                      "cleared by a safety officer.", ("F5",)))
            elif ans is not None and ans.seq == answer_seq and ans.overridden_by is not None:
                reasons.append(Reason("override", f"Already overridden by entry {ans.overridden_by}.", ()))
            elif p.get("severity") == "hold" and p.get("verdict") == "fail":
                reasons.append(Reason("override", f"The hold of entry {answer_seq} was already overridden.", ()))
            else:
                reasons.append(Reason("override", "There is nothing to override: the check did not fail as a hold.",
                                      ()))
        else:
            reasons.extend(self._override_authority(hold, signer, day))
        if reasons:
            raise self._refuse("override", signer, reasons, day=day)
        return self._append("override", signer, Override(
            answer_seq=answer_seq, rule_id=hold.rule_id, weapon=hold.weapon,
            reason=reason.strip(), signed_by=list(signed_by)))

    def _override_authority(self, hold, signer: str, day: str) -> list[Reason]:
        """Who may sign a failed hold off: a safety officer independent of it.

        Not the first AD (F3), not the person who gave the failing answer, and not a person the hold is
        about (the armorer with a second job, F4): the one whose work or duty failed never judges it safe
        to go on. Armorers do not sign holds off, their own or each other's: on Rust the armorer had no
        authority to resist the pressure to keep going (F4), so the judgement rests with the safety officer,
        as a clearance does.
        """
        roles = self.roles(signer, day)
        name = self.name(signer)
        why = []
        if "first_assistant_director" in roles:
            why.append(f"{name} is the first assistant director, who never signs a safety hold off")
        if "safety_officer" not in roles:
            why.append(f"{name} is not a safety officer: only a safety officer signs a hold off")
        if hold.by is not None and hold.by == signer:
            why.append(f"{name} gave the failing answer")
        if signer in self.hold_subjects(hold):
            why.append(f"the hold is about {name} (acting as armorer with another job on {day})")
        if not why:
            return []
        return [Reason("invariant.clearance-authority",
                       f"{'; '.join(why)}. A failed hold goes on only when a safety officer who is not the one "
                       "involved signs an override with a reason.", ("F3", "F4"))]

    def hold_subjects(self, hold) -> frozenset[str]:
        """The people a hold is about: for the sole-duty check, everyone acting as armorer with another job."""
        rule = self.find_rule(hold.rule_id)
        if rule is None or rule.sense != "armorer_other_roles":
            return frozenset()
        return frozenset(m.id for m in self.production.crew if self._split_roles(m.id, hold.day))

    @one_action
    def clear_stop(self, stop_seq: int, *, reason: str, officer: str):
        """A safety officer who did not cause the stop, and is not the first AD, clears it with a reason."""
        from armory.ledger.entries import Clearance

        self._person(officer)
        stop = self.state.stops.get(stop_seq)
        if stop is None:
            raise InputError(f"entry {stop_seq} is not a stop")
        if stop_seq in self.state.cleared:
            raise InputError(f"stop {stop_seq} was already cleared by entry {self.state.cleared[stop_seq]}")
        if not reason.strip():
            raise InputError("a clearance needs a reason")
        roles = self._any_roles(officer, stop.day)
        reasons = []
        if "safety_officer" not in roles:
            reasons.append(invariant_reason("invariant.clearance-authority", f"{self.name(officer)} is not a safety officer."))
        if "first_assistant_director" in roles:
            reasons.append(invariant_reason("invariant.clearance-authority",
                                            f"{self.name(officer)} is the first assistant director."))
        if stop.caused_by == officer:
            reasons.append(invariant_reason("invariant.clearance-authority", f"{self.name(officer)} caused this stop."))
        unsealed = [item for item in self.evidence_for(stop_seq) if item not in self.sealed_items()]
        if unsealed:
            reasons.append(invariant_reason(
                "invariant.injury-freeze", f"Seal {', '.join(unsealed)} as evidence before this stop is cleared."))
        if reasons:
            raise self._refuse("clearance", officer, reasons, day=stop.day, stop_seq=stop_seq)
        return self._append("clearance", officer, Clearance(stop_seq=stop_seq, reason=reason.strip(),
                                                            signed_by=[officer]))
