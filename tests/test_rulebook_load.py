"""Rule packs: every mistake reported at its real line and key, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from armory.problems import InputError
from armory.rulebook.lint import lint_paths
from armory.rulebook.loader import load_failures, load_pack

PACK = """\
[pack]
id = "test"
title = "Test pack"
version = "1.0.0"
based_on = "DOMAIN.md"

[[source]]
id = "domain"
title = "DOMAIN.md"

[[rule]]
id = "test.count"
title = "Chambers"
phase = "before_handoff"
severity = "stop"
ask = "How many chambers did you look into?"
answer = "count"
expect = { equals_fact = "weapon.capacity" }
why = "Every chamber, every time."
sources = ["domain"]
failures = ["F2"]

[[rule]]
id = "test.rattle"
title = "Rattle"
phase = "before_setup"
severity = "stop"
ask = "What did you hear?"
answer = "choice"
per_round = true
choices = ["rattles", "silent"]
expect = { one_of = ["rattles"] }
why = "Dummies rattle."
sources = ["domain"]
failures = ["F2"]
"""


def edit(text: str, line: int, new: str | None) -> str:
    """``text`` with 1-based ``line`` replaced by ``new`` (None deletes it)."""
    lines = text.splitlines()
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    return "\n".join(lines) + "\n"


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint_text(folder: Path, text: str, name: str = "pack.toml") -> list[str]:
    (folder / name).write_text(text, encoding="utf-8")
    return [str(p) for p in lint_paths([Path(name)])]


def test_the_base_pack_is_clean(in_tmp):
    assert lint_text(in_tmp, PACK) == []
    loaded = load_pack(in_tmp / "pack.toml")
    assert [r.id for r in loaded.pack.rule] == ["test.count", "test.rattle"]
    assert len(loaded.sha256) == 64


CASES = [
    pytest.param(15, 'severty = "stop"', [
        'pack.toml:11: rule[1].severity: is required but missing',
        'pack.toml:15: rule[1].severty: unknown key; did you mean "severity"?',
    ], id="unknown-key"),
    pytest.param(15, 'severity = "stpo"', [
        'pack.toml:15: rule[1].severity: "stpo" is not allowed; did you mean "stop"? '
        '(expected "stop", "hold" or "note")',
    ], id="bad-severity"),
    pytest.param(19, None, ["pack.toml:11: rule[1].why: is required but missing"], id="missing-key"),
    pytest.param(20, 'sources = ["domian"]', [
        "pack.toml:20: rule[1].sources[1]: source \"domian\" is not declared in this pack's [[source]] entries; "
        'did you mean "domain"?',
    ], id="undeclared-source"),
    pytest.param(21, 'failures = ["F22"]', [
        'pack.toml:21: rule[1].failures[1]: failure id "F22" is not in rules/failures.toml; did you mean "F2"?',
    ], id="unknown-failure"),
    pytest.param(18, 'expect = { equals_fact = "weapon.capasity" }', [
        'pack.toml:18: rule[1].expect.equals_fact: "weapon.capasity" is not allowed; did you mean '
        '"weapon.capacity"?',
    ], id="unknown-fact"),
    pytest.param(18, 'expect = { one_of = ["six"] }', [
        'pack.toml:18: rule[1].expect.one_of: `one_of` does not fit answer = "count"',
    ], id="one-of-on-a-count"),
    pytest.param(18, 'expect = { equals_fact = "weapon.kind" }', [
        'pack.toml:18: rule[1].expect.equals_fact: "weapon.kind" is not a number',
    ], id="fact-of-the-wrong-type"),
    pytest.param(17, 'answer = "measurement"', [
        'pack.toml:11: rule[1]: `answer = "measurement"` needs `unit`',
    ], id="measurement-without-unit"),
    pytest.param(14, 'phase = "day_start"', [
        'pack.toml:18: rule[1].expect.equals_fact: "weapon.capacity" is not known in phase "day_start"',
    ], id="weapon-fact-in-a-day-phase"),
    pytest.param(17, 'answer = "count"\nper_round = true', [
        'pack.toml:18: rule[1].per_round: `per_round` makes no sense with answer = "count"',
    ], id="per-round-count"),
    pytest.param(24, 'id = "test.count"', [
        'pack.toml:24: rule[2].id: rule id "test.count" is used twice in this pack (first at line 12)',
    ], id="duplicate-rule-id-in-pack"),
    pytest.param(32, 'expect = { one_of = ["ratles"] }', [
        'pack.toml:32: rule[2].expect.one_of[1]: "ratles" is not one of the choices "rattles" or "silent"; '
        'did you mean "rattles"?',
    ], id="one-of-not-a-choice"),
    pytest.param(4, 'version = "one"', ['pack.toml:4: pack.version: "one" does not match the form'],
                 id="bad-version"),
    pytest.param(15, "severity = stop", ["pack.toml:15: not valid TOML: Invalid value (at line 15, column 12)"],
                 id="syntax-error"),
    pytest.param(2, 'id = "Test Pack"', ['pack.toml:2: pack.id: "Test Pack" is not a valid id'], id="bad-id"),
    pytest.param(1, "[pakc]", ['pack.toml:1: does not say what it is: expected a [pack], [production] or '
                               '[drill] table, or [[failure]] entries; did you mean "pack"?'], id="no-kind"),
]


@pytest.mark.parametrize(("line", "new", "expected"), CASES)
def test_pack_problems_are_located(in_tmp, line, new, expected):
    found = lint_text(in_tmp, edit(PACK, line, new))
    assert len(found) == len(expected), found
    for got, want in zip(found, expected):
        assert got.startswith(want), f"\n got: {got}\nwant: {want}"


UNIT_CASES = [
    pytest.param('answer = "measurement"\nunit = "metres"', 'expect = { at_least_fact = "settings.min_blank_distance_feet" }', [
        'pack.toml:19: rule[1].expect.at_least_fact: "settings.min_blank_distance_feet" is in feet, but this rule '
        "measures in metres; "
        'use unit = "feet" (answers in metres are still converted)',
    ], id="metres-against-a-fact-in-feet"),
    pytest.param('answer = "measurement"\nunit = "feet"', 'expect = { at_least_fact = "settings.min_blank_distance_feet" }',
                 [], id="feet-against-feet"),
    pytest.param('answer = "measurement"\nunit = "feet"', 'expect = { at_most_fact = "weapon.capacity" }', [
        'pack.toml:19: rule[1].expect.at_most_fact: "weapon.capacity" is not a distance; a measurement compares '
        'with "settings.min_blank_distance_feet"',
    ], id="distance-against-a-count"),
    pytest.param('answer = "count"', 'expect = { at_least_fact = "settings.min_blank_distance_feet" }', [
        'pack.toml:18: rule[1].expect.at_least_fact: "settings.min_blank_distance_feet" is a distance in feet, '
        'not a count; ask for answer = "measurement" with unit = "feet"',
    ], id="count-against-a-distance"),
]


@pytest.mark.parametrize(("answer", "expect", "expected"), UNIT_CASES)
def test_a_measurement_compares_only_with_a_fact_in_its_unit(in_tmp, answer, expect, expected):
    assert lint_text(in_tmp, edit(edit(PACK, 18, expect), 17, answer)) == expected


def test_every_problem_is_reported_not_just_the_first(in_tmp):
    text = edit(edit(edit(PACK, 15, 'severity = "stpo"'), 20, 'sources = ["nope"]'), 27, 'severity = "hault"')
    found = lint_text(in_tmp, text)
    assert [f.split(": ")[0] + ": " + f.split(": ")[1] for f in found] == [
        "pack.toml:15: rule[1].severity",
        "pack.toml:20: rule[1].sources[1]",
        "pack.toml:27: rule[2].severity",
    ]


def test_duplicate_rule_ids_across_packs(in_tmp):
    folder = in_tmp / "packs"
    folder.mkdir()
    (folder / "a.toml").write_text(PACK, encoding="utf-8")
    (folder / "b.toml").write_text(PACK.replace('id = "test"', 'id = "other"', 1), encoding="utf-8")
    found = [str(p) for p in lint_paths([Path("packs")])]
    assert found == [
        'packs/b.toml:12: rule[1].id: rule id "test.count" is also used by pack "test" (packs/a.toml:12)',
        'packs/b.toml:24: rule[2].id: rule id "test.rattle" is also used by pack "test" (packs/a.toml:24)',
    ]


JUNK = [
    pytest.param(b"", ["junk.toml: empty file: expected a [pack], [production] or [drill] table, or [[failure]] "
                       "entries"], id="empty"),
    pytest.param(b"\x00\x01\x02\xff\xfe binary", ["junk.toml:1: is not UTF-8 text (byte 0xff)"], id="binary"),
    pytest.param('[pack]\ntitle = "caf\xe9"\n'.encode("latin-1"), ["junk.toml:2: is not UTF-8 text (byte 0xe9)"],
                 id="latin-1"),
    pytest.param(b"\x00\x00\x00", ["junk.toml:1: not valid TOML: "], id="nul-bytes"),
    pytest.param(b'title = "x"\n', ['junk.toml:1: does not say what it is'], id="no-top-table"),
    pytest.param(b"[pack", ["junk.toml:1: not valid TOML: "], id="unterminated-header"),
    pytest.param(b"[[rule]]\n" * 3, ["junk.toml:1: does not say what it is"], id="rules-without-pack"),
]


@pytest.mark.parametrize(("data", "expected"), JUNK)
def test_junk_is_a_problem_never_a_traceback(in_tmp, data, expected):
    (in_tmp / "junk.toml").write_bytes(data)
    found = [str(p) for p in lint_paths([Path("junk.toml")])]
    assert len(found) == len(expected), found
    for got, want in zip(found, expected):
        assert got.startswith(want), got
    with pytest.raises(InputError):
        load_pack(in_tmp / "junk.toml")


def test_missing_file_and_directory(in_tmp):
    (in_tmp / "empty-dir").mkdir()
    assert [str(p) for p in lint_paths([Path("missing.toml")])] == ["missing.toml: no such file or directory"]
    assert [str(p) for p in lint_paths([Path("empty-dir")])] == ["empty-dir: directory holds no *.toml files"]
    with pytest.raises(InputError) as err:
        load_pack(in_tmp / "empty-dir")
    assert [str(p) for p in err.value.problems] == ["empty-dir: is a directory, not a TOML file"]
    with pytest.raises(InputError) as err:
        load_pack(in_tmp / "missing.toml")
    assert [str(p) for p in err.value.problems] == ["missing.toml: no such file"]


def test_load_pack_refuses_a_production(in_tmp):
    (in_tmp / "p.toml").write_text('[production]\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_pack(in_tmp / "p.toml")
    assert str(err.value.problems[0]) == "p.toml:1: this is a production file, not a rule pack file"


def test_load_pack_error_lists_every_problem(in_tmp):
    (in_tmp / "pack.toml").write_text(edit(edit(PACK, 15, 'severity = "x"'), 27, 'severity = "y"'), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_pack(in_tmp / "pack.toml")
    assert "2 problems" in err.value.message
    assert [p.line for p in err.value.problems] == [15, 27]


OTHER = PACK.replace('id = "test"', 'id = "other"', 1)

BROKEN_PACK_DUPLICATES = [
    pytest.param(PACK, edit(OTHER, 15, 'severity = "stopp"'), [
        'packs/b.toml:12: rule[1].id: rule id "test.count" is also used by pack "test" (packs/a.toml:12)',
        'packs/b.toml:15: rule[1].severity: "stopp" is not allowed; did you mean "stop"? '
        '(expected "stop", "hold" or "note")',
        'packs/b.toml:24: rule[2].id: rule id "test.rattle" is also used by pack "test" (packs/a.toml:24)',
    ], id="later-pack-broken"),
    pytest.param(edit(PACK, 27, 'severity = "stopp"'), OTHER, [
        'packs/a.toml:27: rule[2].severity: "stopp" is not allowed; did you mean "stop"? '
        '(expected "stop", "hold" or "note")',
        'packs/b.toml:12: rule[1].id: rule id "test.count" is also used by pack "test" (packs/a.toml:12)',
        'packs/b.toml:24: rule[2].id: rule id "test.rattle" is also used by pack "test" (packs/a.toml:24)',
    ], id="first-pack-broken"),
    pytest.param(edit(PACK, 2, 'id = 7'), OTHER, [
        "packs/a.toml:2: pack.id: expected a string, not 7",
        'packs/b.toml:12: rule[1].id: rule id "test.count" is also used by another pack (packs/a.toml:12)',
        'packs/b.toml:24: rule[2].id: rule id "test.rattle" is also used by another pack (packs/a.toml:24)',
    ], id="first-pack-without-an-id"),
    pytest.param(edit(edit(PACK, 24, 'id = "test.count"'), 15, 'severity = "stopp"'), None, [
        'packs/a.toml:15: rule[1].severity: "stopp" is not allowed; did you mean "stop"? '
        '(expected "stop", "hold" or "note")',
        'packs/a.toml:24: rule[2].id: rule id "test.count" is used twice in this pack (first at line 12)',
    ], id="twice-in-a-broken-pack"),
]


@pytest.mark.parametrize(("first", "second", "expected"), BROKEN_PACK_DUPLICATES)
def test_duplicate_rule_ids_are_found_in_packs_that_do_not_validate(in_tmp, first, second, expected):
    folder = in_tmp / "packs"
    folder.mkdir()
    (folder / "a.toml").write_text(first, encoding="utf-8")
    if second is not None:
        (folder / "b.toml").write_text(second, encoding="utf-8")
    assert [str(p) for p in lint_paths([Path("packs")])] == expected


def test_the_failure_catalogue_holds_domain_ids():
    ids = [f.id for f in load_failures().failure]
    assert ids == [f"F{i}" for i in range(1, 13)] + ["S1", "S2", "S3"]


def test_duplicate_failure_id(in_tmp):
    text = '[[failure]]\nid = "F1"\ntitle = "a"\nsource = "b"\n\n[[failure]]\nid = "F1"\ntitle = "c"\nsource = "d"\n'
    assert lint_text(in_tmp, text, "failures.toml") == ['failures.toml:7: failure[2].id: failure id "F1" is listed twice']


def test_a_rule_with_one_broken_key_still_gets_its_other_checks(in_tmp):
    # severity is broken; the misplaced expectation on line 18 is still reported.
    text = edit(edit(PACK, 15, 'severity = "fatal"'), 18, 'expect = { within_minutes = 5 }')
    found = lint_text(in_tmp, text)
    assert [f.split(": ")[0] + ": " + f.split(": ")[1] for f in found] == [
        "pack.toml:15: rule[1].severity",
        "pack.toml:18: rule[1].expect.within_minutes",
    ]


def test_common_words_suggest_the_vocabulary(in_tmp):
    found = lint_text(in_tmp, edit(PACK, 17, 'answer = "number"'))
    assert found == ['pack.toml:17: rule[1].answer: "number" is not allowed; did you mean "count"? '
                     '(expected "count", "digits", "choice", "time", "measurement", "text" or "yes_no")']


def test_register_kind_dispatches_and_a_broken_check_is_a_problem(in_tmp):
    from pydantic import BaseModel, ConfigDict

    from armory.rulebook import loader

    class Widget(BaseModel):
        model_config = ConfigDict(extra="forbid")
        widget: dict

    def check(model, ctx):
        if model.widget.get("size") == 0:
            return [ctx.problem(("widget", "size"), "a widget has a size")]
        raise RuntimeError("boom")

    loader.register_kind("widget", Widget, check)
    try:
        assert lint_text(in_tmp, "[widget]\nname = 'w'\nsize = 0\n", "w.toml") == [
            "w.toml:3: widget.size: a widget has a size"]
        assert lint_text(in_tmp, "[widget]\nsize = 1\n", "w.toml") == [
            "w.toml: armory could not finish checking this file (RuntimeError: boom); please report this"]
    finally:
        loader._KINDS.pop("widget")


def test_a_broken_partial_check_is_a_problem_beside_the_model_problems(in_tmp):
    from pydantic import BaseModel, ConfigDict

    from armory.rulebook import loader

    class Gadget(BaseModel):
        model_config = ConfigDict(extra="forbid")
        gadget: dict
        size: int

    def partial(ctx):
        if ctx.source.data.get("size") == "none":
            return [ctx.problem(("gadget", "name"), "seen despite the bad size")]
        raise RuntimeError("boom")

    loader.register_kind("gadget", Gadget, partial_check=partial)
    try:
        assert lint_text(in_tmp, "size = 'none'\n[gadget]\nname = 'g'\n", "g.toml") == [
            "g.toml:1: size: expected a whole number, not \"none\"",
            "g.toml:3: gadget.name: seen despite the bad size",
        ]
        assert lint_text(in_tmp, "size = 'big'\n[gadget]\n", "g.toml") == [
            "g.toml: armory could not finish checking this file (RuntimeError: boom); please report this",
            "g.toml:1: size: expected a whole number, not \"big\"",
        ]
    finally:
        loader._KINDS.pop("gadget")
