"""A realistic, fixed ledger for the export tests and golden files.

Two shooting days of the small ``production.toml`` beside this file, appended
entry by entry through ``Ledger.append`` with the payload models, under a
fixed clock, a fixed Ed25519 key and a fixed ledger id, so every byte of every
export is the same on every run. Day 1 has passed checks, a round-by-round
dummy check, handoffs, a failed hold and its override (a reason holding a
comma, quotes and a newline), a handoff refused to the 1st AD, rounds that do
not reconcile and the stop they cause and its clearance, a correction, and a
misfire that stops the production (left open), sealed as evidence and handed
to an investigator. Day 2 opens under that open stop. Day 3 is in the
production but never opened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from unittest import mock

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from armory.ledger import entries as E
from armory.ledger.store import Ledger

HERE = Path(__file__).resolve().parent
PRODUCTION = HERE / "production.toml"
LEDGER_ID = "d2c4ee5e00c0ffee"
KEY_SEED = bytes(range(32))

PACK_TEXT = '''[pack]
id = "core-safety"
title = "Core safety (golden test copy)"
version = "1.0.0"
based_on = "DOMAIN.md"

[[source]]
id = "domain"
title = "DOMAIN.md"

[[rule]]
id = "rounds.chamber-count"
title = "Chambers inspected"
phase = "before_handoff"
severity = "stop"
ask = "How many chambers did you look into?"
answer = "count"
expect = { equals_fact = "weapon.capacity" }
why = "On Rust nobody looked into every chamber."
sources = ["domain"]
failures = ["F2", "F3"]
'''
PACK_HASH = hashlib.sha256(PACK_TEXT.encode()).hexdigest()
PRODUCTION_HASH = hashlib.sha256(PRODUCTION.read_bytes()).hexdigest()

OVERRIDE_REASON = 'Camera moved back to 25 ft, "locked off";\nactor re-briefed by the armorer'


class FixedClock:
    """Returns the time last set with :meth:`at`, then 20 seconds later on each further call."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.timezone.utc)

    def at(self, hhmm: str, day: int = 2) -> None:
        hours, minutes = (int(part) for part in hhmm.split(":"))
        # America/Denver is UTC-7 in early March.
        self.now = dt.datetime(2026, 3, day, hours, minutes, tzinfo=dt.timezone.utc) + dt.timedelta(hours=7)

    def __call__(self) -> dt.datetime:
        moment = self.now
        self.now += dt.timedelta(seconds=20)
        return moment


def write_key(path: Path) -> Path:
    """The fixed key, stored as armory stores every key (encrypted under the device secret)."""
    from armory.ledger import signing

    signing.write_key(path, Ed25519PrivateKey.from_private_bytes(KEY_SEED), replace=True)
    return path


def open_fixed(path: Path, clock: FixedClock | None = None) -> Ledger:
    """Open (creating when missing) a ledger at ``path`` with the fixed key and ledger id."""
    key_path = path.with_name(path.name + ".key")
    if not key_path.exists():
        write_key(key_path)
    with mock.patch("armory.ledger.store.secrets.token_hex", return_value=LEDGER_ID):
        return Ledger.open(path, production_title="Dry Creek", clock=clock or FixedClock(), key_path=key_path)


def build(path: Path, *, days: int = 2) -> Path:
    """Write the fixed ledger at ``path`` (which must not exist) and return ``path``."""
    clock = FixedClock()
    clock.at("06:30")
    ledger = open_fixed(path, clock)
    try:
        _day_one(ledger, clock)
        if days >= 2:
            _day_two(ledger, clock)
    finally:
        ledger.close()
    return path


def _answer(ledger, who, *, scene, setup, weapon, phase, rule_id, question, kind, expected, observed, verdict,
            severity="stop", failures=("F2",), sensed=False, signed_by=None):
    return ledger.append("answer", who, E.Answer(
        day="day-1", scene=scene, setup=setup, weapon=weapon, phase=phase, rule_id=rule_id,
        pack_id="core-safety", pack_hash=PACK_HASH, question=question, answer_kind=kind, expected=expected,
        observed=list(observed), verdict=verdict, severity=severity, sensed=sensed, failures=list(failures),
        signed_by=list(signed_by if signed_by is not None else ([] if sensed else [who])),
    ))


def _day_one(ledger: Ledger, clock: FixedClock) -> None:
    pack = E.PackInForce(id="core-safety", version="1.0.0", hash=PACK_HASH, text=PACK_TEXT)
    ledger.append("crew_enrolled", "okafor", E.CrewEnrolled(crew_id="okafor", changed=False, authorized_by="okafor"))
    clock.at("06:45")
    ledger.append("day_opened", "reyes", E.DayOpened(day="day-1", production_hash=PRODUCTION_HASH,
                                                     packs=[pack], signed_by=["reyes"],
                                                     production_text=PRODUCTION.read_text(encoding="utf-8")))
    clock.at("07:05")
    _answer(ledger, None, scene=None, setup=None, weapon=None, phase="day_start", rule_id="incidents.reviewed",
            question="Incidents not reviewed before this firearms day", kind="count", expected="equals 0",
            observed=["0"], verdict="pass", severity="hold", failures=["F5"], sensed=True)
    # Scene 12: the revolver with dummies.
    clock.at("07:40")
    first = _answer(ledger, "reyes", scene="12", setup="12a", weapon="colt-1", phase="before_handoff",
                    rule_id="rounds.chamber-count", question="How many chambers did you look into?", kind="count",
                    expected="equals weapon.capacity (6)", observed=["5"], verdict="fail", failures=["F2", "F3"])
    ledger.append("correction", "reyes", E.Correction(
        corrects_seq=first.seq, observed=["6"], verdict="pass",
        reason="Typed 5, counted 6: all six chambers seen, witnessed by Okafor", signed_by=["reyes", "okafor"]))
    ledger.append("stop", None, E.Stop(
        scope="weapon", weapons=["colt-1"], cause="rounds.chamber-count", failures=["F2", "F3"],
        reason="Chambers inspected (5) differ from the capacity (6)", caused_by="reyes", from_seq=first.seq,
        day="day-1"))
    stop_seq = first.seq + 2
    clock.at("07:52")
    ledger.append("clearance", "okafor", E.Clearance(
        stop_seq=stop_seq, reason="Re-inspected with the armorer: six chambers, six dummies, all rattle",
        signed_by=["okafor"]))
    clock.at("07:55")
    _answer(ledger, "reyes", scene="12", setup="12a", weapon="colt-1", phase="before_handoff",
            rule_id="rounds.chamber-count", question="How many chambers did you look into?", kind="count",
            expected="equals weapon.capacity (6)", observed=["6"], verdict="pass", failures=["F2", "F3"])
    for round_no in range(1, 7):
        ledger.append("round_verified", "reyes", E.RoundVerified(
            day="day-1", scene="12", setup="12a", weapon="colt-1", lot="dummy-45", round_no=round_no,
            method="rattle", verdict="pass"))
    clock.at("08:10")
    ledger.append("refusal", "halls", E.Refusal(
        action="handoff", actor="halls", weapon="colt-1", day="day-1",
        reason="Only the armorer or an assistant armorer hands a firearm to an actor; Sam Halls is the 1st AD",
        cause="invariant.armorer-handoff", failures=["F3", "S2"]))
    clock.at("08:12")
    ledger.append("handoff", "reyes", E.Handoff(
        day="day-1", scene="12", setup="12a", weapon="colt-1", giver="reyes", receiver="marlow", load="dummies",
        rounds=6, witnesses=["okafor"], signed_by=["reyes", "marlow"]))
    clock.at("09:30")
    ledger.append("return", "reyes", E.Return(
        day="day-1", scene="12", setup="12a", weapon="colt-1", giver="marlow", receiver="reyes", rounds_out=6,
        rounds_fired=0, rounds_returned=6, reconciled=True, signed_by=["reyes", "marlow"]))
    # Scene 14: the rifle with blanks.
    clock.at("10:40")
    hold = _answer(ledger, "reyes", scene="14", setup="14b", weapon="winchester-1", phase="before_handoff",
                   rule_id="blanks.muzzle-distance", question="Feet from the muzzle to the nearest person",
                   kind="measurement", expected="at least settings.min_blank_distance_feet (20 feet)",
                   observed=["12 feet"], verdict="fail", severity="hold", failures=["F7", "F10"])
    clock.at("10:48")
    ledger.append("override", "okafor", E.Override(
        answer_seq=hold.seq, rule_id="blanks.muzzle-distance", weapon="winchester-1", reason=OVERRIDE_REASON,
        signed_by=["okafor", "souza"]))
    clock.at("10:55")
    ledger.append("handoff", "reyes", E.Handoff(
        day="day-1", scene="14", setup="14b", weapon="winchester-1", giver="reyes", receiver="marlow",
        load="blanks", rounds=4, witnesses=["okafor", "halls"], signed_by=["reyes", "marlow"]))
    clock.at("11:10")
    ledger.append("rounds_fired", "reyes", E.RoundsFired(day="day-1", weapon="winchester-1", rounds=3, scene="14",
                                                          setup="14b"))
    clock.at("11:20")
    ret = ledger.append("return", "reyes", E.Return(
        day="day-1", scene="14", setup="14b", weapon="winchester-1", giver="marlow", receiver="reyes",
        rounds_out=4, rounds_fired=3, rounds_returned=0, reconciled=False, signed_by=["reyes", "marlow"]))
    rstop = ledger.append("stop", None, E.Stop(
        scope="weapon", weapons=["winchester-1"], cause="invariant.round-reconciliation", failures=["F1", "F8"],
        reason="4 rounds out, 3 fired, 0 returned: 1 round unaccounted for", caused_by="marlow",
        from_seq=ret.seq, day="day-1"))
    clock.at("11:50")
    ledger.append("note", "reyes", E.Note(
        text='Missing blank found in the actor\'s holster pouch <b>not</b> in the gun & handed back; "lot blank-45"',
        day="day-1", weapon="winchester-1"))
    clock.at("12:05")
    ledger.append("clearance", "okafor", E.Clearance(
        stop_seq=rstop.seq, reason="Round recovered and inspected: a crimped blank of lot blank-45; count reconciles",
        signed_by=["okafor"]))
    # Afternoon: the revolver misfires in a rehearsal.
    clock.at("14:02")
    ledger.append("handoff", "reyes", E.Handoff(
        day="day-1", scene="12", setup="12a", weapon="colt-1", giver="reyes", receiver="marlow", load="dummies",
        rounds=6, witnesses=["okafor"], signed_by=["reyes", "marlow"]))
    clock.at("14:21")
    incident = ledger.append("incident", "reyes", E.Incident(
        incident="misfire", day="day-1", weapon="colt-1",
        description="A click and a puff of smoke from chamber 3 during the rehearsal of 12a; nobody hurt",
        reported_by="reyes"))
    ledger.append("stop", None, E.Stop(
        scope="production", weapons=["colt-1", "winchester-1"], cause="invariant.misfire", failures=["F5", "F11"],
        reason="A misfire stops every firearm of the production until a safety officer reviews it",
        caused_by=None, from_seq=incident.seq, day="day-1"))
    clock.at("14:25")
    ledger.append("return", "reyes", E.Return(
        day="day-1", scene="12", setup="12a", weapon="colt-1", giver="marlow", receiver="reyes", rounds_out=6,
        rounds_fired=0, rounds_returned=6, reconciled=True, signed_by=["reyes", "marlow"]))
    clock.at("14:40")
    ledger.append("seal", "okafor", E.Seal(item_kind="weapon", item="colt-1", seal_id="SEAL-0042",
                                           incident_seq=incident.seq, signed_by=["okafor", "reyes"]))
    ledger.append("seal", "okafor", E.Seal(item_kind="lot", item="dummy-45", seal_id="SEAL-0043",
                                           incident_seq=incident.seq, signed_by=["okafor", "reyes"]))
    clock.at("16:10")
    ledger.append("custody_transfer", "okafor", E.CustodyTransfer(
        item="colt-1", seal_id="SEAL-0042", investigator="Det. A. Morales", agency="Santa Fe County Sheriff",
        receipt="SFCSO-2026-0113", signed_by=["okafor"]))
    clock.at("18:30")
    head = ledger.head()
    ledger.append("day_closed", "reyes", E.DayClosed(day="day-1", head_hash=head.hash, signed_by=["reyes"]))
    ledger.checkpoint()


def _day_two(ledger: Ledger, clock: FixedClock) -> None:
    pack = E.PackInForce(id="core-safety", version="1.0.0", hash=PACK_HASH, text=PACK_TEXT)
    clock.at("06:50", day=3)
    ledger.append("auth_failed", "halls", E.AuthFailed(crew_id="halls", purpose="open the day", attempts=1))
    clock.at("06:55", day=3)
    ledger.append("day_opened", "reyes", E.DayOpened(day="day-2", production_hash=PRODUCTION_HASH, packs=[pack],
                                                     signed_by=["reyes"],
                                                     production_text=PRODUCTION.read_text(encoding="utf-8")))
    clock.at("07:10", day=3)
    ledger.append("note", "reyes", E.Note(text="No firearm leaves the armory: the misfire stop is still open",
                                          day="day-2"))
