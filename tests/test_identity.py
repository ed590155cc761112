"""PIN enrollment and authentication: argon2id hashes beside the entries, never in them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from armory.export.jsonl import write_jsonl
from armory.ledger.identity import AuthError, Credentials, make_hasher
from armory.ledger.store import Ledger
from armory.production.models import Production

CREW = [
    {"id": "sam", "name": "Sam Ortiz", "roles": ["safety_officer"]},
    {"id": "ann", "name": "Ann Reyes", "roles": ["armorer"], "demo_pin": "1111"},
    {"id": "bob", "name": "Bob Lee", "roles": ["actor"], "demo_pin": "2222"},
    {"id": "tia", "name": "Tia Park", "roles": ["camera"]},
]


def _production(sample: bool = False, extra_day_officer: bool = False) -> Production:
    days = []
    if extra_day_officer:
        days = [{"id": "day-2", "date": "2026-03-03", "crew": [{"id": "tia", "roles": ["safety_officer"]}]}]
    return Production.model_validate({
        "production": {"title": "Dry Gulch", "company": "Mesa Pictures", "timezone": "America/Denver",
                       "sample": sample, "packs": [{"id": "core", "version": "1"}]},
        "crew": CREW, "day": days,
    })


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def fast_argon2(monkeypatch):
    monkeypatch.setenv("ARMORY_ARGON2", "fast")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def ledger(tmp_path, clock):
    with Ledger.open(tmp_path / "l.sqlite", production_title="Dry Gulch", clock=clock) as opened:
        yield opened


@pytest.fixture
def production():
    return _production()


@pytest.fixture
def creds(ledger, production):
    return Credentials(ledger, production=production)


def _first_officer(creds, production):
    return creds.enroll("sam", "4817", authorized_by="sam", authorizer_pin=None, production=production)


def test_fast_setting_makes_cheap_argon2id_hashes():
    hasher = make_hasher()
    assert hasher.time_cost == 1 and hasher.memory_cost == 8
    assert hasher.hash("5290").startswith("$argon2id$")


def test_the_first_safety_officer_enrolls_themselves_and_it_is_recorded(creds, production, ledger):
    entry = _first_officer(creds, production)
    assert entry.kind == "crew_enrolled" and entry.who == "sam"
    assert entry.payload == {"crew_id": "sam", "changed": False, "authorized_by": "sam"}
    assert creds.is_enrolled("sam") and creds.enrolled() == {"sam"}
    creds.authenticate("sam", "4817", purpose="test")


def test_nobody_but_a_safety_officer_can_be_first(creds, production):
    with pytest.raises(AuthError, match="not a safety officer"):
        creds.enroll("ann", "5290", authorized_by="ann", authorizer_pin=None, production=production)
    with pytest.raises(AuthError, match="first enrollment is a safety officer enrolling themselves"):
        creds.enroll("ann", "5290", authorized_by="sam", authorizer_pin="4817", production=production)
    assert creds.enrolled() == set()


def test_later_enrollments_need_the_officers_pin(creds, production):
    _first_officer(creds, production)
    with pytest.raises(AuthError, match="PIN is needed"):
        creds.enroll("ann", "5290", authorized_by="sam", authorizer_pin=None, production=production)
    with pytest.raises(AuthError, match=r"wrong PIN for Sam Ortiz \(sam\)"):
        creds.enroll("ann", "5290", authorized_by="sam", authorizer_pin="0000", production=production)
    assert not creds.is_enrolled("ann")
    entry = creds.enroll("ann", "5290", authorized_by="sam", authorizer_pin="4817", production=production)
    assert entry.payload["authorized_by"] == "sam"
    creds.authenticate("ann", "5290", purpose="handoff")


def test_changing_a_pin_is_recorded_as_a_change(creds, production):
    _first_officer(creds, production)
    creds.enroll("ann", "5290", authorized_by="sam", authorizer_pin="4817", production=production)
    entry = creds.enroll("ann", "6142", authorized_by="sam", authorizer_pin="4817", production=production)
    assert entry.payload["changed"] is True
    creds.authenticate("ann", "6142", purpose="handoff")
    with pytest.raises(AuthError, match="wrong PIN"):
        creds.authenticate("ann", "5290", purpose="handoff")


def test_a_safety_officer_on_some_day_only_may_authorize(ledger):
    production = _production(extra_day_officer=True)
    creds = Credentials(ledger, production=production)
    creds.enroll("tia", "7306", authorized_by="tia", authorizer_pin=None, production=production)
    creds.enroll("bob", "3917", authorized_by="tia", authorizer_pin="7306", production=production)
    assert creds.enrolled() == {"tia", "bob"}


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", " 5290"])
def test_a_pin_is_four_to_eight_digits(creds, production, pin):
    with pytest.raises(AuthError, match="4 to 8 digits"):
        creds.enroll("sam", pin, authorized_by="sam", authorizer_pin=None, production=production)


def test_unknown_and_unenrolled_people_are_named(creds, production):
    with pytest.raises(AuthError, match="unknown crew id 'zed'"):
        creds.enroll("zed", "5290", authorized_by="sam", authorizer_pin=None, production=production)
    with pytest.raises(AuthError, match="unknown crew id 'zed'"):
        creds.authenticate("zed", "5290", purpose="x")
    with pytest.raises(AuthError, match="tia has no PIN"):
        creds.authenticate("tia", "5290", purpose="x")


def test_wrong_pins_are_counted_recorded_and_lock_the_person_out(creds, production, ledger, clock):
    _first_officer(creds, production)
    creds.enroll("ann", "5290", authorized_by="sam", authorizer_pin="4817", production=production)
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthError, match=rf"\({left} tr"):
            creds.authenticate("ann", "0000", purpose="handoff colt-1")
    with pytest.raises(AuthError, match="locked out after 5 wrong PINs until 07:05 MST"):
        creds.authenticate("ann", "0000", purpose="handoff colt-1")
    with pytest.raises(AuthError, match="locked out"):
        creds.authenticate("ann", "5290", purpose="handoff colt-1")  # even the right PIN, while locked
    failures = [e for e in ledger.entries() if e.kind == "auth_failed"]
    assert [e.payload["attempts"] for e in failures] == [1, 2, 3, 4, 5]
    assert failures[-1].payload["locked_until"] == "2026-03-02T14:05:00.000000Z"
    assert all(e.payload["purpose"] == "handoff colt-1" and e.who == "ann" for e in failures)
    clock.now += timedelta(minutes=5, seconds=1)
    creds.authenticate("ann", "5290", purpose="handoff colt-1")


def test_success_resets_the_count(creds, production):
    _first_officer(creds, production)
    for _ in range(4):
        with pytest.raises(AuthError):
            creds.authenticate("sam", "0000", purpose="x")
    creds.authenticate("sam", "4817", purpose="x")
    with pytest.raises(AuthError, match=r"\(4 tries left"):
        creds.authenticate("sam", "0000", purpose="x")


def test_auth_failures_in_a_drill_stay_in_its_scope(creds, production, ledger):
    _first_officer(creds, production)
    with pytest.raises(AuthError):
        creds.authenticate("sam", "0000", purpose="x", scope="drill-7")
    assert [e.kind for e in ledger.entries(scope="drill-7")] == ["auth_failed"]


def test_demo_pins_are_enrolled_for_samples_only(ledger):
    sample = _production(sample=True)
    creds = Credentials(ledger, production=sample)
    creds.enroll_demo(sample)
    assert creds.enrolled() == {"ann", "bob"}
    creds.authenticate("bob", "2222", purpose="handoff")
    creds.enroll_demo(sample)  # nothing new the second time
    assert sum(1 for e in ledger.entries() if e.kind == "crew_enrolled") == 2
    with pytest.raises(Exception, match="sample productions only"):
        Credentials(ledger).enroll_demo(_production(sample=False))


def test_pins_and_hashes_never_reach_entries_or_exports(creds, production, ledger, tmp_path):
    _first_officer(creds, production)
    # Eight digits: a shorter PIN can turn up by chance inside a random hex id or a hash (a flaky test).
    creds.enroll("ann", "86420135", authorized_by="sam", authorizer_pin="4817", production=production)
    with pytest.raises(AuthError):
        creds.authenticate("ann", "97531864", purpose="x")
    hashes = [row[0] for row in ledger._conn.execute("SELECT pin_hash FROM credentials")]
    out = tmp_path / "e.jsonl"
    write_jsonl(ledger, out)
    text = out.read_text()
    bodies = b"".join(e.body for e in ledger.entries(scope=None))
    for secret in ["86420135", "97531864", '"4817"', "$argon2", *hashes]:
        assert secret not in text and secret.encode() not in bodies


def test_a_read_only_ledger_still_checks_pins_but_records_nothing(creds, production, ledger):
    _first_officer(creds, production)
    path = ledger.path
    ledger.close()
    with Ledger.open(path, readonly=True) as reader:
        readonly_creds = Credentials(reader, production=production)
        readonly_creds.authenticate("sam", "4817", purpose="look")
        with pytest.raises(AuthError, match=r"wrong PIN for Sam Ortiz \(sam\)"):
            readonly_creds.authenticate("sam", "0000", purpose="look")
        assert [e.kind for e in reader.entries()] == ["ledger_opened", "crew_enrolled"]
