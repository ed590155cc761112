"""The engine end to end against a real ledger: stops, holds, handoffs, rounds, clearances."""

import dataclasses

import pytest

from armory.checklist.session import Session
from armory.checklist.types import Refused
from armory.checklist.judge import AnswerError
from armory.problems import InputError
from armory.rulebook.models import Expect
from tests.engine_helpers import EMPTY_RULES, RULES, answer_all, open_session, ready_colt


def kinds(session):
    return [e.kind for e in session.ledger.entries(scope=session.scope)]


def test_open_day_records_packs_and_senses_the_split_armorer(tmp_path):
    s = open_session(tmp_path)
    entry = s.open_day("day-1", armorer="arm")
    assert entry.kind == "day_opened"
    assert entry.payload["packs"][0]["id"] == "enginetest"
    assert len(entry.payload["packs"][0]["hash"]) == 64
    items = {i.rule.id: i for i in s.checklist(day="day-1", phase="day_start")}
    # The armorer is also assistant property master that day (F4): sensed, failed, a hold.
    assert items["t.sole-duty"].sensed and items["t.sole-duty"].status == "failed"
    assert items["t.reviewed"].status == "passed"
    assert [h.rule_id for h in s.state.open_holds] == ["t.sole-duty"]


def test_only_an_armorer_opens_the_day(tmp_path):
    s = open_session(tmp_path)
    with pytest.raises(Refused) as err:
        s.open_day("day-1", armorer="ad")
    assert err.value.reasons[0].cause == "invariant.handler-only"
    assert "day-1" not in s.state.days_opened


def test_counts_are_blind_until_answered(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    item = next(i for i in s.checklist(day="day-1", phase="before_setup", scene="church", weapon="colt")
                if i.rule.id == "t.chambers")
    assert item.expected_text is None and item.status == "pending"
    verdict = s.answer(item, ["5"], by="arm")
    assert not verdict.passed and verdict.stop_seq is not None
    assert verdict.expected_text == "the weapon's capacity (6)"
    assert "t.chambers" in verdict.message and "F2" in verdict.message
    assert s.state.stops_on("colt")


def test_bad_answer_records_nothing(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    before = len(s.ledger)
    item = s.checklist(day="day-1", phase="before_setup", scene="church", weapon="colt")[0]
    with pytest.raises(AnswerError):
        s.answer(item, ["six"], by="arm")
    assert len(s.ledger) == before


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_answer_records_nothing(tmp_path, blank):
    # An empty text answer was recorded as a failed check ("You entered . HOLD ... expected not empty").
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    item = next(i for i in s.checklist(day="day-1", phase="before_handoff", scene="church", setup="a",
                                       weapon="colt") if i.answer_kind == "text")
    before = len(s.ledger)
    with pytest.raises(AnswerError, match="^nothing entered; "):
        s.answer(item, [blank], by="arm")
    assert len(s.ledger) == before
    assert s.state.answer_for(item.key) is None


def test_sensed_items_cannot_be_answered_by_hand(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    item = next(i for i in s.checklist(day="day-1", phase="day_start") if i.sensed)
    with pytest.raises(InputError, match="sensed"):
        s.answer(item, ["0"], by="arm")


def test_clean_handoff_and_return(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    decision = s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor")
    assert decision.allowed, decision.message
    s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                witnesses=["so"], signed_by=["arm", "actor"])
    assert s.state.weapons["colt"].holder == "actor"
    assert s.state.weapons["colt"].rounds_out == 5
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=5,
                signed_by=["actor", "arm"])
    assert s.state.weapons["colt"].holder is None
    assert not s.state.open_stops


def test_first_ad_handoff_is_refused_and_recorded(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="ad",
                signed_by=["arm", "ad"]) if False else None
    with pytest.raises(Refused) as err:
        s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="ad", receiver="actor",
                    signed_by=["ad", "actor"])
    causes = {r.cause for r in err.value.reasons}
    assert "invariant.handler-only" in causes
    assert "F3" in str(err.value)
    last = list(s.ledger.entries(scope=s.scope))[-1]
    assert last.kind == "refusal" and last.payload["cause"] == "invariant.handler-only"
    assert s.state.weapons["colt"].holder is None


def test_handoff_refused_until_checks_complete_and_rounds_verified(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    d = s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor")
    causes = [r.cause for r in d.reasons]
    assert "invariant.checks-complete" in causes and "invariant.rounds-verified" in causes


def test_stale_checks_block_the_handoff(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    s.clock.advance(31)
    d = s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor")
    assert not d.allowed
    assert any("older than 30 minutes" in r.message for r in d.reasons)


def test_live_round_stops_every_firearm(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    v = s.verify_round(day="day-1", scene="church", setup="a", weapon="colt", round_no=1, method="live", by="arm")
    assert not v.passed and v.stop_seq
    stop = s.state.stops[v.stop_seq]
    assert stop.scope == "production" and stop.cause == "invariant.live-round"


def test_round_reconciliation_mismatch_is_a_stop(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                signed_by=["arm", "actor"])
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=4,
                signed_by=["actor", "arm"])
    stops = s.state.open_stops
    assert [st.cause for st in stops] == ["invariant.round-reconciliation"]
    assert s.sensed_value("rounds_unaccounted", "day-1") == 1


def test_misfire_stops_everything_and_clearance_rules(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    s.record_incident(incident="misfire", day="day-1", weapon="colt", description="click, no bang", reported_by="arm")
    stop = s.state.open_stops[0]
    assert stop.cause == "invariant.discharge" and stop.scope == "production"
    with pytest.raises(Refused, match="first assistant director|not a safety officer"):
        s.clear_stop(stop.seq, reason="fine", officer="ad")
    with pytest.raises(Refused, match="not a safety officer"):
        s.clear_stop(stop.seq, reason="fine", officer="arm")
    with pytest.raises(InputError, match="reason"):
        s.clear_stop(stop.seq, reason="  ", officer="so")
    s.clear_stop(stop.seq, reason="Barrel inspected, squib ruled out", officer="so")
    assert not s.state.open_stops


def test_officer_who_caused_a_stop_cannot_clear_it(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    s.record_incident(incident="complaint", day="day-1", weapon=None, description="x", reported_by="so")
    v = s.verify_round(day="day-1", scene="church", setup="a", weapon="colt", round_no=1, method="unconfirmed",
                       by="so")
    with pytest.raises(Refused, match="caused this stop"):
        s.clear_stop(v.stop_seq, reason="ok", officer="so")


def test_hold_needs_a_signed_override_and_correction_never_lifts(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    verdicts = answer_all(s, overrides={"t.serial": "9999"})
    v = verdicts["t.serial"]
    assert v.needs_override
    s.correct(v.entry_seq, ["4471"], reason="typo", by="arm")
    assert any(h.rule_id == "t.serial" for h in s.state.open_holds)  # the correction did not lift it
    with pytest.raises(Refused):
        s.override(v.entry_seq, reason="x", signed_by=["ad"])
    s.override(v.entry_seq, reason="serial read from the frame, matches", signed_by=["so"])
    assert not any(h.rule_id == "t.serial" for h in s.state.open_holds)


def test_correction_never_lifts_a_stop(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    v = answer_all(s, overrides={"t.chambers": "5"})["t.chambers"]
    s.correct(v.entry_seq, ["6"], reason="miscounted", by="arm")
    assert s.state.stops_on("colt")


def test_a_stop_cannot_be_overridden(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    v = answer_all(s, overrides={"t.chambers": "5"})["t.chambers"]
    with pytest.raises(Refused, match="cleared"):
        s.override(v.entry_seq, reason="trust me", signed_by=["so"])


def test_state_is_a_fold_restart_resumes(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                signed_by=["arm", "actor"])
    before = (s.state.weapons["colt"].holder, len(s.state.answers), len(s.state.rounds))
    s.close()
    again = open_session(tmp_path, clock=s.clock)
    assert (again.state.weapons["colt"].holder, len(again.state.answers), len(again.state.rounds)) == before


def test_sealed_weapon_moves_only_to_an_investigator(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    inc = s.record_incident(incident="injury", day="day-1", weapon="colt", description="hit", reported_by="arm")
    with pytest.raises(Refused, match="Seal colt, dummy-45 as evidence"):
        s.clear_stop(s.state.open_stops[0].seq, reason="scene secured", officer="so")
    s.seal(item_kind="weapon", item="colt", seal_id="SEAL-1", signed_by=["so"], incident_seq=inc.seq)
    with pytest.raises(Refused, match="Seal dummy-45 as evidence"):  # the rounds it was loaded with, too
        s.clear_stop(s.state.open_stops[0].seq, reason="scene secured", officer="so")
    s.seal(item_kind="lot", item="dummy-45", seal_id="SEAL-2", signed_by=["so"], incident_seq=inc.seq)
    stop = s.state.open_stops[0]
    s.clear_stop(stop.seq, reason="scene secured", officer="so")
    d = s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor")
    assert "invariant.sealed" in [r.cause for r in d.reasons]
    with pytest.raises(Refused):
        s.transfer_custody(item="colt", seal_id="WRONG", investigator="Det. X", agency="SFCSO", receipt="R1",
                           signed_by=["so"])
    s.transfer_custody(item="colt", seal_id="SEAL-1", investigator="Det. X", agency="SFCSO", receipt="R1",
                       signed_by=["so"])
    assert s.state.weapons["colt"].investigator == "Det. X"


@pytest.mark.parametrize("case", ["ad_handoff", "live_round", "misfire"])
def test_invariants_hold_with_an_empty_rule_pack(tmp_path, case):
    s = open_session(tmp_path, rules=EMPTY_RULES)
    assert all(not p.pack.rule for p in s.packs)
    s.open_day("day-1", armorer="arm")
    if case == "ad_handoff":
        for n in range(1, 6):
            s.verify_round(day="day-1", scene="church", setup="a", weapon="colt", round_no=n, method="rattle", by="arm")
        with pytest.raises(Refused) as err:
            s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="ad", receiver="actor",
                        signed_by=["ad", "actor"])
        assert "invariant.handler-only" in {r.cause for r in err.value.reasons}
        # ...while the armorer may: with no rules, the invariants are the whole checklist. Here the
        # armorer also holds props that day, so the built-in sole-duty hold needs its override first.
        [hold] = s.state.open_holds
        assert hold.rule_id == "invariant.sole-duty"
        s.override(hold.answer_seq, reason="props moved to the property master", signed_by=["so"])
        s.sign_checks("day-1", by="arm")  # and the armorer signs the day start: an invariant, with no rules too
        s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                    signed_by=["arm", "actor"])
    elif case == "live_round":
        s.verify_round(day="day-1", scene="church", setup="a", weapon="colt", round_no=1, method="live", by="arm")
        with pytest.raises(Refused, match="stopped"):
            s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                        signed_by=["arm", "actor"])
    else:
        s.record_incident(incident="misfire", day="day-1", weapon="colt", description="misfire", reported_by="arm")
        with pytest.raises(Refused, match="stopped"):
            s.hand_over(day="day-1", scene="street", setup="b", weapon="colt", giver="arm", receiver="actor",
                        signed_by=["arm", "actor"])


def test_live_round_freezes_weapon_and_lot_until_sealed(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    v = s.verify_round(day="day-1", scene="church", setup="a", weapon="colt", round_no=2, method="live", by="arm")
    assert s.evidence_for(v.stop_seq) == ["colt", "dummy-45"]
    s.seal(item_kind="weapon", item="colt", seal_id="S-1", signed_by=["so"])
    with pytest.raises(Refused, match="Seal dummy-45"):
        s.clear_stop(v.stop_seq, reason="found the source", officer="so")
    s.seal(item_kind="lot", item="dummy-45", seal_id="S-2", signed_by=["so"])
    s.clear_stop(v.stop_seq, reason="lot quarantined and sealed for the investigator", officer="so")
    assert not s.state.open_stops


@pytest.mark.parametrize("second", ["S-100", " s-100 "])
def test_one_seal_number_never_seals_two_items(tmp_path, second):
    # Weapon and lot both "S-100" were accepted: either bag could then stand for the other.
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    v = s.verify_round(day="day-1", scene="church", setup="a", weapon="colt", round_no=2, method="live", by="arm")
    s.seal(item_kind="weapon", item="colt", seal_id="S-100", signed_by=["so"], incident_seq=v.entry_seq)
    before = len(s.ledger)
    assert s.seal_conflict("dummy-45", second) and s.seal_conflict("colt", "S-100") is None
    with pytest.raises(InputError, match="seal S-100 is already on colt .*each physical seal has its own number"):
        s.seal(item_kind="lot", item="dummy-45", seal_id=second, signed_by=["so"])
    assert len(s.ledger) == before and "dummy-45" not in s.sealed_items()
    s.seal(item_kind="lot", item="dummy-45", seal_id="S-101", signed_by=["so"])
    assert s.sealed_items() == {"colt": "S-100", "dummy-45": "S-101"}


def test_a_text_answer_with_no_letter_or_digit_records_nothing(tmp_path):
    s = western_session(tmp_path)
    item = next(i for i in s.checklist(day="day-1", phase="day_start") if i.rule.id == "handoff.break-custodian")
    before = len(s.ledger)
    with pytest.raises(AnswerError, match="in words"):
        s.answer(item, ["!!!"], by="ana-reyes")
    assert len(s.ledger) == before


# -- a failed hold stays open until overridden (audit gap 1) ----------------------


def _serial_item(s):
    return next(i for i in s.checklist(day="day-1", phase="before_setup", scene="church", setup="a", weapon="colt")
                if i.rule.id == "t.serial")


@pytest.mark.parametrize("then", ["answer_pass", "answer_fail_again", "correct_pass", "restart"])
def test_a_failed_hold_stays_open_whatever_is_answered_after(tmp_path, then):
    s = open_session(tmp_path)
    ready_colt(s)
    failing = s.answer(_serial_item(s), ["9999"], by="arm")
    assert failing.needs_override
    if then == "answer_pass":
        assert s.answer(_serial_item(s), ["4471"], by="arm").passed  # recorded...
    elif then == "answer_fail_again":
        s.answer(_serial_item(s), ["1234"], by="arm")
    elif then == "correct_pass":
        s.correct(failing.entry_seq, ["4471"], reason="typo", by="arm")
    else:
        s.answer(_serial_item(s), ["4471"], by="arm")
        s.close()
        s = open_session(tmp_path, clock=s.clock)
    # ...but the hold on the failing answer stays open and blocks the handoff.
    assert failing.entry_seq in [h.answer_seq for h in s.state.open_holds]
    item = _serial_item(s)
    assert item.status == "failed" and item.answer_seq == failing.entry_seq
    d = s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor")
    assert not d.allowed and any("t.serial" in r.related for r in d.reasons)
    assert any("1 check failed and not resolved: Right weapon" in r.message for r in d.reasons)
    # Only an override naming the failing answer lifts it.
    s.override(failing.entry_seq, reason="serial read off the frame: 4471", signed_by=["so"])
    assert failing.entry_seq not in [h.answer_seq for h in s.state.open_holds]
    if then == "answer_fail_again":
        assert [h.rule_id for h in s.state.open_holds] == ["t.serial"]  # the second failure is a hold of its own
        s.override(s.state.open_holds[0].answer_seq, reason="frame re-read", signed_by=["so"])
        s.answer(_serial_item(s), ["4471"], by="arm")
    assert s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm",
                           receiver="actor").allowed


# -- sealed evidence is never loaded or issued again (audit gap 2) -----------------


@pytest.mark.parametrize("sealed", ["lot", "weapon"])
def test_a_sealed_lot_or_weapon_is_never_loaded(tmp_path, sealed):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    if sealed == "lot":
        s.seal(item_kind="lot", item="dummy-45", seal_id="S-2", signed_by=["so"])
    else:
        s.seal(item_kind="weapon", item="colt", seal_id="S-1", signed_by=["so"])
    with pytest.raises(Refused) as err:
        s.verify_round(day="day-1", scene="church", setup="a", weapon="colt", round_no=1, method="rattle", by="arm")
    reason = err.value.reasons[0]
    assert reason.cause == "invariant.sealed" and "F8" in reason.failures
    assert ("F1" in reason.failures) == (sealed == "lot")
    assert not s.state.rounds_for("day-1", "church", "a", "colt")
    last = list(s.ledger.entries(scope=s.scope))[-1]
    assert last.kind == "refusal" and last.payload["action"] == "verify_round"


def test_a_lot_sealed_after_loading_blocks_the_handoff(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    s.seal(item_kind="lot", item="dummy-45", seal_id="S-2", signed_by=["so"])
    d = s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor")
    assert [r.cause for r in d.reasons] == ["invariant.sealed"]
    assert "dummy-45" in d.reasons[0].message and {"F1", "F8"} <= set(d.reasons[0].failures)
    # A setup loaded from another lot is not touched by that seal.
    ready_colt(s, scene="street", setup="b")
    assert s.may_hand_over(day="day-1", scene="street", setup="b", weapon="colt", giver="arm",
                           receiver="actor").allowed


# -- an injury freezes the weapons and the ammunition involved (audit gap 3) ------


@pytest.mark.parametrize("named, out, frozen", [
    ("colt", True, ["colt", "dummy-45"]),    # the weapon named, with the lot of the setup it went out for
    ("colt", False, ["colt", "dummy-45"]),   # back in the armory: the lot it was last loaded from
    (None, True, ["colt", "dummy-45"]),      # none named: every firearm that was out, and its lot
    (None, False, ["colt", "dummy-45"]),     # none named and none out: every firearm of the production
])
def test_an_injury_freezes_weapons_and_their_lots(tmp_path, named, out, frozen):
    s = open_session(tmp_path)
    ready_colt(s)
    s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                signed_by=["arm", "actor"])
    if not out:
        s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=5,
                    signed_by=["actor", "arm"])
    inc = s.record_incident(incident="injury", day="day-1", weapon=named, description="crew member hit",
                            reported_by="arm")
    assert inc.payload["weapons"] + inc.payload["lots"] == frozen  # decided when recorded, on the record
    stop = s.state.open_stops[-1]
    assert s.evidence_for(stop.seq) == frozen
    for item in frozen:
        with pytest.raises(Refused, match=f"Seal {item}"):
            s.clear_stop(stop.seq, reason="secured", officer="so")
        s.seal(item_kind="weapon" if item == "colt" else "lot", item=item, seal_id=f"S-{item}", signed_by=["so"])
    s.clear_stop(stop.seq, reason="weapon and rounds sealed for the sheriff", officer="so")


def test_what_an_injury_or_a_misfire_freezes_is_on_the_record(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    inc = s.record_incident(incident="injury", day="day-1", weapon=None, description="hit", reported_by="arm")
    assert inc.payload["weapons"] == ["colt"]  # the replica is no firearm
    assert inc.payload["lots"] == []           # nothing was loaded yet
    misfire = s.record_incident(incident="misfire", day="day-1", weapon="colt", description="click",
                                reported_by="arm")
    assert misfire.payload["weapons"] == [] and s.evidence_for(s.state.open_stops[-1].seq) == []


# -- who may override a hold (audit gap 4) ----------------------------------------


@pytest.mark.parametrize("signer, allowed, why", [
    ("arm", False, "the hold is about Ada Armorer"),       # the split armorer signing off her own second job
    ("asst", False, "not a safety officer"),              # another armorer: not the authority either
    ("ad", False, "first assistant director"),
    ("actor", False, "not a safety officer"),
    ("so", True, ""),
])
def test_only_an_independent_safety_officer_overrides_a_hold(tmp_path, signer, allowed, why):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    hold = s.state.open_holds[0]
    assert hold.rule_id == "t.sole-duty" and s.hold_subjects(hold) == {"arm"}
    if allowed:
        s.override(hold.answer_seq, reason="props moved to the property master", signed_by=[signer])
        assert not s.state.open_holds
    else:
        with pytest.raises(Refused, match=why) as err:
            s.override(hold.answer_seq, reason="I can do both", signed_by=[signer])
        assert err.value.reasons[0].cause == "invariant.clearance-authority"
        assert {"F3", "F4"} <= set(err.value.reasons[0].failures)
        assert s.state.open_holds == [hold]


def test_whoever_gave_the_failing_answer_may_not_override_it(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    failing = s.answer(_serial_item(s), ["9999"], by="asst")
    with pytest.raises(Refused, match="Sam Assistant gave the failing answer"):
        s.override(failing.entry_seq, reason="my mistake, it is fine", signed_by=["asst"])
    s.override(failing.entry_seq, reason="serial read off the frame by me: 4471", signed_by=["so"])


# -- the split armorer is flagged with no rules at all (audit gap 5) --------------


@pytest.mark.parametrize("rules, flagged_by", [
    ("empty", ["invariant.sole-duty"]),    # no rule: the engine's own check flags it
    ("pack", ["t.sole-duty"]),             # the pack asks it as a hold: flagged once, by the rule
])
def test_a_split_armorer_is_held_at_day_start_whatever_the_packs(tmp_path, rules, flagged_by):
    s = open_session(tmp_path, rules=EMPTY_RULES if rules == "empty" else RULES)
    s.open_day("day-1", armorer="arm")
    assert [h.rule_id for h in s.state.open_holds] == flagged_by
    failed = [e.payload for e in s.ledger.entries(scope=s.scope) if e.kind == "answer" and e.payload["verdict"] == "fail"]
    assert [p["rule_id"] for p in failed] == flagged_by
    assert "F4" in failed[0]["failures"] and failed[0]["sensed"]
    items = {i.rule.id: i for i in s.checklist(day="day-1", phase="day_start")}
    assert items[flagged_by[0]].status == "failed"
    d = s.may_hand_over(day="day-1", scene="street", setup="b", weapon="replica", giver="arm", receiver="actor")
    assert any(flagged_by[0] in r.related for r in d.reasons)
    with pytest.raises(Refused, match="the hold is about Ada Armorer"):
        s.override(s.state.open_holds[0].answer_seq, reason="I can do both", signed_by=["arm"])


def test_no_built_in_hold_when_nobody_acting_as_armorer_has_a_second_job(tmp_path):
    s = open_session(tmp_path, rules=EMPTY_RULES)
    s.open_day("day-2", armorer="arm")
    assert not s.state.open_holds
    assert [i.status for i in s.checklist(day="day-2", phase="day_start")] == ["passed"]


# -- a refusal names the failures of the rules that block it (audit gap 6) --------


@pytest.mark.parametrize("blocked_by, cites", [
    ("t.sole-duty", {"F4"}),          # the split-armorer hold, still open
    ("t.serial", {"F8"}),             # a failed hold on the setup
    (None, set()),                    # nothing failed: only the invariant's own
])
def test_a_refusal_cites_the_failures_of_the_rules_that_block(tmp_path, blocked_by, cites):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    if blocked_by != "t.sole-duty":
        s.override(s.state.open_holds[0].answer_seq, reason="props moved", signed_by=["so"])
    s.sign_checks("day-1", by="arm")  # a sensed hold does not keep the armorer from signing; it still blocks
    answer_all(s, phase="before_setup", overrides={"t.serial": "9999"} if blocked_by == "t.serial" else None)
    with pytest.raises(Refused) as err:
        s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                    signed_by=["arm", "actor"])
    refusal = list(s.ledger.entries(scope=s.scope))[-1].payload
    own = {"F1", "F2", "F3"}  # checks-complete and rounds-verified (no round verified yet)
    assert own | cites <= set(refusal["failures"])
    assert set(refusal["failures"]) - own == cites - own
    if blocked_by:
        assert blocked_by in refusal["related"]  # the reason says it by title


def test_a_failed_note_is_recorded_and_never_blocks(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    notes = [i for i in s.checklist(day="day-1", phase="before_handoff", scene="church", setup="a", weapon="colt")
             if i.severity == "note"]
    assert notes
    for item in notes:
        # A blank is no answer at all (refused, never recorded), so fail the note on an observed value:
        # the same note asking for who stands in the line of fire, which must be nobody.
        asked = dataclasses.replace(item, rule=item.rule.model_copy(update={"expect": Expect(equals="nobody")}))
        assert not s.answer(asked, ["the camera operator"], by="arm").passed
    assert not s.state.open_holds
    assert s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm",
                           receiver="actor").allowed


# -- a per-round answer that fails before every round is answered ---------------------------------------


def western_session(tmp_path):
    """The bundled western production on 3 Jan 2000, 08:00 in Santa Fe: saa-1 loads six dummies in 12a."""
    import datetime as dt

    from armory import paths
    from armory.drills.runner import DrillClock

    clock = DrillClock(dt.datetime(2000, 1, 3, 15, 0, tzinfo=dt.timezone.utc))
    s = Session.open(paths.SAMPLE_PRODUCTION, tmp_path / "western.sqlite", clock=clock,
                     key_path=tmp_path / "device.key")
    s.open_day("day-1", armorer="ana-reyes")
    return s


def primer_check(s):
    return next(i for i in s.checklist(day="day-1", phase="before_setup", scene="12", setup="12a", weapon="saa-1")
                if i.rule.id == "rounds.dummy-primer")


def test_a_failing_round_is_recorded_at_once_and_stops(tmp_path):
    # Round 3 of 6 has a live primer; the armorer pressed Esc there. The failure is on record, and it stops.
    s = western_session(tmp_path)
    item = primer_check(s)
    assert item.per_round == 6
    assert not s.round_fails(item, "empty") and s.round_fails(item, "a live primer")
    verdict = s.answer(item, ["empty", "empty", "a live primer"], by="ana-reyes")
    assert not verdict.passed and verdict.failed_rounds == (3,)
    assert verdict.stop_seq is not None and s.state.stops_on("saa-1")
    assert "Round 3 of 6 failed; the check stopped there (rounds 4-6 not asked)" in verdict.message
    entry = s.ledger.get(verdict.entry_seq)
    assert entry.payload["observed"] == ["empty", "empty", "a live primer"]
    assert entry.payload["verdict"] == "fail"
    assert (entry.payload["stopped_at_round"], entry.payload["rounds_loaded"]) == (3, 6)
    assert primer_check(s).status == "failed"
    stop = s.ledger.get(verdict.stop_seq).payload
    assert stop["from_seq"] == verdict.entry_seq and "Round 3 of 6 failed" in stop["reason"]


def test_a_failing_first_round_is_an_answer_on_its_own(tmp_path):
    s = western_session(tmp_path)
    verdict = s.answer(primer_check(s), ["not sure"], by="ana-reyes")
    assert not verdict.passed and verdict.failed_rounds == (1,) and verdict.stop_seq is not None


@pytest.mark.parametrize("short", [
    [],  # nothing at all
    ["empty", "empty", "empty"],  # three passing rounds of six: not an answer yet
    ["a live primer", "empty"],  # a failing round earlier, but the list does not end on it
])
def test_every_other_short_per_round_answer_is_refused(tmp_path, short):
    s = western_session(tmp_path)
    before = len(s.ledger)
    with pytest.raises(AnswerError, match="one answer for each of the 6 rounds"):
        s.answer(primer_check(s), short, by="ana-reyes")
    assert len(s.ledger) == before and not s.state.open_stops


def test_a_full_per_round_answer_carries_no_stopping_point(tmp_path):
    s = western_session(tmp_path)
    verdict = s.answer(primer_check(s), ["empty"] * 5 + ["a live primer"], by="ana-reyes")
    payload = s.ledger.get(verdict.entry_seq).payload
    assert not verdict.passed and verdict.failed_rounds == (6,)
    assert "stopped_at_round" not in payload and "rounds_loaded" not in payload
    assert "stopped there" not in verdict.message
    with pytest.raises(AnswerError):
        s.answer(primer_check(s), ["empty"] * 7, by="ana-reyes")


# -- a round a per-round check could not confirm is treated as live (DESIGN rule 3) ----------------------


def _item(s, rule_id, *, day="day-1", scene="12", setup="12a", weapon="saa-1"):
    return next(i for i in s.checklist(day=day, phase="before_setup", scene=scene, setup=setup, weapon=weapon)
                if i.rule.id == rule_id)


@pytest.mark.parametrize("rule_id, values", [
    ("rounds.dummy-rattle", ["rattles", "rattles", "silent"]),
    ("rounds.dummy-primer", ["empty"] * 5 + ["a live primer"]),
    ("rounds.dummy-marking", ["no hole"]),
])
def test_a_round_a_per_round_check_cannot_confirm_stops_every_firearm(tmp_path, rule_id, values):
    # It used to stop only saa-1: a round not shown to be a dummy is treated as live, and a live
    # round stops every firearm of the production, as verify_round does for an unconfirmed round.
    s = western_session(tmp_path)
    verdict = s.answer(_item(s, rule_id), values, by="ana-reyes")
    assert not verdict.passed and verdict.stop_seq is not None
    stop = s.state.stops[verdict.stop_seq]
    assert stop.scope == "production" and set(stop.weapons) == {w.id for w in s.firearms()}
    assert stop.cause == "invariant.live-round"
    assert rule_id in stop.reason and "could not be confirmed as a dummy" in stop.reason
    assert {"F1", "F2", "S1"} <= set(stop.failures)
    assert s.ledger.get(stop.from_seq).payload["rule_id"] == rule_id
    assert s.state.stops_on("rifle-1") and s.state.stops_on("saa-2")
    assert rule_id in verdict.message and "invariant.live-round" in verdict.message
    assert "every firearm of the production stops" in verdict.message
    # the round is bagged, nothing was fired: nothing is sealed, and an independent officer clears it
    assert s.evidence_for(verdict.stop_seq) == []
    s.clear_stop(verdict.stop_seq, reason="round bagged, replaced", officer="carla-diaz")
    assert not s.state.open_stops


def test_a_blank_a_per_round_check_cannot_confirm_stops_every_firearm(tmp_path):
    s = western_session(tmp_path)
    s.close_day("day-1", by="ana-reyes")
    s.open_day("day-2", armorer="ana-reyes")
    item = _item(s, "rounds.blank-crimp", day="day-2", scene="31", setup="31a", weapon="saa-2")
    verdict = s.answer(item, ["a bullet or wad"], by="ana-reyes")
    stop = s.state.stops[verdict.stop_seq]
    assert stop.scope == "production" and stop.cause == "invariant.live-round"
    assert "could not be confirmed as a blank" in stop.reason and s.state.stops_on("rifle-1")


def test_a_mistyped_pass_corrected_to_an_unconfirmed_round_stops_every_firearm(tmp_path):
    # The stop was never written: the correction is folded into the answer before `correct` looked at
    # its verdict, so a mistyped pass of a stop rule corrected to a failure stopped nothing.
    s = western_session(tmp_path)
    first = s.answer(_item(s, "rounds.dummy-rattle"), ["rattles"] * 6, by="ana-reyes")
    s.correct(first.entry_seq, ["rattles"] * 5 + ["silent"], reason="round 6 was silent", by="ana-reyes")
    (stop,) = s.state.open_stops
    assert stop.scope == "production" and stop.cause == "invariant.live-round"
    s.close()
    s = western_session(tmp_path)  # replayed from the ledger: still stopped
    assert [st.seq for st in s.state.open_stops] == [stop.seq]


def test_a_mistyped_pass_of_a_stop_rule_corrected_to_a_failure_stops_the_weapon(tmp_path):
    s = western_session(tmp_path)
    first = s.answer(_item(s, "rounds.ammo-segregation"), ["0"], by="ana-reyes")
    s.correct(first.entry_seq, ["1"], reason="one blank among them", by="ana-reyes")
    (stop,) = s.state.open_stops
    assert stop.scope == "weapon" and stop.cause == "rounds.ammo-segregation" and stop.weapons == ["saa-1"]


def test_other_stop_rule_failures_still_stop_only_the_weapon(tmp_path):
    s = western_session(tmp_path)
    verdict = s.answer(_item(s, "rounds.ammo-segregation"), ["1"], by="ana-reyes")
    stop = s.state.stops[verdict.stop_seq]
    assert stop.scope == "weapon" and stop.weapons == ["saa-1"] and stop.cause == "rounds.ammo-segregation"
    assert not s.state.stops_on("rifle-1")


# -- rounds fired from a load that cannot fire ----------------------------------------------------------


def colt_out_with_dummies(s):
    ready_colt(s)
    s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                witnesses=["so"], signed_by=["arm", "actor"])


def test_dummies_that_fired_stop_every_firearm_even_when_the_count_adds_up(tmp_path):
    # Five dummies out, two "fired", three back: 5 = 3 + 2, but a dummy cannot fire.
    s = open_session(tmp_path)
    colt_out_with_dummies(s)
    entry = s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=2,
                        rounds_returned=3, signed_by=["actor", "arm"])
    assert entry.payload["reconciled"] is False  # never "every round is accounted for"
    assert s.state.weapons["colt"].holder is None
    stops = s.state.open_stops
    assert [st.cause for st in stops] == ["invariant.discharge"]  # the count adds up: no reconciliation stop
    stop = stops[0]
    assert stop.scope == "production" and set(stop.weapons) == {w.id for w in s.firearms()}
    assert {"F1", "F5", "F8", "F11"} <= set(stop.failures)
    incident = s.ledger.get(stop.from_seq)
    assert incident.kind == "incident" and incident.payload["incident"] == "unintended_discharge"
    assert incident.payload["weapon"] == "colt" and incident.payload["reported_by"] == "arm"
    assert "loaded dummies" in incident.payload["description"] and f"entry {entry.seq}" in incident.payload["description"]
    assert s.state.unreviewed_incidents  # a safety officer reviews it before the next firearms day (F5)


def test_rounds_fired_recorded_from_dummies_stop_at_once(tmp_path):
    s = open_session(tmp_path)
    colt_out_with_dummies(s)
    fired = s.record_fired(day="day-1", weapon="colt", rounds=1, by="arm", scene="church", setup="a")
    assert fired.kind == "rounds_fired"  # recorded, not refused
    assert [st.cause for st in s.state.open_stops] == ["invariant.discharge"]
    # Taken back with the fired round already on record: the count adds up, nothing new is reported fired.
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=4,
                signed_by=["actor", "arm"])
    assert [st.cause for st in s.state.open_stops] == ["invariant.discharge"]


def test_dummies_that_fired_are_unaccounted_while_the_discharge_stop_is_open(tmp_path):
    # 5 out, 2 fired, 3 back adds up, and the sensed reconciliation used to say "passed" beside a
    # return that says NOT RECONCILED: nobody can vouch for what fired from a dummy load.
    s = open_session(tmp_path)
    colt_out_with_dummies(s)
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=2, rounds_returned=3,
                signed_by=["actor", "arm"])
    assert s.sensed_value("rounds_unaccounted", "day-1") == 2
    s.close()
    s = open_session(tmp_path)  # replayed from the ledger
    assert s.sensed_value("rounds_unaccounted", "day-1") == 2
    (stop,) = s.state.open_stops
    s.clear_stop(stop.seq, reason="reviewed: the actor miscounted, four dummies found in the set", officer="so")
    assert s.sensed_value("rounds_unaccounted", "day-1") == 0


def test_a_firing_recorded_from_dummies_is_unaccounted_while_its_stop_is_open(tmp_path):
    s = open_session(tmp_path)
    colt_out_with_dummies(s)
    s.record_fired(day="day-1", weapon="colt", rounds=1, by="arm", scene="church", setup="a")
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=4,
                signed_by=["actor", "arm"])
    assert s.sensed_value("rounds_unaccounted", "day-1") == 1
    (stop,) = s.state.open_stops
    s.clear_stop(stop.seq, reason="reviewed", officer="so")
    assert s.sensed_value("rounds_unaccounted", "day-1") == 0


def test_a_discharge_recorded_by_hand_after_blanks_fired_does_not_count_them_unaccounted(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s, scene="street", setup="b")
    s.hand_over(day="day-1", scene="street", setup="b", weapon="colt", giver="arm", receiver="actor",
                witnesses=["so"], signed_by=["arm", "actor"])
    s.record_fired(day="day-1", weapon="colt", rounds=2, by="arm", scene="street", setup="b")
    s.record_incident(incident="unintended_discharge", day="day-1", weapon="colt", reported_by="arm",
                      description="fired before action was called")
    assert s.state.open_stops and s.sensed_value("rounds_unaccounted", "day-1") == 4  # the 4 still in the colt
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=4, rounds_returned=0,
                signed_by=["actor", "arm"])
    assert s.sensed_value("rounds_unaccounted", "day-1") == 0


def test_the_sensed_reconciliation_of_dummies_that_fired_fails(tmp_path):
    from armory.drills.runner import run_drill
    from armory.ledger.store import Ledger
    from armory.paths import SAMPLE_PRODUCTIONS

    result = run_drill(SAMPLE_PRODUCTIONS / "western" / "drills" / "dummies-that-fired.toml", tmp_path / "d.sqlite",
                       [], key_path=tmp_path / "device.key")
    assert not result.diff
    with Ledger.open(tmp_path / "d.sqlite", readonly=True) as ledger:
        sensed = [e.payload for e in ledger.entries(scope=None)
                  if e.kind == "answer" and e.payload["rule_id"] == "rounds.reconciliation"]
    assert sensed and sensed[-1]["verdict"] == "fail" and sensed[-1]["observed"] == ["2"]


def test_nothing_fired_from_dummies_is_fine(tmp_path):
    s = open_session(tmp_path)
    colt_out_with_dummies(s)
    entry = s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0,
                        rounds_returned=5, signed_by=["actor", "arm"])
    assert entry.payload["reconciled"] and not s.state.open_stops
    s.record_fired(day="day-1", weapon="colt", rounds=0, by="arm")
    assert not s.state.open_stops


def test_a_cold_weapon_that_fired_stops_every_firearm(tmp_path):
    s = open_session(tmp_path, rules=EMPTY_RULES)  # an invariant: no rule pack is needed
    s.open_day("day-1", armorer="arm")
    for hold in s.state.open_holds:
        s.override(hold.answer_seq, reason="second armorer covers props", signed_by=["so"])
    s.hand_over(day="day-1", scene="street", setup="b", weapon="replica", giver="arm", receiver="actor",
                signed_by=["arm", "actor"])
    s.take_back(day="day-1", weapon="replica", giver="actor", receiver="arm", rounds_fired=1, rounds_returned=0,
                signed_by=["actor", "arm"])
    # One take-back, one stop: the discharge (every firearm) names the miscount too (0 out, 1 fired).
    causes = sorted(st.cause for st in s.state.open_stops)
    assert causes == ["invariant.discharge"]
    discharge = s.state.open_stops[0]
    described = s.ledger.get(discharge.from_seq).payload["description"]
    assert discharge.scope == "production" and "cold" in described
    assert "replica: 0 out, 0 back, 1 fired: 1 round more back or fired than went out" in described


def test_blanks_fire_as_planned(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s, scene="street", setup="b")
    s.hand_over(day="day-1", scene="street", setup="b", weapon="colt", giver="arm", receiver="actor",
                witnesses=["so"], signed_by=["arm", "actor"])
    entry = s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=6,
                        rounds_returned=0, signed_by=["actor", "arm"])
    assert entry.payload["reconciled"] and not s.state.open_stops


def test_a_reconciliation_stop_says_how_many_went_out(tmp_path):
    # The reason was written after the return had emptied the weapon's state: "0 rounds out ... -4".
    s = open_session(tmp_path)
    colt_out_with_dummies(s)
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=4,
                signed_by=["actor", "arm"])
    (stop,) = s.state.open_stops
    assert stop.cause == "invariant.round-reconciliation"
    assert stop.reason.startswith("colt: 5 out, 4 back, 0 fired: 1 round not accounted for.")


def test_readiness_names_checks_by_title_and_says_how_many(tmp_path):
    # "Not yet answered: t.chambers, t.serial" listed rule ids; the crew reads titles, the ids stay for drills.
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    d = s.may_hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor")
    missing = next(r for r in d.reasons if "not yet answered" in r.message)
    assert missing.message.startswith("3 checks not yet answered: Every chamber inspected; Right weapon; "
                                      "Line of fire clear of camera.")
    assert "t.chambers" not in missing.message
    assert {"t.chambers", "t.serial", "t.camera"} <= set(missing.related)
    assert set(missing.failures) == {"F2", "F3"}  # a check merely unanswered cites the invariant's own
    with pytest.raises(Refused):
        s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                    signed_by=["arm", "actor"])
    refusal = list(s.ledger.entries(scope=s.scope))[-1].payload
    assert {"t.chambers", "t.serial", "t.camera"} <= set(refusal["related"])
    assert "Every chamber inspected" in refusal["reason"] and "t.chambers" not in refusal["reason"]


def test_the_plan_stays_blind_in_plain_words(tmp_path):
    # Before an answer a check shows no expected value at all; after it, the plain words with the value.
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    item = next(i for i in s.checklist(day="day-1", phase="before_setup", scene="church", weapon="colt")
                if i.rule.id == "t.chambers")
    assert item.expected_text is None and "6" not in item.question
    s.answer(item, ["6"], by="arm")
    item = next(i for i in s.checklist(day="day-1", phase="before_setup", scene="church", weapon="colt")
                if i.rule.id == "t.chambers")
    assert item.expected_text == "the weapon's capacity (6)"


def colt_to_actor(s) -> None:
    """The armorer hands the ready colt to the church setup's actor, both signing."""
    s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                witnesses=["so"], signed_by=["arm", "actor"])


def test_a_second_process_on_the_same_ledger_is_seen_before_anything_is_recorded(tmp_path):
    """Two armory processes on one ledger: the one drawn before the other's stop records nothing on it."""
    a = open_session(tmp_path)
    a.open_day("day-1", armorer="arm")
    b = open_session(tmp_path)
    assert b.state.current_day == "day-1"
    b.record_incident(incident="misfire", day="day-1", weapon="colt", description="click, no bang",
                      reported_by="arm")
    assert b.state.open_stops
    before = len(a.ledger)
    item = a.checklist(day="day-1", phase="before_setup", scene="church", weapon="colt")[0]
    with pytest.raises(InputError, match="another armory"):
        a.answer(item, ["6"], by="arm")
    assert len(a.ledger) == before  # nothing recorded on the stale state
    assert a.state.open_stops  # and A now sees B's stop
    b.close()
    a.close()


def test_a_day_never_closes_with_a_weapon_still_out(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    colt_to_actor(s)
    with pytest.raises(Refused) as err:
        s.close_day("day-1", by="arm")
    assert err.value.reasons[0].cause == "invariant.day-close"
    assert "colt is still with" in err.value.reasons[0].message
    assert "day-1" not in s.state.days_closed
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=5,
                signed_by=["actor", "arm"])
    s.close_day("day-1", by="arm")
    assert "day-1" in s.state.days_closed


def test_the_actor_who_signs_the_shown_load_is_the_one_who_receives_the_weapon(tmp_path):
    """Any actor of the day signed 'the load was shown to me' for another actor's revolver."""
    from armory.paths import SAMPLE_PRODUCTION
    from test_tui_day import fixed_clock

    s = Session.open(SAMPLE_PRODUCTION, tmp_path / "w.sqlite", clock=fixed_clock)
    s.open_day("day-1", armorer="ana-reyes")
    item = next(i for i in s.checklist(day="day-1", phase="before_handoff", scene="12", setup="12a", weapon="saa-1")
                if i.rule.id == "handoff.show-the-load")
    assert s.issue_of("day-1", "12", "12a", "saa-1").actor == "eli-stone"
    with pytest.raises(Refused, match="Eli Stone"):
        s.answer(item, ["6"], by="faye-moreno")
    assert s.answer(item, ["6"], by="eli-stone").passed
    s.close()


def test_a_weapon_taken_back_is_checked_and_its_rounds_verified_again_before_it_goes_out_again(tmp_path):
    """New-user pass: after a take-back (5 of 6 rounds back, stops cleared) the board said 13/13 and 6/6
    and the revolver could go straight out again, nobody having looked at it or its load since."""
    s = open_session(tmp_path)
    ready_colt(s)
    handoff = dict(day="day-1", scene="church", setup="a", weapon="colt")
    colt_to_actor(s)
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=5,
                signed_by=["actor", "arm"])
    items = s.checklist(day="day-1", phase="before_handoff", scene="church", setup="a", weapon="colt")
    assert items and all(i.status == "pending" for i in items if not i.sensed)
    assert s.state.rounds_for("day-1", "church", "a", "colt") == {}
    decision = s.may_hand_over(**handoff, giver="arm", receiver="actor")
    assert not decision.allowed
    assert {r.cause for r in decision.reasons} >= {"invariant.checks-complete", "invariant.rounds-verified"}
    ready_colt(s)  # checked and verified again
    assert s.may_hand_over(**handoff, giver="arm", receiver="actor").allowed


def test_an_action_half_way_through_when_another_process_appends_is_recorded_whole(tmp_path):
    """A live round's stop must follow its round even if an export's checkpoint lands between the two."""
    from armory.ledger.store import Ledger

    s = open_session(tmp_path)
    ready_colt(s, setup="a")
    other = Ledger.open(tmp_path / "ledger.sqlite", create=False, key_path=tmp_path / "device.key")
    original = s.state.apply

    def apply_then_other_writes(entry):
        original(entry)
        if entry.kind == "round_verified" and entry.payload.get("method") == "live":
            other.checkpoint()

    s.state.apply = apply_then_other_writes
    s.verify_round(day="day-1", scene="church", setup="a", weapon="colt", round_no=1, method="live", by="arm")
    assert [stop.cause for stop in s.state.open_stops] == ["invariant.live-round"]
    assert not s.behind()  # the other process's checkpoint is in the state too
    other.close()


def test_a_refused_close_leaves_no_end_of_day_stop_or_hold_behind(tmp_path):
    s = open_session(tmp_path)
    ready_colt(s)
    colt_to_actor(s)
    before = (list(s.state.open_stops), list(s.state.open_holds))
    with pytest.raises(Refused):
        s.close_day("day-1", by="arm")
    assert (list(s.state.open_stops), list(s.state.open_holds)) == before


def test_a_witness_is_neither_the_giver_nor_the_receiver(tmp_path):
    s = open_session(tmp_path)
    s.open_day("day-1", armorer="arm")
    before = len(s.ledger)
    with pytest.raises(InputError, match="neither the giver nor the receiver"):
        s.hand_over(day="day-1", scene="street", setup="b", weapon="colt", giver="arm", receiver="actor",
                    witnesses=["actor"], signed_by=["arm", "actor"])
    assert len(s.ledger) == before  # nothing recorded: bad input, not a refusal
