"""Ledger entries as rows a producer reads: when, which day, who, what, result, why.

Every export format reads entries in their exported form (the dicts of the
jsonl lines), so a report can be made from a ledger or from an export file
alike. This module turns each entry into a :class:`Record` (plain language,
local time, the day it belongs to), one kind of entry after another.

The pieces it reads with have rooms of their own, and are exported from here
too: entries made safe to show (:mod:`~armory.export.clean`), days and times
(:mod:`~armory.export.days`), plain-language words (:mod:`~armory.export.wording`),
the production a record is drawn with (:mod:`~armory.export.production_file`)
and what is still unresolved (:mod:`~armory.export.unresolved`).
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

from armory.export.clean import as_int, clean, clean_all, payload_of
from armory.export.days import (
    BOOKKEEPING_KINDS,
    LocalTimes,
    assign_days,
    day_range,
    days_in,
    local_time,
    local_times,
    parse_time,
    zone,
)
from armory.export.entry_words import Words, words, words_key
from armory.export.names import Names
from armory.export.production_file import (
    production_in_chain,
    production_matches,
    production_missing,
    recorded_title,
)
from armory.export.unresolved import open_holds, open_stops, unreviewed_incidents
from armory.export.wording import explain_failures, failure_titles, plain_reason, rule_titles

# Every name other modules import from here, wherever it is defined now.
__all__ = [
    "BOOKKEEPING_KINDS",
    "PRODUCTION_WIDE_INCIDENTS",
    "SERIOUS_KINDS",
    "Names",
    "Record",
    "as_int",
    "assign_days",
    "build_records",
    "clean",
    "clean_all",
    "day_range",
    "days_in",
    "explain_failures",
    "failure_titles",
    "local_time",
    "open_holds",
    "open_stops",
    "parse_time",
    "plain_reason",
    "production_in_chain",
    "production_matches",
    "production_missing",
    "recorded_title",
    "rule_titles",
    "unreviewed_incidents",
    "zone",
]

#: Entry kinds a producer should see first.
SERIOUS_KINDS = frozenset({"stop", "incident", "refusal", "override"})

PRODUCTION_WIDE_INCIDENTS = frozenset({"misfire", "unintended_discharge", "live_round"})


class Record(NamedTuple):
    """One entry as a row of the producer's record.

    A named tuple rather than a frozen dataclass: a season makes a hundred thousand of them per export, and
    a tuple is made in a fraction of the time. (Its fields are in the order they are given in.)"""

    seq: int
    kind: str
    time_utc: str
    """ISO 8601 UTC, as recorded (``2026-03-02T14:05:00Z``)."""
    time_local: str
    """Local wall-clock time in the production's time zone (``2026-03-02 07:05:00``)."""
    day: str | None
    scene: str | None
    setup: str | None
    weapon: str | None
    weapons: tuple[str, ...]
    """Every weapon the entry concerns (a production-wide stop names several)."""
    who: str
    what: str
    result: str
    rule: str
    reason: str
    hash: str
    severity: str
    """``serious``, ``warning``, ``ok`` or ``""``: how the report marks it."""
    details: tuple[tuple[str, str], ...] = ()
    """(label, value) pairs the html shows under the entry: what the rule asked, what was observed, ..."""
    short: str = ""
    """A shorter ``what`` for lists (``STOP on colt-1``); empty when ``what`` is short already."""
    scope: str = ""
    """The entry's scope: empty for the production's own record, a drill run's id otherwise."""

    @property
    def anchor(self) -> str:
        return f"e{self.seq}"


def build_records(entries: Sequence[dict], names: Names | None = None, *, verified: bool = False,
                  days: Sequence[str | None] | None = None, local: bool = True) -> list[Record]:
    """Every entry as a :class:`Record`, in chain order (entries of any shape: see :func:`clean`; entries of a
    chain that ``verified`` were written by armory and are used as they are). ``days``: the day of each entry,
    as :func:`assign_days` gives them, when the caller has them already. ``local=False`` leaves each record's
    ``time_local`` empty, for a caller that writes its own (the csv's, with the offset)."""
    entries = list(entries) if verified else clean_all(entries)
    names = names or Names()
    times = local_times(zone(names.timezone)) if local else None
    answers: dict[int, dict] = {}
    worded: dict[tuple, Words] = {}  # the words of each distinct answer, worked out once (see words_key)
    records = []
    for entry, day in zip(entries, assign_days(entries) if days is None else days):
        seq = as_int(entry.get("seq"))
        if entry.get("kind") == "answer":
            answers[seq] = payload_of(entry)
        records.append(_record(entry, day, names, times, answers, worded))
    return records


def _record(entry: dict, day: str | None, n: Names, times: LocalTimes | None, answers: dict[int, dict],
            worded: dict[tuple, Words]) -> Record:
    kind = str(entry.get("kind", ""))
    p = payload_of(entry)
    who_id = entry.get("who") or ""
    weapon = p.get("weapon") if isinstance(p.get("weapon"), str) else None
    weapons: tuple[str, ...] = tuple(p.get("weapons") or ([weapon] if weapon else []))
    key = words_key(kind, p, weapon)
    said = worded.get(key) if key is not None else None
    if said is None:
        said = words(kind, p, weapon, weapons, n, answers)
        if key is not None:
            worded[key] = said
        weapon, weapons = said[7], said[8]
    # (the kinds words_key knows never change the weapons: those stay this entry's own)
    if weapon and weapon not in weapons:
        weapons = (weapon, *weapons)
    time_utc = str(entry.get("time", ""))
    scene, setup = p.get("scene"), p.get("setup")
    return Record(
        as_int(entry.get("seq")),
        kind,
        time_utc,
        times.local(time_utc) if times is not None else "",
        day,
        scene if isinstance(scene, str) else None,
        setup if isinstance(setup, str) else None,
        weapon,
        weapons,
        n.person(who_id),
        *said[:4],  # what, result, rule, reason
        str(entry.get("hash", "")),
        said[4],  # severity
        said[6],  # details
        said[5],  # short
        str(entry.get("scope") or ""),
    )
