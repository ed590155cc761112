"""Incidents: a misfire, an unintended discharge, a live round, an injury, or anything worth recording.

A stopping incident stops every firearm of the production; a live round or an injury also freezes the
weapons and lots involved as evidence (:mod:`armory.checklist.evidence`). Rounds reported fired from a
weapon that cannot fire are recorded here as an unintended discharge. A safety officer reviews each.
"""

from __future__ import annotations

from collections.abc import Sequence

from armory.checklist.answers import AnswerActions
from armory.checklist.base import one_action
from armory.checklist.invariants import INVARIANTS
from armory.checklist.state import STOPPING_INCIDENTS
from armory.checklist.types import Reason
from armory.problems import InputError

#: Loads that cannot fire: any round reported fired from them is an unintended discharge.
NON_FIRING_LOADS = frozenset({"dummies", "cold"})


class IncidentActions(AnswerActions):
    """Incidents recorded (a stopping one stops every firearm) and reviewed by a safety officer."""

    @one_action
    def record_incident(self, *, incident: str, day: str | None, weapon: str | None, description: str,
                        reported_by: str):
        return self._record_incident(incident=incident, day=day, weapon=weapon, description=description,
                                     reported_by=reported_by)

    def _record_incident(self, *, incident: str, day: str | None, weapon: str | None, description: str,
                         reported_by: str, also_prevents: Sequence[str] = ()):
        from armory.ledger.entries import Incident

        self._person(reported_by)
        if weapon is not None:
            self.weapon(weapon)
        if not description.strip():
            raise InputError("describe what happened")
        frozen, lots = self._involved(incident, weapon)
        entry = self._append("incident", reported_by, Incident(
            incident=incident, day=day, weapon=weapon, description=description.strip(), reported_by=reported_by,
            weapons=frozen, lots=lots))
        if incident in STOPPING_INCIDENTS:
            inv_id = {"live_round": "invariant.live-round", "injury": "invariant.injury-freeze"}.get(
                incident, "invariant.discharge")
            inv = INVARIANTS[inv_id]
            self._stop(scope="production", weapons=[w.id for w in self.firearms()], cause=inv_id,
                       failures=[*inv.failures, *also_prevents], caused_by=None, from_seq=entry.seq, day=day,
                       reason=f"{incident.replace('_', ' ')} ({weapon or 'no weapon named'}): {description.strip().rstrip('.')}. "
                              f"{inv.why}")
        if day is not None and day in self.state.days_opened:
            self.sense(day=day, phase="on_incident")
        return entry

    def _involved(self, incident: str, weapon: str | None) -> tuple[list[str], list[str]]:
        """The firearms and lots an injury or a live round freezes as evidence, decided when it is recorded.

        The weapon named, with the lot of its current setup. An injury with no weapon named freezes every
        firearm out of the armory at that moment (whoever held it, any of them may have fired), or every
        firearm of the production when none was out: the record cannot rule any of them out (F8).
        """
        if incident not in ("injury", "live_round"):
            return [], []
        if weapon is not None:
            weapons = [weapon]
        elif incident == "injury":
            out = [w.id for w in self.firearms()
                   if self.state.weapons[w.id].holder is not None and self.state.weapons[w.id].investigator is None]
            weapons = out or [w.id for w in self.firearms()]
        else:
            weapons = []  # a loose live round: the round itself is sealed as `other`
        lots = []
        for w in weapons:
            lot = self._current_lot(w)
            if lot and lot not in lots:
                lots.append(lot)
        return weapons, lots

    def _current_lot(self, weapon: str) -> str | None:
        """The lot of the setup the weapon was handed out for, else the lot it was last loaded from."""
        current = self.state.weapons.get(weapon)
        if current is None:
            return None
        if current.handoff_seq:
            handoff = self.ledger.get(current.handoff_seq)
            hp = handoff.payload if handoff else {}
            if hp.get("scene"):
                try:
                    lot = self.issue_of(hp["day"], hp["scene"], hp.get("setup"), weapon).lot
                except InputError:
                    lot = None
                if lot:
                    return lot
        return current.last_lot

    def _impossible_firing(self, *, day: str, weapon: str, load: str, rounds: int, by: str, seq: int,
                           also_found: str = "") -> None:
        """Rounds reported fired from a weapon loaded with dummies or cold: an unintended discharge.

        A dummy or an empty weapon cannot fire. A firing reported means a live round (or a live primer) was
        in the load, as on Rust (F1), or the count is wrong and nobody can vouch for the rounds (F8): either
        way every firearm stops (DESIGN 3), as an incident a safety officer reviews (F5, F11).
        """
        stated = "dummies" if load == "dummies" else "cold (no rounds)"
        self._record_incident(
            incident="unintended_discharge", day=day, weapon=weapon, reported_by=by, also_prevents=("F1", "F8"),
            description=(f"{rounds} round{'s' if rounds != 1 else ''} reported fired from {weapon}, which was loaded "
                         f"{stated} (entry {seq}): a dummy or a cold weapon cannot fire, so a live round was in "
                         f"it or the count is wrong{'; and ' + also_found if also_found else ''}"))

    @one_action
    def review_incident(self, incident_seq: int, *, findings: str, signed_by: Sequence[str]):
        from armory.ledger.entries import IncidentReviewed

        if incident_seq not in self.state.incidents:
            raise InputError(f"entry {incident_seq} is not an incident")
        signer = signed_by[0] if signed_by else ""
        if not findings.strip():
            raise InputError("a review needs its findings")
        day = self.state.incidents[incident_seq].day
        if "safety_officer" not in self._any_roles(signer, day):
            raise self._refuse("incident_review", signer, [Reason(
                "invariant.clearance-authority", f"{self.name(signer)} is not a safety officer.", ("F5", "F11"))],
                incident_seq=incident_seq)
        return self._append("incident_reviewed", signer, IncidentReviewed(
            incident_seq=incident_seq, findings=findings.strip(), signed_by=list(signed_by)))
