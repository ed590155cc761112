"""A spare weapon or lot for a setup: recorded with a reason, its checks and rounds from nothing, seals kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from armory.checklist.round_checks import rounds_verified
from armory.checklist.session import Session
from armory.ledger.describe import describe
from armory.paths import SAMPLE_PRODUCTION
from armory.problems import InputError
from test_tui_polish import ARMORER, pass_all

OFFICER = "carla-diaz"


def clock() -> dt.datetime:
    return dt.datetime(2000, 1, 3, 20, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def session(tmp_path: Path):
    with Session.open(SAMPLE_PRODUCTION, tmp_path / "spare.sqlite", clock=clock) as s:
        s.open_day("day-1", armorer=ARMORER)
        pass_all(s, "day-1", "day_start")
        yield s


def live_round_sealed(s: Session) -> None:
    """A live round in saa-1 in 14a: the revolver and its lot sealed, the stop cleared."""
    s.verify_round(day="day-1", scene="14", setup="14a", weapon="saa-1", round_no=1, method="live", by=ARMORER)
    (stop,) = s.state.open_stops
    s.seal(item_kind="weapon", item="saa-1", seal_id="EV-1", signed_by=[ARMORER])
    s.seal(item_kind="lot", item="d45-a", seal_id="EV-2", signed_by=[ARMORER])
    s.clear_stop(stop.seq, reason="live round bagged; police called; the day goes on with the spare", officer=OFFICER)


def test_a_spare_revolver_goes_on_the_setup_and_starts_from_nothing(session: Session):
    s = session
    target = {"scene": "14", "setup": "14a"}
    pass_all(s, "day-1", "before_setup", weapon="saa-1", **target)
    assert rounds_verified(s, "day-1", "14", "14a", "saa-1")
    live_round_sealed(s)
    assert s.spare_candidates("day-1", "14", "14a", "saa-1") == (["saa-2"], ["d45-b"])
    entry = s.put_spare(day="day-1", scene="14", setup="14a", weapon="saa-1", spare_weapon="saa-2",
                        reason="saa-1 sealed as evidence after a live round", by=ARMORER)
    assert entry.kind == "spare" and entry.payload["spare_weapon"] == "saa-2"
    assert "put a spare on scene 14, setup 14a: saa-2 (Pietta" in describe(entry, s.production)
    # The setup's row now names the spare; its checks are all to be asked and no round is verified.
    issue = s.issue_of("day-1", "14", "14a", "saa-2")
    assert issue.actor == "eli-stone" and issue.rounds == 6
    items = s.checklist(day="day-1", phase="before_setup", weapon="saa-2", **target)
    assert items and all(i.status == "pending" for i in items if not i.sensed)
    assert rounds_verified(s, "day-1", "14", "14a", "saa-2") == {}
    # Sealed stays sealed: saa-1 goes nowhere, and the spare's rounds cannot come from the sealed lot.
    assert s.sealed_items() == {"saa-1": "EV-1", "d45-a": "EV-2"}
    decision = s.may_hand_over(day="day-1", scene="14", setup="14a", weapon="saa-2", giver=ARMORER,
                               receiver="eli-stone")
    assert not decision.allowed and any(r.cause == "invariant.sealed" for r in decision.reasons)
    # ...and it is all there after a restart: the spare is a ledger entry.
    s.resync()
    assert s.issue_of("day-1", "14", "14a", "saa-2").lot == "d45-a"


def test_a_spare_must_be_of_the_same_kind_free_and_unsealed(session: Session):
    s = session
    live_round_sealed(s)
    before = len(s.ledger)
    with pytest.raises(InputError, match="cannot stand in"):
        s.put_spare(day="day-1", scene="14", setup="14a", weapon="saa-1", spare_weapon="rifle-1",
                    reason="the rifle is free", by=ARMORER)
    with pytest.raises(InputError, match="lot b45-a cannot stand in"):
        s.put_spare(day="day-1", scene="14", setup="14a", weapon="saa-1", spare_lot="b45-a",
                    reason="blanks will do", by=ARMORER)
    with pytest.raises(InputError, match="reason"):
        s.put_spare(day="day-1", scene="14", setup="14a", weapon="saa-1", spare_weapon="saa-2", reason=" ",
                    by=ARMORER)
    with pytest.raises(InputError, match="only the armorer"):
        s.put_spare(day="day-1", scene="14", setup="14a", weapon="saa-1", spare_weapon="saa-2",
                    reason="the 1st AD says so", by="dan-hollis")
    assert len(s.ledger) == before  # bad input changes nothing


def test_the_day_start_checks_are_signed_only_when_all_are_answered(tmp_path: Path):
    with Session.open(SAMPLE_PRODUCTION, tmp_path / "sign.sqlite", clock=clock) as s:
        s.open_day("day-1", armorer=ARMORER)
        with pytest.raises(InputError, match="still to answer"):
            s.sign_checks("day-1", by=ARMORER)
        pass_all(s, "day-1", "day_start")
        with pytest.raises(InputError, match="not an armorer"):
            s.sign_checks("day-1", by="dan-hollis")
        entry = s.sign_checks("day-1", by=ARMORER)
        assert entry.kind == "checks_signed" and s.state.checks_signed[("day-1", "day_start")] == entry.seq
        assert "signed the day-start checks of day-1" in describe(entry, s.production)


def test_the_spare_revolver_and_the_second_lot_go_on_the_setup_and_out_to_the_actor(session: Session):
    """After the revolver and its lot are sealed, the spare revolver is loaded from the second .45 dummy lot
    (d45-b), checked, its rounds verified one by one, and handed to the actor."""
    s = session
    s.sign_checks("day-1", by=ARMORER)
    live_round_sealed(s)
    s.put_spare(day="day-1", scene="14", setup="14a", weapon="saa-1", spare_weapon="saa-2", spare_lot="d45-b",
                reason="saa-1 and lot d45-a sealed after a live round", by=ARMORER)
    issue = s.issue_of("day-1", "14", "14a", "saa-2")
    assert (issue.weapon, issue.lot, issue.rounds) == ("saa-2", "d45-b", 6)
    target = {"scene": "14", "setup": "14a", "weapon": "saa-2"}
    pass_all(s, "day-1", "before_setup", **target)
    for round_no in range(1, 7):
        s.verify_round(day="day-1", round_no=round_no, method="rattle", by=ARMORER, **target)
    pass_all(s, "day-1", "before_handoff", **target)
    entry = s.hand_over(day="day-1", giver=ARMORER, receiver="eli-stone", signed_by=[ARMORER, "eli-stone"],
                        **target)
    assert entry.kind == "handoff" and entry.payload["rounds"] == 6
    assert s.state.weapons["saa-2"].holder == "eli-stone"
    assert s.sealed_items() == {"saa-1": "EV-1", "d45-a": "EV-2"}  # sealed stays sealed
