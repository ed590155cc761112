"""The season's fast paths of the export say exactly what the slow ones say.

Local times are worked out once per UTC hour (:class:`~armory.export.days.LocalTimes`) and the words of
repeated answers once per distinct answer (:func:`~armory.export.entry_words.words_key`); each must give
the text worked out from scratch, across clock changes, half-hour zones and times armory did not write.
"""

from __future__ import annotations

import datetime as dt
import gc
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from armory.export.days import LocalTimes, exact_local_time, exact_local_with_offset
from armory.export.entry_words import words, words_key
from armory.export.names import Names
from armory.fastjson import paused_gc

ZONES = ["UTC", "America/Denver", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns",
         "Asia/Kolkata", "Pacific/Chatham", "Africa/Monrovia"]


def _stamp(moment: dt.datetime, fraction: str) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ZONES),
       st.datetimes(min_value=dt.datetime(1850, 1, 1), max_value=dt.datetime(2100, 1, 1)),
       st.sampled_from(["", ".000000", ".123", ".999999"]))
def test_local_times_from_the_hour_are_the_exact_ones(zone_name, moment, fraction):
    tz = ZoneInfo(zone_name)
    times = LocalTimes(tz)
    value = _stamp(moment, fraction)
    for _ in range(2):  # worked out, then from the hour kept
        assert times.local(value) == exact_local_time(value, tz)
        assert times.with_offset(value) == exact_local_with_offset(value, tz)


def test_every_second_around_clock_changes_and_odd_times():
    for zone_name in ZONES:
        tz = ZoneInfo(zone_name)
        times = LocalTimes(tz)
        for start in (dt.datetime(2026, 3, 8, 8), dt.datetime(2026, 10, 4, 14), dt.datetime(2026, 4, 4, 15),
                      dt.datetime(1972, 1, 7, 0)):
            for second in range(0, 3 * 3600, 7):
                value = _stamp(start + dt.timedelta(seconds=second), ".000000")
                assert times.with_offset(value) == exact_local_with_offset(value, tz), value
                assert times.local(value) == exact_local_time(value, tz), value
    times = LocalTimes(ZoneInfo("America/Denver"))
    for odd in ["", "yesterday", "2026-13-01T10:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T10:60:00Z",
                "2026-03-02T10:00:00+02:00", " 2026-03-02T10:00:00Z", "2026-03-02T10:0\u0663:00Z",
                "0001-01-01T00:00:00Z", "0999-06-01T12:00:00Z", "2026-03-02T10:00:00.5Z"]:
        assert times.local(odd) == exact_local_time(odd, times.tz), odd
        assert times.with_offset(odd) == exact_local_with_offset(odd, times.tz), odd
    assert times.with_offset("2026-03-02T14:05:09.000000Z") == "2026-03-02 07:05:09 -07:00"
    assert times.with_offset("0001-01-01T00:00:00Z") == "0001-01-01T00:00:00Z"  # not a traceback


ANSWER = {"answer_kind": "count", "day": "day-2", "expected": "0", "failures": ["F1", "F2"], "observed": ["0"],
          "pack_hash": "4" * 64, "pack_id": "handling", "phase": "before_setup", "question": "How many came out?",
          "rule_id": "handling.magazine-unload", "scene": "2-6", "sensed": False, "setup": "2-6a",
          "severity": "stop", "signed_by": ["ana-reyes"], "verdict": "pass", "weapon": "rifle-1"}


def _said(kind, payload):
    weapon = payload.get("weapon") if isinstance(payload.get("weapon"), str) else None
    return words(kind, payload, weapon, (weapon,) if weapon else (), Names(), {})[:7]


def test_answers_with_one_key_are_worded_alike_and_different_words_never_share_a_key():
    variants = [ANSWER, {**ANSWER, "scene": "3", "setup": "3a", "day": "day-9"},  # not in the words: same key
                {**ANSWER, "verdict": "fail"}, {**ANSWER, "observed": ["1"]}, {**ANSWER, "observed": []},
                {**ANSWER, "sensed": True}, {**ANSWER, "severity": None}, {k: v for k, v in ANSWER.items()
                                                                         if k != "severity"},
                {**ANSWER, "question": "True"}, {**ANSWER, "signed_by": []}, {**ANSWER, "weapon": "colt-1"},
                {**ANSWER, "failures": ["F1"]}, {**ANSWER, "expected": None}]
    keyed: dict[tuple, tuple] = {}
    for payload in variants:
        key = words_key("answer", payload, payload.get("weapon"))
        assert key is not None
        said = _said("answer", payload)
        assert keyed.setdefault(key, said) == said, payload
    assert len(keyed) == len(variants) - 1  # only the second, which differs where no word does, shares one
    # values two texts could share a key with are worked out every time
    assert words_key("answer", {**ANSWER, "question": 1}, "rifle-1") is None
    assert words_key("answer", {**ANSWER, "observed": [1]}, "rifle-1") is None
    rounds = [{"round_no": 1, "method": "rattle", "lot": "d-1", "verdict": "pass"},
              {"round_no": True, "method": "rattle", "lot": "d-1", "verdict": "pass"}]
    assert words_key("round_verified", rounds[0], "colt-1") is not None
    assert words_key("round_verified", rounds[1], "colt-1") is None  # True == 1, but reads "True"
    assert words_key("handoff", {}, "colt-1") is None


def test_the_collector_is_back_after_a_pause_with_nothing_left_frozen():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
