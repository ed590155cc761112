"""Ledger entries as rows a producer reads: when, which day, who, what, result, why.

Every export format reads entries in their exported form (the dicts of the
jsonl lines), so a report can be made from a ledger or from an export file
alike. This module turns each entry into a :class:`Record` (plain language,
local time, the day it belongs to) and answers the questions the summary asks
(which stops are still open, which holds were never overridden).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def as_int(value: Any) -> int:
    """An entry's number (a sequence number, a count) as an int; 0 for anything else, so a damaged
    or edited entry is still shown rather than stopping the export."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return 0


def _field_kinds() -> dict[str, dict[str, str]]:
    """For each entry kind, each payload field's shape: ``int``, ``bool``, ``list``, ``packs`` or ``str``."""
    import types
    import typing

    from armory.ledger.entries import PAYLOADS

    def shape(annotation: Any) -> str:
        options = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) \
            else (annotation,)
        options = tuple(o for o in options if o is not type(None))
        first = options[0] if options else str
        origin = typing.get_origin(first)
        if origin is list:
            inner = typing.get_args(first)
            return "packs" if inner and isinstance(inner[0], type) and issubclass(inner[0], BaseModel) else "list"
        if first is bool:
            return "bool"
        if first is int:
            return "int"
        return "str"

    from pydantic import BaseModel

    return {kind: {name: shape(field.annotation) for name, field in model.model_fields.items()}
            for kind, model in PAYLOADS.items()}


_FIELD_KINDS: dict[str, dict[str, str]] | None = None


def clean(entry: Any) -> dict:
    """An entry with every field of the type its kind's model says, for display only.

    A chain that verifies was written by armory and is already so; an edited or
    damaged one may hold anything, and must still be shown, never crash the
    export. Values of the wrong type become text (or 0, or an empty list).
    """
    global _FIELD_KINDS
    if _FIELD_KINDS is None:
        _FIELD_KINDS = _field_kinds()
    if not isinstance(entry, dict):
        entry = {}
    kind = entry.get("kind")
    kind = kind if isinstance(kind, str) else str(kind)
    who = entry.get("who")
    out = {
        **entry,
        "seq": as_int(entry.get("seq")),
        "time": entry.get("time") if isinstance(entry.get("time"), str) else str(entry.get("time")),
        "kind": kind,
        "who": who if who is None or isinstance(who, str) else str(who),
        "scope": entry.get("scope") if isinstance(entry.get("scope"), str) else "",
        "hash": entry.get("hash") if isinstance(entry.get("hash"), str) else str(entry.get("hash", "")),
    }
    raw = entry.get("payload") if isinstance(entry.get("payload"), dict) else {}
    shapes = _FIELD_KINDS.get(kind, {})
    if all(_fits(value, shapes.get(name, "str")) for name, value in raw.items()):
        out["payload"] = raw  # the usual case: as armory wrote it
        return out
    payload = {}
    for name, value in raw.items():
        shape = shapes.get(name, "str")
        if value is None:
            payload[name] = None
        elif shape == "int":
            payload[name] = as_int(value)
        elif shape == "bool":
            payload[name] = value if isinstance(value, bool) else False
        elif shape == "list":
            payload[name] = [v if isinstance(v, str) else str(v) for v in value] if isinstance(value, list) else []
        elif shape == "packs":
            payload[name] = [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
        else:
            payload[name] = value if isinstance(value, str) else str(value)
    out["payload"] = payload
    return out


_NONE = type(None)
_EXACT = {"int": (int, _NONE), "bool": (bool, _NONE), "str": (str, _NONE)}


def _fits(value: Any, shape: str) -> bool:
    if shape == "list":
        return type(value) is list and all(type(v) is str for v in value)
    if shape == "packs":
        return type(value) is list and all(type(v) is dict for v in value)
    return type(value) in _EXACT[shape]


def clean_all(entries: Iterable[Any]) -> list[dict]:
    return [clean(entry) for entry in entries]


def parse_time(value: str) -> dt.datetime:
    """An entry time (ISO 8601, ``Z`` or an offset) as an aware UTC datetime."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def local_time(value: str, tz: dt.tzinfo) -> str:
    try:
        t = parse_time(value).astimezone(tz)
    except ValueError:
        return value
    # strftime is the slow part of a 100,000-entry export; this is the same text.
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def _payload(entry: dict) -> dict:
    payload = entry.get("payload")
    return payload if isinstance(payload, dict) else {}


def _join(values: Any) -> str:
    if isinstance(values, (list, tuple)):
        return ", ".join(str(v) for v in values)
    return "" if values is None else str(values)


NOTHING_ENTERED = "nothing entered"


def _observed(values: Any) -> str:
    """What someone answered, as text: "nothing entered" for an empty answer, never an empty gap."""
    text = _join(values)
    return text if text.strip(" ,") else NOTHING_ENTERED


def plain_reason(text: str) -> str:
    """A recorded reason as a producer reads it: the engine writes an empty answer as ``observed ,``."""
    if "observed" not in text:
        return text
    return re.sub(r"\bobserved\s*(?:,\s*)+(?=expected\b)", f"{NOTHING_ENTERED}, ", text)


_FAILURE_TITLES: dict[str, str] | None = None


def failure_titles() -> dict[str, str]:
    """Failure id -> title, from the bundled ``rules/failures.toml`` (empty when it cannot be read)."""
    global _FAILURE_TITLES
    if _FAILURE_TITLES is None:
        try:
            from armory.rulebook.loader import load_failures

            _FAILURE_TITLES = {f.id: f.title for f in load_failures().failure}
        except Exception:  # noqa: BLE001 - the report is still written, with the bare ids
            _FAILURE_TITLES = {}
    return _FAILURE_TITLES


def explain_failures(values: Any) -> str:
    """``F5, F11`` as ``F5 (Earlier discharges and complaints ignored); F11 (...)``."""
    ids = [str(v) for v in values] if isinstance(values, (list, tuple)) else [s.strip() for s in _join(values).split(",")]
    titles = failure_titles()
    return "; ".join(f"{i} ({titles[i]})" if i in titles else i for i in ids if i)


def rule_titles(entries: Iterable[dict]) -> dict[str, str]:
    """Rule id -> title, read from the full text of each rule pack the record carries (as recorded when a
    day opened), so a report names each rule in words, as the pack in force named it; the engine's own
    invariants (which no pack can switch off) by their titles."""
    import tomllib

    from armory.checklist.invariants import INVARIANTS

    titles: dict[str, str] = {inv.id: inv.title for inv in INVARIANTS.values()}
    seen: set[str] = set()
    for entry in entries:
        if entry.get("kind") not in ("day_opened", "packs_changed"):
            continue
        for pack in _payload(entry).get("packs") or []:
            if not isinstance(pack, dict) or not isinstance(pack.get("text"), str):
                continue
            key = str(pack.get("hash")) or pack["text"]
            if key in seen:
                continue
            seen.add(key)
            try:
                parsed = tomllib.loads(pack["text"])
            except (tomllib.TOMLDecodeError, ValueError):
                continue
            for rule in parsed.get("rule") or []:
                if isinstance(rule, dict) and isinstance(rule.get("id"), str) and isinstance(rule.get("title"), str):
                    titles.setdefault(rule["id"], rule["title"])
    return titles


#: Entries the export itself writes (a signed head, a note that an export was made). They belong to the
#: chain, not to a shooting day: written after a day's last real entry, they do not extend that day.
BOOKKEEPING_KINDS = frozenset({"checkpoint", "export_recorded"})


def assign_days(entries: Sequence[dict]) -> list[str | None]:
    """The day each entry belongs to: its own ``day``, else the day open when it was written.

    A checkpoint or an export record belongs to the open day only when a real
    entry of that day follows it (an export made mid-day); those written after
    a day's last real entry (a day never closed, exported later, perhaps years
    later) belong to no day, so they never stretch the day to the export time.
    An export record's own ``day`` is the day it exported, not the day it was
    written in.
    """
    days: list[str | None] = []
    open_day: str | None = None
    pending: list[int] = []
    pending_day: str | None = None
    for index, entry in enumerate(entries):
        payload = _payload(entry)
        kind = entry.get("kind")
        if kind in BOOKKEEPING_KINDS:
            days.append(None)
            if open_day is not None:
                pending.append(index)
                pending_day = open_day
            continue
        own = payload.get("day") if isinstance(payload.get("day"), str) else None
        if kind == "day_opened" and own:
            open_day = own
        day = own or open_day
        if pending and day == pending_day:
            for waiting in pending:
                days[waiting] = day
        pending = []
        days.append(day)
        if kind == "day_closed" and own == open_day:
            open_day = None
    return days


def build_records(entries: Sequence[dict], names: Names | None = None) -> list[Record]:
    """Every entry as a :class:`Record`, in chain order (entries of any shape: see :func:`clean`)."""
    entries = clean_all(entries)
    names = names or Names()
    tz = zone(names.timezone)
    answers: dict[int, dict] = {}
    records = []
    for entry, day in zip(entries, assign_days(entries)):
        seq = as_int(entry.get("seq"))
        if entry.get("kind") == "answer":
            answers[seq] = _payload(entry)
        records.append(_record(entry, day, names, tz, answers))
    return records


def _record(entry: dict, day: str | None, names: Names, tz: dt.tzinfo, answers: dict[int, dict]) -> Record:
    kind = str(entry.get("kind", ""))
    p = _payload(entry)
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
            observed = _observed(p.get("observed"))
            if observed == NOTHING_ENTERED:
                reason = f"{NOTHING_ENTERED}; expected {p.get('expected', '?')}"
            elif p.get("sensed"):  # nobody answered: armory counted it in the ledger
                reason = f"the ledger showed {observed}, expected {p.get('expected', '?')}"
            else:
                reason = f"expected {p.get('expected', '?')}, observed {observed}"
        details += [
            ("Expected", str(p.get("expected", ""))),
            ("Found in the ledger" if p.get("sensed") else "Observed", _observed(p.get("observed"))),
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
                        ("Observed", _observed(original.get("observed")))]
        details.append(("Signed by", n.people(p.get("signed_by") or [])))
    elif kind == "correction":
        what = f"Answer #{p.get('corrects_seq')} corrected to {_observed(p.get('observed'))} ({p.get('verdict')})"
        reason = str(p.get("reason", ""))
        result = "corrected"
        severity = "warning"
        original = answers.get(as_int(p.get("corrects_seq")))
        if original:
            rule = str(original.get("rule_id", ""))
            details.append(("Originally observed", _observed(original.get("observed"))))
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


# Is this the right production file? ------------------------------------------


def production_in_chain(entries: Sequence[dict]) -> Any:
    """The production in force at the end of ``entries``, as the last day opened recorded it in full (the text
    is recorded once per version of the file: on the first day opened with its hash); None when no day
    recorded one (a ledger from before armory recorded the production's text).

    Names, weapons and the time zone taken from here are covered by the chain's hashes and signatures,
    so a report drawn from them can be re-drawn, and checked, from the exported entries alone."""
    import tomllib

    from pydantic import ValidationError

    from armory.production.models import Production

    wanted = None  # the production_hash of the last day opened: its text may be recorded on an earlier day
    latest = None  # else the last text recorded, as before texts were recorded once
    from armory.export.chain import of_kinds

    for entry in reversed(of_kinds(entries, frozenset({"day_opened"}))):
        if not isinstance(entry, dict) or entry.get("kind") != "day_opened":
            continue
        payload = _payload(entry)
        wanted = wanted or payload.get("production_hash")
        text = payload.get("production_text")
        if not isinstance(text, str):
            continue
        latest = latest or text
        if payload.get("production_hash") in (wanted, None):
            break
    else:
        text = latest
    if text is None:
        return None
    try:
        return Production.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError, ValueError):
        return None  # recorded by another version of the format: the file given (if any) is used instead


def recorded_title(entries: Sequence[dict]) -> str | None:
    """The production title the ledger recorded in its first entry (``ledger_opened``), if any."""
    for entry in entries[:1]:
        if isinstance(entry, dict) and entry.get("kind") == "ledger_opened":
            title = _payload(entry).get("production_title")
            return title if isinstance(title, str) and title else None
    return None


def production_matches(entries: Sequence[dict], production: Any) -> str | None:
    """A warning when ``production`` (a production model, or None) is not the one the ledger was opened
    for, judged by the title the ledger recorded in its first entry; None when it matches or when no
    production is given (see :func:`production_missing`).

    A wrong production file titles the record wrongly and names the wrong people, weapons and time zone
    without a word; the caller prints this warning (and the report shows it)."""
    if production is None:
        return None
    given = production.production.title
    recorded = recorded_title(entries)
    if recorded is None:
        return (f"the ledger records no production title, so it cannot be checked that the production file "
                f"({given!r}) is the one it was kept for; names, weapons and local times come from that file")
    if recorded.strip().casefold() != str(given).strip().casefold():
        return (f"the ledger was kept for {recorded!r} but the production file given is {given!r}: "
                "names, weapons and local times would come from the wrong production; "
                f"give the production file of {recorded!r}")
    return None


def production_missing(entries: Sequence[dict], production: Any) -> str | None:
    """A note when no production file is known: people appear by crew id and times in UTC."""
    if production is not None:
        return None
    recorded = recorded_title(entries)
    kept = f" (the ledger was kept for {recorded!r})" if recorded else ""
    return (f"no production file was given{kept}, so people and weapons appear by their ids and times in UTC; "
            "export with --production FILE for names and local times")


# Questions about the state at the end of a run of entries ------------------


def open_stops(entries: Sequence[dict]) -> list[dict]:
    """Stop entries with no clearance after them."""
    cleared = {as_int(_payload(e).get("stop_seq")) for e in entries if e.get("kind") == "clearance"}
    return [e for e in entries if e.get("kind") == "stop" and as_int(e.get("seq")) not in cleared]


def open_holds(entries: Sequence[dict]) -> list[dict]:
    """Failed hold answers that nobody overrode."""
    overridden = {as_int(_payload(e).get("answer_seq")) for e in entries if e.get("kind") == "override"}
    return [
        e for e in entries
        if e.get("kind") == "answer"
        and _payload(e).get("verdict") == "fail"
        and _payload(e).get("severity") == "hold"
        and as_int(e.get("seq")) not in overridden
    ]


def unreviewed_incidents(entries: Sequence[dict]) -> list[dict]:
    reviewed = {as_int(_payload(e).get("incident_seq")) for e in entries if e.get("kind") == "incident_reviewed"}
    return [e for e in entries if e.get("kind") == "incident" and as_int(e.get("seq")) not in reviewed]


def days_in(entries: Sequence[dict]) -> list[str]:
    """Days that have entries, in the order they first appear."""
    seen: dict[str, None] = {}
    for day in assign_days(entries):
        if day:
            seen.setdefault(day, None)
    return list(seen)


def day_range(entries: Sequence[dict], day: str) -> tuple[int, int] | None:
    """(start, end) indexes of ``day``'s entries: from its first entry to its last.

    The end runs on over the checkpoints and export records written right after
    the day's last entry, so the prefix ``entries[:end]`` ends with a signed head
    where one was written.
    """
    days = assign_days(entries)
    positions = [i for i, d in enumerate(days) if d == day]
    if not positions:
        return None
    start, end = positions[0], positions[-1] + 1
    while end < len(entries) and entries[end].get("kind") in BOOKKEEPING_KINDS and days[end] is None:
        end += 1
    return start, end
