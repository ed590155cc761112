"""What a safety officer can say since issue 15: handlers, overrides, declared facts, hazards, moments.

The bundled drills play each capability end to end (after-firing-inspection, live-round-noted-on-return,
property-master-hands-over, property-master-refused); these pin the pieces: the messages lint gives, who
counts as a handler, what a day records, the overview.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from armory import paths
from armory.drills.runner import DrillClock
from armory.rulebook.lint import lint_report

SAMPLES = paths.SAMPLE_PRODUCTIONS
WESTERN = SAMPLES / "western" / "production.toml"
PRECINCT = SAMPLES / "precinct" / "production.toml"


def _copy(source: Path, folder: Path, replace: list[tuple[str, str]] = ()) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new, 1)
    target = folder / "production.toml"
    target.write_text(text.replace("#:schema ../../armory", "#:schema " + str(paths.SAMPLE_PRODUCTIONS.parent / "armory")),
                      encoding="utf-8")
    return target


def _messages(path: Path, *extra: Path) -> list[str]:
    return [f"{p.key}: {p.message}" for p in lint_report([path, *extra])[1]]


def _session(tmp_path: Path, production: Path, start=dt.datetime(2000, 2, 7, 15, 0, tzinfo=dt.timezone.utc)):
    from armory.checklist.session import Session

    return Session.open(production, tmp_path / "ledger.sqlite", clock=DrillClock(start),
                        key_path=tmp_path / "device.key")


def test_the_first_ad_is_never_a_handler(tmp_path):
    production = _copy(PRECINCT, tmp_path, [('handlers = ["armorer", "assistant_armorer", "property_master"]',
                                             'handlers = ["armorer", "first_assistant_director"]')])
    [message] = _messages(production)
    assert message.startswith("production.settings.handlers[2]: the first assistant director never hands")
    assert "DOMAIN F3" in message


def test_a_property_master_hands_over_only_where_allowed_and_without_another_duty(tmp_path):
    from armory.checklist.handoff import is_handler

    with _session(tmp_path / "a", PRECINCT) as session:
        assert is_handler(session, "owen-hart", "day-1", "glock-1")
        assert not is_handler(session, "sam-quinn", "day-1", "glock-1")  # the 1st AD
    with _session(tmp_path / "b", WESTERN, dt.datetime(2000, 1, 3, 15, 0, tzinfo=dt.timezone.utc)) as session:
        assert not is_handler(session, "hana-wolfe", "day-1", "saa-1")
        assert is_handler(session, "hana-wolfe", "day-1", "replica-1")  # a non-firing prop is the props' own
    (tmp_path / "c").mkdir()
    busy = _copy(PRECINCT, tmp_path / "c", [('location = "Stage 4: squad room"\n',
                                             'location = "Stage 4: squad room"\n\n[[day.crew]]\nid = "owen-hart"\n'
                                             'roles = ["property_master", "camera"]\n')])
    with _session(tmp_path / "c", busy) as session:
        assert not is_handler(session, "owen-hart", "day-1", "glock-1")
        session.open_day("day-1", armorer="mara-okafor")
        decision = session.may_hand_over(day="day-1", scene="3", setup="3a", weapon="glock-1", giver="owen-hart",
                                         receiver="rosa-vega")
        assert not decision.allowed
        assert "also has another duty (camera)" in decision.message


def test_overrides_and_declared_facts_are_checked_against_the_packs(tmp_path):
    pack = tmp_path / "ours.toml"
    pack.write_text("""
[pack]
id = "ours"
title = "Ours"
version = "1.0.0"
based_on = "our meeting"

[[source]]
id = "meeting"
title = "Our safety meeting"

[[rule]]
id = "ours.people-forward"
title = "Nobody forward of the muzzle"
phase = "before_handoff"
severity = "stop"
ask = "How many people stand forward of the muzzle?"
answer = "count"
expect = { at_most_fact = "production.max_people_forward" }
why = "Decided at the meeting."
sources = ["meeting"]
failures = ["F7"]
""", encoding="utf-8")
    production = _copy(PRECINCT, tmp_path, [
        ('    { id = "incidents", version = "1.0.0" },\n',
         '    { id = "incidents", version = "1.0.0" },\n    { id = "ours", version = "1.0.0" },\n'),
        ('rule = "handoff.show-the-load-ad"', 'rule = "handoff.show-the-lod-ad"'),
        ('[production.settings]', '[[production.fact]]\nid = "max_people_forward"\ntype = "feet"\nvalue = 0\n\n'
                                  '[production.settings]'),
    ])
    found = [f"{p.key}: {p.message}" for p in lint_report([production], [pack])[1]]
    assert any(m.startswith("production.override[1].rule: no rule \"handoff.show-the-lod-ad\"") and
               'did you mean "handoff.show-the-load-ad"' in m for m in found), found
    assert any(m.startswith("production.fact[1].type: rule ours.people-forward (pack ours) compares with "
                            '"production.max_people_forward", a count answer, but this fact is "feet"') for m in found), found


def test_lint_lists_what_a_production_turned_off(tmp_path):
    from armory.rulebook.production_rules import override_notes
    from armory.rulebook.loader import load_production
    from armory.source import read_source

    loaded = load_production(PRECINCT)
    source, _ = read_source(PRECINCT)
    [note] = override_notes(loaded.production, source)
    assert "turned off: handoff.show-the-load-ad for replica-1, rubber-1: Non-firing replica" in note


def test_a_pack_linted_alone_says_when_it_reuses_a_bundled_id(tmp_path):
    pack = (paths.BUNDLED_RULES / "handling.toml").read_text(encoding="utf-8").replace('id = "handling"', 'id = "copy"', 1)
    (tmp_path / "copy.toml").write_text(pack.replace("#:schema ../armory", "#:schema " + str(paths.BUNDLED_RULES.parent / "armory")),
                                        encoding="utf-8")
    found = _messages(tmp_path / "copy.toml")
    assert found and all('is also used by pack "handling"' in m for m in found), found


def test_a_drill_answer_the_rule_could_never_take_is_a_lint_problem(tmp_path):
    drill = (SAMPLES / "western" / "drills" / "misfire-ignored.toml").read_text(encoding="utf-8")
    drill = drill.replace('"handling.muzzle-distance" = "25 ft"', '"handling.muzzle-distance" = "25"')
    drill = drill.replace('"handoff.armorer-handoff" = "armorer"', '"handoff.armorer-handoff" = "the armorer"')
    drill = drill.replace('production = "../production.toml"', f"production = {str(WESTERN)!r}")
    drill = drill.replace("#:schema ../../../armory", "#:schema " + str(SAMPLES.parent / "armory"))
    target = tmp_path / "drill.toml"
    target.write_text(drill, encoding="utf-8")
    found = _messages(target)
    assert any("handling.muzzle-distance: give the unit with the distance: 25 ft or 25 m" in m for m in found), found
    assert any("handoff.armorer-handoff: expected one of armorer" in m for m in found), found


def test_the_day_records_what_the_production_switched_off(tmp_path):
    from armory.ledger.describe import describe

    with _session(tmp_path, PRECINCT) as session:
        entry = session.open_day("day-1", armorer="mara-okafor")
        [off] = entry.payload["rules_off"]
        assert off["rule"] == "handoff.show-the-load-ad" and off["weapons"] == ["replica-1", "rubber-1"]
        assert "rules switched off by the production: handoff.show-the-load-ad for replica-1, rubber-1" in (
            describe(entry, session.production))
    with _session(tmp_path / "w", WESTERN, dt.datetime(2000, 1, 3, 15, 0, tzinfo=dt.timezone.utc)) as session:
        entry = session.open_day("day-1", armorer="ana-reyes")
        assert "rules_off" not in entry.payload  # byte for byte what a day without overrides always wrote


def test_a_time_before_the_day_opened_is_refused_and_a_time_is_dated(tmp_path):
    from armory.checklist.judge import AnswerError

    with _session(tmp_path, PRECINCT) as session:  # 07:00 in Los Angeles
        session.open_day("day-1", armorer="mara-okafor")
        [item] = [i for i in session.checklist(day="day-1", phase="day_start")
                  if i.rule.id == "incidents.safety-briefing"]
        with pytest.raises(AnswerError, match="before this day was opened"):
            session.answer(item, ["23:30"], by="mara-okafor")
        verdict = session.answer(item, ["06:40"], by="mara-okafor")
        assert verdict.observed == ("2000-02-07 06:40",) and verdict.passed


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_the_overview_shows_every_rule_against_every_weapon(fmt):
    from armory.checklist.overview import render_csv, render_table
    from armory.rulebook.loader import load_context

    loaded, packs = load_context(PRECINCT)
    if fmt == "csv":
        lines = render_csv(loaded.production, packs).splitlines()
        assert lines[0].startswith("day,scene,setup,weapon,load,rounds,phase,rule,pack,severity,status")
        assert any(line.startswith("day-2,17,17a,replica-1,cold,0,before_handoff,handoff.show-the-load-ad,handoff,"
                                   "hold,off,") for line in lines)
    else:
        text = render_table(loaded.production, packs)
        row = next(line for line in text.splitlines() if line.strip().startswith("handoff.show-the-load-ad"))
        assert row.split()[1:] == ["H", "H", "H", "H", "off", "H", "off", "H"]
        assert "  5  day-2 17/17a replica-1 (cold)" in text


OURS = """
[pack]
id = "ours"
title = "Ours"
version = "1.0.0"
based_on = "our meeting"

[[source]]
id = "meeting"
title = "Our safety meeting"

[[rule]]
id = "ours.bore-look"
title = "What the bore shows"
phase = "before_setup"
severity = "note"
ask = "Look through the bore. What do you see?"
answer = "choice"
choices = ["clear", "something lodged", "it went off in my hands"]
expect = { equals = "clear" }
hazards = { "something lodged" = "obstruction", "it went off in my hands" = "unintended_discharge" }
why = "A squib in the bore is fired out by the next blank."
sources = ["meeting"]
failures = ["F9"]
"""


@pytest.mark.parametrize(("answer", "cause", "scope"), [
    ("something lodged", "invariant.obstruction", "weapon"),
    ("it went off in my hands", "invariant.discharge", "production"),
])
def test_a_hazard_bound_to_a_note_acts_as_its_invariant(tmp_path, answer, cause, scope):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ours.toml").write_text(OURS, encoding="utf-8")
    production = _copy(PRECINCT, tmp_path, [
        ('    { id = "incidents", version = "1.0.0" },\n',
         '    { id = "incidents", version = "1.0.0" },\n    { id = "ours", version = "1.0.0" },\n')])
    from armory.checklist.session import Session

    session = Session.open(production, tmp_path / "ledger.sqlite", [tmp_path / "rules"],
                           clock=DrillClock(dt.datetime(2000, 2, 7, 15, 0, tzinfo=dt.timezone.utc)),
                           key_path=tmp_path / "device.key")
    with session:
        session.open_day("day-1", armorer="mara-okafor")
        [item] = [i for i in session.checklist(day="day-1", phase="before_setup", scene="3", setup="3a",
                                               weapon="glock-1") if i.rule.id == "ours.bore-look"]
        verdict = session.answer(item, [answer], by="mara-okafor")
        assert not verdict.passed and verdict.stop_seq is not None
        [stop] = session.state.open_stops
        assert stop.cause == cause and stop.scope == scope
        if scope == "weapon":
            assert stop.weapons == ["glock-1"]


def test_log_show_names_a_pack_changed_under_the_same_version(tmp_path):
    from armory.ledger.describe import describe_all
    from armory.ledger.pack_versions import ledger_problems

    (tmp_path / "rules").mkdir()
    pack = tmp_path / "rules" / "ours.toml"
    pack.write_text(OURS, encoding="utf-8")
    production = _copy(PRECINCT, tmp_path, [
        ('    { id = "incidents", version = "1.0.0" },\n',
         '    { id = "incidents", version = "1.0.0" },\n    { id = "ours", version = "1.0.0" },\n')])
    from armory.checklist.session import Session

    clock = DrillClock(dt.datetime(2000, 2, 7, 15, 0, tzinfo=dt.timezone.utc))
    with Session.open(production, tmp_path / "ledger.sqlite", [tmp_path / "rules"], clock=clock,
                      key_path=tmp_path / "device.key") as session:
        session.open_day("day-1", armorer="mara-okafor")
    pack.write_text(OURS.replace('severity = "note"', 'severity = "hold"'), encoding="utf-8")
    clock.advance(60)
    with Session.open(production, tmp_path / "ledger.sqlite", [tmp_path / "rules"], clock=clock,
                      key_path=tmp_path / "device.key") as session:
        lines = list(describe_all(session.ledger.entries(scope=None), session.production))
    assert any("WARNING: pack ours 1.0.0 changed without a new version" in line for line in lines), lines
    import hashlib

    digest = hashlib.sha256(pack.read_bytes()).hexdigest()
    [problem] = ledger_problems(tmp_path / "ledger.sqlite", [("ours.toml", "ours", "1.0.0", digest)])
    assert "is not the text" in problem.message and problem.key == "pack.version"


def test_an_option_naming_an_unbound_hazard_is_a_warning_that_never_stops_a_pack_loading():
    from armory.rulebook.lint import lint_notes
    from armory.rulebook.loader import load_pack

    frozen = Path(__file__).parent / "snapshots" / "rules"  # the packs as they were before hazards existed
    load_pack(frozen / "rounds.toml")
    assert [p for p in lint_report([frozen])[1] if p.key != "#:schema"] == []
    warnings = [n for n in lint_notes([frozen]) if "warning:" in n]
    assert any('"a live primer" names a hazard (live round) that nothing binds' in w for w in warnings), warnings
    assert lint_notes([paths.BUNDLED_RULES]) == []  # the bundled packs bind theirs
