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

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from armory.export.clean import as_int, clean, clean_all, payload_of
from armory.export.days import BOOKKEEPING_KINDS, assign_days, day_range, days_in, local_time, parse_time, zone
from armory.export.production_file import (
    production_in_chain,
    production_matches,
    production_missing,
    recorded_title,
)
from armory.export.unresolved import open_holds, open_stops, unreviewed_incidents
from armory.export.wording import (
    NOTHING_ENTERED,
    explain_failures,
    failure_titles,
    observed_words,
    plain_reason,
    rule_titles,
)

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


class Names:
    """Crew and weapon names from the production file, when one is known; ids otherwise."""

    def __init__(self, production: Any = None) -> None:
        self.production = production
        self._crew: dict[str, str] = {}
        self._weapons: dict[str, str] = {}
        self._shown: dict[str, str] = {}
        self.weapon_order: list[str] = []
        self.timezone = "UTC"
        self.title: str | None = None
        if production is not None:
            self.title = production.production.title
            self.timezone = production.production.timezone
            self._crew = {c.id: c.name for c in production.crew}
            for w in production.weapon:
                self._weapons[w.id] = f"{w.make} {w.model}"
                self.weapon_order.append(w.id)

    def person(self, crew_id: str | None) -> str:
        if not crew_id:
            return ""
        shown = self._shown.get(crew_id)
        if shown is None:
            name = self._crew.get(crew_id)
            shown = self._shown[crew_id] = f"{name} ({crew_id})" if name else str(crew_id)
        return shown

    def people(self, crew_ids: Iterable[str]) -> str:
        return ", ".join(self.person(c) for c in crew_ids)

    def weapon(self, weapon_id: str | None) -> str:
        if not weapon_id:
            return ""
        label = self._weapons.get(weapon_id)
        return f"{weapon_id} ({label})" if label else weapon_id

    def short_person(self, crew_id: str | None) -> str:
        if not crew_id:
            return ""
        return self._crew.get(crew_id, crew_id)


@dataclass(frozen=True)
class Record:
    """One entry as a row of the producer's record."""

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
    details: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(label, value) pairs the html shows under the entry: what the rule asked, what was observed, ..."""
    short: str = ""
    """A shorter ``what`` for lists (``STOP on colt-1``); empty when ``what`` is short already."""
    scope: str = ""
    """The entry's scope: empty for the production's own record, a drill run's id otherwise."""

    @property
    def anchor(self) -> str:
        return f"e{self.seq}"


def build_records(entries: Sequence[dict], names: Names | None = None, *, verified: bool = False) -> list[Record]:
    """Every entry as a :class:`Record`, in chain order (entries of any shape: see :func:`clean`; entries of a
    chain that ``verified`` were written by armory and are used as they are)."""
    entries = list(entries) if verified else clean_all(entries)
    names = names or Names()
    tz = zone(names.timezone)
    answers: dict[int, dict] = {}
    records = []
    for entry, day in zip(entries, assign_days(entries)):
        seq = as_int(entry.get("seq"))
        if entry.get("kind") == "answer":
            answers[seq] = payload_of(entry)
        records.append(_record(entry, day, names, tz, answers))
    return records


def _record(entry: dict, day: str | None, names: Names, tz: dt.tzinfo, answers: dict[int, dict]) -> Record:
    kind = str(entry.get("kind", ""))
    p = payload_of(entry)
    who_id = entry.get("who") or ""
    weapon = p.get("weapon") if isinstance(p.get("weapon"), str) else None
    weapons: tuple[str, ...] = tuple(p.get("weapons") or ([weapon] if weapon else []))
    result = rule = reason = severity = short = ""
    details: list[tuple[str, str]] = []
    n = names
    if kind == "ledger_opened":
        what = f"Ledger opened for {p.get('production_title', '?')}; its checkpoints are signed by key {p.get('key_fingerprint', '?')}"
    elif kind == "crew_enrolled":
        verb = "changed" if p.get("changed") else "set"
        what = f"PIN {verb} for {n.person(p.get('crew_id'))}, authorized by {n.person(p.get('authorized_by'))}"
    elif kind == "auth_failed":
        what = f"Wrong PIN for {n.person(p.get('crew_id'))} trying to {p.get('purpose', '?')} ({p.get('attempts', '?')} in a row)"
        if p.get("locked_until"):
            what += f"; locked out until {p['locked_until']}"
            severity = "warning"
        result = "refused"
    elif kind in ("day_opened", "packs_changed"):
        packs = p.get("packs") or []
        listed = ", ".join(f"{pk.get('id')} {pk.get('version')}" for pk in packs) or "no rule packs"
        if kind == "day_opened":
            what = f"Day {p.get('day')} opened with rule packs {listed}"
        else:
            what = f"Rule packs changed during {p.get('day')} to {listed}"
            reason = str(p.get("reason", ""))
            severity = "warning"
        for pk in packs:
            details.append((f"Pack {pk.get('id')}", f"version {pk.get('version')}, sha256 {pk.get('hash')}"))
        for off in p.get("rules_off") or []:  # rules the production switched off, with its reason
            if isinstance(off, dict):
                scope = f" for {', '.join(off.get('weapons') or [])}" if off.get("weapons") else ""
                instead = f", replaced by {off.get('replaced_by')}" if off.get("replaced_by") else ""
                details.append((f"Switched off: {off.get('rule')}", f"by the production{scope}{instead}: "
                                                                    f"{off.get('reason')}"))
        if p.get("signed_by"):
            details.append(("Signed by", n.people(p["signed_by"])))
    elif kind == "answer":
        verdict = p.get("verdict")
        sev = p.get("severity", "")
        where = f" on {weapon}" if weapon else ""
        how = "Judged from the ledger" if p.get("sensed") else "Check"
        question = str(p.get("question", ""))
        if p.get("sensed") and question.startswith("(sensed from the ledger) "):
            question = question[len("(sensed from the ledger) "):]
        what = f"{how}{where}: {question}".rstrip(": ")
        rule = str(p.get("rule_id", ""))
        if verdict == "pass":
            result = "pass"
            severity = "ok"
        else:
            result = f"FAIL ({sev})" if sev else "FAIL"
            severity = "serious" if sev in ("stop", "hold") else "warning"
            observed = observed_words(p.get("observed"))
            if observed == NOTHING_ENTERED:
                reason = f"{NOTHING_ENTERED}; expected {p.get('expected', '?')}"
            elif p.get("sensed"):  # nobody answered: armory counted it in the ledger
                reason = f"the ledger showed {observed}, expected {p.get('expected', '?')}"
            else:
                reason = f"expected {p.get('expected', '?')}, observed {observed}"
        details += [
            ("Expected", str(p.get("expected", ""))),
            ("Found in the ledger" if p.get("sensed") else "Observed", observed_words(p.get("observed"))),
            ("Severity", str(sev)),
        ]
        if p.get("failures"):
            details.append(("Prevents", explain_failures(p.get("failures"))))
        details.append(("Rule pack", f"{p.get('pack_id')} (sha256 {str(p.get('pack_hash', ''))[:16]}…)"))
        if p.get("signed_by"):
            details.append(("Signed by", n.people(p["signed_by"])))
    elif kind == "round_verified":
        method = str(p.get("method", "?"))
        how = ("could not be confirmed as a dummy or blank" if method == "unconfirmed" else
               "was LIVE" if method == "live" else f"shown by {method.replace('_', ' ')}")
        what = f"Round {p.get('round_no')} for {weapon} {how}"
        if p.get("lot"):
            what += f" (lot {p['lot']})"
        result = "pass" if p.get("verdict") == "pass" else "FAIL"
        severity = "ok" if result == "pass" else "serious"
        if result != "pass":
            reason = f"round could not be confirmed as a dummy or blank (method: {p.get('method')})"
    elif kind == "override":
        what = f"Failed hold {p.get('rule_id')} (answer #{p.get('answer_seq')}) overridden"
        if weapon:
            what += f" for {weapon}"
        rule = str(p.get("rule_id", ""))
        reason = str(p.get("reason", ""))
        result = "overridden"
        severity = "serious"
        original = answers.get(as_int(p.get("answer_seq")))
        if original:
            details += [("The rule asked", str(original.get("question", ""))),
                        ("Expected", str(original.get("expected", ""))),
                        ("Observed", observed_words(original.get("observed")))]
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "correction":
        what = f"Answer #{p.get('corrects_seq')} corrected to {observed_words(p.get('observed'))} ({p.get('verdict')})"
        reason = str(p.get("reason", ""))
        result = "corrected"
        severity = "warning"
        original = answers.get(as_int(p.get("corrects_seq")))
        if original:
            rule = str(original.get("rule_id", ""))
            details.append(("Originally observed", observed_words(original.get("observed"))))
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "stop":
        if p.get("scope") == "production":
            target = "every firearm of the production"
        else:
            target = ", ".join(weapons) or "the weapon"
        what = f"STOP on {target}: back to the armorer until a safety officer clears it"
        short = f"STOP on {target}"
        rule = str(p.get("cause", ""))
        reason = plain_reason(str(p.get("reason", "")))
        result = "stopped"
        severity = "serious"
        if p.get("caused_by"):
            details.append(("Caused by", n.person(p["caused_by"])))
        if p.get("from_seq"):
            details.append(("Because of entry", f"#{p['from_seq']}"))
        if p.get("failures"):
            details.append(("Prevents", explain_failures(p.get("failures"))))
    elif kind == "clearance":
        what = f"Stop #{p.get('stop_seq')} cleared"
        reason = str(p.get("reason", ""))
        result = "cleared"
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "handoff":
        what = (f"{n.person(p.get('giver'))} handed {weapon} to {n.person(p.get('receiver'))}"
                f" ({p.get('load')}, {p.get('rounds')} rounds)")
        result = "handed over"
        details.append(("Witnesses", n.people(p.get("witnesses") or []) or "none"))
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "refusal":
        actor = n.person(p.get("actor")) or "someone"
        target = f" of {weapon}" if weapon else ""
        action = str(p.get("action", "action")).replace("_", " ")
        what = f"Refused: {actor} tried {'an' if action[:1] in 'aeiou' else 'a'} {action}{target}"
        rule = str(p.get("cause", ""))
        reason = plain_reason(str(p.get("reason", "")))
        result = "refused"
        severity = "serious"
        if p.get("failures"):
            details.append(("Prevents", explain_failures(p.get("failures"))))
    elif kind == "return":
        what = (f"{n.person(p.get('receiver'))} took {weapon} back from {n.person(p.get('giver'))}:"
                f" {p.get('rounds_out')} out, {p.get('rounds_fired')} fired, {p.get('rounds_returned')} returned")
        if p.get("reconciled"):
            result = "reconciled"
        else:
            result = "NOT reconciled"
            severity = "serious"
            if p.get("rounds_out") == (p.get("rounds_returned") or 0) + (p.get("rounds_fired") or 0):
                from armory.ledger.describe import why_not_reconciled

                reason = why_not_reconciled(p)  # dummies that fired: the counts add up, the firing is the problem
            else:
                reason = "rounds out must equal rounds returned plus rounds fired"
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "rounds_fired":
        what = f"{p.get('rounds')} rounds fired from {weapon}"
    elif kind == "incident":
        kind_text = str(p.get("incident", "incident")).replace("_", " ")
        what = f"INCIDENT: {kind_text}" + (f" with {weapon}" if weapon else "")
        what += f", reported by {n.person(p.get('reported_by'))}"
        reason = str(p.get("description", ""))
        result = kind_text
        severity = "serious"
    elif kind == "incident_reviewed":
        what = f"Incident #{p.get('incident_seq')} reviewed"
        reason = str(p.get("findings", ""))
        result = "reviewed"
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "seal":
        item = p.get("item", "?")
        what = f"{p.get('item_kind', 'item')} {item} sealed as evidence under seal {p.get('seal_id')}"
        if p.get("incident_seq"):
            what += f" (incident #{p['incident_seq']})"
        if p.get("item_kind") == "weapon":
            weapons = (str(item),)
            weapon = str(item)
        result = "sealed"
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "checks_signed":
        what = (f"{str(p.get('phase', '')).replace('_', '-')} checks of {p.get('day')} signed "
                f"({len(p.get('rules') or [])} checks, answers up to #{p.get('last_answer')})")
        result = "signed"
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "spare":
        changed = []
        if p.get("spare_weapon") != p.get("replaces_weapon"):
            changed.append(f"{p.get('spare_weapon')} instead of {p.get('replaces_weapon')}")
            weapons = (str(p.get("spare_weapon")), str(p.get("replaces_weapon")))
        if p.get("spare_lot") != p.get("replaces_lot"):
            changed.append(f"rounds from lot {p.get('spare_lot')} instead of {p.get('replaces_lot') or 'none'}")
        what = f"Spare on scene {p.get('scene')}, setup {p.get('setup')}: {', '.join(changed) or 'nothing changed'}"
        weapon = str(p.get("spare_weapon"))
        reason = str(p.get("reason", ""))
        result = "spare"
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "custody_transfer":
        what = (f"{p.get('item')} (seal {p.get('seal_id')}) handed to {p.get('investigator')}"
                f" of {p.get('agency')}, receipt {p.get('receipt')}")
        result = "in custody"
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "note":
        what = f"Note: {p.get('text', '')}"
    elif kind == "day_closed":
        what = f"Day {p.get('day')} closed at chain head {str(p.get('head_hash', ''))[:16]}…"
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "checkpoint":
        what = f"Signed checkpoint: entries 1 to {p.get('size')} sealed by key {p.get('key_fingerprint')}"
        result = "signed"
    elif kind == "export_recorded":
        scope = f" of {p['day']}" if p.get("day") else ""
        what = f"Exported as {p.get('format')}{scope} ({p.get('entries')} entries)"
    elif kind == "cosignature":
        what = (f"Cosigned by the studio witness {p.get('witness')}: entries 1 to {p.get('size')}, "
                f"key {p.get('witness_fingerprint')}")
        result = "signed"
    elif kind == "credentials_sealed":
        crew_ids = [c for c in p.get("crew_ids") or [] if isinstance(c, str)]
        kept = "the keyring" if p.get("secret_store") == "keyring" else "a file of its own"
        what = (f"Credentials moved off the ledger file: {len(crew_ids)} PIN hash{'es' if len(crew_ids) != 1 else ''}"
                f" sealed{' and the signing key encrypted' if p.get('key_sealed') else ''} under the device secret"
                f" (kept in {kept})")
        if crew_ids:
            details.append(("PINs of", n.people(crew_ids)))
    else:
        what = f"{kind} entry"
    if weapon and weapon not in weapons:
        weapons = (weapon, *weapons)
    time_utc = str(entry.get("time", ""))
    return Record(
        seq=as_int(entry.get("seq")),
        kind=kind,
        time_utc=time_utc,
        time_local=local_time(time_utc, tz),
        day=day,
        scene=p.get("scene") if isinstance(p.get("scene"), str) else None,
        setup=p.get("setup") if isinstance(p.get("setup"), str) else None,
        weapon=weapon,
        weapons=weapons,
        who=n.person(who_id),
        what=what,
        result=result,
        rule=rule,
        reason=reason,
        hash=str(entry.get("hash", "")),
        severity=severity,
        details=tuple((label, value) for label, value in details if value),
        short=short,
        scope=str(entry.get("scope") or ""),
    )


