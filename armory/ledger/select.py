"""Choosing entries from a ledger to show: by run, day, kind, weapon and person.

Each filter a reader names is checked against what the ledger holds, and a
name it does not hold is refused with the names it does (and a did-you-mean),
never answered with an empty list that looks like "nothing happened".
"""

from __future__ import annotations

import difflib

from armory.problems import InputError

_PEOPLE_FIELDS = ("giver", "receiver", "actor", "crew_id", "reported_by", "caused_by", "authorized_by")


def mentions_person(entry, person: str) -> bool:
    p = entry.payload
    if entry.who == person:
        return True
    if any(p.get(name) == person for name in _PEOPLE_FIELDS):
        return True
    return any(person in (p.get(name) or []) for name in ("signed_by", "witnesses"))


def mentions_weapon(entry, weapon: str) -> bool:
    p = entry.payload
    return p.get("weapon") == weapon or weapon in (p.get("weapons") or []) or (
        p.get("item") == weapon and p.get("item_kind", "weapon") == "weapon")


def check_kinds(kinds) -> None:
    """Refuse a kind that is not an entry kind, with a did-you-mean."""
    from armory.ledger.entries import KINDS

    for kind in kinds or []:
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; kinds: {', '.join(KINDS)}"
            raise InputError(f"--kind {kind!r}: not an entry kind{hint}")


def check_names(production, *, weapon: str | None, person: str | None) -> None:
    """Refuse a weapon or crew id the production does not have."""
    if weapon and production.weapon_by_id(weapon) is None:
        raise InputError(f"--weapon {weapon!r}: no such weapon in {production.production.title}")
    if person and production.crew_member(person) is None:
        raise InputError(f"--person {person!r}: no such crew id in {production.production.title}")


def select_entries(ledger, *, runs: set[str] | None, day: str | None, kinds, weapon: str | None,
                   person: str | None, opened_on=None, zone=None) -> tuple[list, list[str]]:
    """(the entries chosen, every day the ledger records in order, of any run).

    ``opened_on`` (a date, local to ``zone``): only the entries of ``day`` as opened on that date."""
    from armory.ledger.store import parse_time

    chosen = []
    days_seen: dict[str, None] = {}
    open_day: dict[str, str | None] = {}  # each drill run opens and closes its own days
    open_date: dict[tuple[str, str], object] = {}  # (run, day) -> the local date it was last opened on
    for entry in ledger.entries(scope=None):
        entry_day = entry.payload.get("day") or open_day.get(entry.scope)
        if entry.kind == "day_opened":
            open_day[entry.scope] = entry.payload.get("day")
            if opened_on is not None:
                try:
                    open_date[(entry.scope, str(entry_day))] = parse_time(entry.time).astimezone(zone).date()
                except ValueError:
                    pass
        elif entry.kind == "day_closed":
            open_day[entry.scope] = None
        if isinstance(entry_day, str):
            days_seen.setdefault(entry_day)
        if runs is not None and entry.scope not in runs:
            continue
        if day and entry_day != day:
            continue
        if opened_on is not None and open_date.get((entry.scope, str(entry_day))) != opened_on:
            continue
        if kinds and entry.kind not in kinds:
            continue
        if weapon and not mentions_weapon(entry, weapon):
            continue
        if person and not mentions_person(entry, person):
            continue
        chosen.append(entry)
    return chosen, list(days_seen)


def unknown_day(day: str, recorded: list[str], production) -> str:
    """The note for a --day the ledger never recorded that the production has (then it is merely empty);
    InputError when the production does not have it either."""
    known = ", ".join(recorded) if recorded else "none yet"
    if production is not None and production.day_by_id(day) is not None:
        return f"nothing was recorded on {day} (the day was never opened); days with entries: {known}"
    names = list(dict.fromkeys([*recorded, *(d.id for d in production.day)] if production is not None
                               else recorded))
    close = difflib.get_close_matches(day, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(f"--day {day!r}: no such day in this ledger{hint}; days with entries: {known}")


def runs_matching(ledger, wanted: str | None) -> set[str] | None:
    """The scopes ``--run`` selects: ``main`` (the production's own), a whole scope (``drill:NAME:ID``, as each
    line is labelled), a drill's name (every run of it) or a run's id."""
    if wanted is None:
        return None
    scopes = list(dict.fromkeys(row[4] for row in ledger.rows()))
    if wanted in ("main", ""):
        return {""}
    found = {s for s in scopes if s and (s == wanted or s.split(":")[1:2] == [wanted] or
                                          (s.startswith("drill:") and s.split(":")[-1] == wanted))}
    if not found:
        names = sorted({s.split(":")[1] if s.startswith("drill:") and s.count(":") >= 2 else s for s in scopes if s})
        listed = ", ".join(["main", *names]) if names else "main (this ledger holds no drill runs)"
        close = difflib.get_close_matches(wanted, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"--run {wanted!r}: no such run in this ledger{hint}; runs: {listed}")
    return found
