"""A season's report: the season first, its entries in compressed day blocks, verified as any export."""

from __future__ import annotations

import base64
import gzip
import re

import pytest

from armory.export import report_season
from armory.export.report_check import check_report
from armory.ledger.verify import read_export, verify_file
from tests.golden.regenerate import HERE, export_fixture


@pytest.fixture
def season_page(tmp_path, monkeypatch):
    """The golden fixture's record drawn as a season (any record of more than one day is one, here)."""
    monkeypatch.setattr(report_season, "SEASON_DAYS", 1)
    out = tmp_path / "season.html"
    export_fixture("html", out, workdir=tmp_path)
    return out


def test_the_season_page_carries_every_entry_in_day_blocks_and_verifies(season_page):
    page = season_page.read_bytes()
    assert b'id="armory-ledger">' not in page
    blocks = re.findall(rb'class="armory-ledger-day" data-day="([^"]*)" data-first="(\d+)" data-entries="(\d+)"', page)
    assert [b[0] for b in blocks][:3] == [b"", b"day-1", b"day-2"] or b"day-1" in [b[0] for b in blocks]
    result, kind = verify_file(season_page)
    assert kind == "html" and result.ok
    # The same entries, line for line, as the jsonl export of the same ledger.
    golden = [line for line in (HERE / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    carried = read_export(season_page)
    assert len(carried) == len(golden) and carried[0]["hash"] == read_export(HERE / "report.jsonl")[0]["hash"]
    check = check_report(season_page, carried)
    assert check.matches is True, check.message


def test_the_season_comes_first_and_no_entry_is_drawn_on_the_page(season_page):
    text = season_page.read_text(encoding="utf-8")
    assert "a season of 2 days, day-1 to day-2" in text
    for section in ("Still open at the end of the season", "Sealed evidence", "Incidents", "The days: day-1 to day-2",
                    "Search the season"):
        assert section in text
    assert 'class="entry' not in text.split("<script", 1)[0]
    assert "script-src 'sha256-" in text and "default-src 'none'" in text


def test_an_edit_to_the_visible_text_is_caught(season_page):
    page = season_page.read_text(encoding="utf-8")
    edited = page.replace("Still open at the end of the season", "Nothing to see here", 1)
    season_page.write_text(edited, encoding="utf-8")
    assert check_report(season_page, read_export(season_page)).matches is False


def test_a_block_moved_to_another_day_is_caught(season_page):
    page = season_page.read_text(encoding="utf-8")
    edited = page.replace('data-day="day-2"', 'data-day="day-1"', 1)
    season_page.write_text(edited, encoding="utf-8")
    assert check_report(season_page, read_export(season_page)).matches is False


def test_an_entry_changed_inside_a_block_breaks_the_chain(season_page):
    page = season_page.read_bytes()
    tag, text = re.search(rb'(class="armory-ledger-day" data-day="day-1"[^>]*>)([^<]*)', page).groups()
    lines = gzip.decompress(base64.b64decode(text))
    changed = lines.replace(b'"observed":["6"]', b'"observed":["5"]', 1)
    assert changed != lines
    season_page.write_bytes(page.replace(text, base64.b64encode(gzip.compress(changed))))
    result, _kind = verify_file(season_page)
    assert not result.ok


def test_a_block_that_is_not_gzip_is_named(season_page):
    page = season_page.read_bytes()
    text = re.search(rb'class="armory-ledger-day" data-day="day-1"[^>]*>([^<]*)', page).group(1)
    season_page.write_bytes(page.replace(text, base64.b64encode(b"not gzip at all"), 1))
    with pytest.raises(Exception, match="not gzip"):
        read_export(season_page)


def test_a_short_record_keeps_the_one_page_look():
    assert b'id="armory-ledger">' in (HERE / "report.html").read_bytes()
