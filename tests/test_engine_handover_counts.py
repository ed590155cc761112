"""The counts of those shown the load, given as the handover is signed: answers first, then the handoff."""

from __future__ import annotations

from pathlib import Path

import pytest

from armory.checklist.handoff import asked_at_handover
from armory.checklist.judge import passing_answer
from armory.checklist.session import Session
from armory.checklist.types import Refused
from armory.paths import SAMPLE_PRODUCTION
from test_tui_day import fixed_clock

DAY, SCENE, SETUP, WEAPON = "day-1", "12", "12a", "saa-1"
ARMORER, ACTOR, FIRST_AD = "ana-reyes", "eli-stone", "dan-hollis"
HANDOFF = dict(day=DAY, scene=SCENE, setup=SETUP, weapon=WEAPON, giver=ARMORER, receiver=ACTOR)


def ready_but_the_counts(tmp_path: Path) -> tuple[Session, list]:
    """The revolver of 12a with every check answered but the counts of the actor and the 1st AD."""
    s = Session.open(SAMPLE_PRODUCTION, tmp_path / "w.sqlite", clock=fixed_clock)
    s.open_day(DAY, armorer=ARMORER)
    facts = s.facts(DAY, SCENE, SETUP, WEAPON)
    for item in s.checklist(day=DAY, phase="day_start"):
        if not item.sensed and item.status == "pending":
            s.answer(item, [passing_answer(item.rule, s.facts(DAY, None, None, None), s.local_now())], by=ARMORER)
    s.sign_checks(DAY, by=ARMORER)
    later = []
    for phase in ("before_setup", "before_handoff"):
        for item in s.checklist(day=DAY, phase=phase, scene=SCENE, setup=SETUP, weapon=WEAPON):
            if item.sensed:
                continue
            if asked_at_handover(item):
                later.append(item)
                continue
            value = passing_answer(item.rule, facts, s.local_now())
            s.answer(item, [value] * max(item.per_round, 1), by=ARMORER)
    return s, later


def test_the_counts_of_those_shown_the_load_are_the_ones_asked_at_the_handover(tmp_path):
    s, later = ready_but_the_counts(tmp_path)
    assert sorted(i.rule.id for i in later) == ["handoff.show-the-load", "handoff.show-the-load-ad"]
    # Not ready without them; ready once the handover itself answers them.
    missing = s.may_hand_over(**HANDOFF)
    assert not missing.allowed and "handoff.show-the-load" in missing.reasons[0].related
    assert s.may_hand_over(**HANDOFF, counts_at_handover=True).allowed
    s.close()


def test_the_handover_records_each_count_signed_by_its_counter_then_the_handoff(tmp_path):
    s, later = ready_but_the_counts(tmp_path)
    by = {"handoff.show-the-load": ACTOR, "handoff.show-the-load-ad": FIRST_AD}
    entry = s.hand_over(**HANDOFF, signed_by=[ARMORER, ACTOR],
                        answers=[(item, ["6"], by[item.rule.id]) for item in later])
    assert entry.kind == "handoff" and s.state.weapons[WEAPON].holder == ACTOR
    answers = [e for e in s.ledger.entries() if e.kind == "answer" and e.payload["rule_id"] in by]
    assert [(e.payload["rule_id"], e.payload["signed_by"], e.payload["verdict"]) for e in answers] == [
        (item.rule.id, [by[item.rule.id]], "pass") for item in later]
    assert all(e.seq < entry.seq for e in answers)
    assert entry.payload["signed_by"] == [ARMORER, ACTOR]
    s.close()


def test_a_count_that_fails_is_recorded_with_its_hold_and_the_handover_refused(tmp_path):
    s, later = ready_but_the_counts(tmp_path)
    by = {"handoff.show-the-load": ACTOR, "handoff.show-the-load-ad": FIRST_AD}
    counts = {"handoff.show-the-load": "6", "handoff.show-the-load-ad": "3"}  # the 1st AD saw only three
    with pytest.raises(Refused):
        s.hand_over(**HANDOFF, signed_by=[ARMORER, ACTOR],
                    answers=[(item, [counts[item.rule.id]], by[item.rule.id]) for item in later])
    kinds = [e.kind for e in s.ledger.entries()]
    assert "handoff" not in kinds and kinds[-1] == "refusal"
    assert s.state.weapons[WEAPON].holder is None
    assert [h.rule_id for h in s.state.open_holds] == ["handoff.show-the-load-ad"]
    failed = [e for e in s.ledger.entries() if e.kind == "answer" and e.payload["rule_id"] in by]
    assert {e.payload["rule_id"]: e.payload["verdict"] for e in failed} == {
        "handoff.show-the-load": "pass", "handoff.show-the-load-ad": "fail"}
    s.close()


def test_a_count_given_by_someone_else_than_the_receiving_actor_is_refused_and_nothing_handed_over(tmp_path):
    s, later = ready_but_the_counts(tmp_path)
    shown = next(i for i in later if i.rule.id == "handoff.show-the-load")
    with pytest.raises(Refused, match="Eli Stone"):
        s.hand_over(**HANDOFF, signed_by=[ARMORER, ACTOR], answers=[(shown, ["6"], "faye-moreno")])
    assert s.state.weapons[WEAPON].holder is None
    assert "handoff" not in [e.kind for e in s.ledger.entries()]
    s.close()
