"""Checks on a production file beyond what its model says.

The model checks each value; these check the file as a whole, the way a
safety officer would read it before a shoot: every scene names a weapon, an
actor and a lot that exist, an actor holding a weapon is an actor that day,
a load of blanks or dummies has a lot of that kind and caliber, no weapon is
loaded past its capacity, a firearms day has an armorer, and no lot is live.

Loading itself (``load_production``) lives in :mod:`armory.rulebook.loader`,
which dispatches every file kind; it calls the functions here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from armory.problems import Problem
from armory.production.models import Issue, Production
from armory.production.vocabulary import HANDLER_ROLES
from armory.source import CheckContext, SourceFile, did_you_mean, quote

LIVE_LOT_MESSAGE = (
    "live ammunition never belongs on set: a production that lists a live lot is refused. "
    "On Rust, live rounds mixed with dummies killed Halyna Hutchins (DOMAIN F1), and Safety "
    "Bulletin #1 bars live ammunition from every set (DOMAIN S1). Remove this lot; only "
    '"dummy" and "blank" lots are allowed'
)
UNKNOWN_LOT_MESSAGE = (
    "a lot of unknown kind is treated as live and refused (DOMAIN F1, S1): confirm each round "
    'and record the lot as "dummy" or "blank"'
)


HANDLER_MESSAGE = (
    "the {role} never hands a firearm to a performer or takes it back, whatever a production says: on Rust the "
    "1st AD took the revolver from a cart, called it cold and handed it over (DOMAIN F3), and California Labor "
    "Code §9153 names only the armorer, the assistant armorer and the property master (DOMAIN S2)"
)


def handler_problems(source: SourceFile) -> list[Problem]:
    """A first AD or a performer named as a handler: refused with the reason, not just "not allowed"."""
    from armory.production.vocabulary import NEVER_HANDLERS

    info = source.data.get("production")
    settings = info.get("settings") if isinstance(info, dict) else None
    handlers = settings.get("handlers") if isinstance(settings, dict) else None
    out = []
    for i, role in enumerate(handlers if isinstance(handlers, list) else []):
        if role in NEVER_HANDLERS:
            words = "first assistant director" if role == "first_assistant_director" else "actor"
            out.append(source.problem(("production", "settings", "handlers", i), HANDLER_MESSAGE.format(role=words)))
    return out


def live_lot_problems(source: SourceFile) -> list[Problem]:
    """Live (or unknown) lots, found in the raw data so the reason is given, not just "invalid"."""
    out = handler_problems(source)
    lots = source.data.get("lot")
    if not isinstance(lots, list):
        return out
    for i, lot in enumerate(lots):
        kind = lot.get("kind") if isinstance(lot, dict) else None
        if not isinstance(kind, str):
            continue
        word = kind.strip().lower()
        if word.startswith("live"):
            out.append(source.problem(("lot", i, "kind"), LIVE_LOT_MESSAGE))
        elif word in ("unknown", "mixed", "unconfirmed", "?", ""):
            out.append(source.problem(("lot", i, "kind"), UNKNOWN_LOT_MESSAGE))
    return out


def _duplicates(report: Callable[[tuple, str], None], items: Sequence[Any], at: tuple, what: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            report(at + (i, "id"), f"{what} id {quote(item.id)} is used twice")
        seen.add(item.id)


class _Checker:
    def __init__(self, production: Production, ctx: CheckContext) -> None:
        self.production = production
        self.ctx = ctx
        self.problems: list[Problem] = []

    def report(self, loc: tuple, message: str) -> None:
        self.problems.append(self.ctx.problem(loc, message))

    def run(self) -> list[Problem]:
        p = self.production
        info = p.production
        _duplicates(self.report, p.crew, ("crew",), "crew")
        _duplicates(self.report, p.weapon, ("weapon",), "weapon")
        _duplicates(self.report, p.lot, ("lot",), "lot")
        _duplicates(self.report, p.day, ("day",), "day")
        _duplicates(self.report, info.packs, ("production", "packs"), "pack")
        self.check_timezone()
        if not info.sample:
            for i, member in enumerate(p.crew):
                if member.demo_pin is not None:
                    self.report(("crew", i, "demo_pin"),
                                "demo PINs are for bundled samples only (`sample = true`); a real production "
                                "enrolls each person with `armory crew enroll`")
        for i, weapon in enumerate(p.weapon):
            self.check_weapon(i)
        for d, day in enumerate(p.day):
            self.check_day(d)
        return self.problems

    def check_timezone(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

        name = self.production.production.timezone
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            known = available_timezones()
            if not known:
                return  # this machine has no time zone database; nothing to check against
            hint = did_you_mean(name, known)
            self.report(("production", "timezone"), f"{quote(name)} is not an IANA time zone{hint}")

    def check_weapon(self, i: int) -> None:
        weapon = self.production.weapon[i]
        at = ("weapon", i)
        if weapon.kind in ("non_firing_replica", "rubber_prop") and weapon.firing:
            raw = self.ctx.source.data.get("weapon", [])
            written = i < len(raw) and isinstance(raw[i], dict) and "firing" in raw[i]
            if written:
                self.report(at + ("firing",), f"a {weapon.kind} cannot fire: set `firing = false`")
            else:
                self.report(at + ("kind",), f"a {weapon.kind} cannot fire: add `firing = false` (it defaults to true)")
            return
        if weapon.firing:
            if weapon.capacity < 1:
                self.report(at + ("capacity",),
                            f"a firing weapon holds at least 1 round; capacity is {weapon.capacity} "
                            "(checks compare the chambers inspected with it)")
            if not weapon.caliber:
                self.report(at, "a firing weapon needs `caliber`, to match it with its ammunition lots")

    def check_day(self, d: int) -> None:
        p = self.production
        day = p.day[d]
        at = ("day", d)
        crew_ids = [c.id for c in p.crew]
        seen: set[str] = set()
        for i, assignment in enumerate(day.crew):
            if assignment.id not in crew_ids:
                self.report(at + ("crew", i, "id"),
                            f"no crew member {quote(assignment.id)}{did_you_mean(assignment.id, crew_ids)}")
            if assignment.id in seen:
                self.report(at + ("crew", i, "id"), f"{quote(assignment.id)} is assigned twice on this day")
            seen.add(assignment.id)
        _duplicates(self.report, day.scene, at + ("scene",), "scene")
        firearms = False
        for s, scene in enumerate(day.scene):
            _duplicates(self.report, scene.setup, at + ("scene", s, "setup"), "setup")
            for u, setup in enumerate(scene.setup):
                weapons_here: set[str] = set()
                for k, issue in enumerate(setup.weapon):
                    loc = at + ("scene", s, "setup", u, "weapon", k)
                    if issue.weapon in weapons_here:
                        self.report(loc + ("weapon",), f"weapon {quote(issue.weapon)} is listed twice in this setup")
                    weapons_here.add(issue.weapon)
                    firearms |= self.check_issue(day.id, loc, issue)
        if firearms:
            handlers = [c.id for c in p.crew if "armorer" in p.roles_on(c.id, day.id)]
            if not handlers:
                self.report(at, f"day {quote(day.id)} has firearms but nobody is the armorer that day "
                                "(DESIGN invariant 4: only the armorer hands a firearm to an actor)")

    def check_issue(self, day_id: str, loc: tuple, issue: Issue) -> bool:
        """Check one weapon in one setup; True when it is a firing weapon."""
        p = self.production
        weapon = p.weapon_by_id(issue.weapon)
        if weapon is None:
            ids = [w.id for w in p.weapon]
            self.report(loc + ("weapon",), f"no weapon {quote(issue.weapon)} in [[weapon]]{did_you_mean(issue.weapon, ids)}")
        if issue.actor is not None:
            member = p.crew_member(issue.actor)
            if member is None:
                ids = [c.id for c in p.crew]
                self.report(loc + ("actor",), f"no crew member {quote(issue.actor)}{did_you_mean(issue.actor, ids)}")
            else:
                roles = p.roles_on(issue.actor, day_id)
                if "actor" not in roles:
                    held = ", ".join(sorted(roles)) or "none"
                    self.report(loc + ("actor",), f"{quote(issue.actor)} is not an actor on day {quote(day_id)} "
                                                  f"(roles that day: {held})")
                elif roles & HANDLER_ROLES:
                    pass  # an armorer acting is odd but not unsafe by itself
        lot = None
        if issue.lot is not None:
            lot = p.lot_by_id(issue.lot)
            if lot is None:
                ids = [x.id for x in p.lot]
                self.report(loc + ("lot",), f"no lot {quote(issue.lot)} in [[lot]]{did_you_mean(issue.lot, ids)}")
        if issue.load == "cold":
            if issue.rounds:
                self.report(loc + ("rounds",), f"a cold weapon carries no rounds, but rounds = {issue.rounds}")
            if issue.lot is not None:
                self.report(loc + ("lot",), "a cold weapon carries no rounds: remove `lot`")
            return bool(weapon and weapon.firing)
        if weapon is None:
            return False
        lot_kind = "blank" if issue.load == "blanks" else "dummy"
        if not weapon.firing and (issue.load == "blanks" or weapon.kind == "rubber_prop"):
            self.report(loc + ("load",), f"{quote(weapon.id)} is a {weapon.kind} and cannot take {issue.load}")
            return False
        if issue.rounds < 1:
            self.report(loc + ("rounds",), f"a load of {issue.load} needs rounds of at least 1")
        elif weapon.capacity and issue.rounds > weapon.capacity:
            self.report(loc + ("rounds",), f"{issue.rounds} rounds do not fit: {quote(weapon.id)} holds {weapon.capacity}")
        if weapon.caliber is None:
            return weapon.firing  # reported on the weapon: no caliber to match lots with
        matching = [x.id for x in p.lot if x.kind == lot_kind and x.caliber == weapon.caliber]
        if issue.lot is None:
            if matching:
                self.report(loc + ("load",), f"name the {lot_kind} lot the rounds come from "
                                             f"(`lot = {quote(matching[0])}`; {lot_kind} lots of {weapon.caliber}: "
                                             f"{', '.join(matching)})")
            else:
                self.report(loc + ("load",), f"a load of {issue.load} needs a {lot_kind} lot of "
                                             f"{quote(weapon.caliber)}, and [[lot]] has none")
        elif lot is not None:
            if lot.kind != lot_kind:
                self.report(loc + ("lot",), f"lot {quote(lot.id)} holds {lot.kind} rounds, but the load is "
                                            f"{issue.load}" + (f" (use {', '.join(matching)})" if matching else ""))
            elif lot.caliber != weapon.caliber:
                self.report(loc + ("lot",), f"lot {quote(lot.id)} is {lot.caliber}, but {quote(weapon.id)} "
                                            f"takes {weapon.caliber}")
            if issue.rounds > lot.count:
                self.report(loc + ("rounds",), f"{issue.rounds} rounds but lot {quote(lot.id)} holds only {lot.count}")
        return weapon.firing


def production_problems(production: Production, ctx: CheckContext) -> Iterable[Problem]:
    """Every cross-check problem in one production (packs are checked by ``packs_for``)."""
    return _Checker(production, ctx).run()
