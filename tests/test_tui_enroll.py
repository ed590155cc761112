"""A real production (not a sample) opened with nobody enrolled starts with enrollment, in the app.

The first PIN is a safety officer enrolling themselves; then each person types
their own PIN and an enrolled safety officer authorizes it. Each enrollment is
a ``crew_enrolled`` ledger entry; the PIN is kept only as a hash.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from armory.ledger.identity import Credentials
from armory.ledger.store import Ledger
from armory.paths import SAMPLE_PRODUCTION
from armory.tui.app import ArmoryApp
from armory.tui.screens.crew import CrewScreen
from armory.tui.screens.home import HomeScreen
from armory.tui.screens.sign import SignModal


def real_production(tmp_path: Path) -> Path:
    """The Western without its sample mark and demo PINs: a production a real set would write."""
    text = SAMPLE_PRODUCTION.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^sample = true$", "sample = false", text)
    text = re.sub(r"(?m)^demo_pin = .*\n", "", text)
    path = tmp_path / "production.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def pick_row(pilot, app, crew_id: str) -> None:
    table = app.screen.query_one("#crew-table", DataTable)
    table.move_cursor(row=table.get_row_index(crew_id))
    await pilot.press("enter")
    await pilot.pause()


async def type_new_pin(pilot, pin: str, again: str | None = None) -> None:
    await pilot.press(*pin, "enter")
    await pilot.press(*(again or pin), "enter")
    await pilot.pause()


def enrolled_entries(ledger_path: Path) -> list[dict]:
    with Ledger.open(ledger_path, create=False, readonly=True) as ledger:
        return [e.payload for e in ledger.entries() if e.kind == "crew_enrolled"]


async def test_nobody_enrolled_opens_on_enrollment_first_officer_then_crew(tmp_path):
    production, ledger = real_production(tmp_path), tmp_path / "real.sqlite"
    app = ArmoryApp(production, ledger, [])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CrewScreen)
        assert "Nobody has a PIN" in str(app.screen.query_one("#crew-intro", Static).content)

        # An armorer cannot be the first PIN: refused before any PIN is typed.
        await pick_row(pilot, app, "ana-reyes")
        assert isinstance(app.screen, CrewScreen)
        assert enrolled_entries(ledger) == []

        # The safety officer enrolls themselves; a mistyped second PIN is said beside its field.
        await pick_row(pilot, app, "carla-diaz")
        assert isinstance(app.screen, SignModal)
        await type_new_pin(pilot, "3917", "3918")
        await pilot.press("enter")
        await pilot.pause()
        assert "differ" in str(app.screen.query_one("#msg-field-again", Static).content)
        assert enrolled_entries(ledger) == []
        app.screen.query_one("#field-again", Input).value = ""
        app.screen.query_one("#field-again", Input).focus()
        await pilot.pause()
        await pilot.press(*"3917", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CrewScreen)
        assert enrolled_entries(ledger) == [{"crew_id": "carla-diaz", "changed": False,
                                             "authorized_by": "carla-diaz"}]

        # The armorer types her PIN; the officer authorizes with hers (a wrong one first).
        await pick_row(pilot, app, "ana-reyes")
        await type_new_pin(pilot, "2749")
        assert app.focused is app.screen.query_one("#pin-0", Input)
        await pilot.press(*"0000", "enter")  # Enter in the last PIN signs
        await pilot.pause()
        assert "wrong PIN" in str(app.screen.query_one("#msg-0", Static).content)
        assert len(enrolled_entries(ledger)) == 1
        await pilot.press(*"3917", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CrewScreen)
        assert enrolled_entries(ledger)[-1] == {"crew_id": "ana-reyes", "changed": False,
                                                "authorized_by": "carla-diaz"}
        table = app.screen.query_one("#crew-table", DataTable)
        assert "✓" in str(table.get_row("ana-reyes")[-1])

        # Back on the first screen, the armorer can now sign in and open the day with her PIN.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    with Ledger.open(ledger, create=False, readonly=True) as opened:
        credentials = Credentials(opened)
        assert credentials.enrolled() == {"carla-diaz", "ana-reyes"}
        stored = opened._conn.execute("SELECT pin_hash FROM credentials").fetchall()
        # Sealed under the device secret: no argon2 hash in the file to try PINs against.
        assert all(row[0].startswith("armory-sealed-1$") and "$argon2" not in row[0] for row in stored)


async def test_a_restart_after_the_first_officer_goes_home_and_c_reopens_the_crew(tmp_path):
    production, ledger = real_production(tmp_path), tmp_path / "real.sqlite"
    app = ArmoryApp(production, ledger, [])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pick_row(pilot, app, "carla-diaz")
        await type_new_pin(pilot, "3917")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # a clean quit from the first screen
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    app = ArmoryApp(production, ledger, [])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # a safety officer has a PIN: no longer forced
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CrewScreen)
        # Changing one's own PIN needs the old one, typed as the authorizing officer.
        await pick_row(pilot, app, "carla-diaz")
        await type_new_pin(pilot, "8642")
        await pilot.press(*"3917", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CrewScreen)
    assert enrolled_entries(ledger)[-1] == {"crew_id": "carla-diaz", "changed": True,
                                            "authorized_by": "carla-diaz"}


async def test_a_bad_pin_form_is_refused_beside_the_field_and_nothing_is_recorded(tmp_path):
    production, ledger = real_production(tmp_path), tmp_path / "real.sqlite"
    app = ArmoryApp(production, ledger, [])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pick_row(pilot, app, "carla-diaz")
        await type_new_pin(pilot, "12a")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignModal)
        assert "4 to 8 digits" in str(app.screen.query_one("#msg-field-pin", Static).content)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CrewScreen)
    assert enrolled_entries(ledger) == []


async def test_a_guessable_pin_is_refused_beside_the_field_with_the_reason(tmp_path):
    production, ledger = real_production(tmp_path), tmp_path / "real.sqlite"
    app = ArmoryApp(production, ledger, [])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pick_row(pilot, app, "carla-diaz")
        summary = str(app.screen.query_one("#summary", Static).content)
        assert "6 to 8 digits" in summary  # the longer PIN is suggested where it is typed
        await pilot.press(*"1234", "enter")  # said at once, before the same PIN again or the officer's
        await pilot.pause()
        assert isinstance(app.screen, SignModal)
        message = str(app.screen.query_one("#msg-field-pin", Static).content)
        assert "too easy to guess" in message and "straight run" in message
        pin = app.screen.query_one("#field-pin", Input)
        assert pin.has_focus
        pin.value = ""
        await pilot.press(*"473920", "enter")  # a better one clears the message and goes on
        await pilot.pause()
        assert str(app.screen.query_one("#msg-field-pin", Static).content) == ""
        assert app.screen.query_one("#field-again", Input).has_focus
    assert enrolled_entries(ledger) == []
