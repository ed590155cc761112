"""``armory rules lint | schema | show`` through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from armory import paths
from armory.cli import main

from tests.test_rulebook_load import PACK, edit


def test_lint_bundled_files_is_clean(capsys):
    assert main(["rules", "lint"]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("checked: no problems")


def test_lint_reports_every_problem_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("bad.toml").write_text(edit(edit(PACK, 15, 'severity = "stpo"'), 21, 'failures = ["F99"]'), encoding="utf-8")
    Path("junk.toml").write_bytes(b"\xff\xfe\x00")
    assert main(["rules", "lint", "bad.toml", "junk.toml", "missing.toml"]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "missing.toml: no such file or directory",
        'bad.toml:15: rule[1].severity: "stpo" is not allowed; did you mean "stop"? (expected "stop", "hold" or "note")',
        'bad.toml:21: rule[1].failures[1]: failure id "F99" is not in rules/failures.toml; did you mean "F9"?',
        "junk.toml:1: is not UTF-8 text (byte 0xff); save it as UTF-8",
        "4 problems in 2 files",
    ]


def test_lint_a_directory_and_a_production_with_extra_rules(tmp_path, monkeypatch, capsys):
    from tests.test_production_load import PRODUCTION

    monkeypatch.chdir(tmp_path)
    Path("rules").mkdir()
    Path("rules/test.toml").write_text(PACK, encoding="utf-8")
    Path("production.toml").write_text(PRODUCTION, encoding="utf-8")
    assert main(["rules", "lint", "--rules", "rules", "production.toml", "rules"]) == 0
    assert main(["rules", "lint", "production.toml"]) == 2
    assert 'no rule pack with id "test"' in capsys.readouterr().out


def test_lint_never_prints_a_traceback_in_a_real_process(tmp_path):
    (tmp_path / "x.toml").write_bytes(bytes(range(256)))
    out = subprocess.run([sys.executable, "-m", "armory.cli", "rules", "lint", str(tmp_path), str(tmp_path / "nope")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "Traceback" not in out.stdout + out.stderr
    assert "2 problems in 1 file" in out.stdout


@pytest.mark.parametrize("kind", ["pack", "production", "drill", "failures"])
def test_schema_prints_json_with_descriptions(kind, capsys):
    assert main(["rules", "schema", "--kind", kind]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("http://json-schema.org/draft-07")
    assert "$defs" not in json.dumps(schema)


def test_schema_pack_describes_fields_from_docstrings(capsys):
    main(["rules", "schema"])
    schema = json.loads(capsys.readouterr().out)
    rule = schema["definitions"]["Rule"]["properties"]
    assert "the weapon goes back to the armorer" in rule["severity"]["description"]
    assert rule["severity"]["enum"] == ["stop", "hold", "note"]


def test_show_prints_the_checklist_of_a_setup(capsys):
    code = main(["rules", "show", "--production", str(paths.SAMPLE_PRODUCTION), "--day", "day-1",
                 "--scene", "14", "--weapon", "saa-1"])
    out = capsys.readouterr().out
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "handling.chamber-count" in out and "the weapon's capacity (6)" in out
    assert "handling.camera-line" in out
    phases = [line for line in out.splitlines() if line and line[0].isupper() and line.split()[0].isupper()]
    assert [p.split(" (")[0] for p in phases][:3] == ["DAY START", "BEFORE THE SETUP", "BEFORE THE HANDOFF"]


def test_show_unknown_weapon_is_exit_2(capsys):
    assert main(["rules", "show", "--day", "day-1", "--scene", "14", "--weapon", "saa1"]) == 2
    assert 'no weapon "saa1"; did you mean "saa-1"?' in capsys.readouterr().err


def test_show_broken_production_is_exit_2_with_every_problem(tmp_path, capsys):
    text = paths.SAMPLE_PRODUCTION.read_text(encoding="utf-8").replace('kind = "blank"', 'kind = "live"')
    bad = tmp_path / "production.toml"
    bad.write_text(text, encoding="utf-8")
    assert main(["rules", "show", "--production", str(bad), "--day", "day-1", "--scene", "14",
                 "--weapon", "saa-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("live ammunition never belongs on set") == 2


SPECIAL_FILES = [
    pytest.param("pipe.toml", lambda p: os.mkfifo(p),
                 "pipe.toml: not a regular file (a named pipe); give the path of a TOML file", id="fifo"),
    pytest.param("zero.toml", lambda p: p.symlink_to("/dev/zero"),
                 "zero.toml: not a regular file (a device); give the path of a TOML file", id="link-to-dev-zero"),
    pytest.param("huge.toml", lambda p: p.open("wb").truncate(11 * 1024 * 1024),
                 "huge.toml: is 11.0 MB, over the 10.0 MB an input file may be; a rule pack, production or drill "
                 "is far smaller, so this is likely the wrong file", id="over-10-mb"),
    pytest.param("limit.toml", lambda p: p.open("wb").truncate(10 * 1024 * 1024),
                 "limit.toml:1: not valid TOML: ", id="exactly-10-mb-is-read"),
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_lint_refuses_what_is_not_a_regular_file_without_blocking(tmp_path):
    for name, make, _ in (case.values for case in SPECIAL_FILES):
        make(tmp_path / name)
    names = [case.values[0] for case in SPECIAL_FILES]
    # A real process with a timeout: reading a FIFO or /dev/zero would hang the test run itself.
    out = subprocess.run([sys.executable, "-m", "armory.cli", "rules", "lint", *names],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    lines = out.stdout.splitlines()
    assert out.returncode == 2, out.stderr
    assert len(lines) == len(SPECIAL_FILES) + 1, lines
    for got, (_, _, want) in zip(lines, (case.values for case in SPECIAL_FILES)):
        assert got.startswith(want), f"\n got: {got}\nwant: {want}"
    assert lines[-1] == f"{len(SPECIAL_FILES)} problems in {len(SPECIAL_FILES)} files"


def _subparsers(parser) -> dict[str, object]:
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


RULES_COMMANDS = ["lint", "schema", "show", "test"]


@pytest.mark.parametrize("command", RULES_COMMANDS)
def test_every_rules_option_and_argument_explains_itself(command):
    from armory.cli import build_parser

    rules = _subparsers(build_parser())["rules"]
    assert rules.description, "armory rules --help has no description"
    parser = _subparsers(rules)[command]
    unexplained = [action.option_strings[0] if action.option_strings else action.metavar or action.dest
                   for action in parser._actions if not action.help]
    assert unexplained == [], f"armory rules {command}: no --help text for {unexplained}"


def test_schema_kind_help_names_every_kind(capsys):
    with pytest.raises(SystemExit):
        main(["rules", "schema", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--kind {pack,production,drill,failures} which file's schema: a rule pack (the default)" in out


@pytest.mark.parametrize("line, expected", [
    ("#:schema ../armory/schemas/drill.schema.json",
     "pack.toml:1: #:schema: names drill.schema.json, the schema of another kind of file; this is a pack file: "
     "use pack.schema.json"),
    ("#:schema schemas/pack.schema.json",
     "pack.toml:1: #:schema: schemas/pack.schema.json does not exist (paths are relative to this file); "
     "the committed schema is armory/schemas/pack.schema.json"),
    ("#:schema",
     "pack.toml:1: #:schema: names no schema; write the path of the committed schema, e.g. "
     "#:schema armory/schemas/pack.schema.json"),
])
def test_a_schema_line_naming_the_wrong_or_a_missing_schema_is_a_problem(line, expected, tmp_path, monkeypatch,
                                                                        capsys):
    monkeypatch.chdir(tmp_path)
    body = PACK.split("\n", 1)[1] if PACK.startswith("#:schema") else PACK
    Path("pack.toml").write_text(line + "\n" + body, encoding="utf-8")
    assert main(["rules", "lint", "pack.toml"]) == 2
    assert capsys.readouterr().out.splitlines()[0] == expected


def _every_bundled_place():
    from armory.rulebook.loader import load_production

    for path in sorted((paths.SAMPLE_PRODUCTION.parent.parent).glob("*/production.toml")):
        production = load_production(path).production
        for day in production.day:
            for scene in day.scene:
                for setup in scene.setup:
                    for issue in setup.weapon:
                        yield path, day.id, scene.id, setup.id, issue.weapon


def test_show_says_no_checks_under_every_phase_that_has_none(capsys):
    """A phase with no check for the weapon keeps its heading and says "(no checks)" under it, never a bare
    heading: the safety officer sees every phase was considered, in the same order for every weapon. A
    non-firing replica has nothing to check after firing."""
    from armory.cli.rules import PHASE_TITLES

    titles = set(PHASE_TITLES.values())
    places = list(_every_bundled_place())
    assert any(place[-1] == "replica-1" for place in places)
    for path, day, scene, setup, weapon in places:
        assert main(["rules", "show", "--production", str(path), "--day", day, "--scene", scene,
                     "--setup", setup, "--weapon", weapon]) == 0
        lines = capsys.readouterr().out.splitlines()
        headings = [i for i, line in enumerate(lines) if line in titles]
        assert [lines[i] for i in headings] == list(PHASE_TITLES.values()), (path.parent.name, day, setup, weapon)
        for i in headings:
            following = lines[i + 1]
            assert following == "  (no checks)" or following.startswith("  ") and following.split()[-1] in (
                "STOP", "HOLD", "NOTE", "OFF"), (path.parent.name, day, setup, weapon, lines[i], following)
        if weapon == "replica-1":
            after = lines.index(PHASE_TITLES["after_firing"])
            assert lines[after + 1: after + 3] == ["  (no checks)", ""], (path.parent.name, setup)


def test_show_without_a_setup_prints_every_rule_against_every_setup(capsys):
    precinct = paths.SAMPLE_PRODUCTIONS / "precinct" / "production.toml"
    assert main(["rules", "show", "--production", str(precinct)]) == 0
    out = capsys.readouterr().out
    assert "every rule against every weapon in every setup" in out
    assert any(line.split()[:1] == ["handoff.show-the-load-ad"] and "off" in line.split() for line in out.splitlines())
    assert main(["rules", "show", "--production", str(precinct), "--format", "csv"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("day,scene,setup,weapon,load,rounds,phase,rule,pack,severity,status,passes")
    assert main(["rules", "show", "--production", str(precinct), "--day", "day-1"]) == 2
    assert "needs --day, --scene and --weapon" in capsys.readouterr().err


def test_show_says_a_count_passes_at_zero_and_what_a_production_switched_off(capsys):
    precinct = paths.SAMPLE_PRODUCTIONS / "precinct" / "production.toml"
    assert main(["rules", "show", "--production", str(precinct), "--day", "day-2", "--scene", "17",
                 "--weapon", "replica-1"]) == 0
    out = capsys.readouterr().out
    assert "passes: none" not in out and "passes: 0 (none found)" in out
    assert "switched off by the production: Non-firing replica" in out


def test_lint_lists_what_productions_turned_off_without_failing(capsys):
    assert main(["rules", "lint"]) == 0
    out = capsys.readouterr().out
    assert "precinct/production.toml:" in out and "turned off: handoff.show-the-load-ad for replica-1" in out
