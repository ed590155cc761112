"""No sequence of actions puts a firearm in an actor's hands unsafely.

A hypothesis state machine drives the engine with random actions by random
people. Its oracle reads the ledger entries on its own, never the engine's
state or its planner: which checks each setup needs is a table written by
hand from the fixture pack, and everything else (open stops, open holds,
seals, who holds what) is folded here from the raw entries. For every handoff
to a non-handler it asks whether a stop was open, whether the giver was an
armorer, whether every failed hold had an override entry (whatever was
answered after it), whether the checks and rounds for that setup were
complete, clear and recent, and whether the weapon or its lot was sealed; and
it checks every override's signer, every round loaded against the seals, and
every clearance of an injury or live round against the evidence sealed first.
"""

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from armory.checklist.judge import passing_answer
from armory.problems import InputError
from tests.engine_helpers import open_session

PEOPLE = ["arm", "asst", "so", "ad", "actor"]
HANDLERS_ON_DAY1 = {"arm", "asst"}
SAFETY_OFFICERS = {"so"}
SPLIT_ARMORERS_ON_DAY1 = {"arm"}  # the fixture's armorer also holds props on day-1
FIREARMS = ["colt"]
SETUPS = [("church", "a"), ("street", "b")]
VALID = dt.timedelta(minutes=30)

#: What each setup needs before a weapon goes to an actor, read by hand from tests/fixtures/engine (not planned).
DAY_START = {"t.sole-duty", "t.reviewed"}
REQUIRED = {
    ("church", "a", "colt"): {"before_setup": {"t.chambers", "t.serial"}, "before_handoff": {"t.camera"}},
    ("street", "b", "colt"): {"before_setup": {"t.chambers", "t.serial"}, "before_handoff": {"t.distance"}},
    ("street", "b", "replica"): {"before_setup": {"t.serial"}, "before_handoff": set()},
}
#: Setup -> (load, rounds, lot) per weapon, from the fixture production.
ISSUES = {
    ("church", "a", "colt"): ("dummies", 5, "dummy-45"),
    ("street", "b", "colt"): ("blanks", 6, "blank-45"),
    ("street", "b", "replica"): ("cold", 0, None),
}


def _t(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def oracle_violations(session) -> list[str]:
    entries = list(session.ledger.entries(scope=session.scope))
    open_stops: dict[int, dict] = {}
    answers: dict[int, dict] = {}              # answer seq -> its facts
    latest: dict[tuple, int] = {}              # check -> latest answer seq
    downgraded: set[int] = set()               # answers a failing correction turned to a fail
    holds: dict[int, tuple] = {}               # open failed holds: answer seq -> check
    rounds: dict[tuple, dict[int, tuple[str, str]]] = {}
    sealed: dict[str, int] = {}                # weapon or lot -> seal seq
    holder: dict[str, str | None] = {w: None for w in ("colt", "replica")}
    out_for: dict[str, tuple] = {}             # weapon -> (scene, setup) it went out for
    last_lot: dict[str, str] = {}
    evidence: dict[int, set[str]] = {}         # stop seq -> items that must be sealed before its clearance
    problems = []
    for e in entries:
        p = e.payload
        if e.kind == "stop":
            open_stops[e.seq] = p
            if p["scope"] == "production" and not set(FIREARMS) <= set(p["weapons"]):
                problems.append(f"{e.seq}: a production-wide stop leaves out {sorted(set(FIREARMS) - set(p['weapons']))}")
            source = next((x for x in entries if x.seq == p.get("from_seq")), None)
            if source is not None and source.kind == "round_verified" and p["cause"] == "invariant.live-round":
                evidence[e.seq] = {source.payload["weapon"], source.payload["lot"]}
            elif source is not None and source.kind == "incident" and source.payload["incident"] == "injury":
                named = source.payload.get("weapon")
                weapons = [named] if named else ([w for w in FIREARMS if holder[w]] or FIREARMS)
                items = set(weapons)
                for w in weapons:
                    lot = ISSUES[(*out_for[w], w)][2] if w in out_for else last_lot.get(w)
                    if lot:
                        items.add(lot)
                evidence[e.seq] = items
        elif e.kind == "clearance":
            missing = evidence.get(p["stop_seq"], set()) - set(sealed)
            if missing:
                problems.append(f"{e.seq}: stop {p['stop_seq']} cleared with {sorted(missing)} not sealed")
            open_stops.pop(p["stop_seq"], None)
        elif e.kind == "answer":
            check = (p["day"], p.get("scene"), p.get("setup"), p.get("weapon"), p["phase"], p["rule_id"])
            answers[e.seq] = {"check": check, "verdict": p["verdict"], "severity": p["severity"], "time": e.time,
                              "by": e.who}
            latest[check] = e.seq
            if p["verdict"] == "fail" and p["severity"] == "hold":
                holds[e.seq] = check
        elif e.kind == "correction":
            a = answers.get(p["corrects_seq"])
            if a is not None and p["verdict"] == "fail" and a["verdict"] == "pass":
                downgraded.add(p["corrects_seq"])
                if a["severity"] == "hold":
                    holds[p["corrects_seq"]] = a["check"]
        elif e.kind == "override":
            a = answers.get(p["answer_seq"])
            signer = p["signed_by"][0]
            if signer not in SAFETY_OFFICERS or (a and a["by"] == signer) or (
                    a and a["check"][5] == "t.sole-duty" and signer in SPLIT_ARMORERS_ON_DAY1):
                problems.append(f"{e.seq}: hold {p['answer_seq']} overridden by {signer}")
            holds.pop(p["answer_seq"], None)
        elif e.kind == "seal":
            sealed.setdefault(p["item"], e.seq)
        elif e.kind == "round_verified":
            if p["weapon"] in sealed or p.get("lot") in sealed:
                problems.append(f"{e.seq}: a round loaded into {p['weapon']} from {p.get('lot')} after a seal")
            rounds.setdefault((p["day"], p["scene"], p["setup"], p["weapon"]), {})[p["round_no"]] = (p["verdict"], e.time)
            if p.get("lot"):
                last_lot[p["weapon"]] = p["lot"]
        elif e.kind == "return":
            holder[p["weapon"]] = None
            out_for.pop(p["weapon"], None)
        elif e.kind == "handoff":
            w = p["weapon"]
            if w in sealed:
                problems.append(f"{e.seq}: sealed {w} handed to {p['receiver']}")
            holder[w] = p["receiver"]
            if p.get("scene"):
                out_for[w] = (p["scene"], p["setup"])
            if p["receiver"] in HANDLERS_ON_DAY1:
                continue
            now = _t(e.time)
            if p["giver"] not in HANDLERS_ON_DAY1:
                problems.append(f"{e.seq}: handed over by {p['giver']}")
            if any(w in s["weapons"] for s in open_stops.values()):  # a production stop lists every firearm
                problems.append(f"{e.seq}: handed over with a stop open")
            where = (p["scene"], p["setup"], w)
            for seq, check in holds.items():
                if check[0] == p["day"] and (check[1:4] == (None, None, None) or check[1:4] == where):
                    problems.append(f"{e.seq}: handed over with the hold of entry {seq} ({check[5]}) not overridden")
            needed = [("day_start", r) for r in DAY_START] + [
                (phase, r) for phase, rules in REQUIRED[where].items() for r in rules]
            for phase, rule_id in needed:
                place = (None, None, None) if phase == "day_start" else where
                seq = latest.get((p["day"], *place, phase, rule_id))
                a = answers.get(seq)
                ok = a is not None and ((a["verdict"] == "pass" and seq not in downgraded) or a["severity"] == "note"
                                        or (a["severity"] == "hold" and seq not in holds))
                recent = phase == "day_start" or (a is not None and now - _t(a["time"]) <= VALID)
                if not ok or not recent:
                    problems.append(f"{e.seq}: {rule_id} not complete, clear and recent")
            load, count, lot = ISSUES[where]
            if lot in sealed:
                problems.append(f"{e.seq}: {w} handed over loaded from sealed lot {lot}")
            if load != "cold":
                got = rounds.get((p["day"], *where), {})
                good = [n for n, (v, t) in got.items() if v == "pass" and now - _t(t) <= VALID and n <= count]
                if len(good) != count:
                    problems.append(f"{e.seq}: {len(good)} of {count} rounds verified")
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

    @rule(item=st.sampled_from([("weapon", "colt"), ("lot", "dummy-45"), ("lot", "blank-45")]),
          by=st.sampled_from(["so", "arm"]))
    def seal(self, item, by):
        kind, item_id = item
        self._try(self.s.seal, item_kind=kind, item=item_id, seal_id=f"S-{item_id}", signed_by=[by])

    @rule(weapon=st.sampled_from(["colt", None]))
    def injury(self, weapon):
        self._try(self.s.record_incident, incident="injury", day="day-1", weapon=weapon, description="hurt",
                  reported_by="arm")

    @precondition(lambda self: bool(self.s.state.answers))
    @rule(by=st.sampled_from(PEOPLE), good=st.booleans(), data=st.data())
    def correct(self, by, good, data):
        seq = data.draw(st.sampled_from(sorted(a.seq for a in self.s.state.answers.values() if not a.sensed)
                                        or [0]))
        self._try(self.s.correct, seq, ["6" if good else "1"], reason="typo", by=by)

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


def _handoff(s, weapon="colt", scene="church", setup="a", giver="arm", receiver="actor"):
    from armory.ledger.entries import Handoff

    return s.ledger.append("handoff", giver, Handoff(
        day="day-1", scene=scene, setup=setup, weapon=weapon, giver=giver, receiver=receiver, load="dummies",
        rounds=5, witnesses=[], signed_by=[giver, receiver]), scope=s.scope)


def test_oracle_catches_a_hold_lifted_by_answering_again(tmp_path):
    """Audit gap 1, written past the engine: a failed hold, a passing answer after it, no override."""
    from tests.engine_helpers import ready_colt

    s = open_session(tmp_path)
    ready_colt(s)
    serial = next(i for i in s.checklist(day="day-1", phase="before_setup", scene="church", setup="a", weapon="colt")
                  if i.rule.id == "t.serial")
    failing = s.answer(serial, ["9999"], by="arm")
    s.answer(serial, ["4471"], by="arm")
    assert oracle_violations(s) == []
    _handoff(s)
    assert any(f"hold of entry {failing.entry_seq} (t.serial) not overridden" in p for p in oracle_violations(s))


def test_oracle_catches_a_sealed_lot_loaded_and_issued(tmp_path):
    """Audit gap 2, written past the engine: rounds from a sealed lot, then the weapon handed over."""
    from armory.ledger.entries import RoundVerified
    from tests.engine_helpers import ready_colt

    s = open_session(tmp_path)
    ready_colt(s)
    s.seal(item_kind="lot", item="dummy-45", seal_id="S-2", signed_by=["so"])
    s.ledger.append("round_verified", "arm", RoundVerified(
        day="day-1", scene="church", setup="a", weapon="colt", lot="dummy-45", round_no=1, method="rattle",
        verdict="pass"), scope=s.scope)
    _handoff(s)
    problems = oracle_violations(s)
    assert any("from dummy-45 after a seal" in p for p in problems)
    assert any("loaded from sealed lot dummy-45" in p for p in problems)


def test_oracle_catches_a_self_override_and_evidence_left_loose(tmp_path):
    """Audit gaps 3 and 4, written past the engine: the split armorer signs off her own hold; an injury's stop
    is cleared with the lot the revolver was loaded from not sealed."""
    from armory.ledger.entries import Clearance, Override
    from tests.engine_helpers import ready_colt

    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    hold = s.state.open_holds[0]
    s.ledger.append("override", "arm", Override(answer_seq=hold.answer_seq, rule_id=hold.rule_id, reason="fine",
                                                signed_by=["arm"]), scope=s.scope)
    assert any(f"hold {hold.answer_seq} overridden by arm" in p for p in oracle_violations(s))

    t = open_session(tmp_path / "b")
    ready_colt(t)
    t.record_incident(incident="injury", day="day-1", weapon=None, description="hit", reported_by="arm")
    t.seal(item_kind="weapon", item="colt", seal_id="S-1", signed_by=["so"])
    stop = t.state.open_stops[-1]
    t.ledger.append("clearance", "so", Clearance(stop_seq=stop.seq, reason="sealed", signed_by=["so"]),
                    scope=t.scope)
    assert any("cleared with ['dummy-45'] not sealed" in p for p in oracle_violations(t))
