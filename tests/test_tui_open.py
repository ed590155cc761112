"""Opening a ledger in the app: one whose chain does not verify is refused, with the entry named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from armory.tui.screens.home import HomeScreen
from armory.tui.screens.problems import ProblemsScreen
from test_tui_day import SIZE, make_app


def _edit_the_first_enrollment(ledger: Path) -> None:
    """Change one early entry in place. Still bytes, still JSON, still the types armory writes: only the hash
    tells (a PIN hash is not in it)."""
    conn = sqlite3.connect(ledger)
    conn.execute("DROP TRIGGER entries_no_update")
    conn.execute("UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), 'ana-reyes', 'ana-reyez') AS BLOB) "
                 "WHERE kind = 'crew_enrolled' AND seq = (SELECT min(seq) FROM entries WHERE kind = 'crew_enrolled')")
    assert conn.total_changes == 1
    conn.commit()
    conn.close()


async def test_an_edited_entry_is_named_and_nothing_is_shown_from_it(tmp_path: Path):
    ledger = tmp_path / "edited.sqlite"
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    _edit_the_first_enrollment(ledger)
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert app.session is None
        assert "does not verify at entry #" in app.screen.message
        assert "log verify" in app.screen.message and "--ledger NEW" in app.screen.message


# -- a season's ledger: the state from the fold saved beside it, the chain checked in a worker -------------

import threading  # noqa: E402

import pytest  # noqa: E402

from armory.checklist import saved_fold  # noqa: E402
from armory.checklist.saved_fold import fold_path  # noqa: E402
from armory.ledger import verify  # noqa: E402
from armory.problems import InputError  # noqa: E402
from test_tui_day import open_day  # noqa: E402


@pytest.fixture
def saves_every_open(monkeypatch):
    """A fold is saved after any replay (a season's ledger is too long for a test)."""
    monkeypatch.setattr(saved_fold, "SAVE_AFTER", 1)


async def _worked_on(ledger: Path) -> None:
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_day(pilot, app)
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert not app.session.fold_loaded
    assert fold_path(ledger).exists()  # saved once the chain held


async def test_a_start_after_a_long_replay_uses_the_saved_fold_and_records_once_the_chain_holds(
        tmp_path: Path, saves_every_open, monkeypatch):
    ledger = tmp_path / "season.sqlite"
    await _worked_on(ledger)
    checking = threading.Event()
    go_on = threading.Event()
    real = verify.verify_ledger_apart

    def slow_check(path):
        checking.set()
        go_on.wait(10)
        return real(path)

    monkeypatch.setattr(verify, "verify_ledger_apart", slow_check)
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.fold_loaded and 0 <= app.session.fold_replayed < 10  # what came after the save
        assert checking.wait(5)
        assert "checking the record" in app.sub_title
        before = len(app.session.ledger)
        await pilot.press("o")  # the day's checks: an answer would record
        await pilot.pause()
        with pytest.raises(InputError, match="still being checked"):
            app.session.record_incident(incident="misfire", day="day-1", weapon="saa-1", description="x",
                                        reported_by="ana-reyes")
        assert len(app.session.ledger) == before
        go_on.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session is not None and app.session.records_held is None
        assert "checking the record" not in app.sub_title


async def test_an_entry_edited_after_the_fold_was_saved_is_named_once_the_check_ends(
        tmp_path: Path, saves_every_open):
    ledger = tmp_path / "season.sqlite"
    await _worked_on(ledger)
    # An early entry changed; the head the fold was saved at is still there, so the fold itself loads.
    _edit_the_first_enrollment(ledger)
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert "does not verify at entry #" in app.screen.message
        assert "does not verify" in app.session.records_held  # nothing more is recorded on it
        await pilot.press("escape", "b", "o", "enter")  # nothing beneath it is reached
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)


async def test_a_tampered_fold_is_not_used_by_the_app(tmp_path: Path, saves_every_open):
    ledger = tmp_path / "season.sqlite"
    await _worked_on(ledger)
    data = bytearray(fold_path(ledger).read_bytes())
    data[-40] ^= 1
    fold_path(ledger).write_bytes(bytes(data))
    app = make_app(ledger)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.session.fold_loaded
        assert app.session.records_held is None  # checked before anything was shown, as without a fold
