"""Checks and answers: the checklist of a phase with each item's status, and the answers that fill it.

A person's answer is parsed, judged against the rule and recorded; a failure of a stop rule stops the
weapon (or, for a round that cannot be confirmed as a dummy or blank, every firearm), a failed hold waits
for an override (:mod:`armory.checklist.stops`), a note is kept for the producer. Sensed items take their
value from the ledger and nobody answers them by hand. A correction points at the answer it corrects and
never lifts a stop or a hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from armory.checklist import hazards
from armory.checklist import judge as judging
from armory.checklist.clock import parse_time
from armory.checklist.base import SessionBase, one_action
from armory.checklist.builtin import builtin_checks
from armory.checklist.invariants import INVARIANTS, failure_order
from armory.checklist.state import check_key
from armory.checklist.types import CheckItem, Reason, Verdict
from armory.problems import InputError

#: Phases asked of the day as a whole, not of a scene, setup or weapon.
DAY_PHASES = ("day_start", "end_of_day", "on_incident")

#: Who answers a rule that does not say: the armorer or an assistant armorer.
DEFAULT_ASKED_OF = ("armorer", "assistant_armorer")


class AnswerActions(SessionBase):
    """The checks of a phase with their status, the answers people give, the items the ledger senses."""

    def checklist(self, *, day: str, phase: str, scene: str | None = None, setup: str | None = None,
                  weapon: str | None = None) -> list[CheckItem]:
        """The checks of one phase, each with its status. Expected values only once answered."""
        from armory.checklist.plan import plan_checks

        if phase in DAY_PHASES:
            scene = setup = weapon = None
        elif scene is not None and setup is None:
            setup = self.setup_of(day, scene, None)[1].id
        planned = plan_checks(self.production, self.packs, day=day, phase=phase, scene=scene, setup=setup,
                              weapon=weapon)
        if phase == "day_start":
            planned = list(planned) + builtin_checks(planned)
        rounds = 0
        if weapon is not None and scene is not None:
            rounds = self.issue_of(day, scene, setup, weapon).rounds
        items = []
        # A weapon's setup checks answered before it last came back were for that time out: asked again.
        # So are those answered before it (or its lot) was put on the setup as a spare.
        returned = (self.state.fresh_since(day, scene, setup, weapon)
                    if weapon is not None and phase not in DAY_PHASES else None)
        for pc in planned:
            rule = pc.rule
            key = check_key(day, scene, setup, weapon, phase, rule.id)
            ans = self.state.answer_for(key)
            if ans is not None and returned is not None and ans.seq < returned:
                ans = None
            status, seq, observed, expected, at = "pending", None, None, None, None
            held = self.state.holds_on(key)
            if held:
                # A failed hold stays failed until overridden, whatever was answered since: the item
                # shows the failing answer, the one an override must name.
                hold = held[0]
                status, seq, observed, at = "failed", hold.answer_seq, tuple(hold.observed), hold.time
                expected = ans.expected if ans is not None else None
            elif ans is not None:
                seq, observed, expected, at = ans.seq, tuple(ans.observed), ans.expected, ans.time
                if ans.overridden_by is not None and ans.verdict == "fail":
                    status = "overridden"
                elif ans.verdict == "pass":
                    status = "corrected" if ans.corrected_by else "passed"
                else:
                    status = "failed"
            items.append(CheckItem(
                key=key, rule=rule, pack_id=pc.pack.pack.pack.id, day=day, scene=scene, setup=setup,
                weapon=weapon, phase=phase,
                question=rule.ask or f"(sensed from the ledger) {rule.title}",
                answer_kind=rule.answer, choices=tuple(rule.choices), unit=rule.unit,
                per_round=rounds if rule.per_round else 0, sensed=rule.sense is not None,
                severity=rule.severity, why=rule.why, asked_of=tuple(rule.asked_of) or DEFAULT_ASKED_OF, sources=tuple(rule.sources), failures=tuple(rule.failures),
                status=status, answer_seq=seq, observed=observed, expected_text=expected, answered_at=at,
            ))
        return items

    def sensed_value(self, sense: str, day: str) -> int:
        st = self.state
        if sense == "rounds_unaccounted":
            # A firing from dummies or a cold weapon adds up, but nobody can vouch for those rounds (a live
            # round was in the load, or the count is wrong): unaccounted until the discharge's stop is cleared.
            return st.outstanding_rounds() + st.unreconciled_rounds() + st.impossible_rounds()
        if sense == "open_incidents":
            return sum(1 for s in st.open_stops if s.cause in ("invariant.discharge", "invariant.live-round",
                                                                  "invariant.injury-freeze"))
        if sense == "unreviewed_incidents":
            return len(st.unreviewed_incidents)
        if sense == "armorer_other_roles":
            # Anyone acting as armorer (an assistant armorer hands firearms over too, S2): their most other jobs.
            return max((len(self._split_roles(m.id, day)) for m in self.production.crew), default=0)
        if sense == "open_stops":
            # Stops carried over, not the ones this very question raised.
            own = {r.id for p in self.packs for r in p.pack.rule if r.sense == "open_stops"}
            return sum(1 for s in st.open_stops if s.cause not in own)
        if sense == "weapons_not_returned":
            return sum(1 for w in st.weapons.values() if w.holder is not None and w.investigator is None)
        raise InputError(f"unknown sensed value {sense!r}")

    @one_action
    def sense(self, *, day: str, phase: str, scene: str | None = None, setup: str | None = None,
              weapon: str | None = None) -> list[Verdict]:
        """Record the sensed items of a phase whose value is new or changed. Nobody answers these by hand."""
        verdicts = []
        for item in self.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon):
            if not item.sensed:
                continue
            value = str(self.sensed_value(item.rule.sense, day))
            if item.observed == (value,):
                continue
            verdicts.append(self._record_answer(item, [value], by=None, sensed=True))
        return verdicts

    @one_action
    def answer(self, item: CheckItem, observed: Sequence[str], *, by: str) -> Verdict:
        """Judge and record a person's answer. Durable before it returns.

        A per-round answer may stop short of the rounds loaded when its last value fails
        (:meth:`round_fails`): it is recorded at once as a failed answer that stopped at that round.
        """
        self._person(by)
        if item.sensed:
            raise InputError(f"{item.rule.id} is sensed from the ledger; nobody can answer it by hand")
        self._require_open(item.day, "answer", by, item.weapon)
        values = judging.parse_all(item.rule, list(observed), item.per_round,
                                   self.facts(item.day, item.scene, item.setup, item.weapon), self.local_now())
        values = self._dated(item.rule, item.day, values)
        held = self.roles(by, item.day) & set(item.asked_of)
        if not held:
            who = " or ".join(r.replace("_", " ") for r in item.asked_of)
            raise self._refuse("answer", by, [Reason(
                item.rule.id, f"{item.rule.id} is answered by the {who}; {self.name(by)} is not one that day.",
                item.failures)], weapon=item.weapon, day=item.day)
        if held == {"actor"} and item.weapon and item.scene:
            # "The actor" of a weapon's check is the one this setup gives it to, not any actor of the day:
            # the person about to hold it is the one who must have seen the load.
            actor = self.issue_of(item.day, item.scene, item.setup, item.weapon).actor
            if actor and by != actor:
                raise self._refuse("answer", by, [Reason(
                    item.rule.id, f"{item.rule.id} is answered by the actor who receives {item.weapon} in this "
                    f"setup, {self.name(actor)}; not {self.name(by)}.", item.failures)],
                    weapon=item.weapon, day=item.day)
        return self._record_answer(item, values, by=by, sensed=False)

    def _dated(self, rule, day: str, values: list[str]) -> list[str]:
        """Clock times dated on the day they were given, never before the day opened (``judge.date_time``)."""
        if rule.answer != "time":
            return values
        opened_seq = self.state.days_opened.get(day)
        opened = self.ledger.get(opened_seq) if opened_seq else None
        opened_local = parse_time(opened.time).astimezone(self.tz) if opened is not None else None
        return [judging.date_time(v, self.local_now(), opened_local) for v in values]

    def round_fails(self, item: CheckItem, value: str) -> bool:
        """Does this one round's value (as ``judge.parse`` returned it) fail the item's per-round rule?

        For a face asking round by round: when it does, the rounds answered so far, ending with this one,
        go to :meth:`answer` at once, and the failure is recorded (stop or hold) without asking the rest.
        """
        if not item.per_round or item.sensed:
            return False
        facts = self.facts(item.day, item.scene, item.setup, item.weapon)
        return judging.fails_now(item.rule, value, facts, self.local_now())

    def _record_answer(self, item: CheckItem, values: list[str], *, by: str | None, sensed: bool) -> Verdict:
        from armory.ledger.entries import Answer

        facts = self.facts(item.day, item.scene, item.setup, item.weapon)
        now_local = self.local_now()
        passed = judging.judge(item.rule, values, facts, now_local)
        failed_rounds = tuple(
            i + 1 for i, v in enumerate(values) if item.per_round and not judging.judge_one(item.rule, v, facts, now_local)
        )
        expected = judging.expected_text(item.rule, facts)
        stopped = bool(item.per_round) and 0 < len(values) < item.per_round and not passed
        pack = next((p for p in self.packs if p.pack.pack.id == item.pack_id), None)
        entry = self._append("answer", by, Answer(
            day=item.day, scene=item.scene, setup=item.setup, weapon=item.weapon, phase=item.phase,
            rule_id=item.rule.id, pack_id=item.pack_id, pack_hash=pack.sha256 if pack else "",
            question=item.question,
            answer_kind=item.answer_kind or "sensed", expected=expected, observed=values,
            verdict="pass" if passed else "fail", severity=item.severity, sensed=sensed,
            failures=list(item.failures), signed_by=[by] if by else [],
            rounds_loaded=item.per_round if stopped else None, stopped_at_round=len(values) if stopped else None,
        ))
        return self._after_judgement(item, values, passed, expected, entry.seq, by, failed_rounds,
                                     rounds_loaded=item.per_round if stopped else None)

    def _after_judgement(self, item: CheckItem, values, passed: bool, expected: str, seq: int, by: str | None,
                         failed_rounds=(), rounds_loaded: int | None = None) -> Verdict:
        cites = ", ".join(item.failures)
        stop_seq = None
        stopped = ""
        if rounds_loaded:
            # The check stopped at the failing round: say which, and that the rest were not asked.
            rest = (f"round {rounds_loaded}" if len(values) + 1 == rounds_loaded
                    else f"rounds {len(values) + 1}-{rounds_loaded}")
            stopped = f" Round {len(values)} of {rounds_loaded} failed; the check stopped there ({rest} not asked)."
        hits = hazards.bound(item.rule, values)
        if hits and not (not passed and item.severity == "stop" and self._unconfirmed_round(item)
                         and {h for _n, _v, h in hits} <= hazards.ROUND_HAZARDS):
            # Whatever the severity: the answer means a hazard the engine acts on as its invariant says.
            stop_seq, message = hazards.act(self, item, values, hits, seq=seq, by=by)
            return Verdict(passed=False, severity="stop", expected_text=expected, observed=tuple(values),
                           entry_seq=seq, stop_seq=stop_seq, needs_override=(item.severity == "hold"),
                           message=message + stopped, failed_rounds=tuple(failed_rounds))
        if passed:
            message = f"{item.rule.title}: passed."
        elif item.severity == "stop" and item.sensed and (existing := self._open_stop_for(item)):
            stop_seq = existing
            message = (f"STOP ({item.rule.id}, prevents {cites}): {item.rule.title}. Observed {', '.join(values)}; "
                       f"expected {expected}. Still stopped (entry {existing}).")
        elif item.severity == "stop" and self._unconfirmed_round(item):
            # A round a per-round stop rule could not confirm as a dummy or blank is treated as live
            # (DESIGN rule 3): every firearm of the production stops, as when verify_round finds it,
            # not only this weapon. The stop's cause is the invariant that widens it; its reason names
            # the rule, and from_seq is the rule's failing answer.
            inv = INVARIANTS["invariant.live-round"]
            where = (f"round {failed_rounds[0]}" if len(failed_rounds) == 1 else
                     f"rounds {', '.join(map(str, failed_rounds))}" if failed_rounds else "a round")
            where = where[0].upper() + where[1:]
            load = self.facts(item.day, item.scene, item.setup, item.weapon).get("setup.load")
            kind = "a dummy" if load == "dummies" else "a blank"
            stop_seq = self._stop(
                scope="production", weapons=[w.id for w in self.firearms()], cause=inv.id,
                failures=[*item.failures, *inv.failures], day=item.day, caused_by=by, from_seq=seq,
                reason=(f"{item.rule.id} ({item.rule.title}) on {item.weapon}: observed {', '.join(values)}, "
                        f"expected {expected}.{stopped} {where} could not be confirmed as {kind}. {inv.why} "
                        f"{item.rule.why}"),
            )
            cites = ", ".join(sorted(set(item.failures) | set(inv.failures), key=failure_order))
            message = (f"STOP ({item.rule.id}, {inv.id}, prevents {cites}): {item.rule.title}. "
                       f"Observed {', '.join(values)}; expected {expected}.{stopped} {where} could not be "
                       f"confirmed as {kind}: it is treated as live, and every firearm of the production stops. "
                       "A safety officer must clear it with a reason.")
        elif item.severity == "stop":
            weapons = [item.weapon] if item.weapon else [w.id for w in self.firearms()]
            stop_seq = self._stop(
                scope="weapon" if item.weapon else "production", weapons=weapons, cause=item.rule.id,
                failures=item.failures, day=item.day, caused_by=by, from_seq=seq,
                reason=f"{item.rule.title}: observed {', '.join(values)}, expected {expected}.{stopped} {item.rule.why}",
            )
            message = (f"STOP ({item.rule.id}, prevents {cites}): {item.rule.title}. Observed {', '.join(values)}; "
                       f"expected {expected}.{stopped} A safety officer must clear it with a reason.")
        elif item.severity == "hold":
            message = (f"HOLD ({item.rule.id}, prevents {cites}): {item.rule.title}. Observed {', '.join(values)}; "
                       f"expected {expected}.{stopped} It goes on only after a signed override with a reason.")
        else:
            message = (f"NOTE ({item.rule.id}): {item.rule.title}. Observed {', '.join(values)}.{stopped} "
                       "Recorded for the producer.")
        return Verdict(
            passed=passed, severity=item.severity, expected_text=expected, observed=tuple(values), entry_seq=seq,
            stop_seq=stop_seq, needs_override=(not passed and item.severity == "hold"), message=message,
            failed_rounds=tuple(failed_rounds),
        )

    def _unconfirmed_round(self, item: CheckItem) -> bool:
        """Is this a per-round answer about the rounds of a dummies or blanks load?

        When such an answer fails, a round could not be confirmed as a dummy or blank.
        """
        if not item.per_round or item.weapon is None or item.sensed:
            return False
        load = self.facts(item.day, item.scene, item.setup, item.weapon).get("setup.load")
        return load in ("dummies", "blanks")

    def _open_stop_for(self, item: CheckItem) -> int | None:
        """The open stop that already covers what this sensed item found, if any.

        Rounds not accounted for are stopped by the take-back that found them (one event, one stop): the
        sensed reconciliation that reads the same rounds says it is still stopped, and stops nothing again."""
        causes = {item.rule.id}
        if item.rule.sense == "rounds_unaccounted":
            causes |= {"invariant.round-reconciliation", "invariant.discharge"}
        for stop in self.state.open_stops:
            if stop.cause in causes and (item.weapon is None or item.weapon in stop.weapons):
                return stop.seq
        return None

    @one_action
    def correct(self, answer_seq: int, observed: Sequence[str], *, reason: str, by: str):
        """Record a corrected answer pointing at the wrong one. It never lifts a stop or a hold."""
        from armory.ledger.entries import Correction

        key = self.state.answers_by_seq.get(answer_seq)
        ans = self.state.answers.get(key) if key else None
        if ans is None or ans.seq != answer_seq:
            raise InputError(f"entry {answer_seq} is not the current answer of any check")
        if ans.sensed:
            raise InputError("a sensed item is read from the ledger and cannot be corrected by hand")
        if not reason.strip():
            raise InputError("a correction needs a reason")
        day, scene, setup, weapon, phase, _rule = (None if p == "-" else p for p in key.split("/", 5))
        item = next(i for i in self.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon)
                    if i.key == key)
        values = self._dated(item.rule, day, judging.parse_all(item.rule, list(observed), item.per_round))
        facts = self.facts(day, scene, setup, weapon)
        passed = judging.judge(item.rule, values, facts, self.local_now())
        was_pass = ans.verdict == "pass"  # read now: appending the correction folds it into ``ans``
        entry = self._append("correction", by, Correction(
            corrects_seq=answer_seq, observed=values, verdict="pass" if passed else "fail", reason=reason.strip(),
            signed_by=[by]))
        if not passed and was_pass:
            # A mistyped pass that really failed: the failure now counts as if answered so.
            self._after_judgement(item, values, False, judging.expected_text(item.rule, facts), entry.seq, by)
            if item.severity in ("stop", "hold"):
                self.state.answers[key].verdict = "fail"
        return entry
