"""Drill files: a model error in one table never hides the cross-checks of the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from armory.rulebook.lint import lint_paths
from tests.test_rulebook_load import edit

ENGINE = Path(__file__).parent / "fixtures" / "engine"

# Each cross-check mistake sits on its own line; the model is valid as written.
DRILL = f"""\
[drill]
title = "Handoff"
production = "{(ENGINE / "production.toml").as_posix()}"
day = "day-1"

[[step]]
action = "open_day"
by = "arm"

[[step]]
action = "check"
by = "amr"
phase = "before_setup"
scene = "church"
weapon = "cotl"
answers = {{ "t.chambrs" = "6" }}

[[step]]
action = "hand_over"
by = "ad"
scene = "church"
weapon = "colt"
expect = "refused"
refused_by = "invariant.handler-onyl"

[expect]
outcome = "clear"
fired = ["t.sole-dty"]
"""

CROSS_CHECKS = {
    12: "drill.toml:12: step[2].by: unknown crew member 'amr' (did you mean 'arm'?)",
    15: "drill.toml:15: step[2].weapon: unknown weapon 'cotl' (did you mean 'colt'?)",
    16: "drill.toml:16: step[2].answers: no rule 't.chambrs' in the packs in force (did you mean 't.chambers'?)",
    24: "drill.toml:24: step[3].refused_by: no rule or invariant 'invariant.handler-onyl' "
        "(did you mean 'invariant.handler-only'?)",
    28: "drill.toml:28: expect.fired: no rule or invariant 't.sole-dty' (did you mean 't.sole-duty'?)",
}


def lint_drill(folder: Path, text: str) -> list[str]:
    (folder / "drill.toml").write_text(text, encoding="utf-8")
    return [str(p) for p in lint_paths([Path("drill.toml")], [ENGINE / "rules"])]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_valid_drill_gets_every_cross_check(in_tmp):
    assert lint_drill(in_tmp, DRILL) == list(CROSS_CHECKS.values())


CASES = [
    pytest.param(2, 'title = ""', ["drill.toml:2: drill.title: must not be empty"], id="drill-table"),
    pytest.param(4, 'dya = "day-1"', [
        "drill.toml:1: drill.day: is required but missing",
        'drill.toml:4: drill.dya: unknown key; did you mean "day"?',
    ], id="drill-key-misspelled"),
    pytest.param(27, 'outcome = "clera"', [
        'drill.toml:27: expect.outcome: "clera" is not allowed; did you mean "clear"? '
        '(expected "clear", "hold" or "stop")',
    ], id="expect-table"),
    pytest.param(7, 'action = "open_dya"', [
        'drill.toml:7: step[1].action: "open_dya" is not allowed; did you mean "open_day"? (expected "open_day", '
        '"check", "sign_checks", "verify_rounds", "hand_over", "take_back", "fire", "incident", "review_incident", '
        '"clear", "override", "correct", "seal", "transfer", "close_day" or "wait")',
    ], id="step-action"),
    pytest.param(23, 'expect = "ok"', [
        'drill.toml:18: step[3]: `refused_by` only makes sense with expect = "refused"',
    ], id="step-rule-of-the-model"),
    pytest.param(13, "phase = 3", ["drill.toml:13: step[2].phase: expected a string, not 3"], id="wrong-type"),
]


@pytest.mark.parametrize(("line", "new", "model_problems"), CASES)
def test_a_model_error_does_not_hide_the_cross_checks(in_tmp, line, new, model_problems):
    found = lint_drill(in_tmp, edit(DRILL, line, new))
    expected = sorted([*model_problems, *CROSS_CHECKS.values()], key=lambda p: int(p.split(":")[1]))
    assert found == expected


def test_a_drill_whose_production_does_not_load_says_so_with_its_model_problems(in_tmp):
    text = edit(edit(DRILL, 3, 'production = "nowhere.toml"'), 2, 'title = ""')
    assert lint_drill(in_tmp, text) == [
        "drill.toml:2: drill.title: must not be empty",
        "drill.toml:3: drill.production: no production file at 'nowhere.toml' (the path is relative to the drill)",
    ]
