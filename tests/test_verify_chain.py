"""verify catches an edited, deleted, reordered or truncated entry and a rewritten chain.

Each case starts from a real export, changes it the way someone might, and
checks that ``armory log verify`` exits 1 naming the first bad entry (or 0
for an untouched file).
"""

from __future__ import annotations

import base64
import copy
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from armory.cli import main
from armory.export.jsonl import entry_line, write_jsonl
from armory.ledger import signing
from armory.ledger.canonical import canonical_bytes, sha256_hex
from armory.ledger.store import HASHED_FIELDS, Ledger
from armory.ledger.verify import read_export, verify_entries, verify_file


class StepClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)
        return self.now


def _fill(ledger: Ledger, start: int, count: int) -> None:
    for n in range(start, start + count):
        ledger.append("handoff", "ann", {
            "day": "day-1", "weapon": "colt-1", "giver": "ann", "receiver": "bob",
            "load": "dummies", "rounds": n % 7, "witnesses": ["cal"], "signed_by": ["ann", "bob"],
        })


@pytest.fixture
def ledger_path(tmp_path):
    path = tmp_path / "set.ledger"
    with Ledger.open(path, production_title="Dry Gulch", clock=StepClock()) as ledger:
        _fill(ledger, 0, 5)
        ledger.checkpoint()  # as at a day close
        _fill(ledger, 5, 5)
    return path


@pytest.fixture
def export(ledger_path, tmp_path):
    out = tmp_path / "day.jsonl"
    with Ledger.open(ledger_path, clock=StepClock()) as ledger:
        write_jsonl(ledger, out)
    return out


def _lines(path):
    return path.read_text().splitlines()


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines))


def _verify(capsys, *argv):
    code = main(["log", "verify", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_an_untouched_export_and_its_ledger_verify(export, ledger_path, capsys):
    code, text = _verify(capsys, export)
    assert code == 0, text
    assert "intact" in text and "2 signed checkpoints" in text
    key = json.loads(_lines(export)[0])["payload"]["key_fingerprint"]
    assert key in text
    code, text = _verify(capsys, "--ledger", ledger_path)
    assert code == 0 and "intact" in text


def test_each_line_hashes_to_its_hash_with_plain_jcs(export):
    import rfc8785

    previous = "0" * 64
    for line in _lines(export):
        record = json.loads(line)
        claimed = record.pop("hash")
        assert sha256_hex(rfc8785.dumps(record)) == claimed
        assert record["prev"] == previous
        previous = claimed


def test_an_edited_entry_is_named(export, capsys):
    lines = _lines(export)
    record = json.loads(lines[3])
    record["payload"]["rounds"] = 6
    lines[3] = json.dumps(record)
    _write(export, lines)
    code, text = _verify(capsys, export)
    assert code == 1
    assert "first bad entry: #4 (handoff)" in text and "changed after it was written" in text


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(export, capsys):
    lines = _lines(export)
    record = json.loads(lines[3])
    record["payload"]["receiver"] = "dan"
    record["hash"] = sha256_hex(canonical_bytes({k: record[k] for k in HASHED_FIELDS}))
    lines[3] = entry_line(record)
    _write(export, lines)
    code, text = _verify(capsys, export)
    assert code == 1 and "first bad entry: #5 (handoff)" in text and "prev is" in text


def test_a_deleted_entry_is_named(export, capsys):
    lines = _lines(export)
    del lines[4]
    _write(export, lines)
    code, text = _verify(capsys, export)
    assert code == 1 and "first bad entry: #6" in text and "entry 5 is missing" in text


def test_reordered_entries_are_named(export, capsys):
    lines = _lines(export)
    lines[2], lines[3] = lines[3], lines[2]
    _write(export, lines)
    code, text = _verify(capsys, export)
    assert code == 1 and "first bad entry: #4" in text


def test_a_file_cut_mid_line_is_caught(export, capsys):
    data = export.read_bytes()
    export.write_bytes(data[: len(data) * 2 // 3])
    code, text = _verify(capsys, export)
    assert code == 1 and "does not parse" in text and "cut short" in text


def test_a_file_cut_at_a_line_end_is_caught(export, capsys):
    _write(export, _lines(export)[:-2])
    code, text = _verify(capsys, export)
    assert code == 1 and "cut short" in text


def test_a_file_cut_back_to_an_earlier_checkpoint_is_caught_by_the_noted_head(export, capsys):
    full = verify_file(export)[0]
    lines = _lines(export)
    _write(export, lines[:7])  # entries 1..6: five handoffs and the day-close checkpoint
    assert verify_file(export)[0].ok  # on its own it is a valid, shorter export ...
    code, text = _verify(capsys, export, "--head", full.head[:12])
    assert code == 1 and "no entry of this chain" in text  # ... but not the one whose head was noted


def _rewrite(records, edit, *, key=None):
    """Re-hash every entry after applying ``edit``; re-sign checkpoints with ``key`` if given."""
    records = copy.deepcopy(records)
    edit(records)
    if key is not None:
        raw = signing.public_raw(key)
        records[0]["payload"]["public_key"] = base64.b64encode(raw).decode()
        records[0]["payload"]["key_fingerprint"] = signing.fingerprint(raw)
    prev = "0" * 64
    for record in records:
        record["prev"] = prev
        if record["kind"] == "checkpoint":
            record["payload"]["head_hash"] = prev
            if key is not None:
                origin = record["payload"]["origin"]
                record["payload"]["key_fingerprint"] = records[0]["payload"]["key_fingerprint"]
                text = signing.note_text(origin, record["payload"]["size"], prev, record["time"])
                record["payload"]["note"] = signing.sign_note(text, origin, key)
        record["hash"] = prev = sha256_hex(canonical_bytes({k: record[k] for k in HASHED_FIELDS}))
    return records


def _change_receiver(records):
    records[2]["payload"]["receiver"] = "dan"


def test_a_rewritten_chain_without_the_key_fails_its_signatures(export, capsys):
    rewritten = _rewrite(read_export(export), _change_receiver)
    _write(export, [entry_line(r) for r in rewritten])
    code, text = _verify(capsys, export)
    assert code == 1 and "first bad entry: #7 (checkpoint)" in text and "signature" in text


def test_a_chain_rewritten_under_a_new_key_is_caught_against_the_earlier_export(export, tmp_path, capsys):
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_bytes(export.read_bytes())
    original_key = json.loads(_lines(export)[0])["payload"]["key_fingerprint"]
    rewritten = _rewrite(read_export(export), _change_receiver, key=Ed25519PrivateKey.generate())
    _write(export, [entry_line(r) for r in rewritten])

    code, text = _verify(capsys, export)  # on its own it verifies, under a key that is not the call sheet's
    assert code == 0 and original_key not in text
    code, text = _verify(capsys, export, "--against", earlier)
    assert code == 1 and "another key" in text
    code, text = _verify(capsys, export, "--head", verify_file(earlier)[0].head[:8])
    assert code == 1


def test_against_an_earlier_export_of_the_same_ledger(ledger_path, export, tmp_path, capsys):
    with Ledger.open(ledger_path, clock=StepClock()) as ledger:
        _fill(ledger, 10, 3)
        later = tmp_path / "later.jsonl"
        write_jsonl(ledger, later)
    code, text = _verify(capsys, later, "--against", export)
    assert code == 0 and "extends" in text
    code, text = _verify(capsys, export, "--against", later)
    assert code == 1 and "entries were removed" in text
    code, text = _verify(capsys, later, "--head", verify_file(export)[0].head[:10])
    assert code == 0


def test_against_an_earlier_export_with_one_entry_changed(ledger_path, export, tmp_path, capsys):
    with Ledger.open(ledger_path, clock=StepClock()) as ledger:
        later = tmp_path / "later.jsonl"
        write_jsonl(ledger, later)
    # Entry 3 changed and re-hashed: the link from entry 4 breaks before --against is even needed.
    records = read_export(later)
    records[2]["payload"]["receiver"] = "dan"
    records[2]["hash"] = sha256_hex(canonical_bytes({k: records[2][k] for k in HASHED_FIELDS}))
    _write(later, [entry_line(r) for r in records])
    code, text = _verify(capsys, later, "--against", export)
    assert code == 1 and "first bad entry: #4 (handoff)" in text


def test_a_rewritten_chain_is_still_compared_with_the_earlier_export(export, tmp_path, capsys):
    # Entry 3 edited and every hash after it recomputed: on its own only checkpoint #7's signature fails, and
    # #3-#6 link up; the earlier export the producer kept names #3 as where the chain was first changed.
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_bytes(export.read_bytes())
    noted_head = verify_file(earlier)[0].head
    _write(export, [entry_line(r) for r in _rewrite(read_export(export), _change_receiver)])
    code, text = _verify(capsys, export, "--against", earlier)
    assert code == 1 and "first bad entry: #7 (checkpoint)" in text
    assert "entries before it that link up: 6, none of them covered by a signed checkpoint" in text
    assert f"FAILED against {earlier}: first entry that differs from it: #3 (handoff)" in text
    note = tmp_path / "head.note"
    note.write_text(read_export(earlier)[6]["payload"]["note"])
    code, text = _verify(capsys, export, "--against", note)
    assert code == 1 and "first entry that differs from it: #6 (handoff)" in text
    code, text = _verify(capsys, export, "--head", noted_head[:12])
    assert code == 1 and "FAILED: no entry of this chain" in text


def test_an_edited_entry_is_compared_with_the_earlier_export_as_far_as_the_chain_goes(export, tmp_path, capsys):
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_bytes(export.read_bytes())
    _write(export, [line.replace('"receiver":"bob"', '"receiver":"dan"') if n == 9 else line
                    for n, line in enumerate(_lines(export))])
    code, text = _verify(capsys, export, "--against", earlier)
    assert code == 1 and "first bad entry: #10 (handoff)" in text
    assert "of which #1-#7 are covered by a signed checkpoint that holds" in text
    assert f"against {earlier}: the 9 entries before the bad one are the same as there; it has 13" in text


def test_an_export_without_any_checkpoint_says_so(export, capsys):
    _write(export, _lines(export)[:4])
    code, text = _verify(capsys, export)
    assert code == 1 and "and holds no signed checkpoint at all" in text and "(#0)" not in text
    assert "entries before it that link up: 3," in text


def _with_a_repeated_kind(line: str) -> str:
    # keys put in front of the entry's own: json.loads keeps the last, a naive reader (or a person) the first
    return '{"kind":"note","payload":{"text":"nothing happened"},' + line[1:]


@pytest.mark.parametrize("change, what", [
    (_with_a_repeated_kind, "in entry #4, the key 'kind' appears twice in one object"),
    (lambda line: line.replace(",", ", "), "entry #4 is written differently from its canonical form (extra "
                                           "whitespace at column"),
    (lambda line: " " + line, "entry #4 is written differently from its canonical form (whitespace around it)"),
    (lambda line: line + "\r", "a carriage return at its end"),
    (lambda line: line.replace('{"clock_skew_ms":0,', '{"clock_skew_ms":-0,'),
     "entry #4 is written differently from its canonical form (it first differs at column 18)"),
])
def test_a_line_that_is_not_its_entrys_canonical_bytes_is_named(export, capsys, change, what):
    lines = _lines(export)
    assert verify_file(export)[0].ok
    lines[3] = change(lines[3])
    _write(export, lines)
    assert verify_entries(json.loads(line) for line in lines).ok  # the hashes alone still hold
    code, text = _verify(capsys, export)
    assert code == 1 and "first bad entry: #4 (handoff)" in text and what in text
    assert "not the exact bytes armory writes" in text and "entries before it that link up: 3" in text


def test_a_repeated_key_in_a_reports_embedded_data_is_named(export, tmp_path, capsys):
    lines = _lines(export)
    report = tmp_path / "report.html"
    report.write_text(_html(lines))
    assert _only_text_unchecked(*_verify(capsys, report))
    lines[3] = _with_a_repeated_kind(lines[3])
    report.write_text(_html(lines))
    code, text = _verify(capsys, report)
    assert code == 1 and "#4 (handoff)" in text and "the key 'kind' appears twice" in text


def test_a_changed_entry_is_named_as_changed_even_when_its_line_is_also_not_canonical(export, capsys):
    lines = _lines(export)
    record = json.loads(lines[3])
    record["payload"]["rounds"] = 6
    lines[3] = json.dumps(record, indent=None)  # spaces after ':' and ','
    _write(export, lines)
    code, text = _verify(capsys, export)
    assert code == 1 and "first bad entry: #4 (handoff)" in text and "changed after it was written" in text


def test_an_export_without_its_final_newline_still_verifies(export, capsys):
    export.write_bytes(export.read_bytes().rstrip(b"\n"))
    assert _verify(capsys, export)[0] == 0


def test_head_needs_eight_hex_digits(export, capsys):
    code, text = _verify(capsys, export, "--head", "abc")
    assert code == 2 and "at least 8 hex" in text


@pytest.mark.parametrize("content", [b"", b"hello\n", b"\x89PNG\r\n\x1a\n....", b"[1, 2]\n", b'{"a":1}\n',
                                     b'{"a":1}\n{"b":2}\n'])
def test_unusable_input_exits_2(tmp_path, capsys, content):
    path = tmp_path / "thing.jsonl"
    path.write_bytes(content)
    code, text = _verify(capsys, path)
    assert code == 2 and "armory:" in text and "Traceback" not in text
    assert content.strip() == b"" or "not an armory export: its first line" in text


def test_an_export_whose_first_entry_was_edited_is_tampered_not_unusable(export, capsys):
    # a first line with an entry's fields is an entry: an edit to it fails the check (1), it is not "some file" (2)
    lines = _lines(export)
    record = json.loads(lines[0])
    record["extra"] = 1
    lines[0] = entry_line(record)
    _write(export, lines)
    code, text = _verify(capsys, export)
    assert code == 1 and "first bad entry: #1 (ledger_opened)" in text and "unexpected extra" in text
    lines[0] = '{"a":1}'
    _write(export, lines)
    assert _verify(capsys, export)[0] == 2


def test_later_line_that_is_no_entry_is_tampering(export, capsys):
    lines = _lines(export)
    lines[4] = '{"a":1}'
    _write(export, lines)
    code, text = _verify(capsys, export)
    assert code == 1 and "first bad entry: #5" in text and "fields differ from an entry's" in text


def test_files_given_the_wrong_way_round_are_named_as_possibly_reversed(ledger_path, export, tmp_path, capsys):
    with Ledger.open(ledger_path, clock=StepClock()) as ledger:
        _fill(ledger, 10, 3)
        later = tmp_path / "later.jsonl"
        write_jsonl(ledger, later)
    code, text = _verify(capsys, export, "--against", later)
    assert code == 1 and "TAMPERED" in text
    assert f"this file is a prefix of {later}, so {later} may be the newer one" in text
    _write(later, [line.replace('"receiver":"bob"', '"receiver":"dan"', 1) if n == 3 else line
                   for n, line in enumerate(_lines(later))])
    code, text = _verify(capsys, export, "--against", later)  # a later file that itself fails says so instead
    assert code == 1 and "may be the newer one" not in text


def test_a_missing_file_exits_2(tmp_path, capsys):
    code, text = _verify(capsys, tmp_path / "nope.jsonl")
    assert code == 2 and "no such file" in text


# -- the ledger file itself -------------------------------------------------------


def _untriggered(path):
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER entries_no_update")
    conn.execute("DROP TRIGGER entries_no_delete")
    return conn


def test_edited_bytes_in_the_ledger_file_are_named(ledger_path, capsys):
    conn = _untriggered(ledger_path)
    body = conn.execute("SELECT body FROM entries WHERE seq = 4").fetchone()[0]
    conn.execute("UPDATE entries SET body = ? WHERE seq = 4", (body.replace(b'"bob"', b'"dan"'),))
    conn.commit()
    conn.close()
    code, text = _verify(capsys, "--ledger", ledger_path)
    assert code == 1 and "#4 (handoff)" in text and "changed after it was written" in text


def test_an_index_column_that_disagrees_with_the_bytes_is_named(ledger_path, capsys):
    conn = _untriggered(ledger_path)
    conn.execute("UPDATE entries SET who = 'mallory' WHERE seq = 3")
    conn.commit()
    conn.close()
    code, text = _verify(capsys, "--ledger", ledger_path)
    assert code == 1 and "#3 (handoff)" in text and "who differs from the entry's bytes" in text


def test_a_deleted_row_in_the_ledger_file_is_named(ledger_path, capsys):
    conn = _untriggered(ledger_path)
    conn.execute("DELETE FROM entries WHERE seq = 5")
    conn.commit()
    conn.close()
    code, text = _verify(capsys, "--ledger", ledger_path)
    assert code == 1 and "#6" in text and "entry 5 is missing" in text


@pytest.mark.parametrize("old, new", [("bob", "dan"), ("bob", "bob")])
def test_a_body_rewritten_as_text_by_the_sqlite3_tool_is_named_not_a_crash(ledger_path, capsys, old, new):
    # sqlite3's replace() returns TEXT, so the body is no longer the BLOB armory wrote, even when nothing changed
    conn = _untriggered(ledger_path)
    conn.execute("UPDATE entries SET body = replace(body, ?, ?) WHERE seq = 4", (old, new))
    conn.commit()
    assert conn.execute("SELECT typeof(body) FROM entries WHERE seq = 4").fetchone()[0] == "text"
    conn.close()
    code, text = _verify(capsys, "--ledger", ledger_path)
    assert code == 1 and "Traceback" not in text
    assert "#4 (handoff): its body is stored as text" in text and "edited outside armory" in text
    assert "entries before it that link up: 3" in text


@pytest.mark.parametrize("column, value", [("time", 5), ("hash", 5), ("kind", 7), ("scope", 0)])
def test_an_index_column_of_another_sql_type_is_named_not_a_crash(ledger_path, capsys, column, value):
    conn = _untriggered(ledger_path)
    conn.execute(f"UPDATE entries SET {column} = ? WHERE seq = 3", (value,))
    conn.commit()
    conn.close()
    code, text = _verify(capsys, "--ledger", ledger_path)
    assert code == 1 and "#3" in text and "Traceback" not in text


def test_an_export_of_a_ledger_with_a_text_body_says_so_and_is_never_signed(ledger_path, tmp_path, capsys):
    conn = _untriggered(ledger_path)
    conn.execute("UPDATE entries SET body = replace(body, 'bob', 'bob') WHERE seq = 4")
    conn.commit()
    conn.close()
    with Ledger.open(ledger_path, readonly=True) as ledger:
        before = len(ledger)
    out = tmp_path / "r.jsonl"
    assert main(["export", "--ledger", str(ledger_path), "--format", "jsonl", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "does not verify: entry #4 (handoff): its body is stored as text" in err
    with Ledger.open(ledger_path, readonly=True) as ledger:
        assert len(ledger) == before


def test_verify_entries_accepts_entry_objects(ledger_path):
    with Ledger.open(ledger_path, readonly=True) as ledger:
        result = verify_entries(ledger.entries(scope=None))
    assert result.ok and result.entries == 12 and result.checkpoints_checked == 1


# -- html -------------------------------------------------------------------------


def _only_text_unchecked(code: int, text: str) -> bool:
    """A hand-made page: its entries verify, but no armory drew it, so its text is not passed."""
    return code == 1 and "first bad entry" not in text and "NOT CHECKED" in text


def _html(lines):
    escaped = [line.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") for line in lines]
    body = "\n".join(escaped)
    return (f"<!doctype html>\n<html><head><title>Report</title></head><body><p>Dry Gulch &amp; co</p>\n"
            f'<script type="application/jsonl" id="armory-ledger">\n{body}\n</script>\n</body></html>\n')


def test_an_html_report_verifies_and_its_tampering_is_caught(export, tmp_path, capsys):
    lines = _lines(export)
    report = tmp_path / "report.html"
    report.write_text(_html(lines))
    assert [r["hash"] for r in read_export(report)] == [json.loads(line)["hash"] for line in lines]
    code, text = _verify(capsys, report)
    assert _only_text_unchecked(code, text) and "html report" in text
    report.write_text(_html(lines).replace('"receiver":"bob"', '"receiver":"dan"', 1))
    code, text = _verify(capsys, report)
    assert code == 1 and "first bad entry: #2 (handoff)" in text


def test_text_with_html_characters_survives_the_escaping(tmp_path, capsys):
    path = tmp_path / "l.sqlite"
    with Ledger.open(path, production_title="<Dry & Gulch>", clock=StepClock()) as ledger:
        ledger.append("note", None, {"text": "</script><b>bold</b> & more"})
        out = tmp_path / "x.jsonl"
        write_jsonl(ledger, out)
    report = tmp_path / "r.html"
    report.write_text(_html(_lines(out)))
    assert "</script><b>" not in report.read_text().split('id="armory-ledger">')[1].split("</script>")[0]
    code, text = _verify(capsys, report)
    assert _only_text_unchecked(code, text), text


def test_against_a_kept_checkpoint_note(ledger_path, export, tmp_path, capsys):
    records = read_export(export)
    note_file = tmp_path / "call-sheet-note.txt"
    note_file.write_text(records[6]["payload"]["note"])  # the day-close checkpoint's note
    code, text = _verify(capsys, export, "--against", note_file)
    assert code == 0 and "extends the head signed" in text
    rewritten = _rewrite(records, _change_receiver, key=Ed25519PrivateKey.generate())
    _write(export, [entry_line(r) for r in rewritten])
    code, text = _verify(capsys, export, "--against", note_file)
    assert code == 1 and "not signed with this chain's key" in text


def test_a_re_signed_checkpoint_without_the_key_fails(export, capsys):
    records = read_export(export)
    rewritten = _rewrite(records, _change_receiver)
    checkpoint = rewritten[6]["payload"]
    # Put the new head in the note text but keep the old signature line: the signature no longer holds.
    old_text, _, signature = checkpoint["note"].partition("\n\n")
    new_text = signing.note_text(checkpoint["origin"], checkpoint["size"], checkpoint["head_hash"], rewritten[6]["time"])
    checkpoint["note"] = new_text + "\n" + signature
    rewritten = _rewrite(rewritten, lambda r: None)
    _write(export, [entry_line(r) for r in rewritten])
    code, text = _verify(capsys, export)
    assert code == 1 and "#7 (checkpoint)" in text and "signature does not verify" in text


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _string_paths(value, path=()):
    """Every path to a string inside ``value``."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pristine")
    path = directory / "set.ledger"
    with Ledger.open(path, production_title="Dry Gulch", clock=StepClock()) as ledger:
        _fill(ledger, 0, 4)
        ledger.checkpoint()
        _fill(ledger, 4, 4)
        ledger.append("note", "sam", {"text": "wrap"})
        out = directory / "x.jsonl"
        write_jsonl(ledger, out)
    return read_export(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_string_changed_anywhere_and_the_chain_rehashed_without_the_key_is_caught(pristine, data):
    assert verify_entries(pristine).ok
    index = data.draw(st.integers(0, len(pristine) - 2), label="entry")
    # hash, prev and a checkpoint's head_hash are what _rewrite recomputes: editing them is undone.
    paths = [p for p in _string_paths(pristine[index])
             if p[0] not in ("hash", "prev") and p != ("payload", "head_hash")]
    path = data.draw(st.sampled_from(paths), label="field")
    replacement = data.draw(st.text(min_size=1, max_size=5), label="text")

    def edit(records):
        target = records[index]
        for key in path[:-1]:
            target = target[key]
        if target[path[-1]] == replacement:
            target[path[-1]] += "x"
        else:
            target[path[-1]] = replacement

    try:
        rewritten = _rewrite(pristine, edit)
    except (ValueError, KeyError, UnicodeEncodeError):
        return  # the edit made a record that cannot even be hashed (for example a non-hex head)
    assert not verify_entries(rewritten).ok


def test_a_deeply_nested_line_is_a_bad_entry_not_a_crash(export, capsys):
    lines = _lines(export)
    lines.insert(3, "[" * 100_000 + "]" * 100_000)
    _write(export, lines)
    code, text = _verify(capsys, export)
    key = json.loads(lines[0])["payload"]["key_fingerprint"]
    assert code == 1 and "Traceback" not in text and "day.jsonl:4: this line does not parse" in text
    assert "first bad entry: #4" in text and key in text


def test_a_ledger_without_any_checkpoint_says_so(tmp_path, capsys):
    path = tmp_path / "new.ledger"
    with Ledger.open(path, production_title="Dry Gulch", clock=StepClock()) as ledger:
        _fill(ledger, 0, 2)
    code, text = _verify(capsys, "--ledger", path)
    assert code == 0 and "no signed checkpoint covers the 3 entries (there is none yet)" in text
    assert "(#0)" not in text


# -- one head to note: what a noted head says about a file ----------------------------


def _noted(path) -> str:
    """The call-sheet line for the head of a file, as ``armory log head`` and the day's close print it."""
    from armory.ledger.head import call_sheet_line

    result = verify_file(path)[0]
    return call_sheet_line(result.key_fingerprint, result.entries, result.head)


def test_the_call_sheet_line_is_taken_whole_and_names_the_head(export, capsys):
    code, text = _verify(capsys, export, "--head", _noted(export))
    assert code == 0 and "is the head of this chain" in text


def test_a_noted_head_later_than_an_honest_earlier_export_is_not_called_a_rewrite(ledger_path, export, tmp_path,
                                                                                   capsys):
    with Ledger.open(ledger_path, clock=StepClock()) as ledger:
        _fill(ledger, 10, 3)
        later = tmp_path / "later.jsonl"
        write_jsonl(ledger, later)
    code, text = _verify(capsys, export, "--head", _noted(later))
    assert code == 1 and "that head is later than this file" in text and "rewritten since" not in text
    code, text = _verify(capsys, later, "--head", _noted(export))  # the later file extends the noted head
    assert code == 0 and "extending it" in text


def test_a_file_cut_back_to_a_checkpoint_is_later_than_nothing_it_can_show(export, capsys):
    noted = _noted(export)
    _write(export, _lines(export)[:7])  # a valid, shorter export: entries 1..6 and the day-close checkpoint
    code, text = _verify(capsys, export, "--head", noted)
    assert code == 1 and "that head is later than this file" in text and "cut back" in text


def test_a_file_that_breaks_off_ends_before_the_noted_head(export, capsys):
    noted = _noted(export)
    _write(export, _lines(export)[:-2])
    code, text = _verify(capsys, export, "--head", noted)
    assert code == 1 and "this file ends before that head" in text and "cut short" in text


def test_a_noted_head_not_in_a_rewritten_chain_says_so(export, capsys):
    noted = _noted(export)
    _write(export, [entry_line(r) for r in _rewrite(read_export(export), _change_receiver,
                                                     key=Ed25519PrivateKey.generate())])
    code, text = _verify(capsys, export, "--head", noted)  # with the key noted: another key
    assert code == 1 and "that head is not in this chain: it was noted under key" in text
    code, text = _verify(capsys, export, "--head", noted.split(", ", 1)[1])  # "head #N HEX" alone
    assert code == 1 and "that head is not in this chain: entry #" in text


def test_the_count_of_entries_before_a_bad_one_is_the_same_everywhere(export, tmp_path, capsys):
    noted_head = verify_file(export)[0].head
    _write(export, _lines(export)[:-2])  # cut short: the last entry left is not a checkpoint
    code, text = _verify(capsys, export, "--head", noted_head[:12])
    linked = int(text.split("entries before it that link up: ")[1].split(",")[0])
    assert code == 1 and f"among the {linked} entries before the bad one" in text


# -- the app's check on opening: the same verdicts, holding no hash per entry ------------------------------

from armory.ledger.verify import verify_ledger, verify_ledger_apart  # noqa: E402


def _checkpoint_over(ledger: Ledger, back: int, *, off_by_one: bool = False) -> None:
    """A checkpoint signing the head ``back`` entries before it (not the entry just before, as usual)."""
    opened = ledger.opened()
    key = signing.load_or_create_key(ledger.key_path, create=False)
    origin = f"armory.ledger/{opened.payload['ledger_id']}"

    def make(seq, prev, time):
        size = seq - back
        head = ledger.hash_at(size + 1 if off_by_one else size)
        note = signing.sign_note(signing.note_text(origin, size, head, time), origin, key)
        return ledger._payload("checkpoint", {"origin": origin, "size": size, "head_hash": head,
                                              "key_fingerprint": opened.payload["key_fingerprint"], "note": note})

    ledger._append("checkpoint", None, "", make)


@pytest.mark.parametrize("off_by_one", [False, True])
def test_the_apps_check_reads_back_an_earlier_head_a_checkpoint_signs(ledger_path, off_by_one):
    with Ledger.open(ledger_path, clock=StepClock()) as ledger:
        _checkpoint_over(ledger, 4, off_by_one=off_by_one)
        _fill(ledger, 10, 2)
        whole = verify_file(ledger_path)[0]
        held = verify_ledger(ledger)
    apart = verify_ledger_apart(ledger_path)
    assert whole.ok is not off_by_one
    for result in (held, apart):
        assert (result.ok, result.first_bad, result.entries, result.head, result.checkpoints_checked) == (
            whole.ok, whole.first_bad, whole.entries, whole.head, whole.checkpoints_checked)
        assert result.hashes == []  # none kept
    if off_by_one:
        assert "which is not this chain's entry" in apart.first_bad[2]


@pytest.mark.parametrize("edit", ["UPDATE entries SET who = 'mallory' WHERE seq = 3",
                                  "DELETE FROM entries WHERE seq = 5",
                                  "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), 'bob', 'dan') AS BLOB) "
                                  "WHERE seq = 4"])
def test_the_apps_check_names_the_entry_log_verify_names(ledger_path, edit):
    conn = _untriggered(ledger_path)
    conn.execute(edit)
    conn.commit()
    conn.close()
    whole = verify_file(ledger_path)[0]
    apart = verify_ledger_apart(ledger_path)
    assert not whole.ok and apart.first_bad == whole.first_bad
