"""The safety officer's side of the app: packs in force, a rule's question and sources, the overview, drills."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from armory import paths
from armory.tui.app import ArmoryApp
from armory.tui.screens.rules import RulesScreen, drill_report
from test_tui_day import SIZE, fixed_clock

PRECINCT = paths.SAMPLE_PRODUCTIONS / "precinct" / "production.toml"


async def test_the_rules_screen_shows_packs_a_rule_and_the_overview(tmp_path: Path):
    app = ArmoryApp(PRECINCT, tmp_path / "ledger.sqlite", [], clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RulesScreen)
        packs = str(screen.query_one("#rules-packs", Static).content)
        assert "handling 1.1.0" in packs and "sha256" in packs and "handoff.show-the-load-ad" in packs
        table = screen.query_one("#rules-table", DataTable)
        assert table.row_count == sum(len(p.pack.rule) for p in app.session.packs)
        screen.show_rule("handling.barrel-after-firing")
        detail = str(screen.query_one("#rule-detail", Static).content)
        assert "Asks: At what time did you look through the bore" in detail
        assert "Required before: handoff, day close" in detail and "bulletin-1" in detail
        await pilot.press("o")
        await pilot.pause()
        assert "every rule against every weapon" in str(screen.query_one("#rule-detail", Static).content)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RulesScreen)


def test_the_bundled_drills_run_with_coverage():
    report = drill_report(PRECINCT)
    assert report.splitlines()[0].startswith("8 of 8 drills pass; coverage:")
    assert "PASS  property-master-hands-over.toml" in report
