"""A spare weapon or lot put on a setup for the day, when what the production names cannot go on.

After a suspicious round the revolver and its only dummy lot are sealed as evidence (rightly), and the
setup would end there. The armorer may put another weapon of the same kind, or another lot of the same
kind and caliber, on that setup for the day, with a reason, signed. It is one ledger entry (``spare``);
the engine then works on the production as the ledger has changed it (:mod:`armory.checklist.spare_plan`): the setup's
row names the spare, whose checks and rounds start from nothing. Sealed items stay sealed, and nothing
here changes the production file or what was recorded about the weapon it replaces.
"""

from __future__ import annotations

from armory.checklist.base import SessionBase, one_action
from armory.checklist.handoff import is_handler
from armory.checklist.state import setup_key
from armory.problems import InputError


class SpareActions(SessionBase):
    """Put a spare weapon or lot on a setup for the day."""

    def spare_candidates(self, day: str, scene: str, setup: str | None, weapon: str) -> tuple[list[str], list[str]]:
        """(weapons, lots) that could go on this row instead: same kind, not sealed, not out, not in use here."""
        _scene, setup_model = self.setup_of(day, scene, setup)
        issue = self.issue_of(day, scene, setup_model.id, weapon)
        current = self.weapon(weapon)
        in_setup = {i.weapon for i in setup_model.weapon}
        sealed = self.sealed_items()
        weapons = [w.id for w in self.production.weapon
                   if w.kind == current.kind and w.firing == current.firing and w.id not in in_setup
                   and w.id not in sealed and self.state.weapons[w.id].holder is None]
        lots = []
        lot = self.production.lot_by_id(issue.lot) if issue.lot else None
        if lot is not None:
            lots = [other.id for other in self.production.lot
                    if other.kind == lot.kind and other.caliber == lot.caliber and other.id != lot.id
                    and other.id not in sealed]
        return weapons, lots

    @one_action
    def put_spare(self, *, day: str, scene: str, setup: str | None, weapon: str, spare_weapon: str | None = None,
                  spare_lot: str | None = None, reason: str, by: str):
        """Record that ``spare_weapon`` (or the same weapon, with rounds from ``spare_lot``) goes out in this
        setup's row instead of ``weapon`` for the rest of the day. Refused, changing nothing, when the
        spare is not of the same kind, is sealed, is out, or is already in this setup."""
        from armory.ledger.entries import Spare

        self._person(by)
        self._require_open(day, "spare", by, weapon)
        if not is_handler(self, by, day, weapon):
            raise InputError(f"{self.name(by)} is not an armorer: only the armorer puts a spare on a setup")
        if not reason.strip():
            raise InputError("a spare needs a reason (what happened to the one it replaces)")
        if spare_weapon is None and spare_lot is None:
            raise InputError("name a spare weapon, a spare lot, or both")
        _scene, setup_model = self.setup_of(day, scene, setup)
        issue = self.issue_of(day, scene, setup_model.id, weapon)
        if self.state.weapons[weapon].holder is not None:
            raise InputError(f"{weapon} is out with {self.name(self.state.weapons[weapon].holder)}: take it back "
                             "first (t)")
        weapons, lots = self.spare_candidates(day, scene, setup_model.id, weapon)
        if spare_weapon is not None and spare_weapon != weapon and spare_weapon not in weapons:
            self.weapon(spare_weapon)
            raise InputError(f"{spare_weapon} cannot stand in for {weapon}: a spare is a weapon of the same kind "
                             "that is not sealed, not out and not already in this setup"
                             + (f" ({', '.join(weapons)})" if weapons else " (there is none)"))
        if spare_lot is not None and spare_lot != issue.lot and spare_lot not in lots:
            raise InputError(f"lot {spare_lot} cannot stand in for {issue.lot or 'none'}: a spare lot is of the "
                             "same kind and caliber and not sealed" + (f" ({', '.join(lots)})" if lots else
                                                                        " (there is none)"))
        planned = self._planned_weapon(day, scene, setup_model.id, weapon)
        return self._append("spare", by, Spare(
            day=day, scene=scene, setup=setup_model.id, weapon=planned, replaces_weapon=weapon,
            spare_weapon=spare_weapon or weapon, replaces_lot=issue.lot, spare_lot=spare_lot or issue.lot,
            reason=reason.strip(), signed_by=[by]))

    def _planned_weapon(self, day: str, scene: str, setup: str, weapon: str) -> str:
        """The weapon the production file names for the row that ``weapon`` now stands in."""
        for key, (spare, _lot, _seq) in self.state.spares.items():
            if spare == weapon and key.startswith(setup_key(day, scene, setup, "")):
                return key[len(setup_key(day, scene, setup, "")):]
        return weapon

