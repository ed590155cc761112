"""The armorer's day at set speed (issue 16): two keys a round, no key lost to a notice, no typo made a stop.

Driven by keys with Pilot at 80x24; what is asserted is what the engine recorded
and what the screen says.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList, Select, SelectionList, Static

from armory.checklist.round_checks import rounds_verified
from armory.tui.app import ArmoryApp
from armory.tui.screens.checks import ChecksScreen
from armory.tui.screens.handover import HandoverScreen
from armory.tui.screens.help import HelpScreen
from armory.tui.screens.stop import StopScreen
from test_tui_day import ARMORER, FIRST_AD, answer_current, fixed_clock, open_day_to_checks

NARROW = (80, 24)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return tmp_path / "day.sqlite"


def make_app(ledger: Path, **kwargs) -> ArmoryApp:
    from armory.paths import SAMPLE_PRODUCTION

    return ArmoryApp(SAMPLE_PRODUCTION, ledger, clock=fixed_clock, **kwargs)


def answers(app) -> list:
    return [e for e in app.session.ledger.entries(scope=None) if e.kind == "answer"]


async def to_rule(pilot, app, rule_id: str) -> None:
    while app.screen.current.rule.id != rule_id:
        await answer_current(pilot, app)


async def test_a_round_is_one_digit_and_enter_for_every_per_round_check(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        screen = app.screen
        while not screen.current.per_round:
            await answer_current(pilot, app)
        assert [i.rule.id for i in screen.round_group] == [
            "rounds.dummy-rattle", "rounds.dummy-primer", "rounds.dummy-marking"]
        choices = screen.query_one("#choices", OptionList)
        assert choices.highlighted is None  # nothing is chosen for the armorer
        await pilot.press("enter")
        assert screen.round_answers == []  # a stray Enter answers nothing
        before = len(answers(app))
        for _ in range(6):
            await pilot.press("1")
            assert choices.highlighted == 0
            await pilot.press("enter")
            await pilot.pause()
        recorded = answers(app)[before:]
        assert [e.payload["rule_id"] for e in recorded] == [
            "rounds.dummy-rattle", "rounds.dummy-primer", "rounds.dummy-marking"]
        assert all(len(e.payload["observed"]) == 6 and e.payload["verdict"] == "pass" for e in recorded)
        # The rounds are verified by these answers: the rounds step asks none of them again.
        rounds = rounds_verified(app.session, "day-1", "12", "12a", "saa-1")
        assert sorted(rounds) == [1, 2, 3, 4, 5, 6] and {r.verdict for r in rounds.values()} == {"pass"}


async def test_a_failing_pick_in_a_round_is_recorded_at_once_and_stops(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        screen = app.screen
        while not screen.current.per_round:
            await answer_current(pilot, app)
        choices = screen.query_one("#choices", OptionList)
        ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        silent = ids.index("fail-0-silent")
        await pilot.press("1", "enter", str(silent + 1), "enter")
        await pilot.pause()
        last = answers(app)[-1].payload
        assert last["rule_id"] == "rounds.dummy-rattle" and last["observed"] == ["rattles", "silent"]
        assert last["stopped_at_round"] == 2
        assert isinstance(app.screen, StopScreen)


async def test_keys_typed_as_a_stop_appears_are_ignored_and_it_says_so(ledger: Path):
    app = make_app(ledger, key_guard=0)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await to_rule(pilot, app, "handling.serial")
        app.screen.query_one("#answer", Input).value = "9999"
        await pilot.press("enter")
        await pilot.pause()
        stop = app.screen
        assert isinstance(stop, StopScreen)
        app.key_guard = 30.0  # every key from here is "in the moment it appeared"
        await pilot.press("enter", "x")
        await pilot.pause()
        assert app.screen is stop  # neither dismissed nor cleared
        assert "2 key(s) typed as this appeared were ignored" in str(stop.query_one("#stop-ignored", Static).content)
        app.key_guard = 0
        await pilot.press("enter")  # a deliberate key, once it has been seen
        await pilot.pause()
        assert isinstance(app.screen, ChecksScreen)


async def test_a_key_created_before_a_stop_appeared_never_reaches_it(ledger: Path):
    app = make_app(ledger, key_guard=0)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await to_rule(pilot, app, "handling.serial")
        typed_ahead = events.Key("enter", "\r")  # typed while the answer was being recorded
        app.screen.query_one("#answer", Input).value = "9999"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        app.post_message(typed_ahead)
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)


async def test_an_implausible_count_is_asked_again_then_recorded_as_typed(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await to_rule(pilot, app, "handling.chamber-count")
        screen = app.screen
        before = len(answers(app))
        await pilot.press("5", "5", "5", "5", "enter")
        await pilot.pause()
        message = str(screen.query_one("#answer-msg", Static).content)
        assert "5555?" in message and "the weapon holds 6" in message and "again" in message
        assert len(answers(app)) == before and screen.current.rule.id == "handling.chamber-count"
        assert screen.query_one("#answer", Input).value == ""
        await pilot.press("6", "enter")  # what was meant: recorded, no stop
        await pilot.pause()
        assert answers(app)[-1].payload["observed"] == ["6"] and not app.session.state.open_stops


async def test_an_implausible_value_typed_twice_is_recorded_as_it_is(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await to_rule(pilot, app, "handling.chamber-count")
        await pilot.press("5", "5", "5", "5", "enter", "5", "5", "5", "5", "enter")
        await pilot.pause()
        last = answers(app)[-1].payload
        assert last["rule_id"] == "handling.chamber-count" and last["observed"] == ["5555"]
        assert last["verdict"] == "fail"


async def test_a_time_still_to_come_is_asked_again(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await to_rule(pilot, app, "handling.barrel-clear")
        before = len(answers(app))
        await pilot.press("2", "3", "3", "0", "enter")
        await pilot.pause()
        assert "23:30?" in str(app.screen.query_one("#answer-msg", Static).content)
        assert len(answers(app)) == before


async def test_esc_after_f2_leaves_at_once(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen.query_one("#why", Static).display
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ChecksScreen)


async def test_f5_on_a_refused_handover_says_why(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await pilot.press("escape", "h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HandoverScreen) and not screen.decision.allowed
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen is screen
        assert "f5 does nothing yet" in str(screen.query_one("#handover-reasons", Static).content)


async def test_witnesses_are_ticked_by_a_symbol_and_never_the_giver_or_receiver(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await pilot.press("escape", "h")
        await pilot.pause()
        screen = app.screen
        listing = screen.query_one("#witnesses", SelectionList)
        values = [listing.get_option_at_index(i).value for i in range(listing.option_count)]
        assert ARMORER not in values and "eli-stone" not in values and FIRST_AD in values
        listing.select(FIRST_AD)
        await pilot.pause()
        prompts = {listing.get_option_at_index(i).value: str(listing.get_option_at_index(i).prompt)
                   for i in range(listing.option_count)}
        assert prompts[FIRST_AD].startswith("✓ witness:") and prompts["carla-diaz"].startswith("○ ")
        # The 1st AD made the giver: no longer a witness, nor listed as one.
        screen.query_one("#giver", Select).value = FIRST_AD
        await pilot.pause()
        values = [listing.get_option_at_index(i).value for i in range(listing.option_count)]
        assert FIRST_AD not in values and ARMORER in values and FIRST_AD not in listing.selected


async def test_the_palette_lists_each_command_once(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        from armory.tui.commands import ScreenCommands

        names = [name for name, _help, _run in ScreenCommands(app.screen)._commands()]
        names += [command.title for command in app.get_system_commands(app.screen)]
        assert len(names) == len(set(names))
        assert not {"Focus Next", "Focus Previous", "Copy selected text"} & set(names)


async def test_the_help_shows_the_whole_why_of_the_highlighted_key_at_80x24(ledger: Path):
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        why = str(app.screen.query_one("#help-why", Static).content)
        assert why and ":" in why


async def test_one_take_back_that_does_not_add_up_raises_one_stop_naming_all_it_found(ledger: Path):
    from test_tui_day import ACTOR, PINS, answer_all, sign, sign_handover

    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await answer_all(pilot, app)
        await pilot.press("escape", "h")
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        await sign_handover(pilot, app)
        before = {stop.seq for stop in app.session.state.open_stops}
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one("#field-fired", Input).value = "2"  # from dummies: they cannot fire
        app.screen.query_one("#field-returned", Input).value = "3"
        await sign(pilot, app, PINS[ARMORER], PINS[ACTOR])
        new = [stop for stop in app.session.state.open_stops if stop.seq not in before]
        assert len(new) == 1, [stop.reason for stop in new]
        (stop,) = new
        assert stop.scope == "production" and stop.cause == "invariant.discharge"
        assert "saa-1: 6 out, 3 back, 2 fired: 1 round not accounted for" in stop.reason
        screen = app.screen
        assert isinstance(screen, StopScreen)
        assert "Recorded by: Ana Reyes" in str(screen.query_one("#stop-text", Static).content)
        # Understood: under the stop, the checks of the revolver as it came back, its rounds found wanting.
        await pilot.press("enter")
        await pilot.pause()
        back = app.screen
        assert isinstance(back, ChecksScreen) and back.phases == ("on_return",) and back.weapon == "saa-1"
        assert {i.rule.id: i.status for i in back.items if i.sensed}["rounds.reconciliation"] == "failed"
        assert back.current is not None and not back.current.sensed  # asked, with the stop open


async def test_a_spare_revolver_is_put_on_the_setup_from_the_board(ledger: Path):
    from textual.widgets import DataTable

    from armory.tui.screens.board import BoardScreen
    from armory.tui.screens.pick import PickModal
    from test_engine_spares import live_round_sealed
    from test_tui_day import PINS, open_day, sign
    from test_tui_polish import pass_all

    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day(pilot, app)
        pass_all(app.session, "day-1", "day_start")
        live_round_sealed(app.session)
        app.seen_stops = {s.seq for s in app.session.state.open_stops}
        while not isinstance(app.screen, BoardScreen):
            await pilot.press("escape", "b")
            await pilot.pause()
        board = app.screen
        table = board.query_one("#board", DataTable)
        table.move_cursor(row=list(board.rows).index("14|14a|saa-1"))
        await pilot.pause()
        assert board.check_action("spare", ()) is True
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PickModal)
        # Two may stand in now: the spare revolver (first) and the second .45 dummy lot.
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2 and "lot d45-b instead of d45-a" in str(options.get_option_at_index(1).prompt)
        options.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        await sign(pilot, app, PINS[ARMORER], reason="saa-1 sealed after the live round")
        assert isinstance(app.screen, BoardScreen)
        assert "14|14a|saa-2" in board.rows
        spare = [e for e in app.session.ledger.entries(scope=None) if e.kind == "spare"]
        assert len(spare) == 1 and spare[0].payload["reason"] == "saa-1 sealed after the live round"


async def test_the_day_start_checks_end_with_the_armorers_signature(ledger: Path):
    from test_tui_day import answer_all, open_day

    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day(pilot, app)
        await answer_all(pilot, app)  # the last answer opens the signature; the helper signs as the armorer
        signed = [e for e in app.session.ledger.entries(scope=None) if e.kind == "checks_signed"]
        assert len(signed) == 1 and signed[0].payload["signed_by"] == [ARMORER]
        assert signed[0].payload["phase"] == "day_start" and signed[0].payload["rules"]
        assert "Signed by the armorer" in str(app.screen.query_one("#question", Static).content)
        assert app.screen.check_action("sign_checks", ()) is False


async def test_keys_typed_ahead_in_a_burst_never_join_the_answer_before_them(ledger: Path):
    """"9999⏎0930" in one burst recorded 99990930: Enter's binding ran after the keys behind it."""
    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        await to_rule(pilot, app, "handling.barrel-clear")
        screen = app.screen
        for key, char in [("1", "1"), ("2", "2"), ("0", "0"), ("0", "0"), ("enter", "\r"),
                          ("4", "4"), ("4", "4"), ("enter", "\r")]:
            app.post_message(events.Key(key, char))  # all queued before the first is handled
        await pilot.pause()
        await pilot.pause()
        recorded = answers(app)[-1].payload
        assert recorded["rule_id"] == "handling.barrel-clear"
        assert len(recorded["observed"]) == 1 and recorded["observed"][0].endswith(" 12:00")  # not 12:0044
        assert screen.current.rule.id != "handling.barrel-clear"
        assert screen.query_one("#answer", Input).value == ""  # the keys behind it went nowhere


async def test_hand_over_is_greyed_on_the_board_until_the_day_start_checks_are_signed(ledger: Path):
    from textual.widgets import DataTable

    from armory.tui.screens.board import BoardScreen
    from armory.tui.screens.sign import SignModal
    from test_tui_day import PINS, open_day, sign
    from test_tui_polish import pass_all

    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        await open_day(pilot, app)
        pass_all(app.session, "day-1", "day_start")  # every one answered; the armorer has not signed yet
        while not isinstance(app.screen, BoardScreen):
            await pilot.press("escape", "b")
            await pilot.pause()
        board = app.screen
        table = board.query_one("#board", DataTable)
        table.move_cursor(row=list(board.rows).index("12|12a|saa-1"))
        await pilot.pause()
        assert board.check_action("hand_over", ()) is None  # greyed out, with the reason under the table
        missing = str(board.query_one("#board-missing", Static).content)
        assert "day-start checks of day-1 are not signed" in missing and "f6" in missing
        await pilot.press("h")
        await pilot.pause()
        assert app.screen is board  # no handover dialog for a firearm on an unsigned day
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, SignModal)
        await sign(pilot, app, PINS[ARMORER])
        assert app.screen is board
        signed = [e for e in app.session.ledger.entries(scope=None) if e.kind == "checks_signed"]
        assert len(signed) == 1 and signed[0].payload["signed_by"] == [ARMORER]
        assert board.check_action("hand_over", ()) is True
        assert board.check_action("sign_checks", ()) is False
        assert "not signed" not in str(board.query_one("#board-missing", Static).content)


async def test_the_board_asks_a_returned_weapons_on_return_checks_first_until_answered(ledger: Path):
    from textual.widgets import DataTable

    from armory.tui.screens.board import BoardScreen
    from test_tui_day import ACTOR, answer_all
    from test_tui_polish import hand_out_saa_1

    app = make_app(ledger)
    async with app.run_test(size=NARROW) as pilot:
        hand_out_saa_1(app.session)
        app.operator = ARMORER  # signed in, as opening the day in the app does
        app.session.take_back(day="day-1", weapon="saa-1", giver=ACTOR, receiver=ARMORER, rounds_fired=0,
                              rounds_returned=6, signed_by=[ACTOR, ARMORER])  # taken back, its return unchecked
        app.push_screen(BoardScreen("day-1"))
        await pilot.pause()
        board = app.screen
        table = board.query_one("#board", DataTable)
        table.move_cursor(row=list(board.rows).index("12|12a|saa-1"))
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        checks = app.screen
        assert isinstance(checks, ChecksScreen) and checks.phases[0] == "on_return"
        assert checks.current.phase == "on_return"
        await answer_all(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ChecksScreen) and "on_return" not in app.screen.phases  # answered: not again
