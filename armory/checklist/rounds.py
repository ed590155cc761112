"""Rounds: each one shown to be a dummy or a blank before it is loaded, and the rounds reported fired.

A round found live, or one that cannot be confirmed, stops every firearm of the production; a round of
the other kind than its setup's load stops the weapon. Rounds fired from dummies or a cold weapon are an
unintended discharge (:mod:`armory.checklist.incidents`).
"""

from __future__ import annotations

from armory.checklist import judge as judging
from armory.checklist.base import one_action
from armory.checklist.handoff import sealed_reasons
from armory.checklist.incidents import NON_FIRING_LOADS, IncidentActions
from armory.checklist.invariants import INVARIANTS
from armory.checklist.types import ROUND_METHOD_WORDS, ROUND_METHODS, Verdict
from armory.problems import InputError


class RoundActions(IncidentActions):
    """Each round shown to be a dummy or a blank before it is loaded, and the rounds reported fired."""

    @one_action
    def verify_round(self, *, day: str, scene: str, setup: str | None, weapon: str, round_no: int, method: str,
                     by: str) -> Verdict:
        """Record how one round was shown to be a dummy or blank. A live or unconfirmed round stops everything."""
        from armory.ledger.entries import RoundVerified

        self._person(by)
        self._require_open(day, "verify_round", by, weapon)
        _scene, setup_model = self.setup_of(day, scene, setup)
        setup = setup_model.id
        issue = self.issue_of(day, scene, setup, weapon)
        if method not in ROUND_METHODS:
            raise judging.AnswerError(f"unknown method {method!r}; expected one of {', '.join(ROUND_METHODS)}")
        if not 1 <= round_no <= max(issue.rounds, 0):
            raise judging.AnswerError(f"round {round_no} is outside the {issue.rounds} rounds this setup loads")
        sealed = sealed_reasons(self, weapon, issue.lot)
        if sealed:
            raise self._refuse("verify_round", by, sealed, weapon=weapon, day=day)
        fits = ROUND_METHODS[method]
        passed = fits is not None and fits == issue.load
        entry = self._append("round_verified", by, RoundVerified(
            day=day, scene=scene, setup=setup, weapon=weapon, lot=issue.lot, round_no=round_no, method=method,
            verdict="pass" if passed else "fail"))
        expected = f"a round shown to be {'a dummy' if issue.load == 'dummies' else 'a blank'}"
        if passed:
            return Verdict(True, "stop", expected, (method,), entry.seq, message=f"Round {round_no}: {ROUND_METHOD_WORDS[method]}.")
        if fits is None:
            inv = INVARIANTS["invariant.live-round"]
            reason = (f"Round {round_no} for {weapon} (lot {issue.lot}): {ROUND_METHOD_WORDS[method]}. "
                      f"{inv.why} Seal the weapon and the lot as evidence.")
            stop_seq = self._stop(scope="production", weapons=[w.id for w in self.firearms()], cause=inv.id,
                                  failures=inv.failures, reason=reason, caused_by=by, from_seq=entry.seq, day=day)
        else:
            inv = INVARIANTS["invariant.rounds-verified"]
            reason = (f"Round {round_no} for {weapon} was shown to be a {fits[:-1]} in a setup loaded with {issue.load}: "
                      "a round whose type differs from its label (DOMAIN F1).")
            stop_seq = self._stop(scope="weapon", weapons=[weapon], cause=inv.id, failures=("F1", "F2"), reason=reason,
                                  caused_by=by, from_seq=entry.seq, day=day)
        return Verdict(False, "stop", expected, (method,), entry.seq, stop_seq=stop_seq,
                       message=f"STOP [{inv.id}]: {reason} A safety officer must clear it.")

    @one_action
    def record_fired(self, *, day: str, weapon: str, rounds: int, by: str, scene: str | None = None,
                     setup: str | None = None):
        from armory.ledger.entries import RoundsFired

        if rounds < 0:
            raise InputError("rounds fired cannot be negative")
        self._require_open(day, "rounds_fired", by, weapon)
        entry = self._append("rounds_fired", by, RoundsFired(day=day, weapon=weapon, rounds=rounds, scene=scene,
                                                             setup=setup))
        load = self._load_out(day, weapon, scene, setup)
        if rounds > 0 and load in NON_FIRING_LOADS:
            self._impossible_firing(day=day, weapon=weapon, load=load, rounds=rounds, by=by, seq=entry.seq)
        return entry

    def _load_out(self, day: str, weapon: str, scene: str | None = None, setup: str | None = None) -> str | None:
        """The load a weapon carries: that of the setup named, else that of the handoff that took it out."""
        if scene:
            try:
                return self.issue_of(day, scene, setup, weapon).load
            except InputError:
                pass
        current = self.state.weapons.get(weapon)
        handoff = self.ledger.get(current.handoff_seq) if current is not None and current.handoff_seq else None
        return handoff.payload.get("load") if handoff is not None else None
