"""What every concern of the engine stands on: a production, its packs, its ledger and the state folded from it.

Every action is first appended to the ledger (durably) and then folded into
:class:`~armory.checklist.state.State`; nothing is kept anywhere else, so a
restart replays the ledger and resumes exactly where it was. This module holds
that recording (:meth:`SessionBase._append`, with the refusals and stops it
writes), the check that a recording action is not made on a stale picture of
the ledger (:func:`one_action`), and the lookups every action makes by id: a
day, a weapon, a setup, a person and their roles.

The concerns built on it (days, answers, rounds, custody, incidents, evidence,
stops, crew) each have their own module; :class:`~armory.checklist.session.Session`
puts them together.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from armory.checklist.builtin import BUILTIN_RULES
from armory.checklist.clock import Clock, utc_now
from armory.checklist.invariants import failure_order
from armory.checklist.state import State
from armory.checklist.types import Reason, Refused, invariant_reason
from armory.problems import InputError
from armory.production.models import Day, Issue, Production, Scene, Setup, Weapon


def one_action(method):
    """Decorates each public engine action that records entries: they are checked against the ledger head
    once, before the first (see SessionBase._append); afterwards the state takes in what another process
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


class SessionBase:
    """One production, its packs and its ledger, in one scope of that ledger; the state folded from it."""

    def __init__(self, loaded_production, packs, ledger, *, scope: str = "", clock: Clock | None = None,
                 credentials=None, saved_fold: Path | None = None) -> None:
        self.loaded_production = loaded_production
        self.planned_production: Production = loaded_production.production
        """The production as its file says; :attr:`production` is it as the ledger's spares changed it."""
        self.production: Production = loaded_production.production
        self.packs = list(packs)
        self.ledger = ledger
        self.scope = scope
        self.clock: Clock = clock or utc_now
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
        self.records_held: str | None = None
        """Why nothing may be recorded yet (the app checking the chain behind a saved fold), or None."""
        self.fold_replayed = 0
        """Entries replayed on opening (after the saved fold, when one was loaded)."""
        self.fold_loaded = False
        if saved_fold is None:
            self.state = State.from_entries([w.id for w in self.production.weapon], ledger.entries(scope=scope))
        else:
            from armory.checklist.saved_fold import open_fold

            self.state, self.fold_replayed, self.fold_loaded = open_fold(self, saved_fold)
        self._spares_changed()
        ledger.on_append = self._followed

    def _spares_changed(self) -> None:
        """Work on the production as the ledger's spares change it (see armory.checklist.spares)."""
        from armory.checklist.spare_plan import with_spares

        self.production = with_spares(self.planned_production, self.state.spares)

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- recording --------------------------------------------------------
    def _append(self, kind: str, who: str | None, payload):
        # Only an action's first entry may be refused for a stale state: once it is on disk, the entries that
        # follow from it (the stop after a live round, a take-back's reconciliation) must be written too.
        if self.records_held is not None:
            raise InputError(self.records_held)
        if not self._action_wrote:
            self._ensure_current()
        entry = self.ledger.append(kind, who, payload, scope=self.scope)
        self.state.apply(entry)
        if kind == "spare":
            self._spares_changed()
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
        self._spares_changed()

    def _refuse(self, action: str, actor: str | None, reasons: Sequence[Reason], *, weapon: str | None = None,
                day: str | None = None, stop_seq: int | None = None, incident_seq: int | None = None) -> Refused:
        from armory.ledger.entries import Refusal

        first = reasons[0]
        failures = sorted({f for r in reasons for f in r.failures}, key=failure_order)
        entry = self._append("refusal", actor, Refusal(
            action=action, actor=actor, weapon=weapon, day=day,
            reason="; ".join(r.message for r in reasons), cause=first.cause, failures=failures,
            related=list(dict.fromkeys(rel for r in reasons for rel in r.related)),
            stop_seq=stop_seq, incident_seq=incident_seq,  # so an evidence bundle finds what was refused
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

    def _require_open(self, day: str, action: str, actor: str | None, weapon: str | None = None) -> None:
        self.day(day)
        if day not in self.state.days_opened or day in self.state.days_closed:
            state = "closed" if day in self.state.days_closed else "not been opened"
            raise self._refuse(action, actor, [invariant_reason(
                "invariant.day-open", f"{day} has {state}.")], weapon=weapon, day=day)

    # -- the clock --------------------------------------------------------
    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.timezone.utc)

    def local_now(self) -> dt.datetime:
        return self.now().astimezone(self.tz)

    # -- the production and its crew -------------------------------------
    def firearms(self) -> list[Weapon]:
        return [w for w in self.production.weapon if w.firing]

    def roles(self, crew_id: str, day: str | None) -> frozenset[str]:
        if day is None:
            member = self.production.crew_member(crew_id)
            return frozenset(member.roles) if member else frozenset()
        return self.production.roles_on(crew_id, day)

    def _any_roles(self, crew_id: str, day: str | None) -> frozenset[str]:
        return self.roles(crew_id, day) if day else self.roles(crew_id, self.state.current_day)

    def _split_roles(self, crew_id: str, day: str) -> frozenset[str]:
        """The other jobs of someone acting as armorer or assistant armorer that day (empty if none)."""
        roles = self.roles(crew_id, day)
        if not roles & {"armorer", "assistant_armorer"}:
            return frozenset()
        return roles - {"armorer", "assistant_armorer"}

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

    def find_rule(self, rule_id: str):
        """The rule of that id: one of the engine's own, else the first pack in force that has it."""
        if rule_id in BUILTIN_RULES:
            return BUILTIN_RULES[rule_id]
        for pack in self.packs:
            for rule in pack.pack.rule:
                if rule.id == rule_id:
                    return rule
        return None


def _did_you_mean(value: str, options: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
