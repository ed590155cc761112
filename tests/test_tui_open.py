"""Opening a ledger in the app: one whose chain does not verify is refused, with the entry named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from armory.tui.screens.home import HomeScreen
from armory.tui.screens.problems import ProblemsScreen
from test_tui_day import SIZE, make_app


async def test_an_edited_entry_is_named_and_nothing_is_shown_from_it(tmp_path: Path):
    ledger = tmp_path / "edited.sqlite"
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    conn = sqlite3.connect(ledger)
    conn.execute("DROP TRIGGER entries_no_update")
    # Still bytes, still JSON, still the types armory writes: only the hash tells (a PIN hash is not in it).
    conn.execute("UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), 'ana-reyes', 'ana-reyez') AS BLOB) "
                 "WHERE kind = 'crew_enrolled' AND seq = (SELECT min(seq) FROM entries WHERE kind = 'crew_enrolled')")
    assert conn.total_changes == 1
    conn.commit()
    conn.close()
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert app.session is None
        assert "does not verify at entry #" in app.screen.message
        assert "log verify" in app.screen.message and "--ledger NEW" in app.screen.message
