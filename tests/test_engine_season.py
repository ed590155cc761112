"""A season's worth of days: what the engine keeps must not grow with it, nor be copied into every day."""

from armory.export.records import production_in_chain
from tests.engine_helpers import EMPTY_RULES, open_session


def _day_opened(session):
    return [e for e in session.ledger.entries(scope=session.scope) if e.kind == "day_opened"]


def test_the_production_text_is_recorded_once_per_version_of_the_file(tmp_path):
    s = open_session(tmp_path, rules=EMPTY_RULES)
    s.open_day("day-1", armorer="arm")
    s.close_day("day-1", by="arm")
    s.open_day("day-2", armorer="arm")
    first, second = _day_opened(s)
    assert first.payload["production_text"] == s.loaded_production.text
    assert second.payload["production_text"] is None
    assert second.payload["production_hash"] == first.payload["production_hash"]
    # An export still finds the production in force from the chain alone.
    entries = [e.to_json() for e in s.ledger.entries(scope=None)]
    assert production_in_chain(entries) == s.production


def test_a_restart_does_not_record_the_text_again(tmp_path):
    s = open_session(tmp_path, rules=EMPTY_RULES)
    s.open_day("day-1", armorer="arm")
    s.close_day("day-1", by="arm")
    s.close()
    s = open_session(tmp_path, rules=EMPTY_RULES)
    s.open_day("day-2", armorer="arm")
    assert [e.payload["production_text"] is None for e in _day_opened(s)] == [False, True]


def test_a_production_changed_back_is_found_by_its_hash():
    def opened(digest, text):
        return {"kind": "day_opened", "payload": {"production_hash": digest, "production_text": text}}

    a = '[production]\ntitle = "A"\ncompany = "C"\npacks = [{ id = "p", version = "1" }]\n' \
        '[[crew]]\nid = "x"\nname = "X"\nroles = ["armorer"]\n'
    b = a.replace('"A"', '"B"')
    chain = [opened("a", a), opened("b", b), opened("a", None)]
    assert production_in_chain(chain).production.title == "A"
    assert production_in_chain(chain[:2]).production.title == "B"


def test_open_stops_and_unreviewed_incidents_follow_the_fold(tmp_path):
    s = open_session(tmp_path, rules=EMPTY_RULES)
    s.open_day("day-1", armorer="arm")
    s.record_incident(incident="misfire", day="day-1", weapon="colt", description="did not fire", reported_by="arm")
    [stop] = s.state.open_stops
    [incident] = s.state.unreviewed_incidents
    officer = next(m.id for m in s.production.crew if "safety_officer" in m.roles)
    s.review_incident(incident.seq, findings="a dud primer", signed_by=[officer])
    s.clear_stop(stop.seq, reason="inspected", officer=officer)
    assert s.state.open_stops == [] and s.state.unreviewed_incidents == []
    assert s.state.stops[stop.seq].seq == stop.seq and s.state.cleared[stop.seq] > stop.seq
