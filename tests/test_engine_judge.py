"""Judging observed values against rule expectations: a table per answer kind."""

import datetime as dt

import pytest

from armory.checklist.judge import AnswerError, expected_text, fails_now, judge, parse, parse_all, passing_answer
from armory.rulebook.models import Rule

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone.utc)
FACTS = {"weapon.capacity": 6, "weapon.serial_last4": "4471", "setup.rounds": 5,
         "settings.min_blank_distance_feet": 20}


def rule(**kw):
    base = dict(id="t.rule", title="T", phase="before_setup", severity="stop", why="because",
                sources=["s"], failures=["F2"])
    base.update(kw)
    return Rule.model_validate(base)


CHAMBERS = rule(ask="How many chambers did you look into?", answer="count", expect={"equals_fact": "weapon.capacity"})
SERIAL = rule(ask="Last four of the serial?", answer="digits", expect={"equals_fact": "weapon.serial_last4"})
RATTLE = rule(ask="Rattle?", answer="choice", per_round=True, choices=["rattles", "silent"],
              expect={"one_of": ["rattles"]})
DISTANCE = rule(ask="Feet to nearest person?", answer="measurement", unit="feet",
                expect={"at_least_fact": "settings.min_blank_distance_feet"})
BORE = rule(ask="When was the bore seen clear?", answer="time", expect={"within_minutes": 30})
DAY_OLD = rule(ask="When did it misfire?", answer="time", expect={"within_minutes": 1440})
NAME = rule(ask="Who called cold?", answer="text", expect={"not_empty": True})
BRIEF = rule(ask="Briefing held?", answer="yes_no", expect={"equals": "yes"})


@pytest.mark.parametrize(
    "the_rule, observed, passes",
    [
        (CHAMBERS, ["6"], True),
        (CHAMBERS, ["5"], False),
        (CHAMBERS, ["7"], False),
        (SERIAL, ["4471"], True),
        (SERIAL, ["4417"], False),
        (RATTLE, ["rattles"] * 5, True),
        (RATTLE, ["rattles"] * 4 + ["silent"], False),
        (DISTANCE, ["20 ft"], True),
        (DISTANCE, ["19.5 ft"], False),
        (DISTANCE, ["7 m"], True),  # 22.97 ft
        (DISTANCE, ["6 m"], False),  # 19.69 ft
        (BORE, ["09:10"], True),
        (BORE, ["08:59"], False),  # 31 minutes ago
        (BORE, ["09:45"], False),  # later than now: yesterday's, far too old
        (DAY_OLD, ["22:40"], True),  # last night, within a day
        (DAY_OLD, ["09:29"], True),
        (NAME, ["Hannah"], True),
        (BRIEF, ["yes"], True),
        (BRIEF, ["no"], False),
    ],
)
def test_judge(the_rule, observed, passes):
    values = [parse(the_rule, v) for v in observed]
    assert judge(the_rule, values, FACTS, NOW) is passes


@pytest.mark.parametrize(
    "the_rule, raw, canonical",
    [
        (CHAMBERS, " 06 ", "6"),
        (SERIAL, "ab12", "AB12"),
        (RATTLE, "RATTLES", "rattles"),
        (DISTANCE, "12ft", "12 ft"),
        (DISTANCE, "4 metres", "4 m"),
        (BORE, "7.45", "07:45"),
        (BRIEF, "Y", "yes"),
    ],
)
def test_parse_canonical(the_rule, raw, canonical):
    assert parse(the_rule, raw) == canonical


@pytest.mark.parametrize(
    "the_rule, raw, words",
    [
        (CHAMBERS, "six", "whole number"),
        (CHAMBERS, "-1", "whole number"),
        (RATTLE, "maybe", "one of rattles, silent"),
        (DISTANCE, "ten feet", "distance with its unit"),
        (DISTANCE, "10 yards", "distance with its unit"),
        (DISTANCE, "15", "give the unit"),  # 15 feet or 15 metres: three times apart
        (BORE, "25:00", "HH:MM"),
        (BRIEF, "perhaps", "yes or no"),
    ],
)
def test_parse_refuses_unreadable_answers(the_rule, raw, words):
    with pytest.raises(AnswerError, match=words):
        parse(the_rule, raw)


@pytest.mark.parametrize("the_rule", [CHAMBERS, SERIAL, RATTLE, DISTANCE, BORE, NAME, BRIEF])
@pytest.mark.parametrize("raw", ["", "   ", "\t \n"])
def test_nothing_entered_is_never_an_answer(the_rule, raw):
    # A blank text answer was recorded as a failed hold ("You entered . HOLD"): every kind refuses it.
    with pytest.raises(AnswerError, match=r"^nothing entered; "):
        parse(the_rule, raw)


def test_nothing_entered_says_what_to_enter():
    with pytest.raises(AnswerError, match="one of rattles, silent"):
        parse(RATTLE, " ")
    with pytest.raises(AnswerError, match="in words"):
        parse(NAME, "")


@pytest.mark.parametrize("said", ["none", "Nobody", "no one", "unknown", "-", "None."])
def test_a_text_answer_naming_nothing_is_recorded_and_fails(said):
    # Blank is refused, so "nobody holds the keys" is said in words: recorded as given, and it fails.
    value = parse(NAME, said)
    assert value == said.strip()
    assert not judge(NAME, [value], FACTS, NOW)


@pytest.mark.parametrize("raw", ["!!!", "--", "?", "...", " ** ", "!?!"])
def test_a_text_answer_with_no_letter_or_digit_is_refused(raw):
    # "!!!" was recorded as the name of whoever called the weapon cold, and passed.
    with pytest.raises(AnswerError, match="write what you observed, in words"):
        parse(NAME, raw)


@pytest.mark.parametrize("raw", ["Ben Cho", "S-100", "José", "7", "O'Neil!"])
def test_a_text_answer_with_a_letter_or_digit_is_taken(raw):
    assert parse(NAME, raw) == raw


def test_expected_text_names_fact_and_value():
    assert expected_text(CHAMBERS, FACTS) == "the weapon's capacity (6)"
    assert expected_text(RATTLE, FACTS) == "every round: rattles"


@pytest.mark.parametrize("the_rule, facts, words", [
    # Plain words, never the internal fact names ("equals setup.lot (d45-a)", "at most 0").
    (rule(ask="?", answer="text", expect={"equals_fact": "setup.lot"}), {"setup.lot": "d45-a"},
     "the lot of this setup (d45-a)"),
    (SERIAL, FACTS, "the last four digits of the serial (4471)"),
    (rule(ask="?", answer="count", expect={"equals_fact": "setup.rounds"}), FACTS, "the rounds stated for this setup (5)"),
    (rule(ask="?", answer="count", expect={"equals": 0}), FACTS, "0"),
    (rule(ask="?", answer="count", expect={"at_most": 0}), FACTS, "none"),
    (rule(ask="?", answer="count", expect={"at_most": 2}), FACTS, "no more than 2"),
    (rule(sense="open_stops", expect={"at_most": 0}), {}, "none"),
    (DISTANCE, FACTS, "at least the production's minimum distance for blanks (20 feet)"),
    (rule(ask="?", answer="measurement", unit="feet", expect={"at_most": 0}), FACTS, "no more than 0 feet"),
    (rule(ask="?", answer="choice", choices=["armorer", "assistant armorer", "1st AD"],
          expect={"one_of": ["armorer", "assistant armorer"]}), FACTS, "armorer or assistant armorer"),
    (BORE, FACTS, "a time within the last 30 minutes"),
    (BRIEF, FACTS, "yes"),
    (CHAMBERS, {}, "the weapon's capacity (unknown)"),
])
def test_expected_text_reads_as_plain_words(the_rule, facts, words):
    assert expected_text(the_rule, facts) == words
    assert "." not in words.split(" (")[0]  # no fact.name anywhere


def test_the_plan_words_a_fact_without_its_value_when_none_is_given():
    from armory.checklist.plan import describe_expectation

    assert describe_expectation(CHAMBERS) == "the weapon's capacity"
    assert describe_expectation(CHAMBERS, {"weapon.capacity": 6}) == "the weapon's capacity (6)"
    assert describe_expectation(CHAMBERS, {"weapon.capacity": None}) == "the weapon's capacity (unknown)"


@pytest.mark.parametrize("the_rule", [CHAMBERS, SERIAL, RATTLE, DISTANCE, BORE, NAME, BRIEF])
def test_passing_answer_passes(the_rule):
    value = passing_answer(the_rule, FACTS, NOW)
    assert value is not None
    assert judge(the_rule, [value], FACTS, NOW)


def test_a_short_per_round_list_is_taken_only_when_its_last_round_fails():
    assert fails_now(RATTLE, "silent", FACTS, NOW) and not fails_now(RATTLE, "rattles", FACTS, NOW)
    assert not fails_now(CHAMBERS, "5", FACTS, NOW)  # not per round: nothing to stop early
    assert parse_all(RATTLE, ["rattles", "SILENT"], 6, FACTS, NOW) == ["rattles", "silent"]
    for short in ([], ["rattles", "rattles"], ["silent", "rattles"]):
        with pytest.raises(AnswerError, match="each of the 6 rounds"):
            parse_all(RATTLE, short, 6, FACTS, NOW)
    with pytest.raises(AnswerError, match="each of the 6 rounds"):
        parse_all(RATTLE, ["silent"], 6)  # without the facts to judge by, only a full list
    with pytest.raises(AnswerError, match="each of the 6 rounds"):
        parse_all(RATTLE, ["silent"] * 7, 6, FACTS, NOW)


DISTANCE_M = rule(ask="Metres to nearest person?", answer="measurement", unit="metres",
                  expect={"at_least_fact": "settings.min_blank_distance_feet"})


@pytest.mark.parametrize("observed, passes", [
    ("7 m", True),  # 22.97 ft: more than the 20 ft minimum
    ("6.1 m", True),  # 20.01 ft
    ("6 m", False),  # 19.69 ft
    ("19 m", True),  # was compared with "20" as metres: refused a safe distance
    ("20 ft", True),
    ("19 ft", False),
])
def test_a_fact_in_feet_is_compared_in_the_rules_unit(observed, passes):
    # The fact is 20 feet; the rule measures in metres: the fact is converted, not read as 20 metres.
    assert judge(DISTANCE_M, [parse(DISTANCE_M, observed)], FACTS, NOW) is passes


def test_a_fact_in_feet_is_shown_in_the_rules_unit():
    assert "(6.1 metres)" in expected_text(DISTANCE_M, FACTS)
    assert "(20 feet)" in expected_text(DISTANCE, FACTS)
    assert judge(DISTANCE_M, [passing_answer(DISTANCE_M, FACTS, NOW)], FACTS, NOW)


def test_the_plan_shows_a_fact_in_the_rules_unit_too():
    from armory.checklist.plan import describe_expectation

    assert "(6.1 metres)" in describe_expectation(DISTANCE_M, {"settings.min_blank_distance_feet": 20})
    assert "(20 metres)" not in describe_expectation(DISTANCE_M, {"settings.min_blank_distance_feet": 20})


def test_a_time_is_dated_on_the_day_it_is_given():
    from armory.checklist.judge import date_time

    now = dt.datetime(2000, 1, 4, 7, 0, tzinfo=dt.timezone.utc)
    opened = dt.datetime(2000, 1, 4, 6, 45, tzinfo=dt.timezone.utc)
    assert date_time("06:30", now, opened) == "2000-01-04 06:30"
    # "23:30" typed at 07:00 is not last night's briefing passing for today's: the day opened at 06:45.
    with pytest.raises(AnswerError, match="before this day was opened"):
        date_time("23:30", now, opened)
    # On a night shoot opened at 18:00 the evening before, 23:30 is last night's and stands.
    assert date_time("23:30", now, opened - dt.timedelta(hours=13)) == "2000-01-03 23:30"


def test_a_dated_time_is_judged_on_its_own_date():
    now = dt.datetime(2000, 1, 4, 7, 0, tzinfo=dt.timezone.utc)
    assert judge(BORE, ["2000-01-04 06:50"], FACTS, now)
    assert not judge(BORE, ["2000-01-03 06:50"], FACTS, now)
