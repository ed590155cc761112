"""A crash costs nothing: a new app on the same ledger opens at the same step with every answer present."""

from __future__ import annotations

from pathlib import Path

import pytest

from armory.tui.screens.board import BoardScreen
from armory.tui.screens.checks import ChecksScreen
from armory.tui.screens.home import HomeScreen
from armory.tui.screens.rounds import RoundsScreen
from test_tui_day import SIZE, answer_all, answer_current, make_app, open_day, open_day_to_checks, open_day_to_rounds


async def start_setup_checks(pilot, app, answers: int) -> list[str]:
    await open_day_to_checks(pilot, app)
    answered = []
    for _ in range(answers):
        answered.append(app.screen.current.key)
        await answer_current(pilot, app)
    return answered


@pytest.mark.parametrize("keep_position_file", [True, False], ids=["position-file", "ledger-only"])
async def test_resume_opens_at_the_same_question(tmp_path: Path, keep_position_file: bool):
    ledger = tmp_path / "crash.sqlite"
    first = make_app(ledger)
    async with first.run_test(size=SIZE) as pilot:
        answered = await start_setup_checks(pilot, first, answers=4)  # into the per-round questions
        waiting = first.screen.current.key
        waiting_round = len(first.screen.round_answers)
        entries = len(first.session.ledger)
    # The first app is gone (as after a kill); only the disk remains.
    if not keep_position_file:
        first.position_path.unlink()

    second = make_app(ledger)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = second.screen
        assert isinstance(screen, ChecksScreen)
        assert (screen.day, screen.scene, screen.setup, screen.weapon) == ("day-1", "12", "12a", "saa-1")
        assert screen.current.key == waiting
        statuses = {item.key: item.status for item in screen.items}
        done = [key for key in answered if key != waiting]
        assert done and all(statuses[key] == "passed" for key in done)
        # Rounds of a per-round question answered before the crash come back from the position
        # file; without it the question starts again at round 1 (nothing half-answered is recorded).
        assert waiting_round > 0
        assert len(screen.round_answers) == (waiting_round if keep_position_file else 0)
        assert len(second.session.ledger) == entries
        # Underneath: the board and the home screen, as if walked to by hand.
        stack = [type(s) for s in second.screen_stack]
        assert stack[-3:] == [HomeScreen, BoardScreen, ChecksScreen]
        assert second.operator == "ana-reyes"


async def test_resume_in_the_middle_of_the_rounds(tmp_path: Path):
    ledger = tmp_path / "rounds.sqlite"
    first = make_app(ledger)
    async with first.run_test(size=SIZE) as pilot:
        await open_day_to_rounds(pilot, first)
        for _ in range(2):
            await pilot.press("down", "enter")
            await pilot.pause()

    second = make_app(ledger)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(second.screen, RoundsScreen)
        assert second.screen.next_round() == 3
        assert sorted(second.session.state.rounds_for("day-1", "12", "12a", "saa-1")) == [1, 2]


async def test_resume_during_the_day_start_checks(tmp_path: Path):
    ledger = tmp_path / "morning.sqlite"
    first = make_app(ledger)
    async with first.run_test(size=SIZE) as pilot:
        await open_day(pilot, first)
        await answer_current(pilot, first)
        waiting = first.screen.current.key

    second = make_app(ledger)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(second.screen, ChecksScreen) and second.screen.phases == ("day_start",)
        assert second.screen.current.key == waiting


async def test_a_clean_quit_on_the_first_screen_reopens_there(tmp_path: Path):
    ledger = tmp_path / "home.sqlite"
    first = make_app(ledger)
    async with first.run_test(size=SIZE) as pilot:
        await start_setup_checks(pilot, first, answers=2)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(first.screen, BoardScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(first.screen, HomeScreen)
    second = make_app(ledger)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(second.screen, HomeScreen)


async def test_round_answers_waiting_at_a_crash_come_back_even_with_day_start_unfinished(tmp_path: Path):
    """The tester's case: day start half done, then rounds on a weapon, then kill -9."""
    from armory.tui.position import read_position

    ledger = tmp_path / "crash.sqlite"
    first = make_app(ledger)
    async with first.run_test(size=SIZE) as pilot:
        await open_day(pilot, first)
        await answer_current(pilot, first)  # one day-start answer, the rest left for later
        await pilot.press("escape", "b")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        while not first.screen.current.per_round:
            await answer_current(pilot, first)
        await answer_current(pilot, first)
        await answer_current(pilot, first)
        waiting = (first.screen.current.key, list(first.screen.round_answers))
    assert read_position(first.position_path)["rounds"] == waiting[1]
    second = make_app(ledger)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = second.screen
        assert isinstance(screen, ChecksScreen) and screen.weapon == "saa-1"
        assert (screen.current.key, screen.round_answers) == waiting


async def test_a_crash_in_the_end_of_day_checks_reopens_them(tmp_path: Path):
    ledger = tmp_path / "eod.sqlite"
    first = make_app(ledger)
    async with first.run_test(size=SIZE) as pilot:
        await open_day(pilot, first)
        await answer_all(pilot, first)
        await pilot.press("escape", "b")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(first.screen, ChecksScreen) and first.screen.phases == ("end_of_day",)
        await answer_current(pilot, first)
    second = make_app(ledger)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(second.screen, ChecksScreen) and second.screen.phases == ("end_of_day",)


async def test_a_restart_on_the_crew_screen_keeps_who_opened_the_day(tmp_path: Path):
    """A start that lands on the Crew screen with a day open: its checks are still answered by the armorer."""
    from armory.tui.screens.crew import CrewScreen

    ledger = tmp_path / "crew.sqlite"
    first = make_app(ledger)
    async with first.run_test(size=SIZE) as pilot:
        await open_day(pilot, first)
        await answer_all(pilot, first)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(first.screen, HomeScreen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(first.screen, CrewScreen)
    second = make_app(ledger)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(second.screen, CrewScreen)
        assert second.operator == "ana-reyes"
        await pilot.press("escape", "b")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(second.screen, ChecksScreen)
        before = len(second.session.ledger)
        await answer_current(pilot, second)
        assert len(second.session.ledger) > before


async def test_the_shown_load_is_counted_by_the_receiving_actor_and_no_other(tmp_path: Path):
    """Any actor of the day could sign 'the load was shown to me' for another actor's revolver. The count is
    now typed in the handover's dialog, above the receiver's own PIN: nobody else can be chosen there (the
    engine refuses anyone else too: test_engine_handover_counts)."""
    from textual.widgets import Select

    from armory.tui.screens.sign import SignModal
    from test_tui_day import answer_all

    app = make_app(tmp_path / "actor.sqlite")
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_checks(pilot, app)
        await answer_all(pilot, app)
        await pilot.press("escape", "h")
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, SignModal)
        receiver = modal.signers[1]
        assert [name for name, _label in receiver.fields] == ["count-0"]
        assert [crew_id for _text, crew_id in receiver.choices] == ["eli-stone"]
        assert modal.query_one("#who-1", Select).value == "eli-stone"


async def test_a_round_that_failed_is_asked_again_once_its_stop_is_cleared(tmp_path: Path):
    """The rounds screen treated a failed round as done: after the clearance it said every round was verified
    while the handoff said 5 of 6, and nothing in the app could verify the failed one again."""
    from test_tui_day import ARMORER, OFFICER

    app = make_app(tmp_path / "rounds-again.sqlite")
    async with app.run_test(size=SIZE) as pilot:
        await open_day_to_rounds(pilot, app)
        screen = app.screen
        assert isinstance(screen, RoundsScreen)
        s = app.session
        where = dict(day=screen.day, scene=screen.scene, setup=screen.setup, weapon=screen.weapon)
        s.verify_round(**where, round_no=1, method="rattle", by=ARMORER)
        failed = s.verify_round(**where, round_no=2, method="crimped_blank", by=ARMORER)  # a blank among dummies
        assert failed.stop_seq is not None
        s.clear_stop(failed.stop_seq, reason="the blank taken out and bagged; load re-sorted", officer=OFFICER)
        screen.refresh_state()
        assert screen.next_round() == 2
