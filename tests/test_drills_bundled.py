"""The bundled drills: each passes, together they make every bundled rule fire,
and the replay of Rust, 21 October 2021, refuses at every point the day went wrong.

The bundled set is run once (into one kept ledger, as a safety officer would
with ``--ledger``) and the tests below read that run's output and ledger.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from armory.cli import main
from armory.ledger.store import Ledger
from armory.paths import PROJECT_ROOT, SAMPLE_PRODUCTIONS

DRILL_DIRS = sorted(SAMPLE_PRODUCTIONS.glob("*/drills"))
DRILLS = sorted(p for d in DRILL_DIRS for p in d.glob("*.toml"))
RUST = SAMPLE_PRODUCTIONS / "rust-2021" / "drills" / "rust-21-october-2021.toml"
SCHEMA_LINE = "#:schema ../../../armory/schemas/drill.schema.json"


def _drill(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def result_entries(ledger_path: Path, scope: str):
    ledger = Ledger.open(ledger_path, create=False, readonly=True)
    try:
        return list(ledger.entries(scope=scope))
    finally:
        ledger.close()


def _run(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def _main_quietly(tmp_path_factory, argv: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
        mp.delenv("ARMORY_LEDGER", raising=False)
        with contextlib.redirect_stdout(out):
            code = main(argv)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory):
    """Every bundled drill and the coverage report, in one run (each drill on a temporary ledger of its own:
    the drills are of three productions, and one kept ledger is the record of one production)."""
    code, out = _main_quietly(tmp_path_factory, ["rules", "test", "--coverage", *map(str, DRILL_DIRS)])
    return code, out


@pytest.fixture(scope="module")
def rust_ledger(tmp_path_factory):
    """The Rust replay run into a kept ledger, as a safety officer would with ``--ledger``."""
    ledger = tmp_path_factory.mktemp("rust") / "rust.sqlite"
    code, out = _main_quietly(tmp_path_factory, ["rules", "test", "--ledger", str(ledger), str(RUST)])
    assert code == 0, out
    return ledger


def test_there_are_enough_drills_and_each_tells_its_story():
    assert len(DRILLS) >= 13
    cited: set[str] = set()
    for path in DRILLS:
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == SCHEMA_LINE, path
        data = tomllib.loads(text)
        info = data["drill"]
        assert len(info["description"].split()) >= 25, f"{path.name}: the description tells the story"
        assert info["failures"], f"{path.name}: cites no failure"
        assert all(step.get("note") for step in data["step"]), f"{path.name}: a step without a note"
        cited.update(info["failures"])
    assert (PROJECT_ROOT / "armory" / "schemas" / "drill.schema.json").is_file()
    assert {f"F{n}" for n in range(1, 13)} <= cited


def test_every_bundled_drill_passes_and_every_rule_fires(bundled_run):
    code, out = bundled_run
    assert code == 0, out
    for path in DRILLS:
        assert re.search(rf"^PASS  \S*{re.escape(path.name)}  ", out, re.M), f"{path.name} did not pass:\n{out}"
    assert f"{len(DRILLS)} passed, 0 failed" in out
    total = sum(len(_drill(p)["rule"]) for p in (PROJECT_ROOT / "rules").glob("*.toml") if "rule" in _drill(p))
    assert f"coverage: {total} of {total} rules fired" in out
    assert "never fired" not in out


def test_clean_days_end_clear_with_nothing_fired(tmp_path):
    from armory.drills.runner import run_drill

    clean = [p for p in DRILLS if p.stem == "clean-day"]
    assert {p.parent.parent.name for p in clean} == {"western", "precinct"}
    for path in clean:
        ledger = tmp_path / f"{path.parent.parent.name}.sqlite"  # one ledger per production
        result = run_drill(path, ledger)
        assert result.passed, result.diff
        assert result.outcome == "clear"
        assert result.fired == set(), f"{path}: {sorted(result.fired)}"
        kinds = [e.kind for e in result_entries(ledger, result.scope)]
        assert kinds.count("handoff") == kinds.count("return") >= 2
        assert kinds[-2:] == ["day_closed", "checkpoint"]


def test_a_changed_expectation_fails_with_a_readable_diff(tmp_path, capsys):
    source = SAMPLE_PRODUCTIONS / "western" / "drills" / "split-armorer.toml"
    text = source.read_text(encoding="utf-8")
    production = (source.parent / "../production.toml").resolve()
    changed = text.replace('production = "../production.toml"', f'production = "{production}"')
    changed = changed.replace('outcome = "clear"', 'outcome = "hold"')
    changed = changed.replace('\nfired = [', '\nfired = ["handling.serial", ')
    assert changed.count('outcome = "hold"') == 1 and "handling.serial" in changed
    drill = tmp_path / "split-armorer-changed.toml"
    drill.write_text(changed, encoding="utf-8")

    code, out = _run(["rules", "test", "--ledger", str(tmp_path / "l.sqlite"), str(drill)], capsys)

    assert code == 1
    assert re.search(r"^FAIL  \S*split-armorer-changed\.toml  ", out, re.M)
    assert "        - outcome: expected hold, got clear" in out
    assert "        - fired: expected handling.serial to fire; it did not" in out
    assert "0 passed, 1 failed" in out


def test_drills_sharing_a_ledger_each_start_fresh(tmp_path, capsys):
    clean = SAMPLE_PRODUCTIONS / "precinct" / "drills" / "clean-day.toml"
    ledger_path = tmp_path / "shared.sqlite"

    code, out = _run(["rules", "test", "--ledger", str(ledger_path), str(clean), str(clean)], capsys)

    assert code == 0, out
    assert out.count("PASS  ") == 2
    ledger = Ledger.open(ledger_path, create=False, readonly=True)
    try:
        opened = [e.scope for e in ledger.entries(scope=None) if e.kind == "day_opened"]
    finally:
        ledger.close()
    assert len(opened) == 2 and len(set(opened)) == 2
    assert all(scope.startswith("drill:clean-day:") for scope in opened)


def test_a_kept_ledger_is_the_record_of_one_production(tmp_path, capsys):
    ledger_path = tmp_path / "kept.sqlite"
    western = SAMPLE_PRODUCTIONS / "western" / "drills" / "clean-day.toml"
    precinct = SAMPLE_PRODUCTIONS / "precinct" / "drills" / "clean-day.toml"

    assert main(["rules", "test", "--ledger", str(ledger_path), str(western), str(precinct)]) == 2
    assert "one ledger is the record of one production" in capsys.readouterr().err
    assert not ledger_path.exists()  # refused before anything was written

    code, out = _run(["rules", "test", "--ledger", str(ledger_path), str(western)], capsys)
    assert code == 0, out
    before = ledger_path.stat().st_size
    assert main(["rules", "test", "--ledger", str(ledger_path), str(precinct)]) == 2
    assert "this ledger is the record of 'Dust Creek (sample)'" in capsys.readouterr().err
    assert ledger_path.stat().st_size == before


def test_a_drill_run_after_later_entries_moves_forward_whole_days(tmp_path, capsys):
    ledger_path = tmp_path / "kept.sqlite"
    rust = SAMPLE_PRODUCTIONS / "rust-2021" / "drills" / "rust-21-october-2021.toml"
    code, out = _run(["rules", "test", "--ledger", str(ledger_path), str(rust), str(rust)], capsys)
    assert code == 0, out
    ledger = Ledger.open(ledger_path, create=False, readonly=True)
    try:
        entries = list(ledger.entries(scope=None))
    finally:
        ledger.close()
    assert not [e.seq for e in entries if e.clock_skew_ms]  # nothing clamped to the previous entry's time
    runs: dict[str, list] = {}
    for e in entries:
        if e.scope:
            runs.setdefault(e.scope, []).append(e.time)
    first, second = runs.values()
    assert second[0] > first[-1]
    shift = {_utc(b) - _utc(a) for a, b in zip(first, second)}
    assert len(shift) == 1 and next(iter(shift)).total_seconds() % 86400 == 0  # same intervals, same times of day


def _utc(stamp: str):
    import datetime as dt

    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_without_ledger_nothing_is_written_to_armory_ledger(tmp_path, monkeypatch, capsys):
    target = tmp_path / "users-own.sqlite"
    monkeypatch.setenv("ARMORY_LEDGER", str(target))
    drill = SAMPLE_PRODUCTIONS / "western" / "drills" / "split-armorer.toml"

    code, out = _run(["rules", "test", str(drill)], capsys)

    assert code == 0, out
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_ledger_given_before_the_subcommand_keeps_the_drills_ledger_there(tmp_path, monkeypatch, capsys):
    # 'armory --ledger X rules test D' used to lose X (the subcommand's own --ledger defaulted to None)
    monkeypatch.setenv("ARMORY_LEDGER", str(tmp_path / "users-own.sqlite"))
    drill = SAMPLE_PRODUCTIONS / "western" / "drills" / "split-armorer.toml"
    kept = tmp_path / "kept.sqlite"

    code, out = _run(["--ledger", str(kept), "rules", "test", str(drill)], capsys)

    assert code == 0, out
    assert kept.exists() and not (tmp_path / "users-own.sqlite").exists()


# -- the replay of Rust, 21 October 2021 ------------------------------------------


@pytest.fixture(scope="module")
def rust_entries(rust_ledger):
    ledger = Ledger.open(rust_ledger, create=False, readonly=True)
    try:
        entries = [e for e in ledger.entries(scope=None) if e.scope.startswith("drill:rust-21-october-2021:")]
    finally:
        ledger.close()
    assert entries
    return entries


def test_rust_every_refusal_and_stop_names_its_failure(rust_entries):
    refusals = [e.payload for e in rust_entries if e.kind == "refusal"]
    stops = [e.payload for e in rust_entries if e.kind == "stop"]
    assert len(refusals) == 2 and stops
    for payload in refusals + stops:
        assert payload["failures"], payload
        assert all(re.fullmatch(r"[FS]\d+", f) for f in payload["failures"])

    first_ad = next(p for p in refusals if p["actor"] == "first-ad")
    assert first_ad["cause"] == "invariant.handler-only"
    assert "F3" in first_ad["failures"]
    armorer = next(p for p in refusals if p["actor"] == "armorer")
    assert "F2" in armorer["failures"]
    assert "5 of 6 rounds verified one by one" in armorer["reason"]
    # Each refusal also names the failures of the rules that block it: the split job and the misfires nobody
    # reviewed hold the day (handoff.sole-duty, incidents.incident-review).
    for payload in (first_ad, armorer):
        assert {"F4", "F11"} <= set(payload["failures"]), payload["failures"]
        assert {"handoff.sole-duty", "incidents.incident-review"} <= set(payload["related"])
        assert "The armorer has no other job today" in payload["reason"]  # by title, not by rule id
        assert "Earlier incidents reviewed" in payload["reason"] and "handoff.sole-duty" not in payload["reason"]

    by_cause = {p["cause"]: p for p in stops}
    assert by_cause["invariant.discharge"]["day"] == "oct-16"
    assert {"F5", "F11"} <= set(by_cause["invariant.discharge"]["failures"])
    live = by_cause["invariant.live-round"]
    assert live["scope"] == "production" and {"F1", "F2"} <= set(live["failures"])
    assert {"F5", "F11"} <= set(by_cause["incidents.open-stops"]["failures"])


def test_rust_day_start_flags_the_split_armorer_and_the_unreviewed_misfires(rust_entries):
    opened = next(e.seq for e in rust_entries if e.kind == "day_opened" and e.payload["day"] == "oct-21")
    flagged = {e.payload["rule_id"]: e.payload for e in rust_entries
               if e.kind == "answer" and e.payload["day"] == "oct-21" and e.payload["phase"] == "day_start"
               and e.payload["verdict"] == "fail" and e.seq > opened}
    assert flagged["handoff.sole-duty"]["severity"] == "hold"
    assert "F4" in flagged["handoff.sole-duty"]["failures"]
    assert flagged["incidents.incident-review"]["observed"] == ["2"]
    assert {"F5", "F11"} <= set(flagged["incidents.incident-review"]["failures"])


def test_rust_the_revolver_never_reaches_the_actor(rust_entries):
    assert not [e for e in rust_entries if e.kind == "handoff"]
    drill = _drill(RUST)
    assert drill["expect"]["never_held_by"] == ["lead-actor"]
    assert drill["expect"]["outcome"] == "stop"
    refused_steps = [s for s in drill["step"] if s.get("expect") == "refused"]
    assert {s["refused_by"] for s in refused_steps} == {"invariant.handler-only", "invariant.rounds-verified"}
    assert all(s.get("note") for s in drill["step"])


def test_lint_is_clean_on_the_sample_productions_and_their_drills(capsys):
    code, out = _run(["rules", "lint", str(SAMPLE_PRODUCTIONS)], capsys)
    assert code == 0, out
    checked = re.search(r"(\d+) files checked: no problems", out)
    assert checked and int(checked.group(1)) >= 3 + len(DRILLS), out


@pytest.mark.parametrize("refused_by, passes", [
    ("invariant.stop-open", True),          # the invariant that refused
    ("handling.muzzle-distance", True),     # the rule whose stop blocked the handoff
    ("handling.camera-line", True),         # the other stop open on the pistol
    ("handling.serial", False),             # a rule that did not block it
])
def test_refused_by_names_the_invariant_or_the_rule_whose_stop_blocked(tmp_path, refused_by, passes):
    from armory.drills.runner import run_drill

    source = SAMPLE_PRODUCTIONS / "precinct" / "drills" / "contact-range-blank.toml"
    production = (source.parent / "../production.toml").resolve()
    text = source.read_text(encoding="utf-8").replace('production = "../production.toml"',
                                                      f'production = "{production}"')
    text = text.replace('refused_by = "handling.muzzle-distance"', f'refused_by = "{refused_by}"')
    drill = tmp_path / "contact.toml"
    drill.write_text(text, encoding="utf-8")
    result = run_drill(drill, tmp_path / "l.sqlite")
    assert result.passed == passes, result.diff
    if not passes:
        assert any("expected refused by handling.serial, got refused by invariant.stop-open" in line
                   and "(behind it: handling.muzzle-distance, handling.camera-line" in line for line in result.diff), \
            result.diff


def test_a_drill_that_cannot_run_does_not_stop_the_others(tmp_path, capsys):
    from armory.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text('[drill]\ntitle = "broken"\n', encoding="utf-8")
    good = Path(__file__).resolve().parent.parent / "sample_productions" / "western" / "drills" / "clean-day.toml"
    assert main(["rules", "test", str(bad), str(good)]) == 2  # unusable input, said once the others have run
    out = capsys.readouterr().out
    assert f"ERROR {bad}: could not run" in out and "drill.production: is required" in out
    assert "PASS" in out and "1 passed, 0 failed, 1 could not run" in out


def test_coverage_of_counts_only_the_packs_named(tmp_path, capsys, monkeypatch):
    """A safety officer testing their own pack (given with --rules) wants its coverage, not that of every
    bundled rule the drills also run under."""
    monkeypatch.delenv("ARMORY_LEDGER", raising=False)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "handling.toml").write_text((PROJECT_ROOT / "rules" / "handling.toml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    western = SAMPLE_PRODUCTIONS / "western" / "drills"
    drills = [str(western / "crow-obstructed-barrel.toml"), str(western / "clean-day.toml")]
    code, out = _run(["rules", "test", "--rules", str(mine), "--coverage-of", "handling", *drills], capsys)
    rules = len(_drill(mine / "handling.toml")["rule"])
    assert re.search(rf"^coverage of handling: 1 of {rules} rules fired in some drill$", out, re.M), out
    never = re.findall(r"^  never fired: (\S+) \((\S+)\)$", out, re.M)
    assert len(never) == rules - 1 and {pack for _rule, pack in never} == {"handling"}, out
    assert code == 1, "a rule of the pack never fired"
    # --coverage alone still counts every rule in force
    code, out = _run(["rules", "test", "--rules", str(mine), "--coverage", *drills], capsys)
    assert re.search(r"^coverage: \d+ of (\d+) rules", out, re.M).group(1) != str(rules)


def test_coverage_of_a_pack_no_drill_runs_is_refused_before_anything_runs(tmp_path, capsys):
    ledger = tmp_path / "kept.sqlite"
    drill = str(SAMPLE_PRODUCTIONS / "western" / "drills" / "clean-day.toml")
    code = main(["rules", "test", "--ledger", str(ledger), "--coverage-of", "handlng", "--coverage-of", "mine", drill])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "--coverage-of 'handlng': no pack of that id is in force in these drills; did you mean \"handling\"?" \
        in captured.err
    assert "--coverage-of 'mine'" in captured.err and "packs in force: rounds, handling, handoff, incidents" in captured.err
    assert not ledger.exists()
