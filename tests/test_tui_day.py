"""A whole shooting day on the sample production, driven through the TUI with Pilot.

Every assertion is on engine and ledger state, not on what the screen says:
the TUI holds no domain logic, so what matters is what it made the engine do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select, SelectionList, Static

from armory.checklist.judge import passing_answer
from armory.checklist.round_checks import rounds_verified
from armory.paths import SAMPLE_PRODUCTION
from armory.tui.app import ArmoryApp
from armory.tui.screens.board import BoardScreen
from armory.tui.screens.checks import ChecksScreen
from armory.tui.screens.handover import HandoverScreen
from armory.tui.screens.home import HomeScreen
from armory.tui.screens.rounds import RoundsScreen
from armory.tui.screens.sign import SignModal
from armory.tui.screens.stop import StopScreen

SIZE = (100, 30)
ARMORER, ACTOR, OFFICER, FIRST_AD = "ana-reyes", "eli-stone", "carla-diaz", "dan-hollis"
PINS = {ARMORER: "1111", ACTOR: "5555", OFFICER: "3333", FIRST_AD: "4444"}


DEMO_PINS = {"ana-reyes": "1111", "ben-cho": "2222", "carla-diaz": "3333", "dan-hollis": "4444",
             "eli-stone": "5555", "faye-moreno": "6666", "gus-park": "7777", "hana-wolfe": "8888"}


def fixed_clock() -> dt.datetime:
    # Day 1 of the sample, mid-afternoon in the production's time zone.
    return dt.datetime(2000, 1, 3, 20, 0, tzinfo=dt.timezone.utc)


def make_app(ledger: Path) -> ArmoryApp:
    return ArmoryApp(SAMPLE_PRODUCTION, ledger, clock=fixed_clock)


def kinds(app: ArmoryApp) -> list[str]:
    return [entry.kind for entry in app.session.ledger.entries(scope=None)]


async def answer_current(pilot, app: ArmoryApp, value: str | None = None) -> None:
    """Answer the checks screen's current question the way a person would: keys only."""
    screen = app.screen
    assert isinstance(screen, ChecksScreen)
    item = screen.current
    assert item is not None
    session = app.session
    if value is None:
        facts = session.facts(item.day, item.scene, item.setup, item.weapon)
        value = passing_answer(item.rule, facts, session.local_now())
    if screen.round_group:
        # One pick a round for every per-round check of the weapon: the first option that passes them all,
        # or the option that answers this one check with ``value``.
        choices = screen.query_one("#choices", OptionList)
        ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        target = next(i for i in ids if (i.startswith("pass-") if value is None
                                         else screen.group_options[i].get(item.key) == value))
        await pilot.press(*["down"] * (ids.index(target) + 1), "enter")
    elif item.answer_kind in ("choice", "yes_no"):
        options = list(item.choices) if item.answer_kind == "choice" else ["yes", "no"]
        await pilot.press(*["down"] * (options.index(value) + 1), "enter")
    else:
        # Typing is proved in test_tui_modals; here the value is put in the field and Enter submits it.
        screen.query_one("#answer", Input).value = value
        await pilot.press("enter")
    await pilot.pause()
    if isinstance(app.screen, SignModal):  # asked of someone else (the actor shown the load): they sign
        who = app.screen.query_one("#who-0", Select).value
        await sign(pilot, app, DEMO_PINS[who])


async def answer_all(pilot, app: ArmoryApp) -> int:
    answered = 0
    while isinstance(app.screen, ChecksScreen) and app.screen.current is not None:
        await answer_current(pilot, app)
        answered += 1
        message = app.screen.query_one("#answer-msg", Static).content
        assert answered < 60, (app.screen.current.rule.id, str(message))
    return answered


async def sign(pilot, app: ArmoryApp, *pins: str, reason: str | None = None) -> None:
    """Type each PIN (fields are preselected), the reason if asked, then Enter on the button."""
    modal = app.screen
    assert isinstance(modal, SignModal)
    for index, pin in enumerate(pins):
        modal.query_one(f"#pin-{index}", Input).value = pin
    if reason is not None:
        modal.query_one("#reason", Input).value = reason
    modal.query_one("#confirm").focus()
    await pilot.pause()
    await pilot.press("enter")  # only Enter on the button signs
    await pilot.pause()


async def sign_handover(pilot, app: ArmoryApp, counts: dict[str, str] | None = None) -> None:
    """Sign the handover's dialog: each count of the load shown (the rounds loaded, unless ``counts`` says
    otherwise for a field), each signer's PIN; then Enter on the button."""
    modal = app.screen
    assert isinstance(modal, SignModal)
    for field in modal.query(Input):
        name = (field.id or "").removeprefix("field-")
        if name.startswith("count-"):
            field.value = (counts or {}).get(name, "6")
    index = 0
    while modal.query(f"#pin-{index}"):
        modal.query_one(f"#pin-{index}", Input).value = DEMO_PINS[str(modal.query_one(f"#who-{index}", Select).value)]
        index += 1
    modal.query_one("#confirm").focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def open_day(pilot, app: ArmoryApp) -> None:
    await pilot.press("o")
    await pilot.pause()
    await pilot.press("s")
    await pilot.pause()
    await sign(pilot, app, PINS[ARMORER])
    assert isinstance(app.screen, ChecksScreen)


async def open_day_to_checks(pilot, app: ArmoryApp) -> None:
    """Open the day, answer its day-start checks, and open the setup checks of the board's first weapon."""
    await open_day(pilot, app)
    await answer_all(pilot, app)
    await pilot.press("escape", "b")
    await pilot.pause()
    await pilot.press("c")
    await pilot.pause()


async def open_day_to_rounds(pilot, app: ArmoryApp) -> None:
    """Open the day, answer its day-start checks, and open the rounds of the board's first weapon."""
    await open_day(pilot, app)
    await answer_all(pilot, app)
    await pilot.press("escape", "b")
    await pilot.pause()
    await pilot.press("v")
    await pilot.pause()


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return tmp_path / "day.sqlite"


async def test_a_whole_shooting_day(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "SAMPLE" in str(app.screen.query_one("#sample-pins", Static).content)

        # Open the day: the packs in force go on record; the day-start checks follow.
        await open_day(pilot, app)
        state = app.session.state
        assert state.current_day == "day-1"
        opened = app.session.ledger.get(state.days_opened["day-1"])
        assert opened.who == ARMORER
        assert {p["id"] for p in opened.payload["packs"]} == {p.pack.pack.id for p in app.session.packs}
        assert await answer_all(pilot, app) > 0
        assert all(i.status != "pending" for i in app.screen.items if not i.sensed)

        # The board, then the first weapon's checks in its setup, one question at a time.
        await pilot.press("escape")
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("c")
        await pilot.pause()
        checks = app.screen
        assert isinstance(checks, ChecksScreen) and checks.weapon == "saa-1" and checks.setup == "12a"
        # Blind: the expected value is nowhere on screen before the answer.
        first = checks.current
        assert first.expected_text is None
        await answer_all(pilot, app)
        items = [i for i in checks.items if not i.sensed]
        # The actor and the 1st AD count the load as they sign the handover: not asked here, and said so.
        later = {i.rule.id for i in items if i.status == "pending"}
        assert later == {"handoff.show-the-load", "handoff.show-the-load-ad"}
        assert "Asked at the handover" in str(checks.query_one("#question", Static).content)
        items = [i for i in items if i.rule.id not in later]
        assert items and all(i.status == "passed" for i in items)
        assert kinds(app).count("answer") >= len(items)

        # Round by round: six dummies, each one looked at once in the per-round checks (shaken, its primer
        # pocket and its case seen, one pick a round); the rounds step has nothing left to ask.
        rounds = rounds_verified(app.session, "day-1", "12", "12a", "saa-1")
        assert sorted(rounds) == [1, 2, 3, 4, 5, 6] and {r.verdict for r in rounds.values()} == {"pass"}
        assert "round_verified" not in kinds(app)
        await pilot.press("escape")
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, RoundsScreen)
        assert "Every round is verified" in str(app.screen.query_one("#question", Static).content)

        # Hand over: the first AD may not hand the revolver to the actor...
        await pilot.press("escape")
        await pilot.press("h")
        await pilot.pause()
        handover = app.screen
        assert isinstance(handover, HandoverScreen)
        handover.query_one("#giver", Select).value = FIRST_AD
        await pilot.pause()
        assert handover.check_action("hand_over", ()) is None
        assert not handover.decision.allowed
        assert "REFUSED" in str(handover.query_one("#handover-reasons", Static).content)
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen is handover  # greyed out: the key does nothing
        # ...the armorer may, once both sign.
        handover.query_one("#giver", Select).value = ARMORER
        handover.query_one("#witnesses", SelectionList).select(FIRST_AD)
        await pilot.pause()
        assert handover.check_action("hand_over", ()) is True
        await pilot.press("f5")
        await pilot.pause()
        await sign_handover(pilot, app)
        weapon = app.session.state.weapons["saa-1"]
        assert weapon.holder == ACTOR and weapon.rounds_out == 6
        entries = list(app.session.ledger.entries(scope=None))
        handoff = [e for e in entries if e.kind == "handoff"][-1]
        assert handoff.payload["signed_by"] == [ARMORER, ACTOR]
        # Their counts went on record first, each signed by the one who counted, then the handoff.
        shown = {e.payload["rule_id"]: e for e in entries if e.kind == "answer"
                 and e.payload["rule_id"] in ("handoff.show-the-load", "handoff.show-the-load-ad")}
        assert shown["handoff.show-the-load"].payload["signed_by"] == [ACTOR]
        assert shown["handoff.show-the-load-ad"].payload["signed_by"] == [FIRST_AD]
        assert max(e.seq for e in shown.values()) < handoff.seq
        assert handoff.payload["witnesses"] == [FIRST_AD]

        # Take back: nothing fired, six back; reconciled.
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one("#field-fired", Input).value = "0"
        app.screen.query_one("#field-returned", Input).value = "6"
        await sign(pilot, app, PINS[ARMORER], PINS[ACTOR])
        assert app.session.state.weapons["saa-1"].holder is None
        returned = [e for e in app.session.ledger.entries(scope=None) if e.kind == "return"][-1]
        assert returned.payload["reconciled"] is True
        assert not app.session.state.open_stops

        # Straight on to the checks of the revolver as it came back, the ones the ledger senses ticked already.
        back = app.screen
        assert isinstance(back, ChecksScreen) and back.phases == ("on_return",)
        assert (back.scene, back.setup, back.weapon) == ("12", "12a", "saa-1")
        sensed = {i.rule.id: i for i in back.items if i.sensed}
        assert sensed["rounds.reconciliation"].status == "passed"
        assert "✓ Every round of this weapon accounted for" in str(back.query_one("#sensed", Static).content)
        assert back.current is not None and not back.current.sensed
        assert await answer_all(pilot, app) == 3  # who collected it, the cylinder, what came back
        on_return = [e.payload["rule_id"] for e in app.session.ledger.entries(scope=None)
                     if e.kind == "answer" and e.payload["phase"] == "on_return" and not e.payload.get("sensed")]
        assert sorted(on_return) == ["handoff.collected-by", "handoff.cylinder-back", "rounds.returned-cases"]
        assert "saa-1 is back in the armory" in str(back.query_one("#question", Static).content)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)

        # An incident: a misfire stops every firearm, full screen.
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("down", "enter")  # nothing is chosen until an arrow key: misfire is first
        app.screen.query_one("#incident-text", Input).value = "hammer fell, no fire"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        stops = app.session.state.open_stops
        assert len(stops) == 1 and stops[0].scope == "production"
        assert set(stops[0].weapons) >= {"saa-1", "saa-2", "rifle-1"}

        # Clearing it: the safety officer signs with a reason.
        await pilot.press("x")
        await pilot.pause()
        await sign(pilot, app, PINS[OFFICER], reason="cylinder checked, primer dud, lot quarantined")
        assert not app.session.state.open_stops
        clearance = [e for e in app.session.ledger.entries(scope=None) if e.kind == "clearance"][-1]
        assert clearance.payload["signed_by"] == [OFFICER]

        # The misfire was a firing sequence: the bore is looked through before the day may close (S1, F9);
        # the weapon's checks put that question first.
        while not isinstance(app.screen, BoardScreen):
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ChecksScreen) and app.screen.phases[0] == "after_firing"
        assert await answer_all(pilot, app) > 0

        # Closing the day: the end-of-day checks first, then the armorer signs, then the head to note.
        while not isinstance(app.screen, BoardScreen):
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ChecksScreen) and app.screen.phases == ("end_of_day",)
        assert await answer_all(pilot, app) > 0
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, SignModal)
        await sign(pilot, app, PINS[ARMORER])
        state = app.session.state
        assert "day-1" in state.days_closed
        assert kinds(app)[-2:] == ["day_closed", "checkpoint"]
        head = app.session.ledger.head()
        shown = str(app.screen.query_one("#closed-head", Static).content)
        assert head.hash[:16] in shown and app.session.ledger.key_fingerprint() in shown


async def test_a_live_round_stops_every_firearm(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_rounds(pilot, app)
        options = app.screen.query_one("#methods", OptionList)
        live = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == "live")
        await pilot.press(*["down"] * (live + 1), "enter")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        stop = app.session.state.open_stops[0]
        assert stop.scope == "production" and stop.cause == "invariant.live-round"
        text = str(app.screen.query_one("#stop-text", Static).content)
        assert "EVERY FIREARM" in text and "safety officer" in text


async def test_a_wrong_answer_is_corrected_by_a_new_entry(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_checks(pilot, app)
        while app.screen.current.rule.id != "handling.serial":
            await answer_current(pilot, app)
        item = app.screen.current
        await answer_current(pilot, app, "9999")
        # A failed stop: the stop screen, then back to the checks.
        assert isinstance(app.screen, StopScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        choices = app.screen.choices
        index = next(i for i, (_, choice) in enumerate(choices) if choice.rule.id == "handling.serial")
        await pilot.press(*["down"] * index, "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignModal)
        app.screen.query_one("#field-observed", Input).value = "8461"  # the right last four
        await sign(pilot, app, PINS[ARMORER], reason="misread the serial plate")
        corrections = [e for e in app.session.ledger.entries(scope=None) if e.kind == "correction"]
        wrong = app.session.state.answers[item.key]
        assert len(corrections) == 1 and corrections[0].payload["observed"] == ["8461"]
        assert corrections[0].payload["corrects_seq"] == wrong.seq
        # The stop stays open: a correction never lifts it, and the screen says so in words.
        assert [s.cause for s in app.session.state.open_stops] == ["handling.serial"]
        while not hasattr(app.screen, "last_verdict"):
            await pilot.press("escape")  # the stop screen over the checks
            await pilot.pause()
        assert "never lifts it" in app.screen.last_verdict[1]


async def test_a_live_round_is_sealed_then_cleared(ledger: Path):
    """After a live round the weapon and lot are evidence: sealed (numbers recorded) before the stop clears."""
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_rounds(pilot, app)
        await pilot.press("up", "enter")  # the last choice: a live round
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        stop = app.session.state.open_stops[0]
        assert "Seal them first" in str(app.screen.query_one("#stop-text", Static).content)
        # Clearing first is not possible: the seal modal comes before any PIN for the clearance.
        await pilot.press("x")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, SignModal) and modal.purpose == "seal"
        modal.query_one("#field-seal-0", Input).value = "EV-0001"
        modal.query_one("#field-seal-1", Input).value = "EV-0002"
        await sign(pilot, app, PINS[ARMORER])
        assert app.session.sealed_items() == {"saa-1": "EV-0001", "d45-a": "EV-0002"}
        # ...and the clearance follows at once.
        assert isinstance(app.screen, SignModal) and app.screen.purpose == "clear_stop"
        await sign(pilot, app, PINS[OFFICER], reason="live round removed, lot quarantined, police informed")
        assert stop.seq in app.session.state.cleared


async def test_take_back_counts_are_checked_before_anyone_signs(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_checks(pilot, app)
        await answer_all(pilot, app)  # each round is verified in the per-round checks
        await pilot.press("escape", "h")
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        await sign_handover(pilot, app)
        assert app.session.state.weapons["saa-1"].holder == ACTOR
        await pilot.press("t")
        await pilot.pause()
        modal = app.screen
        modal.query_one("#field-fired", Input).value = "two"
        modal.query_one("#field-returned", Input).value = "-4"
        await sign(pilot, app, PINS[ARMORER], PINS[ACTOR])
        # Still the modal, with each problem beside its field, and nothing recorded or lost.
        assert app.screen is modal
        assert "whole number" in str(modal.query_one("#msg-field-fired", Static).content)
        assert "whole number" in str(modal.query_one("#msg-field-returned", Static).content)
        assert modal.query_one("#field-fired", Input).value == "two"
        assert app.session.state.weapons["saa-1"].holder == ACTOR


async def test_a_failing_round_is_recorded_at_once(ledger: Path):
    """A dummy that does not rattle in round 2 of 6 is on record (and stops) before round 3 is asked."""
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_checks(pilot, app)
        screen = app.screen
        while not screen.current.per_round:
            await answer_current(pilot, app)
        item = screen.current
        before = len(app.session.ledger)
        await answer_current(pilot, app)  # round 1 passes: nothing recorded yet
        assert len(app.session.ledger) == before and len(screen.round_answers) == 1
        failing = next(v for v in (list(item.choices) or ["no"]) if app.session.round_fails(item, v))
        await answer_current(pilot, app, failing)
        answers = [e for e in app.session.ledger.entries(scope=None) if e.kind == "answer"]
        assert answers[-1].payload["rule_id"] == item.rule.id and answers[-1].payload["verdict"] == "fail"
        assert answers[-1].payload["stopped_at_round"] == 2


async def test_a_failed_stop_check_is_asked_again_once_its_stop_is_cleared(ledger: Path):
    """Otherwise the setup stays blocked all day: the engine wants it answered again once fixed."""
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_checks(pilot, app)
        while app.screen.current.rule.id != "handling.serial":
            await answer_current(pilot, app)
        await answer_current(pilot, app, "9999")
        assert isinstance(app.screen, StopScreen)
        await pilot.press("x")
        await pilot.pause()
        await sign(pilot, app, PINS[OFFICER], reason="wrong weapon picked up; the right one brought out")
        assert not app.session.state.open_stops
        while not isinstance(app.screen, ChecksScreen):
            await pilot.press("escape")
            await pilot.pause()
        item = app.screen.current
        assert item.rule.id == "handling.serial" and item.status == "failed"
        assert "Answer again" in str(app.screen.query_one("#question", Static).content)
        await answer_current(pilot, app, "8461")
        again = next(i for i in app.screen.items if i.rule.id == "handling.serial")
        assert again.status == "passed"


async def test_the_day_start_checks_are_reachable_again_from_the_board(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await answer_current(pilot, app)
        await pilot.press("escape", "b")
        await pilot.pause()
        assert "d: the day-start checks are not finished" in str(app.screen.query_one("#board-missing", Static).content)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ChecksScreen) and app.screen.phases == ("day_start",)
        assert app.screen.current is not None  # the next unanswered day-start question


async def test_one_seal_number_on_two_bags_is_refused_before_anything_is_sealed(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_rounds(pilot, app)
        await pilot.press("up", "enter")  # a live round
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        modal = app.screen
        modal.query_one("#field-seal-0", Input).value = "S-100"
        modal.query_one("#field-seal-1", Input).value = "s-100 "
        await sign(pilot, app, PINS[ARMORER])
        assert app.screen is modal and app.session.sealed_items() == {}
        assert "each bag has its own seal" in str(modal.query_one("#msg-field-seal-1", Static).content)


async def test_a_safety_officer_reviews_an_incident_from_the_first_screen(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await answer_all(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        await pilot.press(*["down"] * 5)  # nothing chosen at first; the fifth is "Complaint from crew": stops nothing
        app.screen.query_one("#incident-text", Input).value = "actor waved the prop at the camera"
        app.screen.query_one("#confirm").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert [i.incident for i in app.session.state.unreviewed_incidents] == ["complaint"]
        while not isinstance(app.screen, HomeScreen):
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        await sign(pilot, app, PINS[OFFICER], reason="actor re-briefed; prop holstered between takes")
        assert app.session.state.unreviewed_incidents == []
        review = [e for e in app.session.ledger.entries(scope=None) if e.kind == "incident_reviewed"][-1]
        assert review.payload["signed_by"] == [OFFICER]


async def test_text_people_typed_is_never_read_as_markup(ledger: Path):
    """An incident described as 'click [/b] no bang' is listed, chosen and reviewed without a crash."""
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await answer_all(pilot, app)
        for text in ("click [/b] no bang", "[bold]second[/] one"):
            app.session.record_incident(incident="complaint", day="day-1", weapon=None, description=text,
                                        reported_by=ARMORER)
        while not isinstance(app.screen, HomeScreen):
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("w")  # two waiting: the picker lists both descriptions as typed
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignModal)


async def test_a_misfire_cannot_be_recorded_against_a_prop_that_does_not_fire(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await answer_all(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        modal = app.screen
        await pilot.press("down", "enter")  # Misfire
        modal.query_one("#incident-weapon", Select).value = "replica-1"
        modal.query_one("#incident-text", Input).value = "click"
        modal.query_one("#confirm").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is modal and not app.session.state.open_stops
        assert "does not fire" in str(modal.query_one("#msg-incident", Static).content)


async def test_opening_a_day_on_another_date_than_its_schedule_says_so(ledger: Path):
    """The sample's day-1 is scheduled for 3 January 2000; opened on 1 December 2026, the app says so first."""
    later = lambda: dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.timezone.utc)  # noqa: E731
    app = ArmoryApp(SAMPLE_PRODUCTION, ledger, clock=later)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        title = str(app.screen.query_one("#open-day-title", Static).content)
        assert "scheduled for Mon 3 Jan 2000, but today is Tue 1 Dec 2026" in title
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SignModal)
        assert any("but today is Tue 1 Dec 2026" in str(w.content) for w in app.screen.query(Static))
