"""Dates as they happened: every heading and row shows the local date a day was really opened on, beside
the scheduled one where they differ, and two openings of one day id are told apart."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from armory.cli.export import export_file, load
from armory.export.openings import Opening, openings, positions_of, several_dates_note, short_date, split_choice
from armory.problems import InputError
from armory.rulebook.loader import load_production

ROOT = Path(__file__).resolve().parent.parent
WESTERN = ROOT / "sample_productions" / "western"


def _entry(seq: int, kind: str, time: str, day: str | None = None, scope: str = "") -> dict:
    return {"seq": seq, "time": time, "kind": kind, "who": "x", "scope": scope,
            "payload": {"day": day} if day else {}, "prev": "", "clock_skew_ms": 0, "hash": f"{seq:064x}"}


TWICE = [
    _entry(1, "ledger_opened", "2000-01-03T13:00:00Z"),
    _entry(2, "day_opened", "2000-01-03T14:02:00Z", "day-1"),
    _entry(3, "answer", "2000-01-03T14:05:00Z", "day-1"),
    _entry(4, "day_closed", "2000-01-04T01:00:00Z", "day-1"),
    _entry(5, "day_opened", "2026-12-01T14:02:00Z", "day-1"),  # the same day id, opened again years later
    _entry(6, "answer", "2026-12-01T14:05:00Z", "day-1"),
]


def test_two_openings_of_one_day_id_are_two_openings_with_their_dates():
    found = openings(TWICE, dt.timezone.utc)
    assert [(o.day, o.seq, o.date.isoformat()) for o in found] == [("day-1", 2, "2000-01-03"),
                                                                   ("day-1", 5, "2026-12-01")]
    assert [o.label for o in found] == ["day-1@2000-01-03", "day-1@2026-12-01"]


def test_day_at_date_picks_one_opening_and_a_bare_day_id_both_with_a_note():
    picked, of_day = positions_of(TWICE, "day-1@2026-12-01", dt.timezone.utc)
    assert [TWICE[i]["seq"] for i in picked] == [5, 6]
    picked, of_day = positions_of(TWICE, "day-1", dt.timezone.utc)
    assert [TWICE[i]["seq"] for i in picked] == [2, 3, 4, 5, 6]
    note = several_dates_note("day-1", of_day)
    assert note is not None and "day-1@2000-01-03, day-1@2026-12-01" in note
    assert several_dates_note("day-1@2026-12-01", of_day) is None


@pytest.mark.parametrize("text", ["day-1@2026-13-01", "day-1@tuesday"])
def test_a_day_at_something_not_a_date_is_refused(text):
    with pytest.raises(InputError, match="--day"):
        split_choice(text)


def test_a_day_opened_off_its_schedule_says_both_dates():
    opening = Opening("day-1", "", 2, dt.date(2026, 12, 1), dt.date(2000, 1, 3))
    assert opening.heading() == "day-1, scheduled Mon 3 Jan 2000, opened Tue 1 Dec 2026"
    on_time = Opening("day-1", "", 2, dt.date(2000, 1, 3), dt.date(2000, 1, 3), "Ranch")
    assert on_time.heading() == "day-1: Monday 3 January 2000, Ranch"


@pytest.fixture(scope="module")
def drilled(tmp_path_factory) -> tuple[Path, Path]:
    """day-1 of the engine's test production, scheduled for 2021-10-21, opened on 1 December 2026."""
    from armory.drills.runner import DrillClock
    from armory.ledger.store import Ledger
    from tests.engine_helpers import PRODUCTION, open_session

    work = tmp_path_factory.mktemp("dates")
    session = open_session(work, clock=DrillClock(dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.timezone.utc)))
    session.open_day("day-1", armorer="arm")
    session.ledger.close()
    production = load_production(PRODUCTION).production
    for name in ("all.html", "all.csv"):
        ledger = Ledger.open(work / "ledger.sqlite", create=False, key_path=work / "device.key")
        try:
            export_file(load(ledger, production), name.rsplit(".", 1)[1], work / name, day=None,
                        stderr=io.StringIO())
        finally:
            ledger.close()
    return work / "all.html", work / "all.csv"


def test_the_report_shows_the_date_each_day_was_opened_and_the_schedule_beside_it(drilled):
    page = drilled[0].read_text(encoding="utf-8")
    heading = "day-1, scheduled Thu 21 Oct 2021, opened Tue 1 Dec 2026"
    assert f"<h3>{heading}</h3>" in page
    assert "Thursday 21 October 2021" not in page  # the schedule's date is never given as when it happened
    assert "all days (day-1 on 2026-12-01)" in page
    assert "Who held each weapon on day-1, 2026-12-01" in page or "No weapon moved" in page


def test_the_csv_gives_each_row_the_date_its_day_was_opened(drilled):
    with open(drilled[1], encoding="utf-8-sig", newline="") as handle:
        handle.readline()
        rows = list(csv.DictReader(handle))
    days = [r for r in rows if r["day"] == "day-1"]
    assert days and all(r["day opened on (local date)"] == "2026-12-01" for r in days)
    assert all(r["local time (America/Denver)"].endswith(" -07:00") for r in rows)


def test_export_day_at_a_date_picks_that_opening_and_a_wrong_date_is_refused(tmp_path):
    from armory.drills.runner import DrillClock
    from armory.export.writing import select_day
    from tests.engine_helpers import PRODUCTION, open_session

    session = open_session(tmp_path, clock=DrillClock(dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.timezone.utc)))
    session.open_day("day-1", armorer="arm")
    session.ledger.close()
    from armory.export.writing import read_entries
    from armory.ledger.store import Ledger

    with Ledger.open(tmp_path / "ledger.sqlite", create=False, readonly=True) as ledger:
        entries = read_entries(ledger)
    production = load_production(PRODUCTION).production
    carried, shown = select_day(entries, "day-1@2026-12-01", production)
    assert shown and all(e["payload"].get("day", "day-1") == "day-1" for e in shown)
    assert select_day(entries, "day-1", production)[1] == shown
    with pytest.raises(InputError, match=r"day-1 was not opened on 2021-10-21; it was opened as day-1@2026-12-01"):
        select_day(entries, "day-1@2021-10-21", production)


def test_log_show_day_at_a_date_shows_that_opening_only(tmp_path, capsys):
    from armory.cli import main
    from armory.drills.runner import DrillClock
    from tests.engine_helpers import PRODUCTION, open_session

    session = open_session(tmp_path, clock=DrillClock(dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.timezone.utc)))
    session.open_day("day-1", armorer="arm")
    session.ledger.close()
    ledger = str(tmp_path / "ledger.sqlite")
    assert main(["log", "show", "--ledger", ledger, "--production", str(PRODUCTION), "--day", "day-1@2026-12-01"]) == 0
    shown = capsys.readouterr().out
    assert "opened day-1" in shown and all(" 2026-12-01 " in line for line in shown.splitlines())
    assert main(["log", "show", "--ledger", ledger, "--production", str(PRODUCTION), "--day", "day-1@2021-10-21"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no entries match" in captured.err
