"""The first screen painted from last time's picture while the session opens (armory.tui.firstscreen).

The picture is used only when every input it was drawn from is unchanged; it
is replaced by the screen drawn from the ledger as soon as the session is
open; a key pressed before that opens the session first; and reading it
imports no pydantic.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable

from armory.checklist.session import Session
from armory.paths import SAMPLE_PRODUCTION
from armory.tui import app as app_module
from armory.tui.app import ArmoryApp
from armory.tui.firstscreen import read_view, snapshot_path
from armory.tui.screens.home import HomeScreen
from armory.tui.screens.open_day import OpenDayScreen
from armory.tui.screens.problems import ProblemsScreen
from test_tui_day import fixed_clock


def copy_sample(tmp_path: Path) -> Path:
    target = tmp_path / "western"
    shutil.copytree(SAMPLE_PRODUCTION.parent, target)
    return target / "production.toml"


async def draw_once(production: Path, ledger: Path, rules=(), clock=fixed_clock) -> dict:
    """Start the app, let it draw the first screen from the session, quit; return what it drew."""
    app = ArmoryApp(production, ledger, list(rules), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        view = app.screen.view
    return view


def edit_first_entry(ledger: Path) -> None:
    """What a person with the sqlite3 tool does; its replace() writes the body back as TEXT."""
    conn = sqlite3.connect(ledger)
    conn.execute("DROP TRIGGER entries_no_update")
    conn.execute("UPDATE entries SET body = replace(body, 'Dust', 'Rust') WHERE seq = 1")
    conn.commit()
    conn.close()


def misfire_elsewhere(production: Path, ledger: Path) -> None:
    """Another process (a second copy of the app, the CLI) records a misfire: a stop of every firearm."""
    with Session.open(production, ledger, clock=fixed_clock) as other:
        other.record_incident(incident="misfire", day=None, weapon="saa-2", description="click, no bang",
                              reported_by="ana-reyes")


def read(production: Path, ledger: Path, rules=(), clock=fixed_clock):
    return read_view(production, list(rules), ledger, ledger.with_name(ledger.name + ".screen.json"), clock)


async def test_the_picture_is_what_the_session_drew_and_is_used_only_while_nothing_changed(tmp_path):
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    drawn = await draw_once(production, ledger)
    assert read(production, ledger) == drawn
    assert drawn["weapons"][0][0] == "saa-1" and "Dust Creek" in drawn["title"]

    # Another local date: "today" may be another shooting day.
    assert read(production, ledger, clock=lambda: fixed_clock() + timedelta(days=1)) is None
    # A rule file anywhere the loader looks (here a --rules directory that was not there before).
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "mine.toml").write_text("# a pack in the making\n", encoding="utf-8")
    assert read(production, ledger, rules=[extra]) is None
    assert read(production, ledger) == drawn
    # The production's bytes, even a comment.
    original = production.read_bytes()
    production.write_bytes(original + b"\n# edited\n")
    assert read(production, ledger) is None
    production.write_bytes(original)
    assert read(production, ledger) == drawn
    # Anything recorded since (here by another process: the CLI, an export...).
    with Session.open(production, ledger, clock=fixed_clock) as session:
        session.ledger.checkpoint()
    assert read(production, ledger) is None


async def test_a_forged_picture_is_replaced_by_the_ledger_as_soon_as_the_session_opens(tmp_path):
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    await draw_once(production, ledger)
    path = snapshot_path(ledger)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["view"]["weapons"][0][1] = "FORGED cold"
    path.write_text(json.dumps(data), encoding="utf-8")

    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.session is not None
        table = app.screen.query_one("#weapons", DataTable)
        assert "FORGED" not in str(table.get_row("saa-1"))
        assert "in the armory" in str(table.get_row("saa-1"))


class Unhurried(ArmoryApp):
    """Paints the picture but does not open the session after the paint: only a key can."""

    CSS_PATH = Path(app_module.__file__).with_name("app.tcss")  # relative paths resolve beside the subclass

    def open_after_paint(self) -> None:
        self.painted_from_picture = self.session is None and isinstance(self.screen, HomeScreen)


async def test_a_key_pressed_on_the_picture_opens_the_session_first_then_acts(tmp_path):
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    await draw_once(production, ledger)
    app = Unhurried(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.painted_from_picture and app.session is None
        assert "saa-1" in str(app.screen.query_one("#weapons", DataTable).get_row("saa-1"))
        await pilot.press("o")
        await pilot.pause()
        assert app.session is not None
        assert isinstance(app.screen, OpenDayScreen)


async def test_a_tampered_ledger_under_a_valid_picture_ends_on_the_problems_screen(tmp_path):
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    await draw_once(production, ledger)
    edit_first_entry(ledger)
    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert app.session is None
        assert "damaged" in app.screen.message and "log verify" in app.screen.message


async def test_reading_the_picture_imports_no_pydantic(tmp_path):
    # A real picture, so that the whole key is computed (rule files, ledger head, position, date) in a fresh
    # interpreter; the picture read back is printed too, so a path that returned early could not pass.
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    drawn = await draw_once(production, ledger)
    code = (
        "import sys, datetime as dt\n"
        "from pathlib import Path\n"
        "from armory.tui.app import ArmoryApp\n"
        "from armory.tui.screens.home import HomeScreen\n"
        "from armory.tui.firstscreen import read_view\n"
        "clock = lambda: dt.datetime(2000, 1, 3, 20, 0, tzinfo=dt.timezone.utc)  # test_tui_day.fixed_clock\n"
        f"view = read_view(Path({str(production)!r}), [], Path({str(ledger)!r}), "
        f"Path({str(ledger) + '.screen.json'!r}), clock)\n"
        "print(view is not None and view['title'], file=sys.stderr)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == drawn["title"]
    assert out.stdout.strip() == "[]"


async def test_a_key_on_the_picture_when_the_session_cannot_open_is_spent_on_the_problems_screen(tmp_path):
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    await draw_once(production, ledger)
    edit_first_entry(ledger)
    for key in ("o", "r", "c", "b"):
        app = Unhurried(production, ledger, [], clock=fixed_clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.painted_from_picture
            await pilot.press(key)
            await pilot.pause()
            assert [type(s) for s in app.screen_stack][1:] == [ProblemsScreen], key
            assert app.return_code is None


async def test_a_damaged_picture_is_not_painted(tmp_path):
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    await draw_once(production, ledger)
    path = snapshot_path(ledger)
    good = json.loads(path.read_text(encoding="utf-8"))
    for damage in (lambda v: v["weapons"][0].pop(), lambda v: v.pop("sample"),
                   lambda v: v.__setitem__("enabled", []), lambda v: v.__setitem__("banner", None)):
        data = json.loads(json.dumps(good))
        damage(data["view"])
        path.write_text(json.dumps(data), encoding="utf-8")
        assert read(production, ledger) is None


async def test_no_picture_is_kept_of_a_state_that_misses_another_process_entries(tmp_path):
    """App A is open; the CLI records a stop; A's state does not have it: A must not key a picture to that head."""
    from armory.ledger.entries import Stop

    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    await draw_once(production, ledger)
    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        with Session.open(production, ledger, clock=fixed_clock) as other:
            other._append("stop", None, Stop(scope="production", weapons=[], cause="live_round",
                                             failures=[], reason="a live round in the box", caused_by=None,
                                             from_seq=None, day=None))
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("escape")  # back on the first screen: it refreshes, and would save its picture
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.session.picture_head() is None
    assert read(production, ledger) is None  # the next start opens the ledger first: the stop shows


async def test_the_header_icon_still_opens_the_palette(tmp_path):
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("HeaderIcon")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


async def test_a_stop_recorded_by_another_process_shows_without_a_key(tmp_path):
    """A second copy of the app (or the CLI) records a misfire: this one shows the stop on its own."""
    from armory.tui.screens.stop import StopScreen

    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.session.state.open_stops
        misfire_elsewhere(production, ledger)
        app.follow_ledger()  # what the app's timer does every FOLLOW_SECONDS
        await pilot.pause()
        assert app.session.state.open_stops
        assert isinstance(app.screen, StopScreen)


async def test_a_restart_with_a_stop_of_every_firearm_open_shows_the_stop_screen_first(tmp_path):
    from armory.tui.screens.stop import StopScreen

    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    await draw_once(production, ledger)
    misfire_elsewhere(production, ledger)
    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        await pilot.press("enter")  # understood: back to where the start landed
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "STOP" in str(app.screen.query_one("#stop-banner").content)


async def test_a_key_on_the_picture_never_buries_the_stop_screen_the_start_shows(tmp_path):
    from armory.tui.screens.stop import StopScreen

    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    await draw_once(production, ledger)
    misfire_elsewhere(production, ledger)
    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # understood; back on the first screen, which keeps its picture
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    app = Unhurried(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.painted_from_picture
        await pilot.press("o")  # typed on the picture: the session opens, the stop screen goes on top
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        assert not any(isinstance(s, OpenDayScreen) for s in app.screen_stack)
