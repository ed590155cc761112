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
    assert "DOES NOT VERIFY at #3" in out.read_text()


def test_store_export_refuses_what_does_not_apply(tmp_path, store, capsys):
    assert main(["export", "--store", "--out", str(tmp_path / "x.html")]) == 2
    assert "--store needs --production TITLE" in capsys.readouterr().err
    assert main(["export", "--store", "--production", "X", "--day", "d", "--out", str(tmp_path / "x.html")]) == 2
    assert main(["export", "--store", "--production", "Nope", "--out", str(tmp_path / "x.html")]) == 2
    assert "no unit of 'Nope'" in capsys.readouterr().err
