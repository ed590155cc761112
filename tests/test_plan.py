"""The planner: which checks a weapon gets in a setup, and what passes each."""

from __future__ import annotations

import pytest

from armory import paths
from armory.checklist.plan import applies, describe_expectation, plan_checks, resolve_fact
from armory.problems import InputError
from armory.rulebook.loader import load_context
from armory.rulebook.models import Rule


@pytest.fixture(scope="module")
def western():
    loaded, packs = load_context(paths.SAMPLE_PRODUCTION)
    return loaded.production, packs


def ids(planned):
    return [p.rule.id for p in planned]


def test_church_rehearsal_gets_the_camera_rule_and_revolver_count(western):
    production, packs = western
    planned = plan_checks(production, packs, day="day-1", phase="before_handoff", scene="14", weapon="saa-1")
    assert ids(planned) == [
        "rounds.rounds-loaded",
        "handling.chamber-count",
        "handling.camera-line",
        "handoff.armorer-handoff",
        "handoff.show-the-load",
        "handoff.show-the-load-ad",
    ]
    by_id = {p.rule.id: p for p in planned}
    assert by_id["handling.chamber-count"].expected_text == "the weapon's capacity (6)"
    assert by_id["rounds.rounds-loaded"].facts == {"setup.rounds": 6}


def test_same_weapon_in_the_saloon_has_no_camera_rule(western):
    production, packs = western
    planned = plan_checks(production, packs, day="day-1", phase="before_handoff", scene="12", weapon="saa-1")
    assert "handling.camera-line" not in ids(planned)


def test_cold_setup_asks_cold_questions_and_no_round_count(western):
    production, packs = western
    planned = plan_checks(production, packs, day="day-1", phase="before_handoff", scene="12", setup="12b",
                          weapon="saa-1")
    assert "handling.cold-empty" in ids(planned) and "handoff.cold-call" in ids(planned)
    assert "rounds.rounds-loaded" not in ids(planned)


def test_blanks_bring_distance_and_crimp_checks(western):
    production, packs = western
    setup = plan_checks(production, packs, day="day-2", phase="before_setup", scene="31", weapon="saa-2")
    assert "rounds.blank-crimp" in ids(setup) and "rounds.dummy-rattle" not in ids(setup)
    handoff = plan_checks(production, packs, day="day-2", phase="before_handoff", scene="31", weapon="saa-2")
    distance = next(p for p in handoff if p.rule.id == "handling.muzzle-distance")
    assert distance.expected_text == "at least the production's minimum distance for blanks (20 feet)"


def test_non_firing_replica_gets_no_bore_check(western):
    production, packs = western
    planned = plan_checks(production, packs, day="day-1", phase="before_setup", scene="12", weapon="replica-1")
    assert "handling.barrel-clear" not in ids(planned)
    assert "handling.serial" in ids(planned)


def test_day_phases_ignore_weapon_filters(western):
    production, packs = western
    planned = plan_checks(production, packs, day="day-3", phase="day_start")
    assert "handoff.sole-duty" in ids(planned)
    assert all(p.rule.phase == "day_start" for p in planned)
    assert ids(planned) == ids(plan_checks(production, packs, day="day-3", phase="day_start", scene="40",
                                           weapon="rifle-1"))


def test_pack_order_then_rule_order(western):
    production, packs = western
    planned = plan_checks(production, packs, day="day-1", phase="before_setup", scene="12", weapon="saa-1")
    order = [p.pack.pack.pack.id for p in planned]
    assert order == sorted(order, key=["rounds", "handling", "handoff", "incidents"].index)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"day": "dya-1", "scene": "12", "weapon": "saa-1"}, 'no day "dya-1"; did you mean "day-1"?'),
    ({"day": "day-1", "scene": "13", "weapon": "saa-1"}, 'no scene "13" on day "day-1"'),
    ({"day": "day-1", "scene": "12", "weapon": "sa-1"}, 'no weapon "sa-1"; did you mean "saa-1"?'),
    ({"day": "day-1", "scene": "12", "setup": "12c", "weapon": "saa-1"}, 'no setup "12c" in scene "12"'),
    ({"day": "day-1", "scene": "12", "setup": "12b", "weapon": "replica-1"},
     'weapon "replica-1" is not in setup "12b"'),
    ({"day": "day-1", "scene": "14", "weapon": "rifle-1"}, 'weapon "rifle-1" is in no setup of scene "14"'),
])
def test_unknown_places_are_input_errors(western, kwargs, message):
    production, packs = western
    with pytest.raises(InputError) as err:
        plan_checks(production, packs, phase="before_setup", **kwargs)
    assert str(err.value).startswith(message)


def test_resolve_fact(western):
    production, _ = western
    weapon = production.weapon_by_id("saa-1")
    issue = production.day[0].scene[0].setup[0].weapon[0]
    assert resolve_fact("weapon.serial_last4", production, weapon=weapon) == "8461"
    assert resolve_fact("lot.caliber", production, issue=issue) == ".45 Colt"
    assert resolve_fact("setup.rounds", production) is None
    assert resolve_fact("settings.min_blank_distance_feet", production) == 20


def _rule(**overrides) -> Rule:
    base = dict(id="t.r", title="t", phase="before_setup", severity="stop", ask="?", answer="count",
                expect={"equals": 0}, why="w", sources=["s"], failures=["F1"])
    base.update(overrides)
    return Rule.model_validate(base)


def test_describe_expectation():
    assert describe_expectation(_rule()) == "0"
    choice = _rule(answer="choice", choices=["a", "b"], per_round=True, expect={"one_of": ["a", "b"]})
    assert describe_expectation(choice) == "every round: a or b"
    measured = _rule(answer="measurement", unit="feet", expect={"at_least": 20})
    assert describe_expectation(measured) == "at least 20 feet"
    timed = _rule(answer="time", expect={"within_minutes": 30})
    assert describe_expectation(timed) == "a time within the last 30 minutes"
    fact = _rule(expect={"equals_fact": "weapon.capacity"})
    assert describe_expectation(fact) == "the weapon's capacity"
    assert describe_expectation(fact, {"weapon.capacity": None}) == "the weapon's capacity (unknown)"


def test_applies(western):
    production, _ = western
    revolver = production.weapon_by_id("saa-1")
    rifle = production.weapon_by_id("rifle-1")
    rule = _rule(when={"weapon_kind": ["revolver"], "facts": ["close_quarters"]})
    assert applies(rule, weapon=revolver, issue=None, facts={"close_quarters", "night"})
    assert not applies(rule, weapon=revolver, issue=None, facts=set())
    assert not applies(rule, weapon=rifle, issue=None, facts={"close_quarters"})
    assert applies(rule, weapon=None, issue=None, facts=set())
