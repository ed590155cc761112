"""The text a producer reads is what the signed entries draw: a report is drawn again and compared."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from armory.export.records import Names, production_in_chain
from armory.export.report_check import check_report
from armory.ledger.verify import read_export
from tests.golden.regenerate import HERE

REPORTS = ["report.html", "report-day-1.html"]


def check(path: Path):
    return check_report(path, read_export(path))


@pytest.mark.parametrize("name", REPORTS)
def test_a_report_as_exported_is_what_its_entries_draw(name):
    result = check(HERE / name)
    assert result.matches is True, result.message


def test_names_come_from_the_production_the_chain_recorded():
    production = production_in_chain(read_export(HERE / "report.jsonl"))
    assert production is not None
    names = Names(production)
    assert names.short_person("okafor") == "Dele Okafor"


@pytest.mark.parametrize("name", REPORTS)
def test_an_edit_to_the_visible_text_alone_is_caught_and_located(name, tmp_path):
    page = (HERE / name).read_text(encoding="utf-8")
    first = re.search(r"observed (\d+)", page)
    assert first is not None, "the golden report shows an observed count"
    changed = str(int(first.group(1)) + 1)
    edited = tmp_path / name
    edited.write_text(page[: first.start(1)] + changed + page[first.end(1):], encoding="utf-8")
    result = check(edited)
    assert result.matches is False
    line = page.count("\n", 0, first.start()) + 1
    assert f"line {line} reads" in result.message and f"observed {changed}" in result.message


def test_a_name_changed_everywhere_on_the_page_is_still_caught(tmp_path):
    page = (HERE / "report.html").read_text(encoding="utf-8")
    edited = tmp_path / "report.html"
    # Everything the reader sees says someone else did it; the entries (and their hashes) are untouched.
    visible, data = page.split('<script type="application/json"', 1)
    edited.write_text(visible.replace("Dele Okafor", "Somebody Else") + '<script type="application/json"' + data,
                      encoding="utf-8")
    assert check(edited).matches is False


def test_a_page_without_its_drawing_record_is_not_passed(tmp_path, capsys):
    from armory.cli import main

    page = (HERE / "report.html").read_text(encoding="utf-8")
    stripped = tmp_path / "report.html"
    stripped.write_text(re.sub(r'<script type="application/json" id="armory-report">.*?</script>\n', "", page,
                               flags=re.S), encoding="utf-8")
    result = check(stripped)
    assert result.matches is None and "cannot be checked" in result.message
    assert main(["log", "verify", str(stripped)]) == 1  # the record of how it was drawn is not signed
    assert "NOT CHECKED" in capsys.readouterr().out


def test_a_page_drawn_by_another_version_is_said_not_to_be_redrawn(tmp_path):
    page = (HERE / "report.html").read_text(encoding="utf-8")
    block = re.search(r'id="armory-report">(.*?)</script>', page, flags=re.S)
    params = json.loads(block.group(1))
    params["armory"] = "0.0.1"
    other = tmp_path / "report.html"
    other.write_text(page.replace(block.group(1), json.dumps(params, sort_keys=True)), encoding="utf-8")
    result = check(other)
    assert result.matches is None and "armory 0.0.1" in result.message


@pytest.mark.parametrize("change", [
    ('"kind": "record"', '"kind": "incident"'),
    ('"kind": "record"', '"kind": "anything"'),
    ('"day": null', '"day": "day-9"'),
    ('"generated": "2026-03-04T02:00:00.000000Z"', '"generated": "2026-03-05T02:00:00.000000Z"'),
])
def test_an_edited_drawing_record_fails(change, tmp_path):
    page = (HERE / "report.html").read_text(encoding="utf-8")
    assert change[0] in page
    edited = tmp_path / "report.html"
    edited.write_text(page.replace(change[0], change[1], 1), encoding="utf-8")
    assert check(edited).matches is False


def test_an_evidence_bundle_page_is_drawn_again_too(tmp_path):
    from tests.golden.regenerate import export_fixture_bundle

    out = tmp_path / "bundle"
    export_fixture_bundle(out, workdir=tmp_path)
    page = out / "incident.html"
    assert check(page).matches is True
    text = page.read_text(encoding="utf-8")
    seal = re.search(r"<td>([A-Z]+-\d+)</td>", text)
    assert seal is not None, "the custody table shows a seal id"
    edited = tmp_path / "incident.html"
    edited.write_text(text.replace(seal.group(0), "<td>FAKE-0999</td>", 1), encoding="utf-8")
    assert check(edited).matches is False


def test_log_verify_fails_a_report_whose_readable_text_was_edited(tmp_path, capsys):
    from armory.cli import main

    page = (HERE / "report.html").read_text(encoding="utf-8")
    assert main(["log", "verify", str(HERE / "report.html")]) == 0
    assert "exactly what the signed entries draw" in capsys.readouterr().out
    edited = tmp_path / "report.html"
    edited.write_text(page.replace("Dele Okafor", "Dele Okafer", 1), encoding="utf-8")
    assert main(["log", "verify", str(edited)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAILED") and "not what its signed entries draw" in out and "Okafer" in out


@pytest.mark.parametrize("block", [
    '{"armory": "0.1.0", "kind": "incident", "incident": Infinity}',
    "[" * 100_000,
    '{"armory": "0.1.0", "day": "day-1", "generated": "2031-06-01T12:00:00.000000Z", "kind": "record"}',
])
def test_a_crafted_drawing_record_fails_without_a_traceback(block, tmp_path):
    page = (HERE / "report-day-1.html").read_text(encoding="utf-8")
    found = re.search(r'id="armory-report">(.*?)</script>', page, flags=re.S)
    crafted = tmp_path / "report.html"
    crafted.write_text(page.replace(found.group(1), block), encoding="utf-8")
    assert check(crafted).matches is False
