"""What a new user trying armory at 80x24 ran into: footers, the board's columns, the words on screen.

The states are built through the engine (the Pilot tests of test_tui_day drive
the same steps by keys); what is asserted is what the screen shows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey

from armory.checklist.judge import passing_answer
from armory.tui.screens.board import BoardScreen
from armory.tui.screens.checks import ChecksScreen
from armory.tui.screens.crew import CrewScreen
from armory.tui.screens.handover import HandoverScreen
from armory.tui.screens.home import HomeScreen
from armory.tui.screens.open_day import OpenDayScreen
from armory.tui.screens.record import RecordScreen
from armory.tui.screens.rounds import RoundsScreen
from armory.paths import SAMPLE_PRODUCTION
from armory.tui.app import ArmoryApp
from test_tui_day import ACTOR, ARMORER, make_app

NARROW = (80, 24)


def years_later() -> dt.datetime:
    """A clock long after the sample's days (2000): no shooting day is today."""
    return dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)


def pass_all(session, day: str, phase: str, **target) -> None:
    """Answer every pending asked item of one checklist with a passing answer, by someone it is asked of."""
    for item in session.checklist(day=day, phase=phase, **target):
        if item.sensed or item.status != "pending":
            continue
        value = passing_answer(item.rule, session.facts(item.day, item.scene, item.setup, item.weapon),
                               session.local_now())
        if "armorer" in item.asked_of:
            by = ARMORER
        elif "actor" in item.asked_of and target.get("weapon"):
            by = session.issue_of(day, target["scene"], target["setup"], target["weapon"]).actor
        else:
            by = next(m.id for m in session.production.crew if session.roles(m.id, day) & set(item.asked_of))
        session.answer(item, [value] * (item.per_round or 1), by=by)


def hand_out_saa_1(session) -> None:
    """Open day-1 and hand saa-1 to its actor in setup 12a, every check passed."""
    session.open_day("day-1", armorer=ARMORER)
    pass_all(session, "day-1", "day_start")
    session.sign_checks("day-1", by=ARMORER)
    target = {"scene": "12", "setup": "12a", "weapon": "saa-1"}
    pass_all(session, "day-1", "before_setup", **target)
    for round_no in range(1, 7):
        session.verify_round(day="day-1", scene="12", setup="12a", weapon="saa-1", round_no=round_no,
                             method="rattle", by=ARMORER)
    pass_all(session, "day-1", "before_handoff", **target)
    session.hand_over(day="day-1", scene="12", setup="12a", weapon="saa-1", giver=ARMORER, receiver=ACTOR,
                      signed_by=[ARMORER, ACTOR])


def troubles(session) -> None:
    """An incident nobody has reviewed, a misfire that stops every firearm, a weapon sealed as evidence."""
    day = session.state.current_day
    session.record_incident(incident="complaint", day=day, weapon=None, description="waved at camera",
                            reported_by=ARMORER)
    session.record_incident(incident="misfire", day=day, weapon="saa-2", description="click, no bang",
                            reported_by=ARMORER)
    session.seal(item_kind="weapon", item="rifle-1", seal_id="EV-0001", signed_by=[ARMORER])


def footer_keys(screen) -> tuple[str, int, int]:
    """(the footer as read, where its keys end, where the room for them ends)."""
    footer = screen.query_one(Footer)
    keys = sorted(footer.query(FooterKey), key=lambda key: key.virtual_region.x)
    palette = [key for key in keys if "-command-palette" in key.classes]
    bound = [key for key in keys if key not in palette]
    text = " ".join(f"{key.key_display} {key.description}" for key in keys)
    room = palette[0].virtual_region.x if palette else footer.size.width
    return text, max((key.virtual_region.right for key in bound), default=0), room


async def show(pilot, app, screen) -> None:
    while not isinstance(app.screen, HomeScreen):
        app.pop_screen()
        await pilot.pause()
    app.screen.refresh_state()
    if screen is not None:
        app.push_screen(screen)
    await pilot.pause()
    await pilot.pause()


def busy_day(session) -> None:
    hand_out_saa_1(session)
    troubles(session)


def day_closed_then_troubles(session) -> None:
    session.open_day("day-1", armorer=ARMORER)
    pass_all(session, "day-1", "day_start")
    pass_all(session, "day-1", "end_of_day")
    session.close_day("day-1", by=ARMORER)
    session.record_incident(incident="complaint", day=None, weapon=None, description="waved at camera",
                            reported_by=ARMORER)
    session.record_incident(incident="misfire", day=None, weapon="saa-2", description="click, no bang",
                            reported_by=ARMORER)
    session.seal(item_kind="weapon", item="rifle-1", seal_id="EV-0001", signed_by=[ARMORER])


SCREENS = {
    "home": lambda: None,
    "board on the weapon out": lambda: BoardScreen("day-1"),
    "checks": lambda: ChecksScreen("day-1", ("before_setup", "before_handoff"), "12", "12a", "saa-1"),
    "day-start checks": lambda: ChecksScreen("day-1", ("day_start",)),
    "rounds": lambda: RoundsScreen("day-1", "12", "12a", "saa-1"),
    "hand over": lambda: HandoverScreen("day-1", "12", "12a", "replica-1"),
    "crew": CrewScreen,
    "record": RecordScreen,
    "open day": lambda: OpenDayScreen("day-2"),
}


@pytest.mark.parametrize("state", [None, busy_day, day_closed_then_troubles], ids=["fresh", "busy", "closed"])
async def test_every_footer_fits_80_columns_in_its_fullest_state(tmp_path: Path, state):
    """Stops open, incidents unreviewed, something sealed, a weapon out: every key shown is whole."""
    # Closed, on a real clock years later: the next day (day-2) is to open while troubles are still open.
    clock = years_later if state is day_closed_then_troubles else None
    app = ArmoryApp(SAMPLE_PRODUCTION, tmp_path / "l.sqlite", **({"clock": clock} if clock else {}))
    if clock is None:
        app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        if state is not None:
            state(app.session)
        too_wide = []
        for name, make in SCREENS.items():
            if state is not busy_day and name not in ("home", "crew", "record", "open day"):
                continue
            await show(pilot, app, make())
            text, end, room = footer_keys(app.screen)
            if end > room:
                too_wide.append(f"{name}: {text!r} ends at {end}, room for {room}")
            if isinstance(app.screen, BoardScreen):
                # Down the rows too: each row's keys differ (the one out, the one with an actor, ...).
                table = app.screen.query_one("#board", DataTable)
                for _ in range(table.row_count):
                    await pilot.press("down")
                    await pilot.pause()
                    text, end, room = footer_keys(app.screen)
                    if end > room:
                        too_wide.append(f"{name}, row {table.cursor_row}: {text!r} ends at {end}, room for {room}")
        assert not too_wide, "\n".join(too_wide)


async def test_the_board_footer_offers_take_back_on_the_weapon_out(tmp_path: Path):
    app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        busy_day(app.session)
        await show(pilot, app, BoardScreen("day-1"))
        assert app.screen.selected()[2].weapon == "saa-1"
        text, _, _ = footer_keys(app.screen)
        assert "t Take back" in text and "x Clear stop" in text


async def test_the_first_screen_footer_offers_what_needs_doing(tmp_path: Path):
    app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        text, _, _ = footer_keys(app.screen)
        assert text.startswith("o Open the day") and "^p palette" in text
        busy_day(app.session)
        await show(pilot, app, None)
        assert isinstance(app.screen, HomeScreen)
        text, _, _ = footer_keys(app.screen)
        for key in ("b Setup board", "x Clear stop", "w Review", "i Incident", "f1 Keys"):
            assert key in text
        # What is not in the footer still works by its key (and f1 and ctrl+p list it).
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CrewScreen)


async def test_the_board_fits_80_columns_with_a_weapon_sealed_stopped_and_out(tmp_path: Path):
    """Every column whole: no state word pushes the rounds column off the right edge."""
    app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        busy_day(app.session)  # saa-1 out and stopped; every firearm stopped
        app.session.seal(item_kind="weapon", item="replica-1", seal_id="EV-0002", signed_by=[ARMORER])
        await show(pilot, app, BoardScreen("day-1"))
        table = app.screen.query_one("#board", DataTable)
        states = {str(table.get_row_at(row)[4]) for row in range(table.row_count)}
        assert table.virtual_size.width <= table.scrollable_content_region.width, states
        assert {"■ STOPPED, out", "■ sealed"} <= states
        # The seal's number is on the board still, under the table, with where the weapon may go.
        table.move_cursor(row=1)
        await pilot.pause()
        missing = str(app.screen.query_one("#board-missing").content)
        assert "EV-0002" in missing and "investigator" in missing


@pytest.mark.parametrize(("clock", "expected"), [
    (None, "Today: day-1, 2000-01-03 at"),
    (years_later, "Next shooting day: day-1, 2000-01-03 (today is 2026-11-30) at"),
])
async def test_today_is_said_only_when_the_day_is_today(tmp_path: Path, clock, expected):
    app = make_app(tmp_path / "l.sqlite") if clock is None else ArmoryApp(
        SAMPLE_PRODUCTION, tmp_path / "l.sqlite", clock=clock)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert str(app.screen.query_one("#day-line").content).startswith(expected)
        if clock is not None:
            app.session.open_day("day-1", armorer=ARMORER)
            await show(pilot, app, None)
            assert str(app.screen.query_one("#day-line").content).startswith(
                "Open day: day-1, 2000-01-03 (today is 2026-11-30) at")


async def test_a_sealed_weapons_checks_say_it_goes_only_to_an_investigator(tmp_path: Path):
    app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        session = app.session
        session.open_day("day-1", armorer=ARMORER)
        pass_all(session, "day-1", "day_start")
        target = {"scene": "12", "setup": "12b", "weapon": "saa-1"}  # a cold setup: no rounds to verify
        pass_all(session, "day-1", "before_setup", **target)
        pass_all(session, "day-1", "before_handoff", **target)
        screen = ChecksScreen("day-1", ("before_setup", "before_handoff"), "12", "12b", "saa-1")
        await show(pilot, app, screen)
        assert "h hands saa-1 over" in str(screen.query_one("#question").content)
        session.seal(item_kind="weapon", item="saa-1", seal_id="EV-0001", signed_by=[ARMORER])
        screen.refresh_state()
        await pilot.pause()
        question = str(screen.query_one("#question").content)
        assert "hands" not in question
        assert "sealed as evidence (seal EV-0001)" in question and "investigator" in question


async def test_a_check_asked_again_after_its_stop_is_blind(tmp_path: Path):
    """Neither the failing answer nor the expected value is on screen when the check is asked again."""
    from textual.widgets import Input, Static

    from test_tui_day import OFFICER, PINS, answer_current, open_day_to_checks, sign

    app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=NARROW) as pilot:
        await open_day_to_checks(pilot, app)
        while app.screen.current.rule.id != "handling.serial":
            await answer_current(pilot, app)
        await answer_current(pilot, app, "9999")
        await pilot.press("x")
        await pilot.pause()
        await sign(pilot, app, PINS[OFFICER], reason="wrong weapon picked up; the right one brought out")
        while not isinstance(app.screen, ChecksScreen):
            await pilot.press("escape")
            await pilot.pause()
        screen = app.screen
        assert screen.current.rule.id == "handling.serial" and screen.current.status == "failed"
        assert screen.query_one("#answer", Input).value == ""
        shown = " ".join(str(s.content) for s in screen.query(Static) if s.display)
        assert "Answer again" in shown
        assert "9999" not in shown and "8461" not in shown, shown


async def test_the_crew_screen_shows_default_roles_and_marks_a_days_extras(tmp_path: Path):
    app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await show(pilot, app, CrewScreen())
        table = app.screen.query_one("#crew-table", DataTable)
        roles = {str(table.get_row_at(row)[1]): str(table.get_row_at(row)[2]) for row in range(table.row_count)}
        assert roles["ana-reyes"] == "armorer (+ asst. props on day-3)"
        assert roles["carla-diaz"] == "safety officer"
        assert table.virtual_size.width <= table.scrollable_content_region.width, roles


def test_crew_roles_names_days_that_add_or_change_roles():
    from types import SimpleNamespace as NS

    from armory.tui.screens.crew import crew_roles

    member = NS(id="ana", roles=["armorer"])
    production = NS(day=[
        NS(id="day-1", crew=[]),
        NS(id="day-2", crew=[NS(id="ana", roles=["property_master"])]),
        NS(id="day-3", crew=[NS(id="ana", roles=["armorer", "property_master"])]),
        NS(id="day-4", crew=[NS(id="ana", roles=["armorer", "property_master"])]),
        NS(id="day-5", crew=[NS(id="ana", roles=["armorer"])]),
    ])
    assert crew_roles(production, member) == "armorer (only props on day-2; + props on day-3, day-4)"
    assert crew_roles(production, NS(id="bo", roles=[])) == "no role"
    extra = NS(day=[NS(id="day-2", crew=[NS(id="bo", roles=["actor"])])])
    assert crew_roles(extra, NS(id="bo", roles=[])) == "actor on day-2"
