"""The armorer's clean day in fewer keys (issue 16), and what must still hold: blind counts, every
signature typed, every refusal said, nothing answered for anyone."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from armory.tui.screens.board import BoardScreen
from armory.tui.screens.handover import HandoverScreen
from armory.tui.screens.sign import SignModal
from test_tui_day import ACTOR, ARMORER, FIRST_AD, PINS, answer_all, make_app, open_day_to_checks

NARROW = (80, 24)
SHOWN = ("handoff.show-the-load", "handoff.show-the-load-ad")


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return tmp_path / "keys.sqlite"


async def to_the_handover(pilot, app) -> HandoverScreen:
    await open_day_to_checks(pilot, app)
    await answer_all(pilot, app)
    await pilot.press("escape", "h")
    await pilot.pause()
    assert isinstance(app.screen, HandoverScreen)
    return app.screen


def shown_answers(app) -> list:
    return [e for e in app.session.ledger.entries(scope=None) if e.kind == "answer" and e.payload["rule_id"] in SHOWN]


def screen_text(screen) -> str:
    return "\n".join(str(w.content) for w in screen.query(Static))


async def test_the_actor_and_the_first_ad_count_the_load_in_the_handover_dialog_and_sign_it(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        handover = await to_the_handover(pilot, app)
        assert handover.decision.allowed  # their counts are what is left, and they are given as they sign
        # Blind: the number loaded is nowhere on screen before they have counted.
        assert "6 round" not in screen_text(handover)
        await pilot.press("f5")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, SignModal)
        assert "6 round" not in screen_text(modal)
        assert modal.query_one("#field-count-0", Input).value == ""  # nothing typed for anyone
        # Key by key: the armorer's PIN, the actor's count and PIN, the 1st AD's count and PIN; Enter in the
        # last PIN signs.
        await pilot.press(*PINS[ARMORER], "enter", "6", "enter", *PINS[ACTOR], "enter", "6", "enter",
                          *PINS[FIRST_AD], "enter")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert app.session.state.weapons["saa-1"].holder == ACTOR
        answers = shown_answers(app)
        assert [(e.payload["rule_id"], e.payload["signed_by"], e.payload["verdict"]) for e in answers] == [
            ("handoff.show-the-load", [ACTOR], "pass"), ("handoff.show-the-load-ad", [FIRST_AD], "pass")]
        handoff = [e for e in app.session.ledger.entries(scope=None) if e.kind == "handoff"][-1]
        assert handoff.payload["signed_by"] == [ARMORER, ACTOR] and all(e.seq < handoff.seq for e in answers)


async def test_a_count_that_fails_is_recorded_and_the_handover_refused(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        handover = await to_the_handover(pilot, app)
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press(*PINS[ARMORER], "enter", "6", "enter", *PINS[ACTOR], "enter", "3", "enter",
                          *PINS[FIRST_AD], "enter")  # the 1st AD saw three
        await pilot.pause()
        assert app.session.state.weapons["saa-1"].holder is None
        assert "handoff" not in [e.kind for e in app.session.ledger.entries(scope=None)]
        assert [h.rule_id for h in app.session.state.open_holds] == ["handoff.show-the-load-ad"]
        assert app.screen is handover and not handover.decision.allowed
        assert "REFUSED" in str(handover.query_one("#handover-reasons", Static).content)


async def test_an_empty_count_signs_nothing_and_says_what_is_missing(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await to_the_handover(pilot, app)
        await pilot.press("f5")
        await pilot.pause()
        modal = app.screen
        # The actor's count left empty: Enter goes on past it; Enter in the last PIN names it.
        await pilot.press(*PINS[ARMORER], "enter")
        modal.query_one("#pin-1", Input).focus()
        await pilot.press(*PINS[ACTOR], "enter", "6", "enter", *PINS[FIRST_AD], "enter")
        await pilot.pause()
        assert app.screen is modal
        assert "is needed" in str(modal.query_one("#msg-field-count-0", Static).content)
        assert app.focused is modal.query_one("#field-count-0", Input)
        assert not shown_answers(app) and app.session.state.weapons["saa-1"].holder is None


async def test_the_checks_screen_leaves_the_counts_to_the_handover_and_says_so(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        checks = app.screen
        await answer_all(pilot, app)
        assert checks.current is None
        assert {i.rule.id for i in checks.at_handover} == set(SHOWN)
        assert "asked at the handover" in str(checks.query_one("#progress-line", Static).content)
        assert "Asked at the handover" in str(checks.query_one("#question", Static).content)
        assert not shown_answers(app)


async def test_the_witness_list_opens_focused_with_nothing_ticked_and_a_letter_goes_to_a_name(ledger: Path):
    from textual.widgets import SelectionList

    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        handover = await to_the_handover(pilot, app)
        listing = handover.query_one("#witnesses", SelectionList)
        assert app.focused is listing and listing.highlighted is None and not listing.selected
        names = {listing.get_option_at_index(i).value: i for i in range(listing.option_count)}
        await pilot.press("d")
        assert listing.highlighted == names[FIRST_AD] and not listing.selected  # a letter only goes there
        await pilot.press("space")
        await pilot.press("c", "space")
        await pilot.pause()
        assert set(listing.selected) == {FIRST_AD, "carla-diaz"}
        await pilot.press("x")  # nobody's name starts with it: the highlight stays
        assert listing.highlighted == names["carla-diaz"]
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press(*PINS[ARMORER], "enter", "6", "enter", *PINS[ACTOR], "enter", "6", "enter",
                          *PINS[FIRST_AD], "enter")
        await pilot.pause()
        handoff = [e for e in app.session.ledger.entries(scope=None) if e.kind == "handoff"][-1]
        assert sorted(handoff.payload["witnesses"]) == ["carla-diaz", FIRST_AD]


async def test_a_letter_goes_to_the_next_name_that_starts_with_it_in_turn(ledger: Path):
    from armory.tui.screens.handover import WitnessList

    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        handover = await to_the_handover(pilot, app)
        listing = handover.query_one("#witnesses", WitnessList)
        # Two names with one first letter: the letter goes to each in turn, then round again.
        monkey = {listing.get_option_at_index(0).value: "Dora One", listing.get_option_at_index(2).value: "Dan Two"}
        app.crew_name = lambda crew_id: monkey.get(crew_id, "Zed Other")  # type: ignore[method-assign]
        await pilot.press("d")
        assert listing.highlighted == 0
        await pilot.press("d")
        assert listing.highlighted == 2
        await pilot.press("d")
        assert listing.highlighted == 0
