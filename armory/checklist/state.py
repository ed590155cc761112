"""Engine state as a pure fold over ledger entries.

Nothing here writes anything or reads a clock: :meth:`State.apply` takes one
entry and updates the picture of the production it implies (who holds each
weapon, which checks are answered, which stops and holds are open, how many
rounds are out). A restart replays the ledger through the same function, so
the TUI, the drills and the exports all see the same truth.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from armory.checklist.clock import clock_time
from armory.checklist.folded import AnswerState, HoldState, IncidentState, RoundState, StopState, WeaponState
from armory.checklist.state_changes import DayChangesFold, setup_key

__all__ = ["AnswerState", "EntryLike", "HoldState", "IncidentState", "RoundState", "State", "StopState",
           "WeaponState", "check_key", "clock_time", "setup_key"]

#: Incidents that stop every firearm of the production.
STOPPING_INCIDENTS = frozenset({"misfire", "unintended_discharge", "live_round", "injury"})


class EntryLike(Protocol):
    seq: int
    time: str
    kind: str
    who: str | None
    payload: dict[str, Any]


def _shared(value):
    """One copy of a repeated word for the whole fold (``sys.intern``); anything but text as it is."""
    return sys.intern(value) if type(value) is str else value


def _pack_names(packs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": _shared(p["id"]), "version": _shared(p["version"]), "hash": _shared(p["hash"])} for p in packs]


def check_key(day: str, scene: str | None, setup: str | None, weapon: str | None, phase: str, rule_id: str) -> str:
    return "/".join([day, scene or "-", setup or "-", weapon or "-", phase, rule_id])


@dataclass
class State(DayChangesFold):
    """Everything the engine knows, rebuilt from entries."""

    weapons: dict[str, WeaponState] = field(default_factory=dict)
    answers: dict[str, AnswerState] = field(default_factory=dict)
    answers_by_seq: dict[int, str] = field(default_factory=dict)
    rounds: dict[str, dict[int, RoundState]] = field(default_factory=dict)
    stops: dict[int, StopState] = field(default_factory=dict)
    cleared: dict[int, int] = field(default_factory=dict)
    incidents: dict[int, IncidentState] = field(default_factory=dict)
    days_opened: dict[str, int] = field(default_factory=dict)
    days_closed: dict[str, int] = field(default_factory=dict)
    packs_in_force: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Day -> the id, version and hash of each pack in force (their text is in the ledger, once a day)."""
    production_texts: set[str] = field(default_factory=set)
    """Hashes of the production files whose full text a day_opened entry has recorded."""
    refusals: list[int] = field(default_factory=list)
    unreconciled: dict[int, int] = field(default_factory=dict)
    """Stop seq -> rounds a return did not account for."""
    sealed_lots: dict[str, str] = field(default_factory=dict)
    """Lot id -> seal id: ammunition frozen as evidence, never loaded again."""
    seals: dict[str, str] = field(default_factory=dict)
    """Item id (weapon, lot or other) -> the seal id it was last sealed under."""
    transferred: dict[str, str] = field(default_factory=dict)
    """Item id -> the investigator it was handed to (weapons, lots and anything else sealed)."""
    last_setup: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    """Day -> (kind, scene, setup, weapon) of its latest answer or round verified about a weapon."""
    seal_numbers: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    """A seal number as compared (stripped, casefolded) -> (seal id as written, item, seal entry seq), in order."""
    holds: dict[int, HoldState] = field(default_factory=dict)
    """Failing answer seq -> the hold it opened, until an override names that answer."""
    _last_return: tuple[int, int] | None = None
    impossible_firings: dict[int, int] = field(default_factory=dict)
    """Unintended-discharge incident seq -> rounds reported fired from a load that cannot fire (dummies,
    cold). The counts add up, but nobody can vouch for those rounds while the incident's stop is open."""
    _last_firing: tuple[int, int] | None = None
    spares: dict[str, tuple[str, str | None, int]] = field(default_factory=dict)
    spare_since: dict[str, int] = field(default_factory=dict)
    checks_signed: dict[tuple[str, str], int] = field(default_factory=dict)
    days_to_sign: set[str] = field(default_factory=set)
    """Days opened asking for the armorer's signature over their day-start checks before any handoff to an
    actor (days opened by an earlier armory are not among them)."""
    current_day: str | None = None
    _open_stops: dict[int, StopState] = field(default_factory=dict, repr=False)
    """Stops not yet cleared, by seq (kept as they open and close: a season has hundreds of stops)."""
    _unreviewed: dict[int, IncidentState] = field(default_factory=dict, repr=False)
    last_seq: int = 0
    last_time: str | None = None

    @classmethod
    def from_entries(cls, weapon_ids: Iterable[str], entries: Iterable[EntryLike]) -> State:
        state = cls(weapons={w: WeaponState(w) for w in weapon_ids})
        for entry in entries:
            state.apply(entry)
        return state

    # -- queries ----------------------------------------------------------
    @property
    def open_stops(self) -> list[StopState]:
        return list(self._open_stops.values())

    def stops_on(self, weapon: str) -> list[StopState]:
        # A production-wide stop lists every firearm it stops; a non-firing prop is not among them.
        return [s for s in self.open_stops if weapon in s.weapons]

    @property
    def open_holds(self) -> list[HoldState]:
        return [self.holds[seq] for seq in sorted(self.holds)]

    def holds_on(self, key: str) -> list[HoldState]:
        """Open holds on one check, oldest first: whatever was answered since, each stays until overridden."""
        return [h for h in self.open_holds if h.key == key]

    @property
    def unreviewed_incidents(self) -> list[IncidentState]:
        return list(self._unreviewed.values())

    def rounds_for(self, day: str, scene: str | None, setup: str | None, weapon: str) -> dict[int, RoundState]:
        """Rounds verified for this setup since the weapon last came back (a load verified before it went
        out and came back says nothing about what is in it now)."""
        rounds = self.rounds.get(setup_key(day, scene, setup, weapon), {})
        returned = self.fresh_since(day, scene, setup, weapon)
        if returned is None:
            return rounds
        return {n: r for n, r in rounds.items() if r.seq > returned}

    def answer_for(self, key: str) -> AnswerState | None:
        return self.answers.get(key)

    def outstanding_rounds(self) -> int:
        """Rounds in weapons that are out and not yet fired."""
        return sum(max(w.rounds_out - w.rounds_fired, 0) for w in self.weapons.values() if w.holder is not None)

    def impossible_rounds(self) -> int:
        """Rounds reported fired from dummies or a cold weapon whose unintended-discharge stop is still open."""
        return sum(self.impossible_firings.get(s.from_seq, 0) for s in self.open_stops if s.from_seq is not None
                   and s.cause == "invariant.discharge")

    def unreconciled_rounds(self) -> int:
        """Rounds missing from returns whose reconciliation stop is still open."""
        open_causes = {s.seq for s in self.open_stops if s.cause == "invariant.round-reconciliation"}
        return sum(abs(diff) for stop_seq, diff in self.unreconciled.items() if stop_seq in open_causes)

    # -- the fold ---------------------------------------------------------
    def apply(self, entry: EntryLike) -> None:
        handler = _HANDLERS.get(entry.kind)
        if handler is not None:
            handler(self, entry, entry.payload)
        self.last_seq = entry.seq
        self.last_time = entry.time

    def _weapon(self, weapon_id: str) -> WeaponState:
        return self.weapons.setdefault(weapon_id, WeaponState(weapon_id))

    def _on_day_opened(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.days_opened.setdefault(p["day"], entry.seq)
        self.packs_in_force[p["day"]] = _pack_names(p["packs"])
        self.current_day = p["day"]
        if p.get("signed_before_handoff"):
            self.days_to_sign.add(p["day"])
        if isinstance(p.get("production_text"), str):
            self.production_texts.add(p["production_hash"])

    def _on_packs_changed(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.packs_in_force[p["day"]] = _pack_names(p["packs"])

    def _on_day_closed(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.days_closed[p["day"]] = entry.seq
        if self.current_day == p["day"]:
            self.current_day = None

    def _on_answer(self, entry: EntryLike, p: dict[str, Any]) -> None:
        key = check_key(p["day"], p.get("scene"), p.get("setup"), p.get("weapon"), p["phase"], p["rule_id"])
        # A season folds tens of thousands of answers: the words they repeat (rule ids, verdicts, counts, who)
        # are kept once each, not once per answer.
        self.answers[key] = AnswerState(
            seq=entry.seq,
            time=clock_time(entry),
            rule_id=_shared(p["rule_id"]),
            severity=_shared(p["severity"]),
            verdict=_shared(p["verdict"]),
            observed=[_shared(value) for value in p["observed"]],
            expected=_shared(p["expected"]),
            sensed=bool(p.get("sensed")),
            by=_shared(entry.who),
        )
        self.answers_by_seq[entry.seq] = key
        if p.get("weapon") and p.get("scene"):
            self.last_setup[p["day"]] = ("answer", p["scene"], p["setup"], p["weapon"])
        if p["verdict"] == "fail" and p["severity"] == "hold":
            self._open_hold(entry.seq, key, self.answers[key])

    def _open_hold(self, seq: int, key: str, ans: AnswerState) -> None:
        day, _scene, _setup, weapon, _phase, _rule = key.split("/", 5)
        self.holds[seq] = HoldState(seq, ans.rule_id, None if weapon == "-" else weapon, day, ans.time, key=key,
                                    observed=list(ans.observed), by=ans.by, sensed=ans.sensed)

    def _on_correction(self, entry: EntryLike, p: dict[str, Any]) -> None:
        key = self.answers_by_seq.get(p["corrects_seq"])
        if key is None:
            return
        ans = self.answers[key]
        if ans.seq != p["corrects_seq"]:
            return  # a newer answer superseded the corrected one
        # A correction changes what was observed. It never turns a failed stop
        # or hold into a pass: those stay until cleared or overridden.
        still_failed = ans.verdict == "fail" and ans.severity in ("stop", "hold")
        ans.observed = [_shared(value) for value in p["observed"]]
        ans.corrected_by = entry.seq
        if not still_failed:
            ans.verdict = p["verdict"]
            if ans.verdict == "fail" and ans.severity == "hold" and ans.overridden_by is None:
                # A mistyped pass that really failed: the hold opens on the answer it corrects.
                self._open_hold(ans.seq, key, ans)
        self.answers_by_seq[entry.seq] = key

    def _on_override(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.holds.pop(p["answer_seq"], None)
        key = self.answers_by_seq.get(p["answer_seq"])
        if key is not None and self.answers[key].seq == p["answer_seq"]:
            self.answers[key].overridden_by = entry.seq

    def _on_round_verified(self, entry: EntryLike, p: dict[str, Any]) -> None:
        key = setup_key(p["day"], p["scene"], p["setup"], p["weapon"])
        self.rounds.setdefault(key, {})[p["round_no"]] = RoundState(
            p["round_no"], _shared(p["method"]), _shared(p["verdict"]), entry.seq, clock_time(entry)
        )
        if p.get("lot"):
            self._weapon(p["weapon"]).last_lot = p["lot"]
        if p.get("weapon") and p.get("scene"):
            self.last_setup[p["day"]] = ("round_verified", p["scene"], p["setup"], p["weapon"])

    def _on_stop(self, entry: EntryLike, p: dict[str, Any]) -> None:
        if self._last_return and p.get("from_seq") == self._last_return[0]:
            self.unreconciled[entry.seq] = self._last_return[1]
        self.stops[entry.seq] = self._open_stops[entry.seq] = StopState(
            seq=entry.seq,
            time=entry.time,
            scope=p["scope"],
            weapons=list(p["weapons"]),
            cause=p["cause"],
            reason=p["reason"],
            failures=list(p["failures"]),
            caused_by=p.get("caused_by"),
            day=p.get("day"),
            from_seq=p.get("from_seq"),
        )

    def _on_clearance(self, entry: EntryLike, p: dict[str, Any]) -> None:
        if p["stop_seq"] in self.stops:
            self.cleared[p["stop_seq"]] = entry.seq
            self._open_stops.pop(p["stop_seq"], None)

    def _on_handoff(self, entry: EntryLike, p: dict[str, Any]) -> None:
        w = self._weapon(p["weapon"])
        w.holder = p["receiver"]
        w.rounds_out = p["rounds"]
        w.rounds_fired = 0
        w.handoff_seq = entry.seq
        w.out_for = (p["day"], p.get("scene"), p.get("setup"))

    def _on_return(self, entry: EntryLike, p: dict[str, Any]) -> None:
        w = self._weapon(p["weapon"])
        if not p["reconciled"]:
            self._last_return = (entry.seq, p["rounds_out"] - p["rounds_returned"] - p["rounds_fired"])
        if p["rounds_fired"] > w.rounds_fired:  # rounds reported fired at the return itself
            self._last_firing = (entry.seq, p["rounds_fired"] - w.rounds_fired)
            w.fired_seq = entry.seq
            w.fired_for = (p["day"], p.get("scene"), p.get("setup"))
        w.holder = None
        w.rounds_out = 0
        w.rounds_fired = 0
        w.handoff_seq = None
        w.returned_seq = entry.seq

    def _on_rounds_fired(self, entry: EntryLike, p: dict[str, Any]) -> None:
        w = self._weapon(p["weapon"])
        w.rounds_fired += p["rounds"]
        self._last_firing = (entry.seq, p["rounds"])
        if p["rounds"] > 0:
            w.fired_seq = entry.seq
            w.fired_for = ((p["day"], p["scene"], p.get("setup")) if p.get("scene")
                           else w.out_for if w.out_for is not None else (p["day"], None, None))

    def _on_incident(self, entry: EntryLike, p: dict[str, Any]) -> None:
        # The engine records a firing from a load that cannot fire as an unintended discharge right after
        # the entry that reported it, naming that entry: the rounds it reported are unaccounted for.
        firing = self._last_firing
        if (firing and p["incident"] == "unintended_discharge" and self.last_seq == firing[0]
                and f"(entry {firing[0]})" in p["description"]):
            self.impossible_firings[entry.seq] = firing[1]
        if p["incident"] in ("misfire", "unintended_discharge") and p.get("weapon"):
            w = self._weapon(p["weapon"])  # a misfire is a firing sequence too: a squib may sit in the bore
            w.fired_seq = entry.seq
            w.fired_for = w.out_for if w.out_for is not None else (p.get("day") or "", None, None)
        self.incidents[entry.seq] = self._unreviewed[entry.seq] = IncidentState(
            seq=entry.seq,
            time=entry.time,
            incident=p["incident"],
            weapon=p.get("weapon"),
            day=p.get("day"),
            description=p["description"],
            reported_by=p["reported_by"],
        )

    def _on_incident_reviewed(self, entry: EntryLike, p: dict[str, Any]) -> None:
        if p["incident_seq"] in self.incidents:
            self.incidents[p["incident_seq"]].reviewed_by = entry.seq
            self._unreviewed.pop(p["incident_seq"], None)

    def _on_seal(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.seals[p["item"]] = p["seal_id"]
        self.seal_numbers.setdefault(p["seal_id"].strip().casefold(), []).append((p["seal_id"], p["item"], entry.seq))
        if p["item_kind"] == "weapon":
            self._weapon(p["item"]).sealed = p["seal_id"]
        elif p["item_kind"] == "lot":
            self.sealed_lots[p["item"]] = p["seal_id"]

    def _on_custody_transfer(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.transferred[p["item"]] = p["investigator"]
        if p["item"] in self.weapons:
            w = self.weapons[p["item"]]
            w.investigator = p["investigator"]
            w.holder = None

    def _on_refusal(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.refusals.append(entry.seq)


#: Entry kind -> fold step, looked up once rather than per entry (replay of 100k entries).
_HANDLERS = {name[4:]: fn for cls in State.__mro__[::-1] for name, fn in vars(cls).items() if name[:4] == "_on_"}
