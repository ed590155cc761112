"""The producer's files: golden output, verification of what is exported, tampering named, csv quoting."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from armory.ledger.verify import read_export, verify_file
from tests.golden import ledger_fixture
from tests.golden.regenerate import BUNDLE_GOLDEN, GOLDEN, HERE, export_fixture, export_fixture_bundle

REGEN = "if the change is intended, run: .venv/bin/python -m tests.golden.regenerate (and review git diff tests/golden)"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """Every golden export made afresh from the fixed ledger."""
    work = tmp_path_factory.mktemp("export")
    files = {}
    for name, (fmt, day) in GOLDEN.items():
        files[name] = work / name
        export_fixture(fmt, files[name], day=day, workdir=work)
    return files


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_export_matches_golden_file(exported, name):
    produced = exported[name].read_bytes()
    golden = (HERE / name).read_bytes()
    assert produced == golden, f"{name} differs from tests/golden/{name}; {REGEN}"


@pytest.mark.parametrize("name", ["report.jsonl", "report.html", "report-day-1.html"])
def test_exports_verify_on_their_own(exported, name):
    result, _ = verify_file(exported[name])
    assert result.ok, result.first_bad
    assert result.checkpoints_checked >= 1
    assert result.last_kind == "checkpoint" and result.signed_through == result.entries


def test_html_embeds_the_same_lines_as_the_jsonl(exported):
    assert read_export(exported["report.html"]) == read_export(exported["report.jsonl"])


def test_day_export_carries_the_chain_to_the_checkpoint_after_the_day(exported):
    day_chain = read_export(exported["report-day-1.html"])
    whole = read_export(exported["report.jsonl"])
    assert day_chain == whole[: len(day_chain)]
    assert len(day_chain) < len(whole)
    closed = next(i for i, e in enumerate(day_chain) if e["kind"] == "day_closed")
    assert day_chain[closed + 1]["kind"] == "checkpoint" and len(day_chain) == closed + 2
    html = exported["report-day-1.html"].read_text()
    assert 'id="e40"' not in html and "day-2" not in html.split('id="armory-ledger"')[0]


@pytest.mark.parametrize("name", BUNDLE_GOLDEN)
def test_evidence_bundle_matches_golden_files(tmp_path, name):
    export_fixture_bundle(tmp_path / "bundle", workdir=tmp_path)
    produced = (tmp_path / "bundle" / name).read_bytes()
    assert produced == (HERE / f"bundle-{name}").read_bytes(), f"bundle {name} differs; {REGEN}"


# -- tampering, named ---------------------------------------------------------


def _lines(path: Path) -> tuple[str, list[str], str]:
    """(text before the data, the data lines, text after) of a jsonl or html export."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        match = re.search(r'(<script type="application/jsonl" id="armory-ledger">\n)(.*?)(\n</script>)', text, re.S)
        return text[: match.end(1)], match.group(2).split("\n"), text[match.start(3):]
    return "", text.rstrip("\n").split("\n"), "\n"


def _write(path: Path, before: str, lines: list[str], after: str) -> Path:
    path.write_text(before + "\n".join(lines) + after, encoding="utf-8")
    return path


def _rehash(entry: dict) -> dict:
    from armory.ledger.canonical import canonical_bytes, sha256_hex

    fields = {k: v for k, v in entry.items() if k != "hash"}
    return {**fields, "hash": sha256_hex(canonical_bytes(fields))}


def _override_index(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if '"kind":"override"' in line)


@pytest.mark.parametrize("name", ["report.jsonl", "report.html"])
@pytest.mark.parametrize("tamper", ["edited", "deleted", "reordered", "rehashed"])
def test_tampered_export_fails_naming_the_entry(exported, tmp_path, name, tamper):
    before, lines, after = _lines(exported[name])
    index = _override_index(lines)
    entry = json.loads(lines[index])
    seq = entry["seq"]
    if tamper == "edited":
        lines[index] = lines[index].replace("Camera moved back to 25 ft", "Camera moved back to 45 ft")
        expected_seq = seq
    elif tamper == "deleted":
        del lines[index]
        expected_seq = seq + 1  # the entry after the gap is the first that does not fit
    elif tamper == "reordered":
        lines[index], lines[index + 1] = lines[index + 1], lines[index]
        expected_seq = seq + 1
    else:  # edited, and its hash recomputed so it matches itself: the next entry's prev gives it away
        entry["payload"]["reason"] = "No reason needed"
        # written in canonical form (sorted keys), as a careful forger would: only the link can give it away
        lines[index] = json.dumps(_rehash(entry), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        expected_seq = seq + 1
    bad = _write(tmp_path / name, before, lines, after)
    result, _ = verify_file(bad)
    assert not result.ok
    assert result.first_bad is not None and result.first_bad[0] == expected_seq, result.first_bad


def test_whole_chain_rehashed_still_fails_on_its_signed_checkpoint(exported, tmp_path):
    before, lines, after = _lines(exported["report.jsonl"])
    entries = [json.loads(line) for line in lines]
    index = next(i for i, e in enumerate(entries) if e["kind"] == "override")
    entries[index]["payload"]["reason"] = "No reason needed"
    prev = entries[index - 1]["hash"]
    for entry in entries[index:]:
        entry["prev"] = prev
        entry.update(_rehash(entry))
        prev = entry["hash"]
    canonical = [json.dumps(e, ensure_ascii=False, separators=(",", ":"), sort_keys=True) for e in entries]
    bad = _write(tmp_path / "rewritten.jsonl", before, canonical, after)
    result, _ = verify_file(bad)
    assert not result.ok
    assert result.first_bad[1] == "checkpoint", result.first_bad


# -- csv ----------------------------------------------------------------------


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        handle.readline()  # the note row: what the file is and how to check it
        return list(csv.DictReader(handle))


def test_csv_says_first_that_it_proves_nothing_and_how_to_check_it(exported):
    with open(exported["report.csv"], encoding="utf-8-sig", newline="") as handle:
        note = next(csv.reader(handle))
    chain = read_export(exported["report.jsonl"])
    assert len(note) == 1 and note[0].startswith("armory csv export of Dry Creek")
    assert "a spreadsheet copy for reading, which proves nothing on its own" in note[0]
    assert "armory log verify --rows THIS-FILE.csv EXPORT.jsonl" in note[0]
    rows = _csv_rows(exported["report.csv"])
    last = rows[-1]  # the head it names is its own last row, a checkpoint the jsonl carries too
    assert f"head #{last['seq']} {last['hash'][:16]} (key {chain[0]['payload']['key_fingerprint']})" in note[0]


def test_csv_round_trips_commas_quotes_and_newlines(exported):
    rows = _csv_rows(exported["report.csv"])
    override = next(r for r in rows if r["result"] == "overridden")
    assert override["reason"] == ledger_fixture.OVERRIDE_REASON
    assert {",", '"', "\n"} <= set(override["reason"])
    note = next(r for r in rows if r["what"].startswith("Note: Missing blank"))
    assert '<b>not</b> in the gun & handed back; "lot blank-45"' in note["what"]


def test_csv_has_one_row_per_entry_and_the_columns_a_producer_reads(exported):
    rows = _csv_rows(exported["report.csv"])
    chain = read_export(exported["report.jsonl"])
    # the csv was made from its own fresh ledger: same entries up to the export's own checkpoint
    assert [int(r["seq"]) for r in rows] == list(range(1, len(rows) + 1))
    assert [r["hash"] for r in rows] == [e["hash"] for e in chain[: len(rows)]]
    assert list(rows[0]) == ["local time (America/Denver)", "time (UTC)", "day", "day opened on (local date)",
                             "drill run (blank: the real record)",
                             "scene", "weapon", "who", "what", "result", "observed", "expected", "rule", "reason",
                             "seq", "hash"]
    chambers = next(r for r in rows if r["rule"] == "rounds.chamber-count" and r["result"] == "FAIL (stop)")
    assert (chambers["observed"], chambers["expected"]) == ("5", "equals weapon.capacity (6)")
    stop = next(r for r in rows if r["rule"] == "invariant.round-reconciliation")
    assert stop["local time (America/Denver)"] == "2026-03-02 11:20:20 -07:00"  # the offset: nothing to guess
    assert stop["day opened on (local date)"] == "2026-03-02"
    assert stop["time (UTC)"] == "2026-03-02T18:20:20.000000Z"
    assert stop["day"] == "day-1" and stop["weapon"] == "winchester-1" and stop["result"] == "stopped"
    refusal = next(r for r in rows if r["result"] == "refused")
    assert refusal["who"] == "Sam Halls (halls)" and refusal["rule"] == "invariant.armorer-handoff"
    assert exported["report.csv"].read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets then read UTF-8


def test_csv_quoting_of_every_awkward_character():
    from armory.export.csv_export import write_csv
    from armory.export.records import Names, build_records

    awkward = 'a, "b"\r\nc; ünïcødé — ✓'
    entries = [{"seq": 1, "time": "2026-03-02T14:00:00.000000Z", "kind": "note", "who": "x", "scope": "",
                "payload": {"text": awkward}, "prev": "0" * 64, "clock_skew_ms": 0, "hash": "ab" * 32}]
    handle = io.StringIO(newline="")
    write_csv(handle, build_records(entries, Names()))
    rows = list(csv.reader(io.StringIO(handle.getvalue().lstrip("\ufeff"), newline="")))
    assert rows[1][rows[0].index("what")] == f"Note: {awkward}"


# -- the html report as a file a producer opens --------------------------------


def _page(exported) -> str:
    return exported["report.html"].read_text(encoding="utf-8")


def test_report_needs_no_network_and_runs_no_script(exported):
    html = _page(exported)
    page, data = html.split('<script type="application/jsonl" id="armory-ledger">')
    for needle in ("<link", " src=", "url(", "@import", "<iframe", "<img"):
        assert needle not in page, needle
    assert set(re.findall(r"https?://[^\s\"'<]+", page)) == {"http://www.w3.org/2000/svg"}  # a namespace, not a fetch
    # Two data blocks, neither of a type a browser runs: how the page was drawn, and the entries.
    assert re.findall(r"<script[^>]*>", page) == ['<script type="application/json" id="armory-report">']
    assert data.count("<script") == 0
    assert "default-src 'none'" in page


def test_report_escapes_what_people_typed(exported):
    html = _page(exported)
    page, data = html.split('<script type="application/jsonl" id="armory-ledger">')
    assert "<b>not</b>" not in html
    assert "&lt;b&gt;not&lt;/b&gt; in the gun &amp; handed back; &quot;lot blank-45&quot;" in page
    assert "\\u003cb\\u003enot\\u003c/b\\u003e in the gun \\u0026 handed back" in data
    assert data.count("</script") == 1


def test_report_is_accessible_and_every_entry_is_linkable(exported):
    html = _page(exported)
    chain = read_export(exported["report.jsonl"])
    for entry in chain[:-1]:  # the jsonl's own checkpoint is not in the html's chain
        assert f'id="e{entry["seq"]}"' in html
    assert re.findall(r"<th\b(?![^>]*scope=)[^>]*>", html) == []
    assert '<html lang="en">' in html and html.count("<h1>") == 1
    assert re.search(r'<svg class="timeline"[^>]*role="img"[^>]*aria-labelledby="tl0-title tl0-desc"', html)
    assert "@media print" in html and "prefers-color-scheme: dark" in html


def test_every_printed_page_is_told_the_production_head_key_and_page_number(exported):
    """Print margins (``@page`` boxes) carry the proof, so a single printed page still names its record."""
    html = _page(exported)
    chain = read_export(exported["report.html"])
    proof = re.search(r'<style media="print">(.*?)</style>', html).group(1)
    key = chain[0]["payload"]["key_fingerprint"]
    assert '@top-left { content: "Dry Creek"' in proof
    assert f'@top-right {{ content: "head #{len(chain)} {chain[-1]["hash"][:16]} · key {key}"' in proof
    assert 'counter(page) " of " counter(pages)' in proof


def test_text_put_in_the_print_margins_cannot_close_the_style_element():
    from armory.export.report_print import css_string as _css_string

    assert _css_string('a "b" \\ </style>\nc') == '"a \\"b\\" \\\\ \\3c /style> c"'
