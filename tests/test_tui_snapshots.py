"""Snapshots of each main screen at 80x24 (pytest-textual-snapshot; update with --snapshot-update).

The clock is fixed and the ledger lives in tmp_path, so every run draws the
same screen; the cursor blink is switched off before each picture.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from armory.tui.app import ArmoryApp
from test_tui_day import answer_all, answer_current, fixed_clock, open_day

pytestmark = pytest.mark.skipif(
    version("textual") != "8.2.8" or version("pytest-textual-snapshot") != "1.1.0",
    reason="snapshots are drawn by exactly textual 8.2.8 and pytest-textual-snapshot 1.1.0",
)


FROZEN = Path(__file__).resolve().parent / "snapshots"


def app_on(tmp_path: Path) -> ArmoryApp:
    """The sample as it was when the snapshots were drawn (tests/snapshots/README.md)."""
    return ArmoryApp(FROZEN / "western" / "production.toml", tmp_path / "snap.sqlite", [FROZEN / "rules"],
                     clock=fixed_clock)


def then(*steps):
    """A run_before that runs ``steps`` (async callables taking pilot and app), then freezes the cursor."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        for step in steps:
            await step(pilot, app)
        app.clear_notifications()
        for screen in app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False
        await pilot.pause()

    return run_before


async def day_open(pilot, app):
    await open_day(pilot, app)
    await answer_all(pilot, app)
    await pilot.press("escape", "b")
    await pilot.pause()


async def setup_checks(pilot, app):
    await pilot.press("c")
    await pilot.pause()
    await answer_current(pilot, app)
    await answer_current(pilot, app)


def test_home(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), run_before=then())


def test_open_day(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), press=["o"], run_before=then())


def test_sign_in_modal(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), press=["o", "s"], run_before=then())


async def first_day_question(pilot, app):
    await open_day(pilot, app)


def test_day_start_check(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), run_before=then(first_day_question))


def test_board(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), run_before=then(day_open))


def test_setup_check_with_verdict(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), run_before=then(day_open, setup_checks))


async def rounds(pilot, app):
    await pilot.press("v")
    await pilot.pause()
    await pilot.press("down", "enter")
    await pilot.pause()


def test_rounds(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), run_before=then(day_open, rounds))


async def first_ad_hands_over(pilot, app):
    await pilot.press("h")
    await pilot.pause()
    app.screen.query_one("#giver", Select).value = "dan-hollis"
    await pilot.pause()


def test_hand_over_refused(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), run_before=then(day_open, first_ad_hands_over))


async def live_round(pilot, app):
    await pilot.press("v")
    await pilot.pause()
    await pilot.press("up", "enter")  # the last choice: a live round
    await pilot.pause()


def test_stop_screen(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), run_before=then(day_open, live_round))


async def after_stop(pilot, app):
    await pilot.press("enter")
    await pilot.pause()


def test_board_with_stop_banner(snap_compare, tmp_path):
    assert snap_compare(app_on(tmp_path), run_before=then(day_open, live_round, after_stop))


def test_help(snap_compare, tmp_path, monkeypatch):
    # The help names the keymap file's full path: the same on every run (nothing is written there).
    monkeypatch.setenv("XDG_DATA_HOME", "/home/armorer/.local/share")
    assert snap_compare(app_on(tmp_path), press=["f1"], run_before=then())


def test_problems_screen(snap_compare, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # problems name the file as given: keep it the same on every run
    bad = Path("production.toml")
    bad.write_text('[production]\ntitle = "Bad"\ncompany = "X"\npacks = []\n\n[[crew]]\nid = "A B"\nname = ""\n')
    app = ArmoryApp(bad, Path("snap.sqlite"), clock=fixed_clock)
    assert snap_compare(app, run_before=then())


def real_app_on(tmp_path: Path) -> ArmoryApp:
    """The frozen sample made a real production (no sample mark, no demo PINs): nobody enrolled yet."""
    import re

    text = (FROZEN / "western" / "production.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^demo_pin = .*\n", "", re.sub(r"(?m)^sample = true$", "sample = false", text))
    (tmp_path / "real.toml").write_text(text, encoding="utf-8")
    return ArmoryApp(tmp_path / "real.toml", tmp_path / "real.sqlite", [FROZEN / "rules"], clock=fixed_clock)


def test_crew_enrollment_first(snap_compare, tmp_path):
    assert snap_compare(real_app_on(tmp_path), run_before=then())


def test_enroll_modal(snap_compare, tmp_path):
    assert snap_compare(real_app_on(tmp_path), press=["enter"], run_before=then())
