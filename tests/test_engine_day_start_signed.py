"""No firearm goes to an actor before the armorer has signed the day-start checks; days opened by an earlier
armory, which did not ask for that signature, replay as they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest

from armory.checklist.session import Session
from armory.checklist.types import Refused
from armory.ledger.entries import DayOpened
from armory.paths import SAMPLE_PRODUCTION
from test_tui_polish import ACTOR, ARMORER, pass_all

TARGET = {"scene": "12", "setup": "12a", "weapon": "saa-1"}


def clock() -> dt.datetime:
    return dt.datetime(2000, 1, 3, 16, 0, tzinfo=dt.timezone.utc)


def load_12a(s: Session) -> None:
    """Every check of 12a passed and its six dummies verified: all saa-1 needs to go to its actor."""
    pass_all(s, "day-1", "before_setup", **TARGET)
    for round_no in range(1, 7):
        s.verify_round(day="day-1", round_no=round_no, method="rattle", by=ARMORER, **TARGET)
    pass_all(s, "day-1", "before_handoff", **TARGET)


def hand_over(s: Session):
    return s.hand_over(day="day-1", giver=ARMORER, receiver=ACTOR, signed_by=[ARMORER, ACTOR], **TARGET)


def test_a_firearm_goes_to_an_actor_only_after_the_day_start_checks_are_signed(tmp_path: Path):
    with Session.open(SAMPLE_PRODUCTION, tmp_path / "l.sqlite", clock=clock) as s:
        opened = s.open_day("day-1", armorer=ARMORER)
        assert opened.payload["signed_before_handoff"] is True  # the day says what it asks, on record
        pass_all(s, "day-1", "day_start")
        load_12a(s)
        decision = s.may_hand_over(day="day-1", giver=ARMORER, receiver=ACTOR, **TARGET)
        [reason] = decision.reasons  # the board greys "hand over" out with the engine's own answer
        assert reason.cause == "invariant.day-start-signed"
        assert "day-start checks of day-1 are not signed" in reason.message and "f6" in reason.message
        with pytest.raises(Refused) as refused:
            hand_over(s)
        assert [r.cause for r in refused.value.reasons] == ["invariant.day-start-signed"]
        recorded = list(s.ledger.entries(scope=s.scope))[-1]
        assert recorded.kind == "refusal" and recorded.payload["cause"] == "invariant.day-start-signed"
        assert s.state.weapons["saa-1"].holder is None

        s.sign_checks("day-1", by=ARMORER)
        assert hand_over(s).kind == "handoff"
        assert s.state.weapons["saa-1"].holder == ACTOR


def test_the_signature_gates_firearms_to_actors_not_the_armory_or_a_replica(tmp_path: Path):
    with Session.open(SAMPLE_PRODUCTION, tmp_path / "l.sqlite", clock=clock) as s:
        s.open_day("day-1", armorer=ARMORER)
        pass_all(s, "day-1", "day_start")
        # The assistant armorer may take the revolver from the armorer: no actor holds it.
        assert s.may_hand_over(day="day-1", scene="12", setup="12a", weapon="saa-1", giver=ARMORER,
                               receiver="ben-cho").allowed
        # A non-firing replica is the props' work; the armorer's signature is about firearms.
        replica = s.may_hand_over(day="day-1", scene="12", setup="12a", weapon="replica-1", giver=ARMORER,
                                  receiver="faye-moreno")
        assert "invariant.day-start-signed" not in {r.cause for r in replica.reasons}


def open_day_as_before(s: Session, day: str):
    """The day opened as armory opened it before the day-start signature existed: the same entry, byte for
    byte, without ``signed_before_handoff``."""
    def earlier(**fields):
        fields.pop("signed_before_handoff", None)
        return DayOpened(**fields)

    with mock.patch("armory.ledger.entries.DayOpened", earlier):
        return s.open_day(day, armorer=ARMORER)


def test_a_day_opened_by_an_earlier_armory_is_not_refused_after_the_fact(tmp_path: Path):
    ledger = tmp_path / "older.sqlite"
    with Session.open(SAMPLE_PRODUCTION, ledger, clock=clock) as s:
        opened = open_day_as_before(s, "day-1")
        assert "signed_before_handoff" not in opened.payload
        pass_all(s, "day-1", "day_start")  # answered, never signed: that armory never asked
        load_12a(s)
    # The new armory replays that ledger and carries on with the day it finds open: no refusal for it.
    with Session.open(SAMPLE_PRODUCTION, ledger, clock=clock) as s:
        assert "day-1" not in s.state.days_to_sign and ("day-1", "day_start") not in s.state.checks_signed
        assert s.may_hand_over(day="day-1", giver=ARMORER, receiver=ACTOR, **TARGET).allowed
        assert hand_over(s).kind == "handoff"
        assert not [e for e in s.ledger.entries(scope=s.scope) if e.kind == "refusal"]
