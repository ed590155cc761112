"""The fold saved beside a ledger: it loads to exactly what a replay gives, and anything not ours is not used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from armory.checklist import saved_fold
from armory.checklist.saved_fold import fold_path
from armory.checklist.session import Session
from armory.checklist.state import State
from armory.checklist.types import Refused
from armory.drills.runner import DrillClock
from armory.ledger import device_secret
from armory.problems import InputError
from tests.engine_helpers import PRODUCTION, RULES, START, open_session, ready_colt


def busy_day(tmp_path: Path) -> Session:
    """A day with something in every part of the fold: answers, holds overridden, rounds, a handoff and a
    return, a refusal, a misfire's stop and incident (one reviewed, the other left open)."""
    s = open_session(tmp_path)
    ready_colt(s)
    s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="arm", receiver="actor",
                witnesses=["so"], signed_by=["arm", "actor"])
    s.take_back(day="day-1", weapon="colt", giver="actor", receiver="arm", rounds_fired=0, rounds_returned=5,
                signed_by=["actor", "arm"])
    with pytest.raises(Refused):
        s.hand_over(day="day-1", scene="church", setup="a", weapon="colt", giver="ad", receiver="actor",
                    signed_by=["ad", "actor"])
    s.record_incident(incident="misfire", day="day-1", weapon="colt", description="did not fire", reported_by="arm")
    [incident] = s.state.unreviewed_incidents
    s.review_incident(incident.seq, findings="a dud primer", signed_by=["so"])
    s.record_incident(incident="misfire", day="day-1", weapon="colt", description="again", reported_by="arm")
    return s


def reopen(tmp_path: Path, saved: Path | None) -> Session:
    return Session.open(PRODUCTION, tmp_path / "ledger.sqlite", [RULES], clock=DrillClock(START),
                        key_path=tmp_path / "device.key", saved_fold=saved)


def replayed(session: Session) -> State:
    return State.from_entries([w.id for w in session.planned_production.weapon],
                              session.ledger.entries(scope=session.scope))


def test_a_saved_fold_is_the_state_a_replay_gives_then_later_entries_are_replayed(tmp_path):
    s = busy_day(tmp_path)
    path = fold_path(s.ledger.path)
    assert saved_fold.save(s, path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    s.close()

    s = reopen(tmp_path, path)
    assert s.fold_loaded and s.fold_replayed == 0
    assert s.state.answers and s.state.rounds and s.state.holds == {} and s.state.refusals
    assert len(s.state.open_stops) == 2 and len(s.state.unreviewed_incidents) == 1
    assert s.state == replayed(s)
    # The records are the state's own, not copies cut loose from it.
    stop = s.state.open_stops[0]
    assert s.state.stops[stop.seq] is stop
    assert s.state.incidents[s.state.unreviewed_incidents[0].seq] is s.state.unreviewed_incidents[0]
    # Work goes on from it: a clearance recorded now, then a start after it replays only that.
    s.clear_stop(stop.seq, reason="inspected", officer="so")
    s.close()

    s = reopen(tmp_path, path)
    assert s.fold_loaded and s.fold_replayed == 1
    assert stop.seq in s.state.cleared
    assert s.state == replayed(s)


def _saved(tmp_path: Path) -> tuple[Session, Path]:
    s = busy_day(tmp_path)
    path = fold_path(s.ledger.path)
    assert saved_fold.save(s, path)
    s.close()
    return s, path


def test_a_changed_fold_is_not_used_and_the_ledger_is_replayed(tmp_path):
    _, path = _saved(tmp_path)
    data = bytearray(path.read_bytes())
    data[-40] ^= 1  # one bit of the state: its MAC no longer holds
    path.write_bytes(bytes(data))
    s = reopen(tmp_path, path)
    assert not s.fold_loaded and s.fold_replayed == len(s.ledger)
    assert s.state == replayed(s)


def test_a_fold_made_with_another_secret_is_not_used(tmp_path, monkeypatch):
    s, path = _saved(tmp_path)
    # Someone who can write beside the ledger saves a fold of their own making (the open stops gone),
    # authenticated under a secret that is not this computer's.
    state = reopen(tmp_path, path).state
    state._open_stops.clear()
    forged = device_secret.DeviceSecret(os.urandom(32), "file", "elsewhere")
    real = device_secret.current(create=False)
    session = reopen(tmp_path, None)
    session.state = state
    with monkeypatch.context() as patched:
        patched.setattr(device_secret, "current", lambda create: forged)
        patched.setattr(device_secret, "candidates", lambda: [forged])
        assert saved_fold.save(session, path)
        assert reopen(tmp_path, path).fold_loaded  # (it would load, were that secret this computer's)
    session.close()
    assert real is not None and forged.secret_id != real.secret_id
    s = reopen(tmp_path, path)
    assert not s.fold_loaded
    assert len(s.state.open_stops) == 2


def test_a_fold_under_a_forged_secret_id_is_not_used(tmp_path):
    _, path = _saved(tmp_path)
    data = path.read_bytes()
    real = device_secret.current(create=False)
    path.write_bytes(data.replace(real.secret_id.encode(), b"0" * len(real.secret_id), 1))
    assert not reopen(tmp_path, path).fold_loaded


def test_a_fold_of_another_production_or_ledger_is_not_used(tmp_path):
    s, path = _saved(tmp_path)
    # The production changed since: same ledger, same head, another key.
    changed = tmp_path / "production.toml"
    changed.write_text(PRODUCTION.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    other = Session.open(changed, tmp_path / "ledger.sqlite", [RULES], clock=DrillClock(START),
                         key_path=tmp_path / "device.key", saved_fold=path)
    assert not other.fold_loaded
    other.close()
    # The same fold beside another ledger (whose entry at that head is another).
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    busy_day(elsewhere).close()
    (elsewhere / "ledger.sqlite.fold").write_bytes(path.read_bytes())
    assert not reopen(elsewhere, elsewhere / "ledger.sqlite.fold").fold_loaded
    assert reopen(tmp_path, path).fold_loaded  # and it still holds where it was made


@pytest.mark.parametrize("damage", [b"", b"armory saved fold\n", b"not a fold at all", b"armory saved fold\n{}\n"])
def test_a_damaged_fold_is_ignored_without_a_word(tmp_path, damage):
    _, path = _saved(tmp_path)
    path.write_bytes(damage)
    s = reopen(tmp_path, path)
    assert not s.fold_loaded and s.state == replayed(s)


def test_no_fold_is_saved_from_a_state_another_process_has_moved_past(tmp_path):
    s = busy_day(tmp_path)
    other = reopen(tmp_path, None)
    other.record_incident(incident="misfire", day="day-1", weapon="colt", description="third", reported_by="arm")
    other.close()
    assert not saved_fold.save(s, fold_path(s.ledger.path))
    assert not fold_path(s.ledger.path).exists()


def test_nothing_is_recorded_while_the_record_is_held(tmp_path):
    s = busy_day(tmp_path)
    before = len(s.ledger)
    s.records_held = "the record is still being checked"
    with pytest.raises(InputError, match="still being checked"):
        s.record_incident(incident="misfire", day="day-1", weapon="colt", description="x", reported_by="arm")
    assert len(s.ledger) == before
    s.records_held = None
    s.record_incident(incident="misfire", day="day-1", weapon="colt", description="x", reported_by="arm")
    assert len(s.ledger) == before + 2  # the incident and its stop


def test_the_fold_keeps_repeated_words_once_and_no_pack_text(tmp_path):
    s = busy_day(tmp_path)
    answers = list(s.state.answers.values())
    same_rule = [a for a in answers if a.rule_id == answers[0].rule_id]
    assert all(a.severity is answers[0].severity for a in answers if a.severity == answers[0].severity)
    assert all(a.rule_id is same_rule[0].rule_id for a in same_rule)
    assert all(set(p) == {"id", "version", "hash"} for packs in s.state.packs_in_force.values() for p in packs)


def test_a_fold_that_cannot_be_put_in_place_leaves_nothing_half_written(tmp_path, monkeypatch):
    s = busy_day(tmp_path)
    path = fold_path(s.ledger.path)

    def full_disk(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(saved_fold.os, "replace", full_disk)
    assert not saved_fold.save(s, path)
    assert sorted(p.name for p in tmp_path.iterdir() if ".fold" in p.name) == []
