"""``armory export --store``: a production's units from the store, side by side on one timeline."""

import hashlib
import json

import psycopg

from armory.cli import main
from armory.ledger.canonical import canonical_bytes
from tests.studio_helpers import append, ledger_id, make_ledger


def _two_units(tmp_path):
    main_unit = make_ledger(tmp_path / "a.sqlite", notes=2)
    second = make_ledger(tmp_path / "b.sqlite", notes=1)
    append(main_unit, 1, text="main later")
    append(second, 1, text="second later")
    assert main(["sync", "--ledger", str(main_unit)]) == 0
    assert main(["sync", "--ledger", str(second), "--unit", "second"]) == 0
    make_ledger(tmp_path / "c.sqlite", "Precinct", notes=1)
    assert main(["sync", "--ledger", str(tmp_path / "c.sqlite")]) == 0
    return main_unit, second


def test_html_puts_the_units_side_by_side_with_their_keys(tmp_path, store, capsys):
    main_unit, second = _two_units(tmp_path)
    out = tmp_path / "report.html"
    capsys.readouterr()
    assert main(["export", "--store", "--production", "Dust Creek", "--out", str(out)]) == 0
    assert "2 units of 'Dust Creek', 9 entries" in capsys.readouterr().out
    page = out.read_text()
    assert "<th>main</th><th>second</th>" in page
    assert ledger_id(main_unit) in page and ledger_id(second) in page
    assert "Precinct" not in page
    assert page.index("Note: main later") < page.index("Note: second later")  # written in that order
    assert "Every unit's chain verifies" in page
    capsys.readouterr()
    assert main(["log", "verify", str(out)]) == 2  # it carries no chain: say what to check instead
    assert "the studio store's report of several units" in capsys.readouterr().err


def test_jsonl_is_one_timeline_of_the_units_exact_entries(tmp_path, store):
    _two_units(tmp_path)
    out = tmp_path / "units.jsonl"
    assert main(["export", "--store", "--production", "Dust Creek", "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 9 and {line["unit"] for line in lines} == {"main", "second"}
    times = [line["entry"]["time"] for line in lines]
    assert times == sorted(times)
    for line in lines:
        entry = dict(line["entry"])
        digest = entry.pop("hash")
        assert hashlib.sha256(canonical_bytes(entry)).hexdigest() == digest


def test_a_unit_that_does_not_verify_is_said_and_exit_1(tmp_path, pg_cluster, pg_db, store, capsys):
    main_unit, _ = _two_units(tmp_path)
    with psycopg.connect(pg_cluster.url(pg_db), autocommit=True) as conn:
        conn.execute("ALTER TABLE armory.entries DISABLE TRIGGER entries_append_only")
        conn.execute("UPDATE armory.entries SET body = convert_to(replace(convert_from(body, 'UTF8'), 'note 1', "
                     "'note 8'), 'UTF8') WHERE ledger_id = %s AND seq = 3", (ledger_id(main_unit),))
    out = tmp_path / "report.html"
    capsys.readouterr()
    assert main(["export", "--store", "--production", "Dust Creek", "--out", str(out)]) == 1
    assert "unit main: its chain does not verify at #3" in capsys.readouterr().err
    page = out.read_text()
    assert "DOES NOT VERIFY at #3" in page
    # the unit's row says what the store holds (5 entries), not how far the check got
    row = page.split("<td>main</td>")[1].split("</tr>")[0]
    assert "<td>5</td>" in row and "not checked past #3" in row


def test_store_export_refuses_what_does_not_apply(tmp_path, store, capsys):
    assert main(["export", "--store", "--out", str(tmp_path / "x.html")]) == 2
    assert "--store needs --production TITLE" in capsys.readouterr().err
    assert main(["export", "--store", "--production", "X", "--day", "d", "--out", str(tmp_path / "x.html")]) == 2
    assert main(["export", "--store", "--production", "Nope", "--out", str(tmp_path / "x.html")]) == 2
    assert "no unit of 'Nope'" in capsys.readouterr().err


def test_html_marks_only_what_matters_and_says_when_nothing_is_signed(tmp_path, store, capsys):
    """A passed check reads as plain text (the verdict's bold green "ok" is for the chain alone), and a unit
    with no checkpoint says so rather than "signed through #0"."""
    make_ledger(tmp_path / "a.sqlite", notes=2, checkpoint=False)
    assert main(["sync", "--ledger", str(tmp_path / "a.sqlite")]) == 0
    out = tmp_path / "report.html"
    assert main(["export", "--store", "--production", "Dust Creek", "--out", str(out)]) == 0
    page = out.read_text()
    assert 'class="ok"' not in page.split("<h2>Timeline</h2>")[1]
    assert "<td>no checkpoint yet</td>" in page and "<td>#0</td>" not in page
    capsys.readouterr()
    assert main(["log", "verify", "--store"]) == 0
    assert "no signed checkpoint yet" in capsys.readouterr().out


def _unit_with_incident(tmp_path, name="a.sqlite"):
    from armory.ledger.store import Ledger

    ledger = make_ledger(tmp_path / name, notes=2)
    with Ledger.open(ledger, create=False) as opened:
        incident = opened.append("incident", None, {"incident": "misfire", "description": "click, no bang",
                                                    "reported_by": "ana-reyes", "weapon": "saa-1"})
    return ledger, incident.seq


def test_an_incident_bundle_from_the_store_verifies_on_its_own(tmp_path, store, capsys):
    """The bundle a unit's ledger makes, made from the store's copy: its chain runs to the unit's last signed
    checkpoint after the incident, and log verify checks the chain and the index from it alone."""
    from armory.ledger.store import Ledger

    ledger, seq = _unit_with_incident(tmp_path)
    append(ledger, 1, text="after the incident", checkpoint=True)
    append(ledger, 1, text="not yet signed")
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert main(["sync", "--ledger", str(make_ledger(tmp_path / "b.sqlite", notes=1)), "--unit", "second"]) == 0
    out = tmp_path / "bundle"
    capsys.readouterr()
    assert main(["export", "--store", "--production", "Dust Creek", "--unit", "main", "--incident", str(seq),
                 "--out", str(out)]) == 0
    assert "from postgresql://unit_writer@" in capsys.readouterr().err
    lines = (out / "chain.jsonl").read_text().splitlines()
    with Ledger.open(ledger, readonly=True) as opened:
        hashes = [row[5] for row in opened.rows()]
    assert [json.loads(line)["hash"] for line in lines] == hashes[:-1]  # to the checkpoint, not past it
    for extra in ([], ["--index", str(out / "index.json")]):
        assert main(["log", "verify", str(out / "chain.jsonl"), *extra]) == 0
    assert "incident #%d" % seq in (out / "README.txt").read_text()


def test_a_store_bundle_is_refused_in_words_when_it_could_not_prove_its_end(tmp_path, store, capsys):
    ledger, seq = _unit_with_incident(tmp_path)  # the checkpoint is before the incident
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert main(["sync", "--ledger", str(make_ledger(tmp_path / "b.sqlite", notes=1)), "--unit", "second"]) == 0
    out = tmp_path / "bundle"
    args = ["export", "--store", "--production", "Dust Creek", "--incident", str(seq), "--out", str(out)]
    capsys.readouterr()
    assert main(args) == 2
    assert "2 units in the store (main, second): name the incident's with --unit NAME" in capsys.readouterr().err
    assert main([*args, "--unit", "third"]) == 2
    assert "no unit 'third'" in capsys.readouterr().err
    assert main([*args, "--unit", "main"]) == 2
    assert f"no signed checkpoint after incident #{seq} (its last is #{seq - 1})" in capsys.readouterr().err
    assert not out.exists()
    assert main(["export", "--ledger", str(ledger), "--unit", "main", "--out", str(tmp_path / "x.jsonl")]) == 2
    assert "--unit names a unit in the studio store" in capsys.readouterr().err


def test_the_store_s_jsonl_verifies_on_its_own_unit_by_unit(tmp_path, store, capsys):
    """A file that has left the studio: log verify takes each unit's chain back out of the timeline."""
    _two_units(tmp_path)
    out = tmp_path / "units.jsonl"
    assert main(["export", "--store", "--production", "Dust Creek", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["log", "verify", str(out)]) == 0
    said = capsys.readouterr().out
    assert "intact: Dust Creek / main" in said and "intact: Dust Creek / second" in said
    assert "2 of 2 unit chains" in said and "--head" not in said
    assert main(["log", "verify", str(out), "--head", "abcd"]) == 2
    assert "holds several units" in capsys.readouterr().err

    lines = out.read_text().splitlines()
    edited = [line.replace("second later", "second LATER") for line in lines]
    (tmp_path / "edited.jsonl").write_text("\n".join(edited) + "\n")
    assert main(["log", "verify", str(tmp_path / "edited.jsonl")]) == 1
    said = capsys.readouterr().out
    assert "TAMPERED: Dust Creek / second" in said and "intact: Dust Creek / main" in said

    first_key = json.loads(lines[0])["key_fingerprint"]
    other_key = next(json.loads(line)["key_fingerprint"] for line in lines
                     if json.loads(line)["key_fingerprint"] != first_key)
    swapped = [line.replace(first_key, other_key) if i == 0 else line for i, line in enumerate(lines)]
    (tmp_path / "swapped.jsonl").write_text("\n".join(swapped) + "\n")
    assert main(["log", "verify", str(tmp_path / "swapped.jsonl")]) == 1


def test_the_timeline_names_a_person_and_a_result_once(tmp_path, store, capsys):
    """The unit's wording already says who reported a misfire and that it was one; the cross-unit timeline
    repeated both ("reported by ana-reyes (ana-reyes): misfire")."""
    import re

    from armory.ledger.store import Ledger

    ledger = make_ledger(tmp_path / "a.sqlite", notes=1)
    with Ledger.open(ledger, create=False) as opened:
        opened.append("incident", "ana-reyes", {"incident": "misfire", "description": "click, no bang",
                                                "reported_by": "ana-reyes", "weapon": "saa-1"})
    assert main(["sync", "--ledger", str(ledger)]) == 0
    out = tmp_path / "report.html"
    assert main(["export", "--store", "--production", "Dust Creek", "--out", str(out)]) == 0
    timeline = re.sub(r"<[^>]+>", " ", out.read_text().split("<h2>Timeline</h2>")[1])
    line = next(text for text in timeline.splitlines() if "INCIDENT" in text)
    assert line.count("ana-reyes") == 1 and line.count("misfire") == 1, line
