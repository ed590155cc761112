"""Productions: cross-checks a safety officer would make, each located in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from armory import paths
from armory.problems import InputError
from armory.rulebook.lint import lint_paths
from armory.rulebook.loader import load_context, load_production, packs_for

from tests.test_rulebook_load import PACK, edit

PRODUCTION = """\
[production]
title = "Test"
company = "Test Co"
packs = [{ id = "test", version = "1.0.0" }]

[[crew]]
id = "arm"
name = "Armorer"
roles = ["armorer"]

[[crew]]
id = "act"
name = "Actor"
roles = ["actor"]

[[weapon]]
id = "colt"
kind = "revolver"
make = "Pietta"
model = "1873"
serial = "PT1873"
caliber = ".45 Colt"
capacity = 6

[[lot]]
id = "dummies"
kind = "dummy"
caliber = ".45 Colt"
count = 50
supplier = "Props"
received = 2000-01-01

[[day]]
id = "d1"
date = 2000-01-03

[[day.scene]]
id = "s1"

[[day.scene.setup]]
id = "a"
[[day.scene.setup.weapon]]
weapon = "colt"
actor = "act"
load = "dummies"
rounds = 6
lot = "dummies"
"""

ISSUE = "day[1].scene[1].setup[1].weapon[1]"


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "test.toml").write_text(PACK, encoding="utf-8")
    return tmp_path


def lint_production(folder: Path, text: str) -> list[str]:
    (folder / "production.toml").write_text(text, encoding="utf-8")
    return [str(p) for p in lint_paths([Path("production.toml")], [Path("rules")])]


def test_the_base_production_is_clean(in_tmp):
    assert lint_production(in_tmp, PRODUCTION) == []
    production, packs = load_context(in_tmp / "production.toml", [in_tmp / "rules"])
    assert [p.pack.pack.id for p in packs] == ["test"]
    assert production.production.weapon_by_id("colt").capacity == 6


def _insert(text: str, after: int, new: str) -> str:
    lines = text.splitlines()
    lines.insert(after, new)
    return "\n".join(lines) + "\n"


CASES = [
    pytest.param(43, 'weapon = "cold"', [
        f'production.toml:43: {ISSUE}.weapon: no weapon "cold" in [[weapon]]; did you mean "colt"?'], id="unknown-weapon"),
    pytest.param(44, 'actor = "acto"', [
        f'production.toml:44: {ISSUE}.actor: no crew member "acto"; did you mean "act"?'], id="unknown-actor"),
    pytest.param(44, 'actor = "arm"', [
        f'production.toml:44: {ISSUE}.actor: "arm" is not an actor on day "d1" (roles that day: armorer)'],
        id="holder-not-an-actor"),
    pytest.param(47, 'lot = "dumies"', [
        f'production.toml:47: {ISSUE}.lot: no lot "dumies" in [[lot]]; did you mean "dummies"?'], id="unknown-lot"),
    pytest.param(45, 'load = "blanks"', [
        f'production.toml:47: {ISSUE}.lot: lot "dummies" holds dummy rounds, but the load is blanks'],
        id="blanks-from-a-dummy-lot"),
    pytest.param(47, None, [
        f'production.toml:45: {ISSUE}.load: name the dummy lot the rounds come from'], id="dummies-without-lot"),
    pytest.param(46, "rounds = 7", [
        f'production.toml:46: {ISSUE}.rounds: 7 rounds do not fit: "colt" holds 6'], id="rounds-over-capacity"),
    pytest.param(23, "capacity = 0", [
        "production.toml:23: weapon[1].capacity: a firing weapon holds at least 1 round; capacity is 0"],
        id="capacity-zero"),
    pytest.param(9, 'roles = ["property_master"]', [
        'production.toml:33: day[1]: day "d1" has firearms but nobody is the armorer that day'], id="no-armorer"),
    pytest.param(27, 'kind = "live"', [
        "production.toml:27: lot[1].kind: live ammunition never belongs on set"], id="live-lot"),
    pytest.param(27, 'kind = "LIVE"', [
        "production.toml:27: lot[1].kind: live ammunition never belongs on set"], id="live-lot-capitals"),
    pytest.param(9, 'roles = ["armorer"]\ndemo_pin = "1111"', [
        "production.toml:10: crew[1].demo_pin: demo PINs are for bundled samples only"], id="demo-pin-not-sample"),
    pytest.param(4, 'packs = [{ id = "test", version = "2.0.0" }]', [
        'production.toml:4: production.packs[1].version: expects pack "test" version "2.0.0", but rules/test.toml '
        'is version "1.0.0"'], id="pack-version"),
    pytest.param(4, 'packs = [{ id = "tset", version = "1.0.0" }]', [
        'production.toml:4: production.packs[1].id: no rule pack with id "tset" in rules/ or the --rules paths; '
        'did you mean "test"?'], id="unknown-pack"),
    pytest.param(3, None, ["production.toml:1: production.company: is required but missing"], id="missing-key"),
    pytest.param(18, 'kind = "revolvr"', [
        'production.toml:18: weapon[1].kind: "revolvr" is not allowed; did you mean "revolver"?'], id="bad-kind"),
    pytest.param(2, 'title = "Test"\ntimezone = "America/Denvr"', [
        'production.toml:3: production.timezone: "America/Denvr" is not an IANA time zone; did you mean '
        '"America/Denver"?'], id="bad-timezone"),
    pytest.param(31, "received = 2000-13-01", ["production.toml:31: not valid TOML"], id="bad-date"),
    pytest.param(18, 'kind = "non_firing_replica"', [
        "production.toml:18: weapon[1].kind: a non_firing_replica cannot fire: add `firing = false`"],
        id="replica-firing"),
]


@pytest.mark.parametrize(("line", "new", "expected"), CASES)
def test_production_problems_are_located(in_tmp, line, new, expected):
    found = lint_production(in_tmp, edit(PRODUCTION, line, new))
    assert len(found) == len(expected), found
    for got, want in zip(found, expected):
        assert got.startswith(want), f"\n got: {got}\nwant: {want}"


def test_blanks_with_no_blank_lot_of_that_caliber(in_tmp):
    text = edit(edit(PRODUCTION, 45, 'load = "blanks"'), 47, None)
    assert lint_production(in_tmp, text) == [
        f'production.toml:45: {ISSUE}.load: a load of blanks needs a blank lot of ".45 Colt", and [[lot]] has none']


def test_live_lot_message_cites_domain(in_tmp):
    (problem,) = lint_production(in_tmp, edit(PRODUCTION, 27, 'kind = "live"'))
    assert "DOMAIN F1" in problem and "DOMAIN S1" in problem and "Halyna Hutchins" in problem


def test_load_production_raises_with_every_problem(in_tmp):
    text = edit(edit(PRODUCTION, 27, 'kind = "live"'), 18, 'kind = "revolvr"')
    (in_tmp / "production.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_production(in_tmp / "production.toml")
    assert [p.line for p in err.value.problems] == [18, 27]


def test_extra_rules_are_searched_before_the_bundled_ones(in_tmp):
    (in_tmp / "production.toml").write_text(PRODUCTION.replace('id = "test"', 'id = "rounds"', 1),
                                            encoding="utf-8")
    mine = PACK.replace('id = "test"', 'id = "rounds"', 1)
    (in_tmp / "rules" / "test.toml").write_text(mine, encoding="utf-8")
    production = load_production(in_tmp / "production.toml")
    (pack,) = packs_for(production, [in_tmp / "rules"])
    assert pack.path == in_tmp / "rules" / "test.toml"


def test_duplicate_rule_ids_across_a_productions_packs(in_tmp):
    (in_tmp / "rules" / "other.toml").write_text(PACK.replace('id = "test"', 'id = "other"', 1), encoding="utf-8")
    text = edit(PRODUCTION, 4, 'packs = [{ id = "test", version = "1.0.0" }, { id = "other", version = "1.0.0" }]')
    found = lint_production(in_tmp, text)
    assert found[0] == ('rules/other.toml:12: rule[1].id: rule id "test.count" is also used by pack "test" '
                        "(rules/test.toml:12)")


@pytest.mark.parametrize("name", ["western", "precinct"])
def test_bundled_samples_load_with_their_packs(name):
    production, packs = load_context(paths.SAMPLE_PRODUCTIONS / name / "production.toml")
    assert production.production.production.sample
    assert {p.pack.pack.id for p in packs} == {"rounds", "handling", "handoff", "incidents"}


def test_the_western_is_the_rust_situation():
    production = load_production(paths.SAMPLE_PRODUCTION).production
    revolvers = [w for w in production.weapon if w.kind == "revolver"]
    assert revolvers and all(w.capacity == 6 for w in revolvers)
    assert {lot.kind for lot in production.lot} == {"dummy", "blank"}
    assert any(not w.firing for w in production.weapon)
    church = [s for d in production.day for s in d.scene if "pointed_toward_camera" in s.facts]
    assert church and "close_quarters" in church[0].facts
    split = [d.id for d in production.day for c in production.crew
             if {"armorer", "assistant_property_master"} <= production.roles_on(c.id, d.id)]
    assert split, "one day shows the armorer's split job (DOMAIN F4)"
    assert production.day[0].date.year < 2020, "the sample is dated so nobody takes it for a real shoot"


def test_cross_checks_still_run_around_a_broken_table(in_tmp):
    broken_weapon = '[[weapon]]\nid = "bad"\nmake = "x"\nmodel = "y"\nserial = "1234"\n'
    text = edit(PRODUCTION, 23, "capacity = 0").replace("[[weapon]]\n", broken_weapon + "\n[[weapon]]\n", 1)
    text = text.replace('roles = ["actor"]', 'roles = ["actr"]')
    found = lint_production(in_tmp, text)
    lines = text.splitlines()
    roles_line = lines.index('roles = ["actr"]') + 1
    capacity_line = lines.index("capacity = 0") + 1
    actor_line = lines.index('actor = "act"') + 1
    assert [f.split(": ")[0] + ": " + f.split(": ")[1] for f in found] == [
        f"production.toml:{roles_line}: crew[2].roles[1]",
        "production.toml:16: weapon[1].kind",
        f"production.toml:{capacity_line}: weapon[2].capacity",
        f"production.toml:{actor_line}: {ISSUE}.actor",
    ]
    assert 'is not an actor on day "d1"' in found[-1]


def test_pack_references_are_checked_even_when_the_production_is_broken(in_tmp):
    text = edit(edit(PRODUCTION, 4, 'packs = [{ id = "tets", version = "1.0.0" }]'), 18, 'kind = "revolvr"')
    found = lint_production(in_tmp, text)
    assert [f.split(": ")[0] + ": " + f.split(": ")[1] for f in found] == [
        "production.toml:4: production.packs[1].id",
        "production.toml:18: weapon[1].kind",
    ]
