"""The app with a studio store: the first screen says how the sync stands, and the store down changes nothing."""

from __future__ import annotations

from armory.tui.app import ArmoryApp
from armory.tui.screens.home import HomeScreen
from test_tui_day import SIZE, SAMPLE_PRODUCTION, fixed_clock
from tests.studio_helpers import ledger_id, query


def _line(app) -> str:
    return str(app.screen.query_one("#sync-line").content)


async def test_the_app_works_with_the_store_down_and_syncs_when_it_returns(tmp_path, pg_cluster, store):
    ledger = tmp_path / "unit.sqlite"
    pg_cluster.stop()
    try:
        app = ArmoryApp(SAMPLE_PRODUCTION, ledger, clock=fixed_clock, store_url=store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "store unreachable since" in _line(app) and "working offline" in _line(app)
            # nothing waits on the store: the armorer goes on working
            await pilot.press("o")
            await pilot.pause()
            assert not isinstance(app.screen, HomeScreen)
            await pilot.press("escape")
            await pilot.pause()
            pg_cluster.restart()
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Sync now")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert _line(app) == "studio store: synced just now, not yet witnessed"
    finally:
        if not _running(pg_cluster):
            pg_cluster.restart()
    count = query(store, "SELECT count(*) FROM armory.entries WHERE ledger_id = %s", (ledger_id(ledger),))[0][0]
    assert count >= 1


def _running(cluster) -> bool:
    import subprocess

    return subprocess.run([str(cluster.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(cluster.port)],
                          capture_output=True).returncode == 0


async def test_without_a_store_the_first_screen_is_as_before(tmp_path):
    app = ArmoryApp(SAMPLE_PRODUCTION, tmp_path / "unit.sqlite", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.screen.query("#sync-line")
        assert app.studio_sync is None
