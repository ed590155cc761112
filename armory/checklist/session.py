"""The engine: a production, its rule packs and a ledger, and every action on them.

Every action is first appended to the ledger (durably) and then folded into
:class:`~armory.checklist.state.State`; nothing is kept anywhere else, so a
restart replays the ledger and resumes exactly where it was. Faces (the TUI,
the CLI, the drill runner) authenticate people and pass crew ids in; the
engine decides, records and refuses.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from armory.checklist import judge as judging
from armory.checklist.handoff import failure_order, handoff_decision, is_handler, sealed_reasons
from armory.checklist.invariants import INVARIANTS
from armory.checklist.state import STOPPING_INCIDENTS, State, check_key
from armory.checklist.types import (
    ROUND_METHOD_WORDS,
    ROUND_METHODS,
    CheckItem,
    Decision,
    Reason,
    Refused,
    Verdict,
    invariant_reason,
)
from armory.problems import InputError
from armory.production.models import Day, Issue, Production, Scene, Setup, Weapon

Clock = Callable[[], dt.datetime]

DAY_PHASES = ("day_start", "end_of_day", "on_incident")

#: Loads that cannot fire: any round reported fired from them is an unintended discharge.
NON_FIRING_LOADS = frozenset({"dummies", "cold"})

#: Who answers a rule that does not say: the armorer or an assistant armorer.
DEFAULT_ASKED_OF = ("armorer", "assistant_armorer")


def parse_time(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _one_action(method):
    """Decorates each public engine action that records entries: they are checked against the ledger head
    once, before the first (see Session._append); afterwards the state takes in what another process
    appended meanwhile."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        outer = self._action_depth == 0
        self._action_depth += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self._action_depth -= 1
            if outer:
                wrote, self._action_wrote = self._action_wrote, False
                if wrote and self.behind():
                    self.resync()

    return run


class Session:
    """One production, its packs and its ledger, in one scope of that ledger."""

    def __init__(self, loaded_production, packs, ledger, *, scope: str = "", clock: Clock | None = None,
                 credentials=None) -> None:
        self.loaded_production = loaded_production
        self.production: Production = loaded_production.production
        self.packs = list(packs)
        self.ledger = ledger
        self.scope = scope
        self.clock: Clock = clock or _utc_now
        self.credentials = credentials
        try:
            self.tz = ZoneInfo(self.production.production.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = dt.timezone.utc
        # The head before the replay: if another process appends meanwhile, the state holds more than
        # this says, never less (see picture_head).
        self._synced_head = ledger.head_key()
        self._action_depth = 0
        self._action_wrote = False
        self.state = State.from_entries(
            [w.id for w in self.production.weapon], ledger.entries(scope=scope)
        )
        ledger.on_append = self._followed

    @classmethod
    def open(cls, production_path: Path, ledger_path: Path, rules_paths: Sequence[Path] = (), *,
             scope: str = "", clock: Clock | None = None, key_path: Path | None = None,
             readonly: bool = False) -> Session:
        """Load and check the files, open (or create) the ledger, replay it."""
        from armory.ledger.identity import Credentials
        from armory.ledger.store import Ledger
        from armory.rulebook.loader import load_context

        loaded, packs = load_context(Path(production_path), list(rules_paths))
        ledger = Ledger.open(
            Path(ledger_path), production_title=loaded.production.production.title,
            clock=clock, key_path=key_path, readonly=readonly,
        )
        session = cls(loaded, packs, ledger, scope=scope, clock=clock,
                      credentials=Credentials(ledger, production=loaded.production))
        if not readonly:
            session._note_pack_change()
        return session

    def close(self) -> None:
        self.ledger.close()

    def _followed(self, seq: int, digest: str) -> None:
        """This process appended #seq: still in step with the ledger if it directly follows what we knew."""
        known = self._synced_head
        self._synced_head = (seq, digest) if known is not None and seq == known[0] + 1 else None

    def picture_head(self) -> tuple[int, str] | None:
        """The ledger head this session's state was drawn from, if nobody else has appended since; else None.

        Entries of other scopes and of the credential store pass through here too, so the head moves with
        every append of this process; an append by another process (an export's checkpoint, the CLI) breaks
        the step until the session is opened again."""
        known = self._synced_head
        if known is None:
            return None
        try:
            return known if self.ledger.head_key() == known else None
        except InputError:
            return None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- recording --------------------------------------------------------
    def _append(self, kind: str, who: str | None, payload):
        # Only an action's first entry may be refused for a stale state: once it is on disk, the entries that
        # follow from it (the stop after a live round, a take-back's reconciliation) must be written too.
        if not self._action_wrote:
            self._ensure_current()
        entry = self.ledger.append(kind, who, payload, scope=self.scope)
        self.state.apply(entry)
        if self._action_depth:
            self._action_wrote = True
        return entry

    def _ensure_current(self) -> None:
        """Refuse to record on a state that misses entries another process appended (a second armory on
        the same ledger, a command line): the decision about to be recorded was made without them."""
        if not self.behind():
            return
        self.resync()
        raise InputError("another armory (or a command) recorded on this ledger since this screen was drawn: "
                         "the screen now shows what it recorded; nothing was recorded here, look again")

    def behind(self) -> bool:
        """Whether the ledger on disk holds entries this session's state was not drawn from."""
        return self._synced_head is None or self.ledger.head_key() != self._synced_head

    def resync(self) -> None:
        """Replay the ledger afresh (after another process appended to it)."""
        self._synced_head = self.ledger.head_key()
        self.state = State.from_entries([w.id for w in self.production.weapon], self.ledger.entries(scope=self.scope))

    def _refuse(self, action: str, actor: str | None, reasons: Sequence[Reason], *, weapon: str | None = None,
                day: str | None = None) -> Refused:
        from armory.ledger.entries import Refusal

        first = reasons[0]
        failures = sorted({f for r in reasons for f in r.failures}, key=failure_order)
        entry = self._append("refusal", actor, Refusal(
            action=action, actor=actor, weapon=weapon, day=day,
            reason="; ".join(r.message for r in reasons), cause=first.cause, failures=failures,
            related=list(dict.fromkeys(rel for r in reasons for rel in r.related)),
        ))
        return Refused(list(reasons), seq=entry.seq)

    def _stop(self, *, scope: str, weapons: list[str], cause: str, failures: Sequence[str], reason: str,
              caused_by: str | None, from_seq: int | None, day: str | None) -> int:
        from armory.ledger.entries import Stop

        entry = self._append("stop", caused_by, Stop(
            scope=scope, weapons=weapons, cause=cause, failures=sorted(set(failures)), reason=reason,
            caused_by=caused_by, from_seq=from_seq, day=day,
        ))
        return entry.seq

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.timezone.utc)

    def local_now(self) -> dt.datetime:
        return self.now().astimezone(self.tz)

    # -- the production ---------------------------------------------------
    def firearms(self) -> list[Weapon]:
        return [w for w in self.production.weapon if w.firing]

    def roles(self, crew_id: str, day: str | None) -> frozenset[str]:
        if day is None:
            member = self.production.crew_member(crew_id)
            return frozenset(member.roles) if member else frozenset()
        return self.production.roles_on(crew_id, day)

    def name(self, crew_id: str | None) -> str:
        member = self.production.crew_member(crew_id) if crew_id else None
        return member.name if member else (crew_id or "nobody")

    def _person(self, crew_id: str | None) -> None:
        if not crew_id:
            raise InputError("nobody is named: sign in first (the armorer who opened the day answers its checks)")
        if self.production.crew_member(crew_id) is None:
            raise InputError(f"unknown crew member {crew_id!r}{_did_you_mean(crew_id, [c.id for c in self.production.crew])}")

    def day(self, day_id: str) -> Day:
        day = self.production.day_by_id(day_id)
        if day is None:
            raise InputError(f"unknown day {day_id!r}{_did_you_mean(day_id, [d.id for d in self.production.day])}")
        return day

    def weapon(self, weapon_id: str) -> Weapon:
        weapon = self.production.weapon_by_id(weapon_id)
        if weapon is None:
            raise InputError(
                f"unknown weapon {weapon_id!r}{_did_you_mean(weapon_id, [w.id for w in self.production.weapon])}"
            )
        return weapon

    def setup_of(self, day_id: str, scene_id: str, setup_id: str | None) -> tuple[Scene, Setup]:
        day = self.day(day_id)
        scene = next((s for s in day.scene if s.id == scene_id), None)
        if scene is None:
            raise InputError(f"unknown scene {scene_id!r} on {day_id}{_did_you_mean(scene_id, [s.id for s in day.scene])}")
        if setup_id is None:
            return scene, scene.setup[0]
        setup = next((s for s in scene.setup if s.id == setup_id), None)
        if setup is None:
            raise InputError(f"unknown setup {setup_id!r} in scene {scene_id}{_did_you_mean(setup_id, [s.id for s in scene.setup])}")
        return scene, setup

    def issue_of(self, day_id: str, scene_id: str, setup_id: str | None, weapon_id: str) -> Issue:
        _scene, setup = self.setup_of(day_id, scene_id, setup_id)
        issue = next((i for i in setup.weapon if i.weapon == weapon_id), None)
        if issue is None:
            raise InputError(f"weapon {weapon_id!r} is not in setup {setup.id} of scene {scene_id}")
        return issue

    def facts(self, day: str, scene: str | None, setup: str | None, weapon: str | None) -> dict[str, object]:
        from armory.checklist.facts import resolve_facts

        return resolve_facts(self.production, day=day, scene=scene, setup=setup, weapon=weapon)

    def today(self) -> Day | None:
        """The shooting day for today's local date; else the open day; else the first day not closed."""
        date = self.local_now().date()
        for day in self.production.day:
            if day.date == date:
                return day
        if self.state.current_day:
            return self.production.day_by_id(self.state.current_day)
        return next((d for d in self.production.day if d.id not in self.state.days_closed),
                    self.production.day[-1] if self.production.day else None)

    # -- identity ---------------------------------------------------------
    def authenticate(self, crew_id: str, pin: str, *, purpose: str) -> None:
        self._person(crew_id)
        if self.credentials is None:
            raise InputError("no credential store is open")
        self.credentials.authenticate(crew_id, pin, purpose=purpose, scope=self.scope)

    def enrolled(self) -> set[str]:
        """Crew ids with a PIN on this ledger."""
        return self.credentials.enrolled() if self.credentials is not None else set()

    def officers_enrolled(self) -> list[str]:
        """Safety officers with a PIN here, in crew order: who may authorize an enrollment."""
        from armory.ledger.identity import is_safety_officer

        enrolled = self.enrolled()
        return [m.id for m in self.production.crew if m.id in enrolled and is_safety_officer(self.production, m.id)]

    def may_authorize_enrollment(self, crew_id: str) -> bool:
        from armory.ledger.identity import is_safety_officer

        return is_safety_officer(self.production, crew_id)

    def enroll(self, crew_id: str, pin: str, *, authorized_by: str, authorizer_pin: str | None = None):
        """Set ``crew_id``'s PIN, authorized by a safety officer (see ``Credentials.enroll``); durable on return."""
        if self.credentials is None or getattr(self.ledger, "readonly", False):
            raise InputError("this ledger is open read-only: nobody can be enrolled on it")
        return self.credentials.enroll(crew_id, pin, authorized_by=authorized_by, authorizer_pin=authorizer_pin,
                                       production=self.production)

    # -- days -------------------------------------------------------------
    def packs_in_force(self):
        from armory.ledger.entries import PackInForce

        return [PackInForce(id=p.pack.pack.id, version=p.pack.pack.version, hash=p.sha256, text=p.text)
                for p in self.packs]

    def _note_pack_change(self) -> None:
        from armory.ledger.entries import PacksChanged

        day = self.state.current_day
        if day is None:
            return
        recorded = {(p["id"], p["version"], p["hash"]) for p in self.state.packs_in_force.get(day, [])}
        now = {(p.id, p.version, p.hash) for p in self.packs_in_force()}
        if recorded != now:
            self._append("packs_changed", None, PacksChanged(
                day=day, packs=self.packs_in_force(),
                reason="the rule packs on disk differ from those in force when the day opened", signed_by=[],
            ))

    @_one_action
    def open_day(self, day: str, *, armorer: str):
        """Record the day as opened by ``armorer`` with the rule packs in force, then sense day-start items."""
        from armory.ledger.entries import DayOpened

        self.day(day)
        self._person(armorer)
        if day in self.state.days_opened and day not in self.state.days_closed:
            return self.ledger.get(self.state.days_opened[day])
        if day in self.state.days_closed:
            raise self._refuse("open_day", armorer, [Reason(
                "invariant.day-open", f"{day} was already closed; the record of a closed day is final.", ("F8",))], day=day)
        if not (self.roles(armorer, day) & {"armorer", "assistant_armorer"}):
            raise self._refuse("open_day", armorer, [invariant_reason(
                "invariant.handler-only", f"{self.name(armorer)} is not an armorer on {day}.")], day=day)
        entry = self._append("day_opened", armorer, DayOpened(
            day=day, production_hash=self.loaded_production.sha256, packs=self.packs_in_force(), signed_by=[armorer],
            production_text=self.loaded_production.text,
        ))
        self.sense(day=day, phase="day_start")
        return entry

    @_one_action
    def close_day(self, day: str, *, by: str):
        from armory.ledger.entries import DayClosed

        self._require_open(day, "close_day", by)
        # Before the end-of-day items are sensed: a refused close must not leave their stops and holds behind.
        reasons = [invariant_reason("invariant.day-close", f"{w.weapon} is still with {self.name(w.holder)}: "
                                    "take it back first.")
                   for w in self.state.weapons.values() if w.holder is not None]
        if reasons:
            raise self._refuse("close_day", by, reasons, day=day)
        self.sense(day=day, phase="end_of_day")
        head = self.ledger.head()
        entry = self._append("day_closed", by, DayClosed(day=day, head_hash=head.hash if head else "", signed_by=[by]))
        if not getattr(self.ledger, "readonly", False):
            checkpoint = self.ledger.checkpoint(scope=self.scope)
            self.state.apply(checkpoint)
        return entry

    def _require_open(self, day: str, action: str, actor: str | None, weapon: str | None = None) -> None:
        self.day(day)
        if day not in self.state.days_opened or day in self.state.days_closed:
            state = "closed" if day in self.state.days_closed else "not been opened"
            raise self._refuse(action, actor, [invariant_reason(
                "invariant.day-open", f"{day} has {state}.")], weapon=weapon, day=day)

    # -- checks -----------------------------------------------------------
    def checklist(self, *, day: str, phase: str, scene: str | None = None, setup: str | None = None,
                  weapon: str | None = None) -> list[CheckItem]:
        """The checks of one phase, each with its status. Expected values only once answered."""
        from armory.checklist.plan import plan_checks

        if phase in DAY_PHASES:
            scene = setup = weapon = None
        elif scene is not None and setup is None:
            setup = self.setup_of(day, scene, None)[1].id
        planned = plan_checks(self.production, self.packs, day=day, phase=phase, scene=scene, setup=setup,
                              weapon=weapon)
        if phase == "day_start":
            planned = list(planned) + _builtin_checks(planned)
        rounds = 0
        if weapon is not None and scene is not None:
            rounds = self.issue_of(day, scene, setup, weapon).rounds
        items = []
        # A weapon's setup checks answered before it last came back were for that time out: asked again.
        current = self.state.weapons.get(weapon) if weapon is not None else None
        returned = current.returned_seq if current is not None and phase not in DAY_PHASES else None
        for pc in planned:
            rule = pc.rule
            key = check_key(day, scene, setup, weapon, phase, rule.id)
            ans = self.state.answer_for(key)
            if ans is not None and returned is not None and ans.seq < returned:
                ans = None
            status, seq, observed, expected, at = "pending", None, None, None, None
            held = self.state.holds_on(key)
            if held:
                # A failed hold stays failed until overridden, whatever was answered since: the item
                # shows the failing answer, the one an override must name.
                hold = held[0]
                status, seq, observed, at = "failed", hold.answer_seq, tuple(hold.observed), hold.time
                expected = ans.expected if ans is not None else None
            elif ans is not None:
                seq, observed, expected, at = ans.seq, tuple(ans.observed), ans.expected, ans.time
                if ans.overridden_by is not None and ans.verdict == "fail":
                    status = "overridden"
                elif ans.verdict == "pass":
                    status = "corrected" if ans.corrected_by else "passed"
                else:
                    status = "failed"
            items.append(CheckItem(
                key=key, rule=rule, pack_id=pc.pack.pack.pack.id, day=day, scene=scene, setup=setup,
                weapon=weapon, phase=phase,
                question=rule.ask or f"(sensed from the ledger) {rule.title}",
                answer_kind=rule.answer, choices=tuple(rule.choices), unit=rule.unit,
                per_round=rounds if rule.per_round else 0, sensed=rule.sense is not None,
                severity=rule.severity, why=rule.why, asked_of=tuple(rule.asked_of) or DEFAULT_ASKED_OF, sources=tuple(rule.sources), failures=tuple(rule.failures),
                status=status, answer_seq=seq, observed=observed, expected_text=expected, answered_at=at,
            ))
        return items

    def sensed_value(self, sense: str, day: str) -> int:
        st = self.state
        if sense == "rounds_unaccounted":
            # A firing from dummies or a cold weapon adds up, but nobody can vouch for those rounds (a live
            # round was in the load, or the count is wrong): unaccounted until the discharge's stop is cleared.
            return st.outstanding_rounds() + st.unreconciled_rounds() + st.impossible_rounds()
        if sense == "open_incidents":
            return sum(1 for s in st.open_stops if s.cause in ("invariant.discharge", "invariant.live-round",
                                                                  "invariant.injury-freeze"))
        if sense == "unreviewed_incidents":
            return len(st.unreviewed_incidents)
        if sense == "armorer_other_roles":
            # Anyone acting as armorer (an assistant armorer hands firearms over too, S2): their most other jobs.
            return max((len(self._split_roles(m.id, day)) for m in self.production.crew), default=0)
        if sense == "open_stops":
            # Stops carried over, not the ones this very question raised.
            own = {r.id for p in self.packs for r in p.pack.rule if r.sense == "open_stops"}
            return sum(1 for s in st.open_stops if s.cause not in own)
        if sense == "weapons_not_returned":
            return sum(1 for w in st.weapons.values() if w.holder is not None and w.investigator is None)
        raise InputError(f"unknown sensed value {sense!r}")

    @_one_action
    def sense(self, *, day: str, phase: str, scene: str | None = None, setup: str | None = None,
              weapon: str | None = None) -> list[Verdict]:
        """Record the sensed items of a phase whose value is new or changed. Nobody answers these by hand."""
        verdicts = []
        for item in self.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon):
            if not item.sensed:
                continue
            value = str(self.sensed_value(item.rule.sense, day))
            if item.observed == (value,):
                continue
            verdicts.append(self._record_answer(item, [value], by=None, sensed=True))
        return verdicts

    @_one_action
    def answer(self, item: CheckItem, observed: Sequence[str], *, by: str) -> Verdict:
        """Judge and record a person's answer. Durable before it returns.

        A per-round answer may stop short of the rounds loaded when its last value fails
        (:meth:`round_fails`): it is recorded at once as a failed answer that stopped at that round.
        """
        self._person(by)
        if item.sensed:
            raise InputError(f"{item.rule.id} is sensed from the ledger; nobody can answer it by hand")
        self._require_open(item.day, "answer", by, item.weapon)
        values = judging.parse_all(item.rule, list(observed), item.per_round,
                                   self.facts(item.day, item.scene, item.setup, item.weapon), self.local_now())
        held = self.roles(by, item.day) & set(item.asked_of)
        if not held:
            who = " or ".join(r.replace("_", " ") for r in item.asked_of)
            raise self._refuse("answer", by, [Reason(
                item.rule.id, f"{item.rule.id} is answered by the {who}; {self.name(by)} is not one that day.",
                item.failures)], weapon=item.weapon, day=item.day)
        if held == {"actor"} and item.weapon and item.scene:
            # "The actor" of a weapon's check is the one this setup gives it to, not any actor of the day:
            # the person about to hold it is the one who must have seen the load.
            actor = self.issue_of(item.day, item.scene, item.setup, item.weapon).actor
            if actor and by != actor:
                raise self._refuse("answer", by, [Reason(
                    item.rule.id, f"{item.rule.id} is answered by the actor who receives {item.weapon} in this "
                    f"setup, {self.name(actor)}; not {self.name(by)}.", item.failures)],
                    weapon=item.weapon, day=item.day)
        return self._record_answer(item, values, by=by, sensed=False)

    def round_fails(self, item: CheckItem, value: str) -> bool:
        """Does this one round's value (as ``judge.parse`` returned it) fail the item's per-round rule?

        For a face asking round by round: when it does, the rounds answered so far, ending with this one,
        go to :meth:`answer` at once, and the failure is recorded (stop or hold) without asking the rest.
        """
        if not item.per_round or item.sensed:
            return False
        facts = self.facts(item.day, item.scene, item.setup, item.weapon)
        return judging.fails_now(item.rule, value, facts, self.local_now())

    def _record_answer(self, item: CheckItem, values: list[str], *, by: str | None, sensed: bool) -> Verdict:
        from armory.ledger.entries import Answer

        facts = self.facts(item.day, item.scene, item.setup, item.weapon)
        now_local = self.local_now()
        passed = judging.judge(item.rule, values, facts, now_local)
        failed_rounds = tuple(
            i + 1 for i, v in enumerate(values) if item.per_round and not judging.judge_one(item.rule, v, facts, now_local)
        )
        expected = judging.expected_text(item.rule, facts)
        stopped = bool(item.per_round) and 0 < len(values) < item.per_round and not passed
        pack = next((p for p in self.packs if p.pack.pack.id == item.pack_id), None)
        entry = self._append("answer", by, Answer(
            day=item.day, scene=item.scene, setup=item.setup, weapon=item.weapon, phase=item.phase,
            rule_id=item.rule.id, pack_id=item.pack_id, pack_hash=pack.sha256 if pack else "",
            question=item.question,
            answer_kind=item.answer_kind or "sensed", expected=expected, observed=values,
            verdict="pass" if passed else "fail", severity=item.severity, sensed=sensed,
            failures=list(item.failures), signed_by=[by] if by else [],
            rounds_loaded=item.per_round if stopped else None, stopped_at_round=len(values) if stopped else None,
        ))
        return self._after_judgement(item, values, passed, expected, entry.seq, by, failed_rounds,
                                     rounds_loaded=item.per_round if stopped else None)

    def _after_judgement(self, item: CheckItem, values, passed: bool, expected: str, seq: int, by: str | None,
                         failed_rounds=(), rounds_loaded: int | None = None) -> Verdict:
        cites = ", ".join(item.failures)
        stop_seq = None
        stopped = ""
        if rounds_loaded:
            # The check stopped at the failing round: say which, and that the rest were not asked.
            rest = (f"round {rounds_loaded}" if len(values) + 1 == rounds_loaded
                    else f"rounds {len(values) + 1}-{rounds_loaded}")
            stopped = f" Round {len(values)} of {rounds_loaded} failed; the check stopped there ({rest} not asked)."
        if passed:
            message = f"{item.rule.title}: passed."
        elif item.severity == "stop" and item.sensed and (existing := self._open_stop_for(item)):
            stop_seq = existing
            message = (f"STOP ({item.rule.id}, prevents {cites}): {item.rule.title}. Observed {', '.join(values)}; "
                       f"expected {expected}. Still stopped (entry {existing}).")
        elif item.severity == "stop" and self._unconfirmed_round(item):
            # A round a per-round stop rule could not confirm as a dummy or blank is treated as live
            # (DESIGN rule 3): every firearm of the production stops, as when verify_round finds it,
            # not only this weapon. The stop's cause is the invariant that widens it; its reason names
            # the rule, and from_seq is the rule's failing answer.
            inv = INVARIANTS["invariant.live-round"]
            where = (f"round {failed_rounds[0]}" if len(failed_rounds) == 1 else
                     f"rounds {', '.join(map(str, failed_rounds))}" if failed_rounds else "a round")
            where = where[0].upper() + where[1:]
            load = self.facts(item.day, item.scene, item.setup, item.weapon).get("setup.load")
            kind = "a dummy" if load == "dummies" else "a blank"
            stop_seq = self._stop(
                scope="production", weapons=[w.id for w in self.firearms()], cause=inv.id,
                failures=[*item.failures, *inv.failures], day=item.day, caused_by=by, from_seq=seq,
                reason=(f"{item.rule.id} ({item.rule.title}) on {item.weapon}: observed {', '.join(values)}, "
                        f"expected {expected}.{stopped} {where} could not be confirmed as {kind}. {inv.why} "
                        f"{item.rule.why}"),
            )
            cites = ", ".join(sorted(set(item.failures) | set(inv.failures), key=failure_order))
            message = (f"STOP ({item.rule.id}, {inv.id}, prevents {cites}): {item.rule.title}. "
                       f"Observed {', '.join(values)}; expected {expected}.{stopped} {where} could not be "
                       f"confirmed as {kind}: it is treated as live, and every firearm of the production stops. "
                       "A safety officer must clear it with a reason.")
        elif item.severity == "stop":
            weapons = [item.weapon] if item.weapon else [w.id for w in self.firearms()]
            stop_seq = self._stop(
                scope="weapon" if item.weapon else "production", weapons=weapons, cause=item.rule.id,
                failures=item.failures, day=item.day, caused_by=by, from_seq=seq,
                reason=f"{item.rule.title}: observed {', '.join(values)}, expected {expected}.{stopped} {item.rule.why}",
            )
            message = (f"STOP ({item.rule.id}, prevents {cites}): {item.rule.title}. Observed {', '.join(values)}; "
                       f"expected {expected}.{stopped} A safety officer must clear it with a reason.")
        elif item.severity == "hold":
            message = (f"HOLD ({item.rule.id}, prevents {cites}): {item.rule.title}. Observed {', '.join(values)}; "
                       f"expected {expected}.{stopped} It goes on only after a signed override with a reason.")
        else:
            message = (f"NOTE ({item.rule.id}): {item.rule.title}. Observed {', '.join(values)}.{stopped} "
                       "Recorded for the producer.")
        return Verdict(
            passed=passed, severity=item.severity, expected_text=expected, observed=tuple(values), entry_seq=seq,
            stop_seq=stop_seq, needs_override=(not passed and item.severity == "hold"), message=message,
            failed_rounds=tuple(failed_rounds),
        )

    def _unconfirmed_round(self, item: CheckItem) -> bool:
        """Is this a per-round answer about the rounds of a dummies or blanks load?

        When such an answer fails, a round could not be confirmed as a dummy or blank.
        """
        if not item.per_round or item.weapon is None or item.sensed:
            return False
        load = self.facts(item.day, item.scene, item.setup, item.weapon).get("setup.load")
        return load in ("dummies", "blanks")

    def _open_stop_for(self, item: CheckItem) -> int | None:
        """The open stop that already covers what this sensed item found, if any.

        Rounds not accounted for are stopped by the take-back that found them (one event, one stop): the
        sensed reconciliation that reads the same rounds says it is still stopped, and stops nothing again."""
        causes = {item.rule.id}
        if item.rule.sense == "rounds_unaccounted":
            causes |= {"invariant.round-reconciliation", "invariant.discharge"}
        for stop in self.state.open_stops:
            if stop.cause in causes and (item.weapon is None or item.weapon in stop.weapons):
                return stop.seq
        return None

    @_one_action
    def override(self, answer_seq: int, *, reason: str, signed_by: Sequence[str]):
        """A signed override of a failed hold. A stop is never overridden: it is cleared.

        The hold is named by the failing answer's entry, which stays open until
        overridden even when the check was answered again since.
        """
        from armory.ledger.entries import Override

        key = self.state.answers_by_seq.get(answer_seq)
        if key is None:
            raise InputError(f"entry {answer_seq} is not an answer to any check")
        if not reason.strip() or not signed_by:
            raise InputError("an override needs a reason and a signature")
        day = key.split("/", 1)[0]
        signer = signed_by[0]
        hold = self.state.holds.get(answer_seq)
        reasons = []
        if hold is None:
            source = self.ledger.get(answer_seq)
            p = source.payload if source is not None else {}
            if source is not None and source.kind == "correction":
                corrected = self.ledger.get(p.get("corrects_seq", 0))
                p = corrected.payload if corrected is not None else {}
            ans = self.state.answers.get(key)
            if p.get("severity") == "stop" and p.get("verdict") == "fail":
                reasons.append(Reason("invariant.stop-open", "Only a failed hold can be overridden; a stop must be "
                                      "cleared by a safety officer.", ("F5",)))
            elif ans is not None and ans.seq == answer_seq and ans.overridden_by is not None:
                reasons.append(Reason("override", f"Already overridden by entry {ans.overridden_by}.", ()))
            elif p.get("severity") == "hold" and p.get("verdict") == "fail":
                reasons.append(Reason("override", f"The hold of entry {answer_seq} was already overridden.", ()))
            else:
                reasons.append(Reason("override", "There is nothing to override: the check did not fail as a hold.",
                                      ()))
        else:
            reasons.extend(self._override_authority(hold, signer, day))
        if reasons:
            raise self._refuse("override", signer, reasons, day=day)
        return self._append("override", signer, Override(
            answer_seq=answer_seq, rule_id=hold.rule_id, weapon=hold.weapon,
            reason=reason.strip(), signed_by=list(signed_by)))

    def _override_authority(self, hold, signer: str, day: str) -> list[Reason]:
        """Who may sign a failed hold off: a safety officer independent of it.

        Not the first AD (F3), not the person who gave the failing answer, and not a person the hold is
        about (the armorer with a second job, F4): the one whose work or duty failed never judges it safe
        to go on. Armorers do not sign holds off, their own or each other's: on Rust the armorer had no
        authority to resist the pressure to keep going (F4), so the judgement rests with the safety officer,
        as a clearance does.
        """
        roles = self.roles(signer, day)
        name = self.name(signer)
        why = []
        if "first_assistant_director" in roles:
            why.append(f"{name} is the first assistant director, who never signs a safety hold off")
        if "safety_officer" not in roles:
            why.append(f"{name} is not a safety officer: only a safety officer signs a hold off")
        if hold.by is not None and hold.by == signer:
            why.append(f"{name} gave the failing answer")
        if signer in self.hold_subjects(hold):
            why.append(f"the hold is about {name} (acting as armorer with another job on {day})")
        if not why:
            return []
        return [Reason("invariant.clearance-authority",
                       f"{'; '.join(why)}. A failed hold goes on only when a safety officer who is not the one "
                       "involved signs an override with a reason.", ("F3", "F4"))]

    def hold_subjects(self, hold) -> frozenset[str]:
        """The people a hold is about: for the sole-duty check, everyone acting as armorer with another job."""
        rule = self._rule(hold.rule_id)
        if rule is None or rule.sense != "armorer_other_roles":
            return frozenset()
        return frozenset(m.id for m in self.production.crew if self._split_roles(m.id, hold.day))

    def _split_roles(self, crew_id: str, day: str) -> frozenset[str]:
        """The other jobs of someone acting as armorer or assistant armorer that day (empty if none)."""
        roles = self.roles(crew_id, day)
        if not roles & {"armorer", "assistant_armorer"}:
            return frozenset()
        return roles - {"armorer", "assistant_armorer"}

    def _rule(self, rule_id: str):
        if rule_id in BUILTIN_RULES:
            return BUILTIN_RULES[rule_id]
        for pack in self.packs:
            for rule in pack.pack.rule:
                if rule.id == rule_id:
                    return rule
        return None

    @_one_action
    def correct(self, answer_seq: int, observed: Sequence[str], *, reason: str, by: str):
        """Record a corrected answer pointing at the wrong one. It never lifts a stop or a hold."""
        from armory.ledger.entries import Correction

        key = self.state.answers_by_seq.get(answer_seq)
        ans = self.state.answers.get(key) if key else None
        if ans is None or ans.seq != answer_seq:
            raise InputError(f"entry {answer_seq} is not the current answer of any check")
        if ans.sensed:
            raise InputError("a sensed item is read from the ledger and cannot be corrected by hand")
        if not reason.strip():
            raise InputError("a correction needs a reason")
        day, scene, setup, weapon, phase, _rule = (None if p == "-" else p for p in key.split("/", 5))
        item = next(i for i in self.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon)
                    if i.key == key)
        values = judging.parse_all(item.rule, list(observed), item.per_round)
        facts = self.facts(day, scene, setup, weapon)
        passed = judging.judge(item.rule, values, facts, self.local_now())
        was_pass = ans.verdict == "pass"  # read now: appending the correction folds it into ``ans``
        entry = self._append("correction", by, Correction(
            corrects_seq=answer_seq, observed=values, verdict="pass" if passed else "fail", reason=reason.strip(),
            signed_by=[by]))
        if not passed and was_pass:
            # A mistyped pass that really failed: the failure now counts as if answered so.
            self._after_judgement(item, values, False, judging.expected_text(item.rule, facts), entry.seq, by)
            if item.severity in ("stop", "hold"):
                self.state.answers[key].verdict = "fail"
        return entry

    # -- rounds -----------------------------------------------------------
    @_one_action
    def verify_round(self, *, day: str, scene: str, setup: str | None, weapon: str, round_no: int, method: str,
                     by: str) -> Verdict:
        """Record how one round was shown to be a dummy or blank. A live or unconfirmed round stops everything."""
        from armory.ledger.entries import RoundVerified

        self._person(by)
        self._require_open(day, "verify_round", by, weapon)
        _scene, setup_model = self.setup_of(day, scene, setup)
        setup = setup_model.id
        issue = self.issue_of(day, scene, setup, weapon)
        if method not in ROUND_METHODS:
            raise judging.AnswerError(f"unknown method {method!r}; expected one of {', '.join(ROUND_METHODS)}")
        if not 1 <= round_no <= max(issue.rounds, 0):
            raise judging.AnswerError(f"round {round_no} is outside the {issue.rounds} rounds this setup loads")
        sealed = sealed_reasons(self, weapon, issue.lot)
        if sealed:
            raise self._refuse("verify_round", by, sealed, weapon=weapon, day=day)
        fits = ROUND_METHODS[method]
        passed = fits is not None and fits == issue.load
        entry = self._append("round_verified", by, RoundVerified(
            day=day, scene=scene, setup=setup, weapon=weapon, lot=issue.lot, round_no=round_no, method=method,
            verdict="pass" if passed else "fail"))
        expected = f"a round shown to be {'a dummy' if issue.load == 'dummies' else 'a blank'}"
        if passed:
            return Verdict(True, "stop", expected, (method,), entry.seq, message=f"Round {round_no}: {ROUND_METHOD_WORDS[method]}.")
        if fits is None:
            inv = INVARIANTS["invariant.live-round"]
            reason = (f"Round {round_no} for {weapon} (lot {issue.lot}): {ROUND_METHOD_WORDS[method]}. "
                      f"{inv.why} Seal the weapon and the lot as evidence.")
            stop_seq = self._stop(scope="production", weapons=[w.id for w in self.firearms()], cause=inv.id,
                                  failures=inv.failures, reason=reason, caused_by=by, from_seq=entry.seq, day=day)
        else:
            inv = INVARIANTS["invariant.rounds-verified"]
            reason = (f"Round {round_no} for {weapon} was shown to be a {fits[:-1]} in a setup loaded with {issue.load}: "
                      "a round whose type differs from its label (DOMAIN F1).")
            stop_seq = self._stop(scope="weapon", weapons=[weapon], cause=inv.id, failures=("F1", "F2"), reason=reason,
                                  caused_by=by, from_seq=entry.seq, day=day)
        return Verdict(False, "stop", expected, (method,), entry.seq, stop_seq=stop_seq,
                       message=f"STOP [{inv.id}]: {reason} A safety officer must clear it.")

    # -- movement ---------------------------------------------------------
    def may_hand_over(self, *, day: str, scene: str | None, setup: str | None, weapon: str, giver: str,
                      receiver: str) -> Decision:
        return handoff_decision(self, day=day, scene=scene, setup=setup, weapon=weapon, giver=giver, receiver=receiver)

    @_one_action
    def hand_over(self, *, day: str, scene: str, setup: str | None, weapon: str, giver: str, receiver: str,
                  witnesses: Sequence[str] = (), signed_by: Sequence[str]):
        """Hand a weapon to someone, after both authenticated. Refusals are recorded, then raised."""
        from armory.ledger.entries import Handoff

        self._person(giver)
        self._person(receiver)
        for w in witnesses:
            self._person(w)
        if not ({giver, receiver} <= set(signed_by)):
            raise InputError("both the giver and the receiver must sign a handoff with their PIN")
        signers_as_witnesses = [w for w in witnesses if w in (giver, receiver)]
        if signers_as_witnesses:
            raise InputError(f"{', '.join(self.name(w) for w in signers_as_witnesses)} signs this handoff and "
                             "cannot also witness it: a witness is neither the giver nor the receiver")
        setup = self.setup_of(day, scene, setup)[1].id if scene else setup
        if day in self.state.days_opened and day not in self.state.days_closed and scene:
            self.sense(day=day, phase="before_handoff", scene=scene, setup=setup, weapon=weapon)
        decision = self.may_hand_over(day=day, scene=scene, setup=setup, weapon=weapon, giver=giver, receiver=receiver)
        if not decision.allowed:
            raise self._refuse("handoff", giver, list(decision.reasons), weapon=weapon, day=day)
        issue = self.issue_of(day, scene, setup, weapon) if scene else None
        current = self.state.weapons[weapon]
        rounds = issue.rounds if issue and not is_handler(self, receiver, day, weapon) else current.rounds_out
        load = issue.load if issue else "cold"
        return self._append("handoff", giver, Handoff(
            day=day, scene=scene, setup=setup, weapon=weapon, giver=giver, receiver=receiver, load=load,
            rounds=rounds, witnesses=list(witnesses), signed_by=list(signed_by)))

    @_one_action
    def record_fired(self, *, day: str, weapon: str, rounds: int, by: str, scene: str | None = None,
                     setup: str | None = None):
        from armory.ledger.entries import RoundsFired

        if rounds < 0:
            raise InputError("rounds fired cannot be negative")
        self._require_open(day, "rounds_fired", by, weapon)
        entry = self._append("rounds_fired", by, RoundsFired(day=day, weapon=weapon, rounds=rounds, scene=scene,
                                                             setup=setup))
        load = self._load_out(day, weapon, scene, setup)
        if rounds > 0 and load in NON_FIRING_LOADS:
            self._impossible_firing(day=day, weapon=weapon, load=load, rounds=rounds, by=by, seq=entry.seq)
        return entry

    def _load_out(self, day: str, weapon: str, scene: str | None = None, setup: str | None = None) -> str | None:
        """The load a weapon carries: that of the setup named, else that of the handoff that took it out."""
        if scene:
            try:
                return self.issue_of(day, scene, setup, weapon).load
            except InputError:
                pass
        current = self.state.weapons.get(weapon)
        handoff = self.ledger.get(current.handoff_seq) if current is not None and current.handoff_seq else None
        return handoff.payload.get("load") if handoff is not None else None

    def _impossible_firing(self, *, day: str, weapon: str, load: str, rounds: int, by: str, seq: int,
                           also_found: str = "") -> None:
        """Rounds reported fired from a weapon loaded with dummies or cold: an unintended discharge.

        A dummy or an empty weapon cannot fire. A firing reported means a live round (or a live primer) was
        in the load, as on Rust (F1), or the count is wrong and nobody can vouch for the rounds (F8): either
        way every firearm stops (DESIGN 3), as an incident a safety officer reviews (F5, F11).
        """
        stated = "dummies" if load == "dummies" else "cold (no rounds)"
        self._record_incident(
            incident="unintended_discharge", day=day, weapon=weapon, reported_by=by, also_prevents=("F1", "F8"),
            description=(f"{rounds} round{'s' if rounds != 1 else ''} reported fired from {weapon}, which was loaded "
                         f"{stated} (entry {seq}): a dummy or a cold weapon cannot fire, so a live round was in "
                         f"it or the count is wrong{'; and ' + also_found if also_found else ''}"))

    @_one_action
    def take_back(self, *, day: str, weapon: str, giver: str, receiver: str, rounds_fired: int,
                  rounds_returned: int, signed_by: Sequence[str]):
        """The armorer takes a weapon back and reconciles its rounds; a mismatch is a stop."""
        from armory.ledger.entries import Return

        self._person(giver)
        self._person(receiver)
        self.weapon(weapon)
        if rounds_fired < 0 or rounds_returned < 0:
            raise InputError("rounds fired and returned are counts: 0 or more")
        if not ({giver, receiver} <= set(signed_by)):
            raise InputError("both the person returning the weapon and the armorer must sign with their PIN")
        current = self.state.weapons[weapon]
        reasons = []
        if current.holder != giver:
            reasons.append(invariant_reason(
                "invariant.wrong-holder",
                f"The record shows {weapon} with {self.name(current.holder) if current.holder else 'the armory'}, "
                f"not {self.name(giver)}."))
        if not is_handler(self, receiver, day, weapon):
            reasons.append(invariant_reason(
                "invariant.handler-only", f"{self.name(receiver)} is not an armorer and may not collect {weapon}."))
        if reasons:
            raise self._refuse("return", giver, reasons, weapon=weapon, day=day)
        fired = current.rounds_fired + rounds_fired
        handoff = self.ledger.get(current.handoff_seq) if current.handoff_seq else None
        hp = handoff.payload if handoff else {}
        # Rounds fired from dummies or a cold weapon add up, but nobody can vouch for them: not reconciled.
        impossible = rounds_fired > 0 and hp.get("load") in NON_FIRING_LOADS
        out = current.rounds_out  # read before the return is folded in (it empties the weapon's state)
        balanced = out == rounds_returned + fired
        reconciled = balanced and not impossible
        entry = self._append("return", giver, Return(
            day=day, scene=hp.get("scene"), setup=hp.get("setup"), weapon=weapon, giver=giver, receiver=receiver,
            rounds_out=current.rounds_out, rounds_fired=fired, rounds_returned=rounds_returned,
            reconciled=reconciled, signed_by=list(signed_by)))
        # One take-back, one stop, naming everything it found: a firing that cannot be (every firearm stops,
        # and it is an incident to review) and rounds that do not add up.
        counts = "" if balanced else rounds_not_accounted(weapon, out, rounds_returned, fired)
        if impossible:
            self._impossible_firing(day=day, weapon=weapon, load=hp["load"], rounds=rounds_fired, by=receiver,
                                    seq=entry.seq, also_found=counts)
        elif not balanced:
            inv = INVARIANTS["invariant.round-reconciliation"]
            self._stop(scope="weapon", weapons=[weapon], cause=inv.id, failures=inv.failures, caused_by=None,
                       from_seq=entry.seq, day=day, reason=f"{counts}. {inv.why}")
        if hp.get("scene"):
            self.sense(day=day, phase="on_return", scene=hp["scene"], setup=hp.get("setup"), weapon=weapon)
        return entry

    # -- incidents, stops, evidence -----------------------------------------
    @_one_action
    def record_incident(self, *, incident: str, day: str | None, weapon: str | None, description: str,
                        reported_by: str):
        return self._record_incident(incident=incident, day=day, weapon=weapon, description=description,
                                     reported_by=reported_by)

    def _record_incident(self, *, incident: str, day: str | None, weapon: str | None, description: str,
                         reported_by: str, also_prevents: Sequence[str] = ()):
        from armory.ledger.entries import Incident

        self._person(reported_by)
        if weapon is not None:
            self.weapon(weapon)
        if not description.strip():
            raise InputError("describe what happened")
        frozen, lots = self._involved(incident, weapon)
        entry = self._append("incident", reported_by, Incident(
            incident=incident, day=day, weapon=weapon, description=description.strip(), reported_by=reported_by,
            weapons=frozen, lots=lots))
        if incident in STOPPING_INCIDENTS:
            inv_id = {"live_round": "invariant.live-round", "injury": "invariant.injury-freeze"}.get(
                incident, "invariant.discharge")
            inv = INVARIANTS[inv_id]
            self._stop(scope="production", weapons=[w.id for w in self.firearms()], cause=inv_id,
                       failures=[*inv.failures, *also_prevents], caused_by=None, from_seq=entry.seq, day=day,
                       reason=f"{incident.replace('_', ' ')} ({weapon or 'no weapon named'}): {description.strip().rstrip('.')}. "
                              f"{inv.why}")
        if day is not None and day in self.state.days_opened:
            self.sense(day=day, phase="on_incident")
        return entry

    def _involved(self, incident: str, weapon: str | None) -> tuple[list[str], list[str]]:
        """The firearms and lots an injury or a live round freezes as evidence, decided when it is recorded.

        The weapon named, with the lot of its current setup. An injury with no weapon named freezes every
        firearm out of the armory at that moment (whoever held it, any of them may have fired), or every
        firearm of the production when none was out: the record cannot rule any of them out (F8).
        """
        if incident not in ("injury", "live_round"):
            return [], []
        if weapon is not None:
            weapons = [weapon]
        elif incident == "injury":
            out = [w.id for w in self.firearms()
                   if self.state.weapons[w.id].holder is not None and self.state.weapons[w.id].investigator is None]
            weapons = out or [w.id for w in self.firearms()]
        else:
            weapons = []  # a loose live round: the round itself is sealed as `other`
        lots = []
        for w in weapons:
            lot = self._current_lot(w)
            if lot and lot not in lots:
                lots.append(lot)
        return weapons, lots

    def _current_lot(self, weapon: str) -> str | None:
        """The lot of the setup the weapon was handed out for, else the lot it was last loaded from."""
        current = self.state.weapons.get(weapon)
        if current is None:
            return None
        if current.handoff_seq:
            handoff = self.ledger.get(current.handoff_seq)
            hp = handoff.payload if handoff else {}
            if hp.get("scene"):
                try:
                    lot = self.issue_of(hp["day"], hp["scene"], hp.get("setup"), weapon).lot
                except InputError:
                    lot = None
                if lot:
                    return lot
        return current.last_lot

    @_one_action
    def review_incident(self, incident_seq: int, *, findings: str, signed_by: Sequence[str]):
        from armory.ledger.entries import IncidentReviewed

        if incident_seq not in self.state.incidents:
            raise InputError(f"entry {incident_seq} is not an incident")
        signer = signed_by[0] if signed_by else ""
        if not findings.strip():
            raise InputError("a review needs its findings")
        day = self.state.incidents[incident_seq].day
        if "safety_officer" not in self._any_roles(signer, day):
            raise self._refuse("incident_review", signer, [Reason(
                "invariant.clearance-authority", f"{self.name(signer)} is not a safety officer.", ("F5", "F11"))])
        return self._append("incident_reviewed", signer, IncidentReviewed(
            incident_seq=incident_seq, findings=findings.strip(), signed_by=list(signed_by)))

    def _any_roles(self, crew_id: str, day: str | None) -> frozenset[str]:
        return self.roles(crew_id, day) if day else self.roles(crew_id, self.state.current_day)

    @_one_action
    def clear_stop(self, stop_seq: int, *, reason: str, officer: str):
        """A safety officer who did not cause the stop, and is not the first AD, clears it with a reason."""
        from armory.ledger.entries import Clearance

        self._person(officer)
        stop = self.state.stops.get(stop_seq)
        if stop is None:
            raise InputError(f"entry {stop_seq} is not a stop")
        if stop_seq in self.state.cleared:
            raise InputError(f"stop {stop_seq} was already cleared by entry {self.state.cleared[stop_seq]}")
        if not reason.strip():
            raise InputError("a clearance needs a reason")
        roles = self._any_roles(officer, stop.day)
        reasons = []
        if "safety_officer" not in roles:
            reasons.append(invariant_reason("invariant.clearance-authority", f"{self.name(officer)} is not a safety officer."))
        if "first_assistant_director" in roles:
            reasons.append(invariant_reason("invariant.clearance-authority",
                                            f"{self.name(officer)} is the first assistant director."))
        if stop.caused_by == officer:
            reasons.append(invariant_reason("invariant.clearance-authority", f"{self.name(officer)} caused this stop."))
        unsealed = [item for item in self.evidence_for(stop_seq) if item not in self.sealed_items()]
        if unsealed:
            reasons.append(invariant_reason(
                "invariant.injury-freeze", f"Seal {', '.join(unsealed)} as evidence before this stop is cleared."))
        if reasons:
            raise self._refuse("clearance", officer, reasons, day=stop.day)
        return self._append("clearance", officer, Clearance(stop_seq=stop_seq, reason=reason.strip(),
                                                            signed_by=[officer]))

    def evidence_for(self, stop_seq: int) -> list[str]:
        """Items frozen as evidence by a stop: the weapons and lots the live round or injury involved."""
        stop = self.state.stops.get(stop_seq)
        if stop is None or stop.cause not in ("invariant.live-round", "invariant.injury-freeze") or not stop.from_seq:
            return []
        source = self.ledger.get(stop.from_seq)
        if source is None:
            return []
        p = source.payload
        if source.kind == "incident":
            items = list(p.get("weapons") or [p.get("weapon")]) + list(p.get("lots") or [])
        elif source.kind == "round_verified":  # a round verified as live: its weapon and the lot it came from
            items = [p.get("weapon"), p.get("lot")]
        else:
            # A per-round check that could not confirm a round (a silent dummy, a live primer): the round
            # is pulled and bagged before the load goes on; nothing was fired, so nothing is sealed.
            items = []
        return list(dict.fromkeys(i for i in items if i))

    def sealed_items(self) -> dict[str, str]:
        """Item id -> seal id, for everything sealed in this scope."""
        return {e.payload["item"]: e.payload["seal_id"] for e in self.ledger.entries(scope=self.scope)
                if e.kind == "seal"}

    def seal_conflict(self, item: str, seal_id: str) -> str | None:
        """Why ``seal_id`` cannot seal ``item``: it is already on another item in this scope, else None.

        Each physical seal has its own number; one number on two bags would let either stand for the
        other when custody passes to an investigator. Numbers compare without case or surrounding spaces.
        A face sealing several items at once asks this of each before sealing any.
        """
        wanted = seal_id.strip().casefold()
        for entry in self.ledger.entries(scope=self.scope):
            if entry.kind != "seal":
                continue
            p = entry.payload
            if p["seal_id"].strip().casefold() == wanted and p["item"] != item:
                return (f"seal {p['seal_id']} is already on {p['item']} (entry {entry.seq}); each physical seal "
                        "has its own number: type the number on this item's seal")
        return None

    @_one_action
    def seal(self, *, item_kind: str, item: str, seal_id: str, signed_by: Sequence[str],
             incident_seq: int | None = None):
        from armory.ledger.entries import Seal

        if item_kind == "weapon":
            self.weapon(item)
        elif item_kind == "lot" and self.production.lot_by_id(item) is None:
            raise InputError(f"unknown lot {item!r}")
        if not seal_id.strip():
            raise InputError("a seal needs the seal's id")
        conflict = self.seal_conflict(item, seal_id)
        if conflict:
            raise InputError(conflict)
        return self._append("seal", signed_by[0] if signed_by else None, Seal(
            item_kind=item_kind, item=item, seal_id=seal_id.strip(), incident_seq=incident_seq,
            signed_by=list(signed_by)))

    @_one_action
    def transfer_custody(self, *, item: str, seal_id: str, investigator: str, agency: str, receipt: str,
                         signed_by: Sequence[str]):
        from armory.ledger.entries import CustodyTransfer

        if self.sealed_items().get(item) != seal_id:
            raise self._refuse("custody_transfer", signed_by[0] if signed_by else None, [invariant_reason(
                "invariant.sealed", f"{item} is not sealed under seal {seal_id!r}.")])
        if not (investigator.strip() and receipt.strip()):
            raise InputError("a custody transfer names the investigator and the receipt")
        return self._append("custody_transfer", signed_by[0] if signed_by else None, CustodyTransfer(
            item=item, seal_id=seal_id, investigator=investigator.strip(), agency=agency.strip(),
            receipt=receipt.strip(), signed_by=list(signed_by)))


#: Pack id recorded on the answers of the engine's own checks (no pack hash: they are code, not a file).
BUILTIN_PACK = "invariants"


def rounds_not_accounted(weapon: str, out: int, back: int, fired: int) -> str:
    """'saa-1: 6 out, 3 back, 2 fired: 1 round not accounted for' (or more back than went out)."""
    missing = out - back - fired
    plural = "s" if abs(missing) != 1 else ""
    if missing > 0:
        gap = f"{missing} round{plural} not accounted for"
    else:
        gap = f"{-missing} round{plural} more back or fired than went out"
    return f"{weapon}: {out} out, {back} back, {fired} fired: {gap}"


def _builtin_rules() -> dict:
    from armory.rulebook.models import Rule

    inv = INVARIANTS["invariant.sole-duty"]
    return {inv.id: Rule.model_validate({
        "id": inv.id, "title": inv.title, "phase": "day_start", "severity": "hold", "sense": "armorer_other_roles",
        "expect": {"at_most": 0}, "why": inv.why, "sources": ["design"], "failures": list(inv.failures),
    })}


BUILTIN_RULES = _builtin_rules()


class _BuiltinPack:
    """Stands in for a loaded pack in a planned check, for the engine's own checks."""

    class pack:  # noqa: N801 - mirrors LoadedPack.pack.pack.id
        class pack:  # noqa: N801
            id = BUILTIN_PACK


def _builtin_checks(planned) -> list:
    """The built-in day-start checks no rule pack in force already asks as a hold or a stop.

    DESIGN 4: the invariants hold with an empty rule pack. A person acting as armorer with a second job
    is flagged at day start (F4) whatever the packs say; when a pack asks the same sensed question as a
    hold or a stop, its rule does the flagging and the built-in is left out, so nothing is asked twice.
    """
    from armory.checklist.plan import PlannedCheck

    covered = {pc.rule.sense for pc in planned if pc.rule.severity in ("hold", "stop")}
    return [PlannedCheck(rule=rule, pack=_BuiltinPack, expected_text=judging.expected_text(rule, {}))
            for rule in BUILTIN_RULES.values() if rule.sense not in covered]


def _did_you_mean(value: str, options: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
