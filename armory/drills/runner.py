"""Run a drill: play its steps through the engine in a scope of their own, then compare.

Each drill gets a fresh state even when several share one ledger file: its
entries carry a scope of their own (``drill:<name>:<run id>``) and the engine
folds only those. The clock is the drill's: it starts at the drill's start
time and moves one minute per step (plus any ``minutes`` a step waits), so a
drill gives the same result on any machine on any day.

A ledger keeps its entries' times in order across every scope (an entry whose
clock is behind the one before takes that entry's time), so a drill's times
are placed where they push nothing: a drill never writes a time later than the
real clock, and never into a ledger that holds a production's own record.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from armory.checklist import judge as judging
from armory.checklist.session import Session
from armory.checklist.types import Refused
from armory.drills.models import Drill, Step
from armory.problems import InputError


@dataclass
class StepResult:
    index: int
    step: Step
    outcome: str
    """``ok``, ``refused`` or ``error``."""
    detail: str = ""
    causes: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    """Rule ids behind a refusal: the causes of the stops that blocked it, the failed rules it names."""


@dataclass
class DrillResult:
    path: Path
    drill: Drill
    scope: str
    outcome: str
    fired: set[str]
    refused: set[str]
    steps: list[StepResult]
    diff: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.diff


class DrillClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)


def real_now() -> dt.datetime:
    """The real clock (UTC): no time a drill writes is later than it. Tests replace it."""
    return dt.datetime.now(dt.timezone.utc)


def load_drill(path: Path, rules: list[Path] | None = None) -> Drill:
    from armory.rulebook.loader import _load_path, _raise

    loaded = _load_path(path, list(rules or []), want="drill")
    if loaded.problems or loaded.value is None:
        _raise(path, "drill", loaded.problems)
    return loaded.value


def production_path(drill_path: Path, drill: Drill) -> Path:
    return (drill_path.parent / drill.drill.production).resolve()


def run_drill(path: Path, ledger_path: Path, rules: list[Path] | None = None, *, key_path: Path | None = None,
              now: Callable[[], dt.datetime] | None = None, end_by: dt.datetime | None = None) -> DrillResult:
    """Play the drill at ``path`` into ``ledger_path`` (created if missing).

    Its times are placed after the ledger's last entry and by the real clock (``now``, by default the
    system's), or by ``end_by`` when that is earlier (drills run after it in the same ledger need the room).
    """
    drill = load_drill(path, rules)
    from armory.rulebook.loader import load_context

    prod_path = production_path(path, drill)
    loaded, packs = load_context(prod_path, list(rules or []))
    production = loaded.production
    timing = _timing(path, drill, production)
    real = (now or real_now)().astimezone(dt.timezone.utc)
    bound, end_is = (end_by, "the start of the drills run after it") if end_by and end_by < real else (real, "now")
    clock = DrillClock(_place(timing, None, bound, path))  # a new ledger's first entry is the drill's too
    from armory.ledger.store import Ledger

    scope = f"drill:{path.stem}:{uuid.uuid4().hex[:8]}"
    ledger = Ledger.open(ledger_path, production_title=production.production.title, clock=clock, key_path=key_path)
    try:
        _same_production(ledger, production.production.title, path)
        _not_a_record(ledger, path)
        clock.now = _place(timing, _head_time(ledger), bound, path, head_is=f"the last entry of {ledger.path}",
                           end_is=end_is)
    except InputError:
        ledger.close()
        raise
    session = Session(loaded, packs, ledger, scope=scope, clock=clock)
    try:
        steps = [_play(session, drill, i + 1, step, clock) for i, step in enumerate(drill.step)]
        return _compare(path, drill, session, steps)
    finally:
        ledger.close()


@dataclass(frozen=True)
class _Timing:
    """When a drill says it happens: its start (local wall time, in the production's zone) and how long it runs."""

    start: dt.datetime
    tz: dt.tzinfo
    span: dt.timedelta

    def starts(self, days: int) -> dt.datetime:
        """The start ``days`` local days later (a whole local day: 07:00 stays 07:00 across a change of DST)."""
        return (self.start + dt.timedelta(days=days)).replace(tzinfo=self.tz).astimezone(dt.timezone.utc)


def _timing(path: Path, drill: Drill, production) -> _Timing:
    day = production.day_by_id(drill.drill.day)
    if day is None:
        raise InputError(f"{path}: drill.day: unknown day {drill.drill.day!r} in {production_path(path, drill).name}")
    try:
        tz = ZoneInfo(production.production.timezone)
    except Exception:  # noqa: BLE001 - a bad zone is a lint problem; UTC keeps the drill running
        tz = dt.timezone.utc
    start = drill.drill.start or dt.datetime.combine(day.date, dt.time(7, 0))
    if start.tzinfo is not None:
        start = start.astimezone(tz)
    # Every step moves the clock one minute, plus the minutes it waits: the last entry is written at the end.
    span = dt.timedelta(minutes=sum(1 + step.minutes for step in drill.step))
    return _Timing(start.replace(tzinfo=None), tz, span)


def _place(timing: _Timing, head: dt.datetime | None, end_by: dt.datetime, drill_path: Path, *,
           head_is: str = "the last entry", end_is: str = "now") -> dt.datetime:
    """Where the drill's clock starts (UTC): its own start, moved by as few whole local days as it takes to
    start no earlier than the ledger's last entry (``head``) and to end by ``end_by`` (the real clock, or the
    start a later drill of the same run needs).

    The ledger keeps its entries' times in order: an entry written behind the last one takes that entry's
    time. A drill ending after the real clock would hand its simulated time to every real entry after it
    (a production's record said 07:08 the next morning for hours, and checks were aged from it); a drill
    starting before the last entry would have its entries stamped with that one time. Whole days keep the
    drill's own intervals and its local times of day (a briefing typed as 06:30 is still 06:30 before a 07:00
    start), which are what its rules judge. ``head_is`` and ``end_is`` name the two bounds in a refusal.
    """
    latest = _latest(timing, end_by)
    if head is None:
        return timing.starts(min(0, latest))
    earliest = _earliest(timing, head)
    if earliest > latest:
        def local(moment: dt.datetime) -> str:
            return moment.astimezone(timing.tz).strftime("%Y-%m-%d %H:%M %Z")

        raise InputError(
            f"{drill_path}: the drill runs {_minutes(timing.span)} from {timing.start:%H:%M}, and no day fits it "
            f"after {head_is} ({local(head)}) and by {end_is} ({local(end_by)}). A drill never writes a time "
            "later than the real clock, because every entry after it would take that time. Run it without "
            "--ledger (a temporary ledger) or with a new --ledger file; nothing was written")
    return timing.starts(min(max(0, earliest), latest))


def _latest(timing: _Timing, end_by: dt.datetime) -> int:
    """The last whole local day the drill can be moved by and still end by ``end_by``."""
    # A local day is 24 hours give or take a change of DST: estimate in hours, then step to the exact day.
    days = math.floor((end_by - timing.span - timing.starts(0)) / dt.timedelta(days=1)) + 1
    while timing.starts(days) + timing.span > end_by:
        days -= 1
    return days


def _earliest(timing: _Timing, head: dt.datetime) -> int:
    """The first whole local day the drill can be moved by to start no earlier than ``head``."""
    days = math.ceil((head - timing.starts(0)) / dt.timedelta(days=1)) - 1
    while timing.starts(days) < head:
        days += 1
    return days


def _minutes(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _head_time(ledger) -> dt.datetime | None:
    head = ledger.head()
    return None if head is None else dt.datetime.fromisoformat(head.time.replace("Z", "+00:00"))


_BOOKKEEPING = frozenset({"ledger_opened", "checkpoint", "export_recorded", "cosignature", "credentials_sealed"})
"""Entries of the real scope that a ledger of drills has too: its first entry, those an export writes, the
studio witness's cosignatures, and the one-time sealing of a ledger made by an earlier armory."""


def _not_a_record(ledger, drill_path: Path) -> None:
    """A ledger whose real scope records a production's own events (a day opened, a PIN enrolled, a handoff)
    takes no drill, whichever production it is of: the drill's simulated entries would be mixed into the record
    producers read, and its times would stand among real ones."""
    real = next((e for e in ledger.entries(scope="") if e.kind not in _BOOKKEEPING), None)
    if real is None:
        return
    head = ledger.head()
    raise InputError(
        f"{ledger.path}: this ledger holds a production's own record (entry {real.seq} records {real.kind}, "
        f"the last is entry {head.seq if head else real.seq}); {drill_path} is a rehearsal and is never written "
        "into a record in use. Run drills without --ledger (each on a temporary ledger) or with a ledger kept "
        "for drills; nothing was written")


def _same_production(ledger, title: str, drill_path: Path) -> None:
    """A ledger is the record of one production: its first entry names it, and a drill of another is refused."""
    recorded = ledger.opened().payload.get("production_title") or ""
    if recorded and recorded != title:
        raise InputError(
            f"{ledger.path}: this ledger is the record of {recorded!r}; {drill_path} is a drill of {title!r}. "
            "Keep one ledger per production (run each production's drills with its own --ledger); nothing was "
            "written")


def check_shared_ledger(drill_paths: list[Path], ledger_path: Path, rules: list[Path] | None = None, *,
                        now: Callable[[], dt.datetime] | None = None) -> list[dt.datetime | None]:
    """Before any drill runs: every drill sharing one kept ledger is of one production, the ledger's own; the
    ledger holds no production's own record; and the drills, in turn, fit after its last entry and by now.

    Returns, for each drill, the time it must end by (``end_by`` of :func:`run_drill`) so that the drills
    after it still fit before the real clock; None for a drill that is left to be reported when it is run.
    """
    from armory.ledger.store import Ledger
    from armory.rulebook.loader import load_context

    titles: dict[str, Path] = {}
    timings: list[_Timing | None] = []
    for path in drill_paths:
        drill = load_drill(path, rules)
        loaded, _packs = load_context(production_path(path, drill), list(rules or []))
        titles.setdefault(loaded.production.production.title, path)
        try:
            timings.append(_timing(path, drill, loaded.production))
        except InputError:
            timings.append(None)  # an unknown day: that drill is reported when it is run, and the others run
    if len(titles) > 1:
        names = "; ".join(f"{p} is a drill of {t!r}" for t, p in titles.items())
        raise InputError(f"{ledger_path}: one ledger is the record of one production, and these drills are of "
                         f"{len(titles)}: {names}. Run each production's drills with its own --ledger")
    head = None
    if Path(ledger_path).exists():
        ledger = Ledger.open(Path(ledger_path), create=False, readonly=True)
        try:
            [(title, path)] = titles.items()
            _same_production(ledger, title, path)
            _not_a_record(ledger, path)
            head = _head_time(ledger)
        finally:
            ledger.close()
    # Backwards from the real clock: the latest each drill may end so that every drill after it still fits.
    real = (now or real_now)().astimezone(dt.timezone.utc)
    bounds: list[tuple[dt.datetime, str] | None] = [None] * len(timings)
    end_by, end_is = real, "now"
    for n in reversed(range(len(timings))):
        timing = timings[n]
        if timing is not None:
            bounds[n] = (end_by, end_is)
            end_by, end_is = timing.starts(_latest(timing, end_by)), f"the start of {drill_paths[n].name}, run after it"
    # Forwards from the ledger's last entry, as the run will place them.
    head_is = f"the last entry of {ledger_path}"
    for path, timing, bound in zip(drill_paths, timings, bounds):
        if timing is not None and bound is not None:
            head = _place(timing, head, bound[0], path, head_is=head_is, end_is=bound[1]) + timing.span
            head_is = f"the end of {path.name}, run before it"
    return [bound[0] if bound else None for bound in bounds]


def _play(session: Session, drill: Drill, index: int, step: Step, clock: DrillClock) -> StepResult:
    clock.advance(1 + step.minutes)
    try:
        detail = _do(session, drill, step) or ""
        return StepResult(index, step, "ok", detail)
    except Refused as refusal:
        unsigned = any(r.cause == "invariant.day-start-signed" for r in refusal.reasons)
        return StepResult(index, step, "refused", "; ".join(r.message for r in refusal.reasons)
                          + (" (in a drill: a `sign_checks` step by the armorer, after the day-start checks)"
                             if unsigned else ""),
                          tuple(r.cause for r in refusal.reasons),
                          tuple(dict.fromkeys(rel for r in refusal.reasons for rel in r.related)))
    except InputError as err:
        return StepResult(index, step, "error", err.message)


def _do(session: Session, drill: Drill, step: Step) -> str | None:
    day = step.day or drill.drill.day
    by = step.by or ""
    action = step.action
    if action == "wait":
        return None
    if action == "open_day":
        session.open_day(day, armorer=by)
        return None
    if action == "close_day":
        session.close_day(day, by=by)
        return None
    if action == "check":
        return _check(session, day, step)
    if action == "sign_checks":
        session.sign_checks(day, by=by, phase=step.phase or "day_start")
        return None
    if action == "verify_rounds":
        issue = session.issue_of(day, step.scene, step.setup, step.weapon)
        methods = step.methods or [step.method or ("rattle" if issue.load == "dummies" else "crimped_blank")] * issue.rounds
        stops = []
        for n, method in enumerate(methods, start=1):
            verdict = session.verify_round(day=day, scene=step.scene, setup=step.setup, weapon=step.weapon,
                                           round_no=n, method=method, by=by)
            if verdict.stop_seq:
                stops.append(verdict.message)
        return "; ".join(stops)
    if action == "hand_over":
        issue = session.issue_of(day, step.scene, step.setup, step.weapon)
        giver = step.giver or by
        receiver = step.receiver or issue.actor or ""
        session.hand_over(day=day, scene=step.scene, setup=step.setup, weapon=step.weapon, giver=giver,
                          receiver=receiver, witnesses=step.witnesses, signed_by=[giver, receiver])
        return None
    if action == "take_back":
        current = session.state.weapons[session.weapon(step.weapon).id]
        giver = step.giver or current.holder or ""
        receiver = step.receiver or by
        fired = current.rounds_fired + step.rounds_fired
        returned = step.rounds_returned if step.rounds_returned is not None else max(current.rounds_out - fired, 0)
        session.take_back(day=day, weapon=step.weapon, giver=giver, receiver=receiver,
                          rounds_fired=step.rounds_fired, rounds_returned=returned, signed_by=[giver, receiver])
        return None
    if action == "fire":
        session.record_fired(day=day, weapon=step.weapon, rounds=step.rounds or 0, by=by, scene=step.scene,
                             setup=step.setup)
        return None
    if action == "incident":
        session.record_incident(incident=step.incident, day=day, weapon=step.weapon,
                                description=step.description or step.note or step.incident, reported_by=by)
        return None
    if action == "review_incident":
        unreviewed = session.state.unreviewed_incidents
        if not unreviewed:
            raise InputError("there is no unreviewed incident to review")
        for incident in unreviewed:
            session.review_incident(incident.seq, findings=step.description or step.reason or "reviewed",
                                    signed_by=[by])
        return None
    if action == "clear":
        stops = session.state.open_stops
        if step.stop != "last":
            stops = [s for s in stops if s.cause == step.stop]
        if not stops:
            raise InputError(f"no open stop matches {step.stop!r}")
        for stop in reversed(stops):
            session.clear_stop(stop.seq, reason=step.reason or "cleared in drill", officer=by)
        return None
    if action == "override":
        # The hold the rule opened (it stays open whatever was answered since), else its latest answer.
        holds = [h.answer_seq for h in session.state.open_holds if h.rule_id == step.rule]
        seq = max(holds) if holds else _latest_answer(session, step.rule)
        session.override(seq, reason=step.reason or "overridden in drill", signed_by=[by])
        return None
    if action == "correct":
        seq = _latest_answer(session, step.rule)
        answer = step.answer if isinstance(step.answer, list) else [step.answer]
        session.correct(seq, answer, reason=step.reason or "corrected in drill", by=by)
        return None
    if action == "seal":
        session.seal(item_kind=step.item_kind, item=step.item, seal_id=step.seal_id, signed_by=[by])
        return None
    if action == "transfer":
        session.transfer_custody(item=step.item, seal_id=step.seal_id, investigator=step.investigator,
                                 agency=step.agency, receipt=step.receipt or "receipt", signed_by=[by])
        return None
    raise InputError(f"unknown action {action!r}")  # the model's Literal makes this unreachable


def _latest_answer(session: Session, rule_id: str) -> int:
    seqs = [a.seq for a in session.state.answers.values() if a.rule_id == rule_id]
    if not seqs:
        raise InputError(f"{rule_id} has not been answered in this drill")
    return max(seqs)


def _check(session: Session, day: str, step: Step) -> str:
    scene, setup, weapon = step.scene, step.setup, step.weapon
    session.sense(day=day, phase=step.phase, scene=scene, setup=setup, weapon=weapon)
    items = session.checklist(day=day, phase=step.phase, scene=scene, setup=setup, weapon=weapon)
    known = {i.rule.id for i in items}
    unknown = sorted(set(step.answers) - known)
    if unknown:
        raise InputError(f"{', '.join(unknown)} not in the {step.phase} checklist of this setup "
                         f"(it has: {', '.join(sorted(known)) or 'nothing'})")
    messages = []
    for item in items:
        if item.sensed:
            continue
        if item.rule.id in step.answers:
            given = step.answers[item.rule.id]
            values = given if isinstance(given, list) else [given] * max(item.per_round, 1)
        elif (step.pass_others and (item.status in ("pending", "failed") or step.recheck)
              and session.roles(step.by or "", day) & set(item.asked_of)):
            facts = session.facts(item.day, item.scene, item.setup, item.weapon)
            passing = judging.passing_answer(item.rule, facts, session.local_now())
            if passing is None:
                raise InputError(f"no passing answer is known for {item.rule.id}; give it in `answers`")
            values = [passing] * max(item.per_round, 1)
        else:
            continue
        verdict = session.answer(item, values, by=step.by or "")
        if not verdict.passed:
            messages.append(verdict.message)
    return "; ".join(messages)


def _compare(path: Path, drill: Drill, session: Session, steps: list[StepResult]) -> DrillResult:
    state = session.state
    fired: set[str] = set()
    refused: set[str] = set()
    for entry in session.ledger.entries(scope=session.scope):
        p = entry.payload
        if entry.kind == "answer" and p["verdict"] == "fail":
            fired.add(p["rule_id"])
        elif entry.kind == "correction" and p["verdict"] == "fail":
            seq_key = state.answers_by_seq.get(entry.seq)
            if seq_key:
                fired.add(seq_key.rsplit("/", 1)[-1])
        elif entry.kind == "stop":
            fired.add(p["cause"])
        elif entry.kind == "refusal":
            fired.add(p["cause"])
            refused.add(p["cause"])
    for result in steps:
        if result.outcome == "refused":
            refused.update(result.causes)
            refused.update(result.related)  # a handoff a rule's stop blocked was refused by that rule too
            fired.update(result.causes)
    if state.open_stops:
        outcome = "stop"
    elif state.open_holds:
        outcome = "hold"
    else:
        outcome = "clear"
    expect = drill.expect
    diff = []
    if outcome != expect.outcome:
        diff.append(f"outcome: expected {expect.outcome}, got {outcome}")
    for rule_id in expect.fired:
        if rule_id not in fired:
            diff.append(f"fired: expected {rule_id} to fire; it did not")
    for rule_id in expect.not_fired:
        if rule_id in fired:
            diff.append(f"not_fired: {rule_id} fired")
    for cause in expect.refused:
        if cause not in refused:
            diff.append(f"refused: expected a step refused by {cause}; none was")
    for entry in session.ledger.entries(scope=session.scope):
        if entry.kind == "handoff" and entry.payload["receiver"] in expect.never_held_by:
            diff.append(f"never_held_by: {entry.payload['weapon']} was handed to {entry.payload['receiver']} "
                        f"(entry {entry.seq})")
    for result in steps:
        step = result.step
        label = f"step {result.index} ({step.action}{' ' + step.note if step.note else ''})"
        if result.outcome == "error":
            diff.append(f"{label}: could not be played: {result.detail}")
        elif step.expect == "ok" and result.outcome == "refused":
            diff.append(f"{label}: expected ok, got refused: {result.detail}")
        elif step.expect == "refused" and result.outcome == "ok":
            diff.append(f"{label}: expected refused{' by ' + step.refused_by if step.refused_by else ''}, got ok")
        elif (step.expect == "refused" and step.refused_by
              and step.refused_by not in result.causes and step.refused_by not in result.related):
            behind = f" (behind it: {', '.join(result.related)})" if result.related else ""
            diff.append(f"{label}: expected refused by {step.refused_by}, got refused by {', '.join(result.causes)}"
                        f"{behind}")
    return DrillResult(path, drill, session.scope, outcome, fired, refused, steps, diff)
