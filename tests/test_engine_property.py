"""No sequence of actions puts a firearm in an actor's hands unsafely.

A hypothesis state machine drives the engine with random actions by random
people. Its oracle reads the ledger entries on its own, never the engine's
state: for every handoff to a non-handler it recomputes from the raw entries
whether a stop was open, whether the giver was an armorer, and whether the
checks and rounds for that setup were complete, clear and recent.
"""

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from armory.checklist.judge import passing_answer
from armory.checklist.plan import plan_checks
from armory.checklist.session import parse_time
from armory.problems import InputError
from tests.engine_helpers import open_session

PEOPLE = ["arm", "asst", "so", "ad", "actor"]
HANDLERS_ON_DAY1 = {"arm", "asst"}
SETUPS = [("church", "a"), ("street", "b")]
VALID = dt.timedelta(minutes=30)


def oracle_violations(session) -> list[str]:
    entries = list(session.ledger.entries(scope=session.scope))
    production = session.production
    open_stops: dict[int, dict] = {}
    answers: dict[tuple, dict] = {}
    overridden: set[int] = set()
    rounds: dict[tuple, dict[int, tuple[str, str]]] = {}
    problems = []
    for e in entries:
        p = e.payload
        if e.kind == "stop":
            open_stops[e.seq] = p
            firearms = {w.id for w in production.weapon if w.firing}
            if p["scope"] == "production" and not firearms <= set(p["weapons"]):
                problems.append(f"{e.seq}: a production-wide stop leaves out {sorted(firearms - set(p['weapons']))}")
        elif e.kind == "clearance":
            open_stops.pop(p["stop_seq"], None)
        elif e.kind == "answer":
            answers[(p["day"], p.get("scene"), p.get("setup"), p.get("weapon"), p["phase"], p["rule_id"])] = {
                "seq": e.seq, "verdict": p["verdict"], "severity": p["severity"], "time": e.time}
        elif e.kind == "override":
            overridden.add(p["answer_seq"])
        elif e.kind == "round_verified":
            rounds.setdefault((p["day"], p["scene"], p["setup"], p["weapon"]), {})[p["round_no"]] = (p["verdict"], e.time)
        elif e.kind == "handoff" and p["receiver"] not in HANDLERS_ON_DAY1:
            now = parse_time(e.time)
            w = p["weapon"]
            if p["giver"] not in HANDLERS_ON_DAY1:
                problems.append(f"{e.seq}: handed over by {p['giver']}")
            if any(w in s["weapons"] for s in open_stops.values()):  # a production stop lists every firearm
                problems.append(f"{e.seq}: handed over with a stop open")
            for phase in ("day_start", "before_setup", "before_handoff"):
                where = (None, None, None) if phase == "day_start" else (p["scene"], p["setup"], w)
                for pc in plan_checks(production, session.packs, day=p["day"], phase=phase, scene=where[0],
                                      setup=where[1], weapon=where[2]):
                    a = answers.get((p["day"], *where, phase, pc.rule.id))
                    ok = a is not None and (a["verdict"] == "pass" or a["severity"] == "note" or
                                            (a["severity"] == "hold" and a["seq"] in overridden))
                    recent = phase == "day_start" or (a is not None and now - parse_time(a["time"]) <= VALID)
                    if not ok or not recent:
                        problems.append(f"{e.seq}: {pc.rule.id} not complete, clear and recent")
            issue = session.issue_of(p["day"], p["scene"], p["setup"], w)
            if production.weapon_by_id(w).firing and issue.load != "cold":
                got = rounds.get((p["day"], p["scene"], p["setup"], w), {})
                good = [n for n, (v, t) in got.items() if v == "pass" and now - parse_time(t) <= VALID
                        and n <= issue.rounds]
                if len(good) != issue.rounds:
                    problems.append(f"{e.seq}: {len(good)} of {issue.rounds} rounds verified")
    return problems


class HandoffMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="armory-prop-"))
        self.s = open_session(self.dir)
        self.s.open_day("day-1", armorer="arm")

    def teardown(self):
        self.s.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _try(self, fn, *args, **kw):
        try:
            fn(*args, **kw)
        except InputError:
            pass  # refusals and unusable input are part of the game

    @rule(setup=st.sampled_from(SETUPS), weapon=st.sampled_from(["colt", "replica"]), correct=st.booleans(),
          by=st.sampled_from(PEOPLE), phase=st.sampled_from(["before_setup", "before_handoff"]))
    def answer_checks(self, setup, weapon, correct, by, phase):
        scene, setup_id = setup
        try:
            items = self.s.checklist(day="day-1", phase=phase, scene=scene, setup=setup_id, weapon=weapon)
        except InputError:
            return
        for item in items:
            if item.sensed:
                continue
            value = passing_answer(item.rule, self.s.facts("day-1", scene, setup_id, weapon), self.s.local_now())
            if not correct or value is None:
                value = "1"
            self._try(self.s.answer, item=item, observed=[value] * max(item.per_round, 1), by=by)

    @rule(setup=st.sampled_from(SETUPS), method=st.sampled_from(["rattle", "crimped_blank", "rattle", "live"]),
          by=st.sampled_from(PEOPLE), upto=st.integers(1, 6))
    def verify_rounds(self, setup, method, by, upto):
        scene, setup_id = setup
        for n in range(1, upto + 1):
            self._try(self.s.verify_round, day="day-1", scene=scene, setup=setup_id, weapon="colt", round_no=n,
                      method=method, by=by)

    @rule(setup=st.sampled_from(SETUPS), giver=st.sampled_from(PEOPLE), receiver=st.sampled_from(PEOPLE),
          weapon=st.sampled_from(["colt", "replica"]))
    def hand_over(self, setup, giver, receiver, weapon):
        scene, setup_id = setup
        self._try(self.s.hand_over, day="day-1", scene=scene, setup=setup_id, weapon=weapon, giver=giver,
                  receiver=receiver, signed_by=[giver, receiver])

    @rule(giver=st.sampled_from(PEOPLE), receiver=st.sampled_from(PEOPLE), fired=st.integers(0, 2),
          back=st.integers(0, 6))
    def take_back(self, giver, receiver, fired, back):
        self._try(self.s.take_back, day="day-1", weapon="colt", giver=giver, receiver=receiver, rounds_fired=fired,
                  rounds_returned=back, signed_by=[giver, receiver])

    @rule(kind=st.sampled_from(["misfire", "complaint", "unintended_discharge"]))
    def incident(self, kind):
        self._try(self.s.record_incident, incident=kind, day="day-1", weapon="colt", description="drill",
                  reported_by="arm")

    @precondition(lambda self: bool(self.s.state.open_stops))
    @rule(officer=st.sampled_from(PEOPLE))
    def clear(self, officer):
        self._try(self.s.clear_stop, self.s.state.open_stops[0].seq, reason="checked", officer=officer)

    @precondition(lambda self: bool(self.s.state.open_holds))
    @rule(signer=st.sampled_from(PEOPLE))
    def override(self, signer):
        self._try(self.s.override, self.s.state.open_holds[0].answer_seq, reason="signed", signed_by=[signer])

    @rule(setup=st.sampled_from(SETUPS), receiver=st.sampled_from(["actor", "ad"]))
    def do_it_right(self, setup, receiver):
        """The armorer's proper sequence, so that real handoffs happen between the random ones."""
        scene, setup_id = setup
        self.answer_checks(setup, "colt", True, "arm", "before_setup")
        self.answer_checks(setup, "colt", True, "arm", "before_handoff")
        self.verify_rounds(setup, "rattle" if scene == "church" else "crimped_blank", "arm", 6)
        self.hand_over(setup, "arm", receiver, "colt")

    @rule(minutes=st.sampled_from([1, 5, 20, 40]))
    def time_passes(self, minutes):
        self.s.clock.advance(minutes)

    @invariant()
    def no_unsafe_handoff(self):
        assert oracle_violations(self.s) == []


HandoffMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestHandoffMachine = HandoffMachine.TestCase


def test_oracle_catches_an_unsafe_handoff(tmp_path):
    """The oracle is not vacuous: a handoff written straight to the ledger, bypassing the engine, is caught."""
    from armory.ledger.entries import Handoff

    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    s.ledger.append("handoff", "ad", Handoff(day="day-1", scene="church", setup="a", weapon="colt", giver="ad",
                                             receiver="actor", load="dummies", rounds=5, witnesses=[],
                                             signed_by=["ad", "actor"]), scope=s.scope)
    problems = oracle_violations(s)
    assert any("handed over by ad" in p for p in problems)
    assert any("rounds verified" in p for p in problems)
