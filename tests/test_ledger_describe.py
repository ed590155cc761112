"""Entries in plain language: one line each, names and local times from the production."""

from __future__ import annotations

import pytest

from armory.ledger.describe import describe, describe_all
from armory.ledger.entries import KINDS
from armory.ledger.store import Ledger
from armory.rulebook.loader import load_production
from tests.golden import ledger_fixture


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    path = ledger_fixture.build(tmp_path_factory.mktemp("golden") / "golden.ledger")
    production = load_production(ledger_fixture.PRODUCTION).production
    with Ledger.open(path, readonly=True) as ledger:
        yield list(ledger.entries(scope=None)), production


def test_every_entry_gets_one_plain_line(golden):
    entries, production = golden
    lines = list(describe_all(entries, production))
    assert len(lines) == len(entries)
    for entry, line in zip(entries, lines):
        assert "\n" not in line.replace(ledger_fixture.OVERRIDE_REASON, "")
        assert line.startswith(f"#{entry.seq} 2026-03-0")
        assert "{" not in line, f"fell back to the raw payload: {line}"


def test_names_weapons_and_local_time_come_from_the_production(golden):
    entries, production = golden
    handoff = next(e for e in entries if e.kind == "handoff")
    line = describe(handoff, production)
    giver = production.crew_member(handoff.payload["giver"]).name
    receiver = production.crew_member(handoff.payload["receiver"]).name
    weapon = production.weapon_by_id(handoff.payload["weapon"])
    assert f"{giver} handed {weapon.id} ({weapon.make} {weapon.model}) to {receiver}" in line
    assert " MST " in line  # America/Denver in March, before daylight saving
    bare = describe(handoff)
    assert handoff.payload["giver"] in bare and "UTC" in bare


def test_stops_and_incidents_stand_out(golden):
    entries, production = golden
    kinds_seen = {e.kind for e in entries}
    for entry in entries:
        line = describe(entry, production)
        if entry.kind == "stop":
            assert "STOP" in line
        if entry.kind == "incident":
            assert "INCIDENT" in line
        if entry.kind == "return" and not entry.payload["reconciled"]:
            assert "NOT RECONCILED" in line
    assert {"stop", "incident", "handoff", "answer", "checkpoint"} <= kinds_seen


def test_a_drill_entry_and_clock_skew_are_marked(tmp_path):
    from datetime import datetime, timezone

    times = iter([datetime(2026, 3, 2, 14, tzinfo=timezone.utc), datetime(2026, 3, 2, 14, tzinfo=timezone.utc),
                  datetime(2026, 3, 2, 13, 59, 58, tzinfo=timezone.utc)])
    with Ledger.open(tmp_path / "l.sqlite", clock=lambda: next(times)) as ledger:
        drill = ledger.append("note", "ann", {"text": "dry run"}, scope="drill-3")
        late = ledger.append("note", "ann", {"text": "late"})
    assert "[run drill-3] ann noted: dry run" in describe(drill)
    assert "clock ran 2000 ms backwards" in describe(late) and "[" not in describe(late)


def test_a_drill_run_is_labelled_once_as_run_takes_it(tmp_path):
    # the label is the scope as 'armory log show --run' takes it, not "[drill drill:...]"
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        entry = ledger.append("note", "ann", {"text": "dry run"}, scope="drill:clean-day:a7534342")
    line = describe(entry)
    assert "UTC  [drill:clean-day:a7534342] ann noted: dry run" in line
    assert line.count("drill") == 1


def test_every_kind_has_a_describer():
    from armory.ledger import describe as module

    assert set(module._KINDS) == set(KINDS)


def test_an_answer_cut_short_by_a_failing_round_says_where():
    from armory.ledger.describe import describe
    from armory.ledger.store import Entry

    payload = {"day": "day-1", "rule_id": "rounds.dummy-rattle", "question": "Shake it", "observed": ["rattles", "silent"],
               "verdict": "fail", "severity": "stop", "signed_by": ["reyes"], "stopped_at_round": 2,
               "rounds_loaded": 6}
    entry = Entry(seq=9, time="2026-03-02T14:00:00.000000Z", kind="answer", who="reyes", scope="", payload=payload,
                  prev="", hash="", body=b"")
    assert "FAILED (stop), stopped at round 2 of 6" in describe(entry)


def _return(tmp_path, out, fired, back):
    with Ledger.open(tmp_path / "r.sqlite") as ledger:
        return ledger.append("return", "ann", {
            "day": "day-1", "weapon": "colt-1", "giver": "bob", "receiver": "ann", "rounds_out": out,
            "rounds_fired": fired, "rounds_returned": back, "reconciled": False, "signed_by": ["bob", "ann"]})


@pytest.mark.parametrize("counts, why", [
    # 6 = 2 + 4 adds up: the line used to say NOT RECONCILED and nothing more
    ((6, 2, 4), "NOT RECONCILED (dummies cannot fire: a firing from a dummy load is an unintended discharge)"),
    ((6, 0, 5), "NOT RECONCILED (1 round unaccounted: rounds out must equal rounds back plus rounds fired)"),
    ((4, 3, 3), "NOT RECONCILED (2 rounds more back and fired than went out"),
])
def test_a_return_not_reconciled_says_why(tmp_path, counts, why):
    assert why in describe(_return(tmp_path, *counts))


@pytest.mark.parametrize("counts, why", [
    ((6, 2, 4), "dummies cannot fire: a firing from a dummy load is an unintended discharge"),
    ((6, 0, 5), "rounds out must equal rounds returned plus rounds fired"),
])
def test_the_report_says_why_a_return_is_not_reconciled(tmp_path, counts, why):
    from armory.export.records import build_records

    entry = _return(tmp_path, *counts)
    record = next(r for r in build_records([{"seq": entry.seq, "kind": entry.kind, "time": entry.time,
                                             "who": entry.who, "payload": entry.payload}])
                  if r.kind == "return")
    assert record.result == "NOT reconciled" and record.reason == why
