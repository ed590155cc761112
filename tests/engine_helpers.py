"""Shared set-up for engine tests: a session on the test production with a drill-style clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from armory.checklist.session import Session
from armory.drills.runner import DrillClock

FIXTURES = Path(__file__).parent / "fixtures" / "engine"
PRODUCTION = FIXTURES / "production.toml"
RULES = FIXTURES / "rules"
EMPTY_RULES = FIXTURES / "empty_rules"

START = dt.datetime(2021, 10, 21, 14, 0, tzinfo=dt.timezone.utc)  # 08:00 in Santa Fe


def open_session(tmp_path: Path, rules: Path = RULES, production: Path = PRODUCTION, clock=None) -> Session:
    clock = clock or DrillClock(START)
    return Session.open(production, tmp_path / "ledger.sqlite", [rules], clock=clock,
                        key_path=tmp_path / "device.key")


def answer_all(session: Session, *, day="day-1", scene="church", setup="a", weapon="colt", by="arm",
               phase="before_setup", overrides=None):
    """Answer every pending question of a phase correctly, except those in ``overrides``."""
    from armory.checklist.judge import passing_answer

    overrides = overrides or {}
    verdicts = {}
    for item in session.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon):
        if item.sensed:
            continue
        if item.rule.id in overrides:
            value = overrides[item.rule.id]
        else:
            value = passing_answer(item.rule, session.facts(day, scene, setup, weapon), session.local_now())
        values = value if isinstance(value, list) else [value] * max(item.per_round, 1)
        verdicts[item.rule.id] = session.answer(item, values, by=by)
    return verdicts


def ready_colt(session: Session, *, scene="church", setup="a", by="arm"):
    """Open day-1 and make the colt ready for the church setup: checks passed, rounds verified."""
    if "day-1" not in session.state.days_opened:
        session.open_day("day-1", armorer=by)
        # The fixture's armorer also holds props that day: the sole-duty hold needs a signed override.
        for hold in session.state.open_holds:
            session.override(hold.answer_seq, reason="second armorer covers props", signed_by=["so"])
        session.sign_checks("day-1", by=by)  # the day-start checks end with the armorer's signature
    answer_all(session, scene=scene, setup=setup, phase="before_setup", by=by)
    answer_all(session, scene=scene, setup=setup, phase="before_handoff", by=by)
    issue = session.issue_of("day-1", scene, setup, "colt")
    method = "rattle" if issue.load == "dummies" else "crimped_blank"
    for n in range(1, issue.rounds + 1):
        session.verify_round(day="day-1", scene=scene, setup=setup, weapon="colt", round_no=n, method=method, by=by)
