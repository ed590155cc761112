"""The ledger's commands as a user runs them: crew enroll/list, log show, export jsonl, log verify."""

from __future__ import annotations

import io
import json
import sys

import pytest

from armory.cli import main
from armory.ledger.store import Ledger

PRODUCTION = """\
[production]
title = "Dry Gulch"
company = "Mesa Pictures"
timezone = "America/Denver"
packs = [{ id = "handoff", version = "1.0.0" }]

[[crew]]
id = "sam"
name = "Sam Ortiz"
roles = ["safety_officer"]

[[crew]]
id = "ann"
name = "Ann Reyes"
roles = ["armorer"]

[[crew]]
id = "bob"
name = "Bob Lee"
roles = ["actor"]

[[weapon]]
id = "colt-1"
kind = "revolver"
make = "Uberti"
model = "1873 Cattleman"
serial = "UB12345"
caliber = ".45 Colt"
capacity = 6

[[weapon]]
id = "rifle-1"
kind = "rifle"
make = "Winchester"
model = "1892"
serial = "WN98765"
caliber = ".44-40"
capacity = 10
"""


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("ARMORY_ARGON2", "fast")
    monkeypatch.setenv("ARMORY_LEDGER", str(tmp_path / "env.ledger"))


@pytest.fixture
def production(tmp_path):
    path = tmp_path / "production.toml"
    path.write_text(PRODUCTION)
    return path


@pytest.fixture
def ledger_path(tmp_path):
    return tmp_path / "dry-gulch.ledger"


def run(capsys, monkeypatch, *argv, stdin: str | None = None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _enroll(capsys, monkeypatch, production, ledger_path, crew_id, stdin, *extra):
    return run(capsys, monkeypatch, "crew", "enroll", crew_id, "--production", production,
               "--ledger", ledger_path, "--pin-stdin", *extra, stdin=stdin)


def test_enrollment_from_the_first_officer_on(capsys, monkeypatch, production, ledger_path):
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "ann", "5290\n")
    assert code == 2 and "give --by OFFICER" in err and "first enrollment is a safety officer" in err
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "ann", "5290\n", "--by", "sam")
    assert code == 2 and "first enrollment is a safety officer enrolling themselves" in err
    assert not ledger_path.exists()  # refused: nothing created

    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "sam", "4817\n")
    assert code == 0 and "Sam Ortiz's PIN enrolled" in out

    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "ann", "5290\n", "--by", "sam")
    assert code == 2 and "sam's PIN on the second line" in err
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "ann", "5290\n9999\n", "--by", "sam")
    assert code == 2 and "wrong PIN for Sam Ortiz (sam) (4 tries left" in err
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "ann", "5290\n4817\n", "--by", "sam")
    assert code == 0 and "Ann Reyes's PIN enrolled" in out and "authorized by sam" in out

    code, out, err = run(capsys, monkeypatch, "crew", "list", "--production", production, "--ledger", ledger_path)
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert "enrolled" in rows["sam"] and "enrolled" in rows["ann"] and "no PIN" in rows["bob"]

    code, out, err = run(capsys, monkeypatch, "log", "show", "--production", production, "--ledger", ledger_path,
                         "--kind", "crew_enrolled")
    assert code == 0
    assert "Sam Ortiz enrolled Sam Ortiz's PIN" in out and "Sam Ortiz enrolled Ann Reyes's PIN" in out
    assert " MST " in out  # local time of the production


def test_enroll_asks_twice_with_hidden_input(capsys, monkeypatch, production, ledger_path):
    answers = iter(["4817", "4818"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, out, err = run(capsys, monkeypatch, "crew", "enroll", "sam", "--production", production,
                         "--ledger", ledger_path)
    assert code == 2 and "the two PINs differ" in err
    answers = iter(["4817", "4817"])
    code, out, err = run(capsys, monkeypatch, "crew", "enroll", "sam", "--production", production,
                         "--ledger", ledger_path)
    assert code == 0


def test_enroll_refuses_an_unknown_person(capsys, monkeypatch, production, ledger_path):
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "zed", "5290\n")
    assert code == 2 and "unknown crew id 'zed'" in err


def test_enroll_suggests_the_crew_id_meant(capsys, monkeypatch, production, ledger_path):
    """Lint offers a did-you-mean for a misspelled id; enrolling a PIN is where a safety officer types one."""
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "smm", "5290\n")
    assert code == 2 and "unknown crew id 'smm'" in err and 'did you mean "sam"?' in err
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "Ann", "5290\n", "--by", "sma")
    assert code == 2 and 'did you mean "ann"?' in err
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "ann", "5290\n", "--by", "sma")
    assert code == 2 and "--by 'sma'" in err and 'did you mean "sam"?' in err
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "zed", "5290\n")
    assert code == 2 and "did you mean" not in err
    assert not ledger_path.exists()


def _fill(ledger_path):
    with Ledger.open(ledger_path, production_title="Dry Gulch") as ledger:
        ledger.append("day_opened", "ann", {"day": "day-1", "production_hash": "ab" * 32, "packs": [],
                                             "signed_by": ["ann"]})
        ledger.append("handoff", "ann", {"day": "day-1", "weapon": "colt-1", "giver": "ann", "receiver": "bob",
                                          "load": "dummies", "rounds": 6, "witnesses": ["sam"],
                                          "signed_by": ["ann", "bob"]})
        ledger.append("note", "sam", {"text": "rifle stays in the truck", "weapon": "rifle-1"})
        ledger.append("rounds_fired", None, {"day": "day-1", "weapon": "colt-1", "rounds": 0}, scope="drill-1")
        ledger.append("day_closed", "ann", {"day": "day-1", "head_hash": ledger.head().hash, "signed_by": ["ann"]})
        ledger.checkpoint()
        ledger.append("day_opened", "ann", {"day": "day-2", "production_hash": "ab" * 32, "packs": [],
                                             "signed_by": ["ann"]})
        ledger.append("note", "ann", {"text": "second day", "day": "day-2"})


def test_log_show_in_plain_language_with_filters(capsys, monkeypatch, production, ledger_path):
    _fill(ledger_path)
    base = ["log", "show", "--production", production, "--ledger", ledger_path]
    code, out, err = run(capsys, monkeypatch, *base)
    assert code == 0
    assert "Ann Reyes handed colt-1 (Uberti 1873 Cattleman) to Bob Lee, dummies with 6 rounds" in out
    assert "[run drill-1] " in out  # a drill run's entries are shown, labelled with their run
    code, out, _ = run(capsys, monkeypatch, *base, "--run", "main")
    assert "drill" not in out and "handed" in out
    code, out, _ = run(capsys, monkeypatch, *base, "--weapon", "rifle-1")
    assert out.count("\n") == 1 and "rifle stays in the truck" in out
    code, out, _ = run(capsys, monkeypatch, *base, "--person", "bob")
    assert out.count("\n") == 1 and "handed" in out
    code, out, _ = run(capsys, monkeypatch, *base, "--day", "day-2")
    assert "second day" in out and "handed" not in out and out.count("\n") == 2
    code, out, err = run(capsys, monkeypatch, *base, "--kind", "handof")
    assert code == 2 and "did you mean 'handoff'" in err
    code, out, err = run(capsys, monkeypatch, *base, "--weapon", "colt-9")
    assert code == 2 and "no such weapon" in err


def test_log_show_shows_every_drill_run_labelled_and_filters_by_run(capsys, monkeypatch, production, ledger_path):
    # as 'armory rules test --ledger X' leaves it: each drill run in its own scope, each with its own day-1
    with Ledger.open(ledger_path, production_title="Dry Gulch") as ledger:
        for run_id in ("drill:cold-gun:0a1b2c3d", "drill:cold-gun:4e5f6a7b", "drill:misfire:8c9d0e1f"):
            ledger.append("day_opened", "ann", {"day": "day-1", "production_hash": "ab" * 32, "packs": [],
                                                 "signed_by": ["ann"]}, scope=run_id)
            ledger.append("note", "sam", {"text": f"note of {run_id}"}, scope=run_id)
            ledger.append("day_closed", "ann", {"day": "day-1", "head_hash": ledger.head().hash,
                                                 "signed_by": ["ann"]}, scope=run_id)
    base = ["log", "show", "--production", production, "--ledger", ledger_path]
    code, out, err = run(capsys, monkeypatch, *base)
    assert code == 0 and out.count("\n") == 10  # the ledger's first entry and all three runs
    assert "[drill:misfire:8c9d0e1f] " in out and "drill drill" not in out
    code, out, err = run(capsys, monkeypatch, *base, "--day", "day-1")
    assert code == 0 and out.count("\n") == 9 and "no entries match" not in err
    assert "note of drill:cold-gun:4e5f6a7b" in out  # a note without a day belongs to its run's open day
    code, out, _ = run(capsys, monkeypatch, *base, "--run", "cold-gun")
    assert out.count("\n") == 6 and "misfire" not in out
    code, out, _ = run(capsys, monkeypatch, *base, "--run", "8c9d0e1f", "--kind", "note")
    assert out.count("\n") == 1 and "note of drill:misfire:8c9d0e1f" in out
    code, out, _ = run(capsys, monkeypatch, *base, "--run", "drill:cold-gun:0a1b2c3d")
    assert out.count("\n") == 3
    code, out, _ = run(capsys, monkeypatch, *base, "--run", "main")
    assert out.count("\n") == 1 and "ledger opened" in out
    code, out, err = run(capsys, monkeypatch, *base, "--run", "cold-gn")
    assert code == 2 and "did you mean 'cold-gun'?" in err and "runs: main, cold-gun, misfire" in err


def test_log_show_without_a_ledger_is_a_clear_message(capsys, monkeypatch, production, tmp_path):
    code, out, err = run(capsys, monkeypatch, "log", "show", "--production", production,
                         "--ledger", tmp_path / "none.ledger")
    assert code == 2 and "no ledger there" in err and not (tmp_path / "none.ledger").exists()


def test_log_show_help_lists_every_kind_it_accepts(capsys):
    """A producer filtering with --kind should not have to guess the kinds, or read the code, to find them;
    the list in the help is the ledger's own, so a new kind cannot be missing from it."""
    from armory.cli import LOG_KINDS
    from armory.ledger.entries import KINDS

    assert LOG_KINDS == KINDS
    with pytest.raises(SystemExit) as exited:
        main(["log", "show", "--help"])
    assert exited.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    start = help_text.index("--kind KIND only entries")
    listed = help_text[start:help_text.index("--run RUN", start)]
    assert all(f" {kind}," in listed or listed.rstrip().endswith(f" {kind}") for kind in KINDS), listed


def test_export_jsonl_then_verify_as_a_producer_would(capsys, monkeypatch, production, ledger_path, tmp_path):
    _fill(ledger_path)
    out_file = tmp_path / "dry-gulch.jsonl"
    code, out, err = run(capsys, monkeypatch, "export", "--format", "jsonl", "--out", out_file,
                         "--ledger", ledger_path, "--production", production)
    assert code == 0, err
    lines = out_file.read_text().splitlines()
    assert json.loads(lines[-1])["kind"] == "checkpoint"
    with Ledger.open(ledger_path, readonly=True) as ledger:
        assert ledger.head().kind == "export_recorded"
        assert ledger.head().payload["head_hash"] == json.loads(lines[-1])["hash"]
    code, out, err = run(capsys, monkeypatch, "log", "verify", out_file)
    assert code == 0 and "intact" in out


def test_export_of_one_day_ends_at_its_signed_checkpoint(capsys, monkeypatch, production, ledger_path, tmp_path):
    _fill(ledger_path)
    out_file = tmp_path / "day-1.jsonl"
    code, out, err = run(capsys, monkeypatch, "export", "--format", "jsonl", "--day", "day-1", "--out", out_file,
                         "--ledger", ledger_path, "--production", production)
    assert code == 0, err
    records = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert [r["kind"] for r in records[-2:]] == ["day_closed", "checkpoint"]
    assert all(r["payload"].get("day") != "day-2" for r in records)
    code, out, err = run(capsys, monkeypatch, "log", "verify", out_file)
    assert code == 0, out


def test_export_refuses_a_directory_without_writing(capsys, monkeypatch, production, ledger_path, tmp_path):
    _fill(ledger_path)
    with Ledger.open(ledger_path, readonly=True) as ledger:
        before = len(ledger)
    code, out, err = run(capsys, monkeypatch, "export", "--format", "jsonl", "--out", tmp_path,
                         "--ledger", ledger_path, "--production", production)
    assert code == 2 and "directory" in err
    with Ledger.open(ledger_path, readonly=True) as ledger:
        assert len(ledger) == before


def test_verify_defaults_to_armory_ledger(capsys, monkeypatch, tmp_path):
    _fill(tmp_path / "env.ledger")
    code, out, err = run(capsys, monkeypatch, "log", "verify")
    assert code == 0 and "env.ledger" in out


def _newer(path):
    import sqlite3

    _fill(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


def _other_program(path):
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make, message", [
    (_newer, "newer armory"),
    (_other_program, "another program"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x07" * 600), "not an armory ledger"),
])
@pytest.mark.parametrize("command", [["log", "verify", "--ledger"], ["log", "show", "--ledger"],
                                     ["export", "--format", "jsonl", "--out", "OUT", "--ledger"]])
def test_unusable_ledgers_exit_2_and_change_nothing(capsys, monkeypatch, tmp_path, production, make, message,
                                                     command):
    path = tmp_path / "odd.ledger"
    make(path)
    before = path.read_bytes()
    argv = [str(tmp_path / "out.jsonl") if a == "OUT" else a for a in command]
    code, out, err = run(capsys, monkeypatch, *argv, path, "--production", production)
    assert code == 2 and message in err and "Traceback" not in err
    assert path.read_bytes() == before and not (tmp_path / "out.jsonl").exists()


# -- PINs at the prompt: end of input, Ctrl-C, no terminal ----------------------------


@pytest.mark.parametrize("raised, message", [
    (EOFError, "no PIN was entered (the input ended); standard input is not a terminal: from a script, use "
               "--pin-stdin"),
    (KeyboardInterrupt, "enrollment cancelled at the PIN prompt; nothing was changed"),
])
def test_end_of_input_or_ctrl_c_at_the_pin_prompt_is_a_clear_refusal(capsys, monkeypatch, production, ledger_path,
                                                                     raised, message):
    def prompt(text=""):
        raise raised

    monkeypatch.setattr("getpass.getpass", prompt)
    code, out, err = run(capsys, monkeypatch, "crew", "enroll", "sam", "--production", production,
                         "--ledger", ledger_path)
    assert code == 2 and message in err and "Traceback" not in err
    assert not ledger_path.exists()


def test_enroll_with_stdin_not_a_terminal_says_to_use_pin_stdin(production, ledger_path, tmp_path):
    # the auditor's case: 'armory crew enroll ... </dev/null' gave a GetPassWarning, then an EOFError traceback
    import os
    import subprocess

    env = {**os.environ, "ARMORY_ARGON2": "fast"}
    done = subprocess.run([sys.executable, "-m", "armory.cli", "crew", "enroll", "sam", "--production",
                           str(production), "--ledger", str(ledger_path)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env, start_new_session=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "use --pin-stdin" in done.stderr and "nothing was changed" in done.stderr
    assert "Traceback" not in done.stderr and "GetPassWarning" not in done.stderr
    assert not ledger_path.exists()


# -- a refused enrollment changes nothing --------------------------------------------


@pytest.mark.parametrize("stdin, message", [
    ("12\n", "the new PIN for sam (first line): a PIN is 4 to 8 digits"),
    ("12345678901\n", "a PIN is 4 to 8 digits"),
    ("12a4\n", "a PIN is 4 to 8 digits"),
])
def test_a_malformed_pin_creates_no_ledger_and_no_key(capsys, monkeypatch, production, ledger_path, stdin, message):
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "sam", stdin)
    assert code == 2 and message in err
    assert not ledger_path.exists()
    assert list(ledger_path.parent.glob(ledger_path.name + "*")) == []  # no key, no -wal beside it


def test_a_malformed_pin_at_the_prompt_is_refused_before_it_is_asked_again(capsys, monkeypatch, production,
                                                                            ledger_path):
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or "12")
    code, out, err = run(capsys, monkeypatch, "crew", "enroll", "sam", "--production", production,
                         "--ledger", ledger_path)
    assert code == 2 and "a PIN is 4 to 8 digits" in err and len(asked) == 1
    assert not ledger_path.exists()


def test_a_malformed_officer_pin_changes_nothing(capsys, monkeypatch, production, ledger_path):
    assert _enroll(capsys, monkeypatch, production, ledger_path, "sam", "4817\n")[0] == 0
    with Ledger.open(ledger_path, readonly=True) as ledger:
        before = len(ledger)
    code, out, err = _enroll(capsys, monkeypatch, production, ledger_path, "ann", "5290\n43x1\n", "--by", "sam")
    assert code == 2 and "sam's PIN (second line): a PIN is 4 to 8 digits" in err
    with Ledger.open(ledger_path, readonly=True) as ledger:
        assert len(ledger) == before  # not even a wrong-PIN entry: it could never have been a PIN


# -- a sample production's demo PINs work from the command line -----------------------


def test_demo_pins_of_a_sample_production_authorize_an_enrollment_on_a_fresh_ledger(capsys, monkeypatch,
                                                                                     ledger_path):
    from armory import paths

    precinct = paths.SAMPLE_PRODUCTIONS / "precinct" / "production.toml"
    code, out, err = _enroll(capsys, monkeypatch, precinct, ledger_path, "mara-okafor", "5290\n3333\n",
                             "--by", "lena-fischer")
    assert code == 0, err
    assert "Mara Okafor's PIN changed" in out and "authorized by lena-fischer" in out
    assert "demo PINs were enrolled first" in err
    with Ledger.open(ledger_path, readonly=True) as ledger:
        enrolled = [e.payload for e in ledger.entries() if e.kind == "crew_enrolled"]
    assert [p["authorized_by"] for p in enrolled].count("demo") == 8
    assert enrolled[-1] == {"crew_id": "mara-okafor", "changed": True, "authorized_by": "lena-fischer"}
    # the new PIN holds, and a wrong officer PIN is refused as on any ledger
    code, out, err = _enroll(capsys, monkeypatch, precinct, ledger_path, "rosa-vega", "4817\n3334\n",
                             "--by", "lena-fischer")
    assert code == 2 and "wrong PIN for Lena Fischer (lena-fischer)" in err


def test_on_a_sample_the_officer_changing_their_own_pin_gives_the_demo_pin(capsys, monkeypatch, ledger_path):
    from armory import paths

    precinct = paths.SAMPLE_PRODUCTIONS / "precinct" / "production.toml"
    code, out, err = _enroll(capsys, monkeypatch, precinct, ledger_path, "lena-fischer", "5290\n")
    assert code == 2 and "lena-fischer's PIN on the second line" in err and "demo PIN" in err
    assert not ledger_path.exists()
    code, out, err = _enroll(capsys, monkeypatch, precinct, ledger_path, "lena-fischer", "5290\n3333\n")
    assert code == 0 and "Lena Fischer's PIN changed" in out


# -- which production names a ledger's entries ----------------------------------------


def _precinct_ledger(path):
    with Ledger.open(path, production_title="Precinct Nine (sample)") as ledger:
        ledger.append("day_opened", "mara-okafor", {"day": "day-1", "production_hash": "ab" * 32, "packs": [],
                                                     "signed_by": ["mara-okafor"]})
        ledger.append("note", "lena-fischer", {"text": "briefing held", "day": "day-1"})


def test_log_show_names_a_bundled_sample_by_the_title_the_ledger_records(capsys, monkeypatch, ledger_path):
    # the auditor's case: a Precinct ledger read as the Western ("no such crew id in Dust Creek (sample)")
    _precinct_ledger(ledger_path)
    code, out, err = run(capsys, monkeypatch, "log", "show", "--ledger", ledger_path, "--person", "lena-fischer")
    assert code == 0, err
    assert "Lena Fischer noted: briefing held" in out
    assert (" PST " in out or " PDT " in out) and "MST" not in out  # America/Los_Angeles, not the Western's


def test_log_show_of_an_unknown_production_shows_ids_and_utc_and_says_so(capsys, monkeypatch, ledger_path):
    _fill(ledger_path)  # "Dry Gulch": no bundled sample has that title
    code, out, err = run(capsys, monkeypatch, "log", "show", "--ledger", ledger_path, "--person", "bob")
    assert code == 0
    assert "ann handed colt-1 to bob" in out and " UTC " in out
    assert err.count("\n") == 1 and "times in UTC; pass --production for names and local time" in err


def test_log_show_refuses_a_production_the_ledger_was_not_opened_for(capsys, monkeypatch, ledger_path):
    from armory import paths

    _precinct_ledger(ledger_path)
    code, out, err = run(capsys, monkeypatch, "log", "show", "--ledger", ledger_path,
                         "--production", paths.SAMPLE_PRODUCTION)
    assert code == 2 and out == ""
    assert "'Dust Creek (sample)'" in err and "'Precinct Nine (sample)'" in err


def test_crew_enroll_refuses_a_production_the_ledger_was_not_opened_for(capsys, monkeypatch, ledger_path):
    from armory import paths

    _precinct_ledger(ledger_path)
    before = ledger_path.read_bytes()
    code, out, err = _enroll(capsys, monkeypatch, paths.SAMPLE_PRODUCTION, ledger_path, "carla-diaz", "5290\n3333\n")
    assert code == 2 and "'Dust Creek (sample)'" in err and "'Precinct Nine (sample)'" in err
    assert ledger_path.read_bytes() == before


# -- log show --day: an unknown day is said --------------------------------------------


def test_log_show_names_an_unknown_day_with_a_suggestion(capsys, monkeypatch, production, ledger_path):
    _fill(ledger_path)
    base = ["log", "show", "--production", production, "--ledger", ledger_path]
    code, out, err = run(capsys, monkeypatch, *base, "--day", "dya-1")
    assert code == 2 and out == ""
    assert "--day 'dya-1': no such day in this ledger; did you mean 'day-1'?" in err
    assert "days with entries: day-1, day-2" in err


def test_log_show_of_a_production_day_with_nothing_recorded_says_so(capsys, monkeypatch, production, ledger_path):
    production.write_text(PRODUCTION + '\n[[day]]\nid = "day-3"\ndate = 2026-03-04\n')
    _fill(ledger_path)
    code, out, err = run(capsys, monkeypatch, "log", "show", "--production", production, "--ledger", ledger_path,
                         "--day", "day-3")
    assert code == 0 and out == ""
    assert "nothing was recorded on day-3" in err and "no entries match" in err


# -- help -----------------------------------------------------------------------------


@pytest.mark.parametrize("argv, wanted", [
    (["log"], "Check the ledger or an export for tampering"),
    (["crew"], "Set crew members' PINs"),
    (["log", "verify"], "FILE               a jsonl export or html report"),
    (["crew", "enroll"], "CREW_ID            the crew id whose PIN is set"),
    (["crew", "enroll"], "demo"),
])
def test_log_and_crew_commands_have_help(capsys, argv, wanted):
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    assert " ".join(wanted.split()) in " ".join(capsys.readouterr().out.split())


def test_crew_list_without_production_on_another_productions_ledger_asks_for_its_file(capsys, monkeypatch,
                                                                                        ledger_path):
    _fill(ledger_path)  # "Dry Gulch": the bundled sample taken by default is not it
    code, out, err = run(capsys, monkeypatch, "crew", "list", "--ledger", ledger_path)
    assert code == 2 and out == ""
    assert "not for the bundled sample" in err and "give --production" in err and "leave out" not in err


# -- --ledger / --production before or after the subcommand ---------------------------------


@pytest.mark.parametrize("command", [["log", "show"], ["log", "verify"], ["crew", "list"]])
def test_ledger_and_production_given_before_the_subcommand_are_not_undone_by_it(capsys, monkeypatch, production,
                                                                                 ledger_path, tmp_path, command):
    # the subcommand's own --ledger used to default to None and overwrite the top-level one, so
    # 'armory --ledger X log show' read $ARMORY_LEDGER or the default ledger instead of X
    _fill(ledger_path)
    _fill(tmp_path / "env.ledger")  # a ledger at $ARMORY_LEDGER that must not be the one read
    with Ledger.open(tmp_path / "env.ledger") as other:
        other.append("note", "sam", {"text": "the wrong ledger"})
    before = ["--ledger", ledger_path, "--production", production]
    for argv in ([*before, *command], [*command, *before], ["--ledger", ledger_path, *command,
                                                             "--production", production]):
        code, out, err = run(capsys, monkeypatch, *argv)
        assert code == 0, (argv, err)
        assert "wrong ledger" not in out and "env.ledger" not in out
        if command == ["log", "verify"]:
            assert str(ledger_path) in out
        if command == ["log", "show"]:
            assert "Ann Reyes handed colt-1" in out  # names from --production, given before the subcommand


def test_ledger_before_the_subcommand_names_a_missing_ledger_and_falls_back_to_nothing(capsys, monkeypatch,
                                                                                       production, tmp_path):
    _fill(tmp_path / "env.ledger")
    code, out, err = run(capsys, monkeypatch, "--ledger", tmp_path / "none.ledger", "log", "show",
                         "--production", production)
    assert code == 2 and "no ledger there" in err and out == ""


def test_armory_ledger_still_names_the_ledger_when_no_ledger_option_is_given(capsys, monkeypatch, production,
                                                                             tmp_path):
    _fill(tmp_path / "env.ledger")
    code, out, err = run(capsys, monkeypatch, "--production", production, "log", "show")
    assert code == 0 and "Ann Reyes handed colt-1" in out
    code, out, err = run(capsys, monkeypatch, "log", "show", "--production", production)
    assert code == 0 and "Ann Reyes handed colt-1" in out


def test_export_reads_the_ledger_given_before_the_subcommand(capsys, monkeypatch, production, ledger_path, tmp_path):
    _fill(ledger_path)
    out_file = tmp_path / "out.jsonl"
    code, out, err = run(capsys, monkeypatch, "--ledger", ledger_path, "--production", production,
                         "export", "--out", out_file)
    assert code == 0, err
    assert not (tmp_path / "env.ledger").exists()
    with Ledger.open(ledger_path, readonly=True) as ledger:
        assert ledger.head().kind == "export_recorded"


def test_rules_given_before_and_after_the_subcommand_are_both_kept(monkeypatch):
    import armory.cli as cli
    from pathlib import Path

    seen = {}
    monkeypatch.setattr(cli, "_resolve", lambda handler: (lambda args: seen.update(vars(args)) or 0))
    assert cli.main(["--rules", "a.toml", "--production", "p.toml", "rules", "show", "--rules", "b.toml",
                     "--day", "d", "--scene", "s", "--weapon", "w"]) == 0
    assert seen["rules"] == [Path("a.toml"), Path("b.toml")] and seen["production"] == Path("p.toml")
    seen.clear()
    assert cli.main(["log", "show"]) == 0  # nothing given anywhere: the defaults the handlers expect
    assert seen["rules"] == [] and seen["production"] is None and seen["ledger"] is None


def test_log_head_prints_the_one_line_exports_then_share(capsys, monkeypatch, production, ledger_path, tmp_path):
    from armory.ledger.head import parse_noted
    from armory.ledger.verify import verify_file

    _fill(ledger_path)
    code, out, err = run(capsys, monkeypatch, "log", "head", "--ledger", ledger_path)
    assert code == 0 and "signed a checkpoint" in err
    line = out.strip()
    assert line.startswith("armory ledger key ") and ", head #" in line
    code, again, err = run(capsys, monkeypatch, "log", "head", "--ledger", ledger_path)
    assert again.strip() == line and "signed" not in err  # nothing new: the same head, no new checkpoint
    exported = tmp_path / "now.jsonl"
    code, out, err = run(capsys, monkeypatch, "export", "--out", exported, "--ledger", ledger_path,
                         "--production", production)
    assert code == 0 and verify_file(exported)[0].head.startswith(parse_noted(line).prefix)
    code, out, err = run(capsys, monkeypatch, "log", "verify", exported, "--head", line)
    assert code == 0 and "is the head of this chain" in out
