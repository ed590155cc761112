"""The producer's report on awkward records: a day never closed and exported years later, a record that
fails verification part way, a production file that is not the ledger's, empty answers, long reasons."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest

from armory.cli.export import export_file, load
from armory.export.records import assign_days, day_range
from armory.export.timeline import MAX_TICKS, _tick_step, _ticks
from armory.rulebook.loader import load_production


def _entry(seq: int, kind: str, day: str | None = None, time: str = "2026-03-02T14:00:00.000000Z") -> dict:
    payload = {"day": day} if day else {}
    return {"seq": seq, "time": time, "kind": kind, "who": "x", "scope": "", "payload": payload,
            "prev": "", "clock_skew_ms": 0, "hash": f"{seq:064x}"}


# -- a day never closed ---------------------------------------------------------


def test_checkpoints_and_exports_after_an_open_days_last_entry_belong_to_no_day():
    entries = [
        _entry(1, "ledger_opened"),
        _entry(2, "day_opened", "day-1"),
        _entry(3, "answer", "day-1"),
        _entry(4, "checkpoint"),           # an export in the middle of the day ...
        _entry(5, "export_recorded", "day-1"),
        _entry(6, "note"),                 # ... followed by more of the day
        _entry(7, "checkpoint"),           # the day never closed: exported afterwards
        _entry(8, "export_recorded", "day-1"),  # an export *of* day-1, not an entry of it
        _entry(9, "checkpoint"),
    ]
    assert assign_days(entries) == [None, "day-1", "day-1", "day-1", "day-1", "day-1", None, None, None]
    assert day_range(entries, "day-1") == (1, 9)


def test_a_checkpoint_before_the_next_day_opens_stays_out_of_both_days():
    entries = [_entry(1, "day_opened", "day-1"), _entry(2, "answer", "day-1"), _entry(3, "checkpoint"),
               _entry(4, "day_opened", "day-2"), _entry(5, "answer", "day-2")]
    assert assign_days(entries) == ["day-1", "day-1", None, "day-2", "day-2"]


@pytest.mark.parametrize("days", [0, 1, 3, 400, 20_000])
def test_hour_lines_are_bounded_whatever_the_span(days):
    start = dt.datetime(2000, 1, 4, 21, 1, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(days=days, hours=5)
    ticks = _ticks(start, end, dt.timezone.utc)
    assert 1 <= len(ticks) <= MAX_TICKS
    assert all(start <= t <= end for t in ticks)
    assert _tick_step(end - start) > dt.timedelta(0)


class _LaterClock:
    """Years after the shoot, as when a producer exports an old record."""

    def __init__(self) -> None:
        self.now = dt.datetime(2031, 6, 1, 12, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=20)
        return self.now


ROOT = Path(__file__).resolve().parent.parent
WESTERN = ROOT / "sample_productions" / "western"


@pytest.fixture(scope="module")
def exported_years_later(tmp_path_factory) -> dict[str, str]:
    """The injury drill (its day-2 is never closed: the weapon goes to an investigator) exported three
    times, five years after the shoot."""
    from armory.cli import main
    from armory.ledger.store import Ledger

    work = tmp_path_factory.mktemp("later")
    path = work / "ledger.sqlite"
    assert main(["rules", "test", "--ledger", str(path), str(WESTERN / "drills" / "evidence-after-injury.toml")]) == 0
    production = load_production(WESTERN / "production.toml").production
    pages = {}
    for name, fmt, day in (("first.html", "html", None), ("report.html", "html", None),
                           ("day-2.html", "html", "day-2"), ("day-2.csv", "csv", "day-2")):
        ledger = Ledger.open(path, create=False, clock=_LaterClock())
        try:
            export_file(load(ledger, production), fmt, work / name, day=day, stderr=io.StringIO())
        finally:
            ledger.close()
        pages[name] = (work / name).read_text(encoding="utf-8-sig")
    return pages


def _timeline_of(page: str, day: str) -> str:
    start = page.index(f'aria-label="Timeline of {day}')
    return page[start: page.index("</table>", start)]


@pytest.mark.parametrize("name", ["report.html", "day-2.html"])
def test_an_open_day_ends_at_its_last_entry_not_at_the_export(exported_years_later, name):
    page = exported_years_later[name]
    drawing = _timeline_of(page, "day-2")
    axis = drawing[drawing.index('<g class="tl-axis">'): drawing.index("</g>", drawing.index('<g class="tl-axis">'))]
    assert 1 <= axis.count("<line") <= MAX_TICKS
    assert "the day was never closed, so it ends at its last entry" in drawing
    assert "2031" not in drawing and "06:0" not in axis  # 2031-06-01 12:00 UTC is 06:00 in Denver
    # every holder's span ends on the shooting day
    for start, end in re.findall(r"<td>(\d\d:\d\d)–(\d\d:\d\d)</td>", drawing):
        assert start <= end, (start, end)
    assert len(page) < 400_000


def test_a_short_open_day_keeps_its_true_times_in_the_table_and_widens_only_the_drawing():
    """A day of one minute, never closed: the drawing still covers ten minutes so it is readable, but
    the table and the drawing's tooltips say 06:52–06:53, the times the entries carry."""
    from armory.export.records import Names
    from armory.export.timeline import MIN_DRAWN, build_timeline, render_svg, render_table

    def at(seq: int, kind: str, minute: int, **payload) -> dict:
        entry = _entry(seq, kind, "day-1", f"2026-03-02T06:{minute:02d}:00.000000Z")
        entry["payload"].update(payload)
        return entry

    entries = [at(1, "day_opened", 52), at(2, "answer", 52, weapon="rev-1"),
               at(3, "handoff", 53, weapon="rev-1", receiver="actor-1")]
    timeline = build_timeline("day-1", entries, Names())
    assert not timeline.closed
    assert timeline.end == timeline.last_entry
    assert max(span.end for span in timeline.spans).strftime("%H:%M") == "06:53"
    assert timeline.drawn_end - timeline.start == MIN_DRAWN
    table = render_table(timeline, Names(), dt.timezone.utc)
    assert "ends at its last entry (06:53)" in table
    assert re.findall(r"<td>(\d\d:\d\d)–(\d\d:\d\d)</td>", table) == [("06:52", "06:53"), ("06:53", "06:53")]
    assert "07:02" not in table
    svg = render_svg(timeline, Names(), dt.timezone.utc)
    assert "07:02" not in svg and "from 06:52 to 06:53" in svg
    # the drawing still covers ten minutes: the first one-minute span takes about a tenth of the plot
    rects = re.findall(r'<g class="tl-span[^"]*"><title>[^<]*</title>\n<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    first_width = float(rects[0][1])
    assert first_width < 100, "one minute of a ten-minute axis is about a tenth of the plot"


def test_the_exports_after_the_day_are_listed_apart_and_still_carried(exported_years_later):
    page = exported_years_later["report.html"]
    entries = page[page.index('id="entries"'): page.index('id="packs"')]
    day_two = entries[entries.index("<h3>day-2:"):]
    after = day_two.index("<h3>After day-2: signed checkpoints and exports")
    assert "Signed checkpoint" not in day_two[:after] and "Exported as" not in day_two[:after]
    # the second export ends on the head the first signed (nothing but that export was recorded since)
    assert "Signed checkpoint" in day_two[after:] and "Exported as" not in day_two[after:]
    head = re.search(r"Head hash</dt><dd><code>(\w+)</code>", page).group(1)
    assert head in exported_years_later["first.html"]
    day_page = exported_years_later["day-2.html"]
    assert "<h3>After day-2: signed checkpoints and exports" in day_page
    csv_rows = exported_years_later["day-2.csv"].splitlines()
    assert not any("Signed checkpoint" in row or "2031-" in row for row in csv_rows)


# -- a record that fails verification part way ----------------------------------


def _render(chain, *, ok=True, first_bad=None, production=None, day=None, shown=None):
    from types import SimpleNamespace

    from armory.export.html_report import ReportData, render_report
    from armory.export.records import Names

    verification = SimpleNamespace(ok=ok, entries=len(chain), head=chain[-1]["hash"], first_bad=first_bad,
                                   checkpoints_checked=1 if ok else 0, key_fingerprint="k", problems=[],
                                   signed_through=len(chain) if ok else 0)
    return render_report(ReportData(chain=chain, lines=["{}"] * len(chain), shown=chain if shown is None else shown,
                                    names=Names(production), verification=verification, day=day))


def _golden_chain():
    from armory.ledger.verify import read_export
    from tests.golden.regenerate import HERE

    return read_export(HERE / "report.jsonl")


def _card(page: str, seq: int) -> str:
    start = page.index(f'<li id="e{seq}"')
    return page[start: page.index("</li>", start)]


def test_every_entry_from_the_first_bad_one_on_is_marked_unverified():
    chain = _golden_chain()
    bad = next(e["seq"] for e in chain if e["kind"] == "override")
    page = _render(chain, ok=False, first_bad=(bad, "override", "its content hashes to something else"))
    assert "unverified" not in _card(page, bad - 1)
    assert 'class="entry serious unverified"' in _card(page, bad)
    assert "first entry that fails verification" in _card(page, bad)
    for entry in chain[bad:]:
        card = _card(page, entry["seq"])
        assert "unverified" in card.split(">", 1)[0] and f"after #{bad}" in card, entry["seq"]
    summary = page[page.index('id="summary"'): page.index('id="timeline"')]
    assert f"This record does not verify:</strong> #{bad} and every entry after it" in summary
    # every serious item at or after the break carries the mark, none before it
    for item in re.findall(r"<li>.*?</li>", summary[summary.index("What went wrong"):]):
        seq = int(re.search(r'href="#e(\d+)"', item).group(1))
        assert item.startswith("<li><span class=\"doubt-tag\">UNVERIFIED</span>") == (seq >= bad), item


def test_an_intact_record_marks_nothing_unverified():
    page = _render(_golden_chain())
    assert "UNVERIFIED" not in page and "unverified" not in page.split("<body>")[1].split('id="armory-ledger"')[0]


# -- the summary in words ---------------------------------------------------------


def _summary(page: str) -> str:
    return page[page.index('id="summary"'): page.index('id="timeline"')]


def test_a_hold_never_overridden_is_named_in_words_with_its_id_after():
    chain = _golden_chain()
    before_override = [e for e in chain if e["seq"] < 20]  # the hold #19 is not yet overridden
    summary = _summary(_render(before_override))
    item = re.search(r"<li><strong>Hold never overridden</strong>.*?</li>", summary).group(0)
    # the fixture's pack gives this rule no title: the question it asked stands in
    assert "Feet from the muzzle to the nearest person" in item
    assert item.index("Feet from the muzzle") < item.index('<code class="rule-id">blanks.muzzle-distance</code>')
    assert "answered 12 feet, expected at least" in item


def test_rules_are_titled_from_the_pack_in_force_and_failures_from_the_catalogue():
    from armory.export.records import explain_failures, failure_titles

    page = _render(_golden_chain())
    assert "rule: Chambers inspected (<code>rounds.chamber-count</code>)" in _card(page, 5)
    assert failure_titles()["F5"] in explain_failures(["F5", "F11"])
    assert "F2 (No round-by-round dummy check)" in _card(page, 5)


def test_an_empty_answer_reads_nothing_entered():
    from armory.export.records import Names, build_records, plain_reason

    answer = _entry(2, "answer", "day-1")
    answer["payload"].update(rule_id="incidents.seal", question="Seal on the ammunition", expected="not empty",
                             observed=[""], verdict="fail", severity="stop")
    stop = _entry(3, "stop", "day-1")
    stop["payload"].update(scope="production", weapons=[], cause="incidents.seal",
                           reason="Seal on the ammunition: observed , expected not empty. Seal everything.")
    answered, stopped = build_records([answer, stop], Names())
    assert answered.reason == "nothing entered; expected not empty"
    assert ("Observed", "nothing entered") in answered.details
    assert stopped.reason == "Seal on the ammunition: nothing entered, expected not empty. Seal everything."
    assert plain_reason("observed 3, expected 6") == "observed 3, expected 6"


def test_long_reasons_are_cut_at_a_word_and_link_to_the_whole_text():
    from armory.export.report_html import clip as _clip

    text = ("The armorer collects the weapon from the performer; " * 8).strip()
    clipped = _clip(text, seq=123)
    shown = clipped.split("…")[0]
    assert text.startswith(shown) and text[len(shown)] in " ;" and len(shown) <= 240
    assert '<a href="#e123" class="more">read all of #123</a>' in clipped
    assert _clip("short", seq=1) == "short"


def test_the_counts_come_before_the_lists_of_what_went_wrong():
    summary = _summary(_render(_golden_chain()))
    assert summary.index("<caption>Counts</caption>") < summary.index("Still open at the end") \
        < summary.index("What went wrong")


# -- paper ------------------------------------------------------------------------


def test_print_lets_large_boxes_break_between_items_and_keeps_headings_with_their_text():
    from armory.export.html_report import CSS_PATH

    css = CSS_PATH.read_text(encoding="utf-8")
    printed = css[css.index("@media print"):]
    avoided = re.findall(r"([^{}]*)\{\s*break-inside:\s*avoid", printed)
    kept_whole = {s.strip() for rule in avoided for s in rule.split(",")}
    assert ".attention" not in kept_whole and "ol.entries" not in kept_whole  # else a blank page 1
    assert {".attention li", ".serious-list li", ".entry"} <= kept_whole
    assert re.search(r"h2, h3[^{]*\{\s*break-after:\s*avoid", printed)
    # pack ids ("incidents") never break inside the word; only the hash may
    assert re.search(r"table\.packs th, table\.packs td \{[^}]*word-break: normal", css)


# -- the drawing --------------------------------------------------------------------


def test_span_labels_are_never_drawn_under_a_mark():
    from armory.export.timeline import CHAR_WIDTH, MARK_CLEARANCE, place_label

    assert place_label("with the armorer", 180, 600, []) == (185.0, "with the armorer")
    lx, text = place_label("with the armorer", 180, 600, [186.0, 300.0])
    assert lx >= 186 + MARK_CLEARANCE and (lx + CHAR_WIDTH * len(text) < 300 - MARK_CLEARANCE or lx > 300)
    lx, text = place_label("Faye Moreno", 500, 640, [600.0])
    assert text.endswith("…") and lx + CHAR_WIDTH * len(text) <= 600 - MARK_CLEARANCE
    assert place_label("with the armorer", 180, 200, [190.0]) is None


def test_in_the_drawn_report_no_label_sits_under_a_mark(exported_years_later):
    page = exported_years_later["report.html"]
    svg = page[page.index('<svg class="timeline"'): page.index("</svg>")]
    rows = svg.split('<g class="tl-row">')[1:]
    marks = re.findall(r'<a href="#e\d+" class="tl-mark[^"]*">.*?</a>', svg, re.S)
    centres = []
    for mark in marks:
        for points in re.findall(r'<polygon points="([^"]+)"', mark):
            xy = [tuple(map(float, p.split(","))) for p in points.split()]
            centres.append((sum(p[0] for p in xy) / len(xy), sum(p[1] for p in xy) / len(xy)))
    assert centres
    for row in rows:
        for x, y, text in re.findall(r'<text x="([\d.]+)" y="([\d.]+)">([^<]+)</text>', row):
            x, y = float(x), float(y)
            for cx, cy in centres:
                if abs(cy - y) < 20:
                    assert not (x - 9 < cx < x + 7.2 * len(text) + 9), (text, x, cx)


# -- the right production -------------------------------------------------------------


def test_a_production_file_that_is_not_the_ledgers_is_named():
    from armory.export.records import production_matches, production_missing

    chain = _golden_chain()  # kept for "Dry Creek"
    from tests.golden import ledger_fixture

    right = load_production(ledger_fixture.PRODUCTION).production
    wrong = load_production(WESTERN / "production.toml").production
    assert production_matches(chain, right) is None and production_missing(chain, right) is None
    warning = production_matches(chain, wrong)
    assert "'Dry Creek'" in warning and repr(wrong.production.title) in warning
    assert production_matches(chain, None) is None
    assert "no production file was given" in production_missing(chain, None)
    page = _render(chain, production=wrong)
    assert "Wrong production file:" in page and "<h1>Firearms safety record: Dry Creek</h1>" in page
    assert "No production file was given" in _render(chain)


@pytest.mark.parametrize("timezone", ["UTC", "America/Denver"])
def test_csv_column_titles_are_distinct(timezone):
    from armory.export.csv_export import header

    titles = header(timezone)
    assert len(set(titles)) == len(titles)
    assert "time (UTC)" in titles and any(t.startswith("local time (") for t in titles)


def test_drill_runs_sharing_a_day_id_are_drawn_apart(tmp_path):
    """Drills sharing one ledger each open their own day-1: one drawing per run, not one across them all."""
    from armory.cli import main
    from armory.export.html_report import ReportData, render_report  # noqa: F401 - the report under test
    from armory.ledger.store import Ledger

    path = tmp_path / "drills.sqlite"
    drills = [str(WESTERN / "drills" / name) for name in ("clean-day.toml", "crow-obstructed-barrel.toml")]
    assert main(["rules", "test", "--ledger", str(path), *drills]) == 0
    ledger = Ledger.open(path, create=False)
    try:
        export_file(load(ledger, load_production(WESTERN / "production.toml").production), "html",
                    tmp_path / "day-1.html", day="day-1", stderr=io.StringIO())
    finally:
        ledger.close()
    page = (tmp_path / "day-1.html").read_text(encoding="utf-8")
    assert len(re.findall(r'aria-label="Timeline of day-1, \d{4}-\d\d-\d\d \(run drill:[^"]*\), scrollable"', page)) == 2
    # ...and the page says, before any count, that these are drill runs, not a shooting day.
    assert "Drills in this file:</strong> 2 drill runs" in page and "not a shooting day" in page


def test_the_report_says_who_people_are_and_what_the_weapons_are():
    """A producer can tell whether an override was signed by the right role: roles, weapons and lots in words."""
    page = (Path(__file__).parent / "golden" / "report.html").read_text(encoding="utf-8")
    cast = page[page.index('<section id="cast"'):]
    cast = cast[: cast.index("</section>")]
    assert "<th scope=\"row\">Dele Okafor</th><td>okafor</td><td>safety officer</td>" in cast
    assert "Sam Halls</th><td>halls</td><td>first assistant director" in cast
    assert "PT-208841" in cast and "Western Prop Rounds" in cast
