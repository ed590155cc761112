"""Shooting days: opened by an armorer with the rule packs in force, closed once every weapon is back.

Opening a day records the production and the packs (their hashes and text) and senses the day-start
items; packs that changed on disk while a day is open are recorded as such. Closing senses the end-of-day
items and writes a signed checkpoint of the ledger.
"""

from __future__ import annotations

from armory.checklist.answers import AnswerActions
from armory.checklist.base import one_action
from armory.checklist.moments import close_due
from armory.checklist.types import Reason, invariant_reason


class DayActions(AnswerActions):
    """A shooting day opened with the rule packs in force, and closed once every weapon is back."""

    def packs_in_force(self):
        from armory.ledger.entries import PackInForce

        return [PackInForce(id=p.pack.pack.id, version=p.pack.pack.version, hash=p.sha256, text=p.text)
                for p in self.packs]

    def rules_off(self):
        """The production's overrides of the packs in force, as a day records them."""
        from armory.ledger.entries import RuleOff

        return [RuleOff(rule=o.rule, reason=o.reason, weapons=list(o.weapons), replaced_by=o.replaced_by)
                for o in self.production.production.override]

    def _note_pack_change(self) -> None:
        from armory.ledger.entries import PacksChanged

        day = self.state.current_day
        if day is None:
            return
        recorded = {(p["id"], p["version"], p["hash"]) for p in self.state.packs_in_force.get(day, [])}
        now = {(p.id, p.version, p.hash) for p in self.packs_in_force()}
        if recorded != now:
            self._append("packs_changed", None, PacksChanged(
                day=day, packs=self.packs_in_force(),
                reason="the rule packs on disk differ from those in force when the day opened", signed_by=[],
            ))

    @one_action
    def open_day(self, day: str, *, armorer: str):
        """Record the day as opened by ``armorer`` with the rule packs in force, then sense day-start items."""
        from armory.ledger.entries import DayOpened

        self.day(day)
        self._person(armorer)
        if day in self.state.days_opened and day not in self.state.days_closed:
            return self.ledger.get(self.state.days_opened[day])
        if day in self.state.days_closed:
            raise self._refuse("open_day", armorer, [Reason(
                "invariant.day-open", f"{day} was already closed; the record of a closed day is final.", ("F8",))], day=day)
        if not (self.roles(armorer, day) & {"armorer", "assistant_armorer"}):
            raise self._refuse("open_day", armorer, [invariant_reason(
                "invariant.handler-only", f"{self.name(armorer)} is not an armorer on {day}.")], day=day)
        # The production's text once per version of the file: a season's file names hundreds of days, and
        # a copy in every day opened would grow the ledger with the square of the season's length. An
        # export finds it in the earlier day_opened that recorded the same production_hash.
        digest = self.loaded_production.sha256
        entry = self._append("day_opened", armorer, DayOpened(
            day=day, production_hash=digest, packs=self.packs_in_force(), signed_by=[armorer],
            production_text=None if digest in self.state.production_texts else self.loaded_production.text,
            rules_off=self.rules_off(), signed_before_handoff=True,
        ))
        self.sense(day=day, phase="day_start")
        return entry

    def unsigned_checks(self, day: str, phase: str = "day_start") -> list:
        """What stands between a phase's checks and the armorer's signature: items not answered, failed holds
        not overridden, failed stops not cleared (empty: ready to sign)."""
        return [item for item in self.checklist(day=day, phase=phase) if not item.sensed and (
            item.status == "pending" or (item.status == "failed" and item.severity in ("hold", "stop")))]

    @one_action
    def sign_checks(self, day: str, *, by: str, phase: str = "day_start"):
        """The armorer signs a day phase's checks as done, over every answer as it stands. Refused, changing
        nothing, while one is unanswered or failed and unresolved, or by someone who is not an armorer."""
        from armory.ledger.entries import ChecksSigned
        from armory.problems import InputError

        self._person(by)
        self._require_open(day, "sign_checks", by)
        if not (self.roles(by, day) & {"armorer", "assistant_armorer"}):
            raise InputError(f"{self.name(by)} is not an armorer on {day}: the armorer signs the checks")
        open_items = self.unsigned_checks(day, phase)
        if open_items:
            raise InputError(f"not signed: {len(open_items)} check(s) still to answer or resolve "
                             f"({', '.join(i.rule.title for i in open_items[:3])}{'…' if len(open_items) > 3 else ''})")
        items = [item for item in self.checklist(day=day, phase=phase) if item.answer_seq]
        return self._append("checks_signed", by, ChecksSigned(
            day=day, phase=phase, rules=[item.rule.id for item in items],
            last_answer=max((item.answer_seq for item in items), default=0), signed_by=[by]))

    @one_action
    def close_day(self, day: str, *, by: str):
        from armory.ledger.entries import DayClosed

        self._require_open(day, "close_day", by)
        # Before the end-of-day items are sensed: a refused close must not leave their stops and holds behind.
        reasons = [invariant_reason("invariant.day-close", f"{w.weapon} is still with {self.name(w.holder)}: "
                                    "take it back first.")
                   for w in self.state.weapons.values() if w.holder is not None]
        reasons.extend(close_due(self, day))  # the bore after the last firing, the end-of-day checks required
        if reasons:
            raise self._refuse("close_day", by, reasons, day=day)
        self.sense(day=day, phase="end_of_day")
        head = self.ledger.head()
        entry = self._append("day_closed", by, DayClosed(day=day, head_hash=head.hash if head else "", signed_by=[by]))
        if not getattr(self.ledger, "readonly", False):
            checkpoint = self.ledger.checkpoint(scope=self.scope)
            self.state.apply(checkpoint)
        return entry
