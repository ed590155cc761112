"""Ledger entries in plain language: who did what to which weapon, when.

One line per entry, used by ``armory log show``, the exports and the TUI.
With the production, crew ids become names, weapon ids gain their model and
times are local to the production's time zone; without it, ids and UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from armory.ledger.store import Entry, parse_time
from armory.production.models import Production


class _Words:
    def __init__(self, production: Production | None) -> None:
        self.production = production
        self.zone = timezone.utc
        if production is not None:
            try:
                from zoneinfo import ZoneInfo

                self.zone = ZoneInfo(production.production.timezone)
            except Exception:  # an unknown zone was reported by lint; show UTC rather than fail
                self.zone = timezone.utc

    def person(self, crew_id: Any) -> str:
        if not crew_id:
            return "someone"
        member = self.production.crew_member(crew_id) if self.production else None
        return member.name if member else str(crew_id)

    def people(self, crew_ids: Any) -> str:
        names = [self.person(c) for c in crew_ids or []]
        if not names:
            return "nobody"
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def weapon(self, weapon_id: Any) -> str:
        if not weapon_id:
            return "no weapon"
        weapon = self.production.weapon_by_id(weapon_id) if self.production else None
        return f"{weapon_id} ({weapon.make} {weapon.model})" if weapon else str(weapon_id)

    def when(self, time_text: str) -> str:
        try:
            moment: datetime = parse_time(time_text)
        except ValueError:
            return time_text
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S %Z")

    def clock(self, time_text: Any) -> str:
        try:
            return parse_time(str(time_text)).astimezone(self.zone).strftime("%H:%M %Z")
        except ValueError:
            return str(time_text)


def _where(p: dict) -> str:
    parts = [p.get("scene") and f"scene {p['scene']}", p.get("setup") and f"setup {p['setup']}"]
    text = ", ".join(x for x in parts if x)
    return f" ({text})" if text else ""


def why_not_reconciled(p: dict) -> str:
    """Why a return is not reconciled, in plain words.

    Either the counts do not add up (out = back + fired), or they do but rounds were fired from a load that
    cannot fire: the engine records that as an unintended discharge. A cold weapon goes out with no rounds,
    so counts that add up with rounds fired mean a dummy load.
    """
    out, fired, back = (int(p.get(k) or 0) for k in ("rounds_out", "rounds_fired", "rounds_returned"))
    missing = out - back - fired
    if missing > 0:
        return f"{missing} round{'s' if missing != 1 else ''} unaccounted: rounds out must equal rounds back plus rounds fired"
    if missing < 0:
        return (f"{-missing} round{'s' if missing != -1 else ''} more back and fired than went out: rounds out must "
                "equal rounds back plus rounds fired")
    return "dummies cannot fire: a firing from a dummy load is an unintended discharge"


def _method_words(method: object) -> str:
    """How a round was shown, as the armorer chose it on screen (the id in brackets, for the jsonl reader)."""
    from armory.ledger.entries import ROUND_METHOD_WORDS

    words = ROUND_METHOD_WORDS.get(method) if isinstance(method, str) else None
    return f"{words} ({method})" if words else f"shown by {method}"


def _signed(w: _Words, p: dict, who: Any) -> str:
    return w.people(p.get("signed_by")) if p.get("signed_by") else w.person(who)


def _packs(p: dict) -> str:
    return ", ".join(f"{k.get('id')} {k.get('version')}" for k in p.get("packs") or []) or "none"


_Describer = Callable[[_Words, dict, Entry], str]


def _answer(w: _Words, p: dict, e: Entry) -> str:
    by = "sensed from the ledger" if p.get("sensed") else _signed(w, p, e.who)
    observed = ", ".join(p.get("observed") or []) or "nothing"
    question = str(p.get("question", "")).removeprefix("(sensed from the ledger) ")
    answered = "the ledger showed" if p.get("sensed") else "answered"
    result = "passed" if p.get("verdict") == "pass" else f"FAILED ({p.get('severity')})"
    target = f" on {w.weapon(p.get('weapon'))}" if p.get("weapon") else ""
    if p.get("stopped_at_round"):
        result += f", stopped at round {p.get('stopped_at_round')} of {p.get('rounds_loaded')}"
    return f"{by}: {p.get('rule_id')}{target}{_where(p)}: {question} {answered} {observed}: {result}"


def _rules_off(p: dict) -> str:
    """"; rules switched off by the production: handoff.show-the-load-ad for replica-1 (reason)"."""
    off = [r for r in p.get("rules_off") or [] if isinstance(r, dict)]
    if not off:
        return ""
    parts = []
    for r in off:
        scope = f" for {', '.join(r.get('weapons') or [])}" if r.get("weapons") else ""
        instead = f", replaced by {r.get('replaced_by')}" if r.get("replaced_by") else ""
        parts.append(f"{r.get('rule')}{scope}{instead} ({r.get('reason')})")
    return "; rules switched off by the production: " + "; ".join(parts)


_KINDS: dict[str, _Describer] = {
    "ledger_opened": lambda w, p, e: f"ledger opened for {p.get('production_title') or 'a production'} "
                                     f"(signing key {p.get('key_fingerprint')})",
    "crew_enrolled": lambda w, p, e: (
        f"{w.person(p.get('crew_id'))} enrolled with the sample's demo PIN" if p.get("authorized_by") == "demo"
        else f"{w.person(p.get('authorized_by'))} {'changed' if p.get('changed') else 'enrolled'} "
             f"{w.person(p.get('crew_id'))}'s PIN"),
    "auth_failed": lambda w, p, e: (
        f"wrong PIN for {w.person(p.get('crew_id'))} trying to {p.get('purpose')} ({p.get('attempts')} in a row"
        + (f", locked out until {w.clock(p.get('locked_until'))})" if p.get("locked_until") else ")")),
    "day_opened": lambda w, p, e: (f"{_signed(w, p, e.who)} opened {p.get('day')} with rule packs {_packs(p)}"
                                   + _rules_off(p)),
    "packs_changed": lambda w, p, e: (
        f"{_signed(w, p, e.who)} changed the rule packs on {p.get('day')} to {_packs(p)}: {p.get('reason')}"),
    "answer": _answer,
    "round_verified": lambda w, p, e: (
        f"{_signed(w, p, e.who)} verified round {p.get('round_no')} for {w.weapon(p.get('weapon'))}"
        + (f" from lot {p.get('lot')}" if p.get("lot") else "")
        + f": {_method_words(p.get('method'))}: {'passed' if p.get('verdict') == 'pass' else 'FAILED'}"),
    "override": lambda w, p, e: (
        f"{_signed(w, p, e.who)} overrode {p.get('rule_id')}"
        + (f" on {w.weapon(p.get('weapon'))}" if p.get("weapon") else "")
        + f" (answer #{p.get('answer_seq')}): {p.get('reason')}"),
    "correction": lambda w, p, e: (
        f"{_signed(w, p, e.who)} corrected answer #{p.get('corrects_seq')} to "
        f"{', '.join(p.get('observed') or [])} ({p.get('verdict')}): {p.get('reason')}"),
    "stop": lambda w, p, e: (
        ("STOP, every firearm" if p.get("scope") == "production"
         else f"STOP {', '.join(w.weapon(x) for x in p.get('weapons') or [])}")
        + f": {p.get('reason')} ({p.get('cause')})"
        + (f", caused by {w.person(p.get('caused_by'))}" if p.get("caused_by") else "")),
    "clearance": lambda w, p, e: f"{_signed(w, p, e.who)} cleared stop #{p.get('stop_seq')}: {p.get('reason')}",
    "handoff": lambda w, p, e: (
        f"{w.person(p.get('giver'))} handed {w.weapon(p.get('weapon'))} to {w.person(p.get('receiver'))}"
        f"{_where(p)}, {p.get('load')} with {p.get('rounds')} round{'s' if p.get('rounds') != 1 else ''}"
        + (f", witnessed by {w.people(p.get('witnesses'))}" if p.get("witnesses") else "")),
    "refusal": lambda w, p, e: (
        f"refused: {p.get('action')}"
        + (f" of {w.weapon(p.get('weapon'))}" if p.get("weapon") else "")
        + (f" by {w.person(p.get('actor'))}" if p.get("actor") else "")
        + f": {p.get('reason')} ({p.get('cause')})"),
    "return": lambda w, p, e: (
        f"{w.person(p.get('receiver'))} took {w.weapon(p.get('weapon'))} back from {w.person(p.get('giver'))}: "
        f"{p.get('rounds_out')} out, {p.get('rounds_fired')} fired, {p.get('rounds_returned')} back, "
        + ("reconciled" if p.get("reconciled") else f"NOT RECONCILED ({why_not_reconciled(p)})")),
    "rounds_fired": lambda w, p, e: (
        f"{p.get('rounds')} round{'s' if p.get('rounds') != 1 else ''} fired from {w.weapon(p.get('weapon'))}{_where(p)}"),
    "incident": lambda w, p, e: (
        f"INCIDENT ({str(p.get('incident')).replace('_', ' ')})"
        + (f" with {w.weapon(p.get('weapon'))}" if p.get("weapon") else "")
        + f" reported by {w.person(p.get('reported_by'))}: {p.get('description')}"),
    "incident_reviewed": lambda w, p, e: (
        f"{_signed(w, p, e.who)} reviewed incident #{p.get('incident_seq')}: {p.get('findings')}"),
    "seal": lambda w, p, e: (
        f"{_signed(w, p, e.who)} sealed {p.get('item_kind')} "
        f"{w.weapon(p.get('item')) if p.get('item_kind') == 'weapon' else p.get('item')} under seal {p.get('seal_id')}"),
    "custody_transfer": lambda w, p, e: (
        f"{_signed(w, p, e.who)} handed {p.get('item')} (seal {p.get('seal_id')}) to {p.get('investigator')} "
        f"of {p.get('agency')}, receipt {p.get('receipt')}"),
    "spare": lambda w, p, e: (
        f"{_signed(w, p, e.who)} put a spare on scene {p.get('scene')}, setup {p.get('setup')}: "
        + spare_words(w, p) + f" ({p.get('reason')})"),
    "checks_signed": lambda w, p, e: (
        f"{_signed(w, p, e.who)} signed the {str(p.get('phase')).replace('_', '-')} checks of {p.get('day')} "
        f"({len(p.get('rules') or [])} checks, answers up to #{p.get('last_answer')})"),
    "note": lambda w, p, e: (
        f"{w.person(e.who)} noted" + (f" about {w.weapon(p.get('weapon'))}" if p.get("weapon") else "")
        + f": {p.get('text')}"),
    "day_closed": lambda w, p, e: (
        f"{_signed(w, p, e.who)} closed {p.get('day')} at head {str(p.get('head_hash'))[:16]}"),
    "checkpoint": lambda w, p, e: (
        f"signed checkpoint over entries 1-{p.get('size')} (head {str(p.get('head_hash'))[:16]}, "
        f"key {p.get('key_fingerprint')})"),
    "credentials_sealed": lambda w, p, e: (
        f"credentials moved off the ledger file: {len(p.get('crew_ids') or [])} PIN hash"
        f"{'es' if len(p.get('crew_ids') or []) != 1 else ''} sealed"
        + (f" ({w.people(p.get('crew_ids'))})" if p.get("crew_ids") else "")
        + (f", signing key {p.get('key_fingerprint')} encrypted" if p.get("key_sealed") else "")
        + f", under the device secret kept in {'the keyring' if p.get('secret_store') == 'keyring' else 'its own file'}"),
    "export_recorded": lambda w, p, e: (
        f"exported {p.get('format')}" + (f" of {p.get('day')}" if p.get("day") else "")
        + f": {p.get('entries')} entries to head {str(p.get('head_hash'))[:16]}"),
    "cosignature": lambda w, p, e: (
        f"studio witness {p.get('witness')} (key {p.get('witness_fingerprint')}) cosigned entries 1-{p.get('size')} "
        f"(head {str(p.get('head_hash'))[:16]})"),
}


def _run_label(scope: str) -> str:
    """The label of an entry written in a run of its own: its scope as ``--run`` takes it.

    A drill's scope (``drill:NAME:ID``) already says it is a drill; any other scope is called a run.
    """
    if not scope:
        return ""
    return f"[{scope}] " if scope.startswith("drill:") else f"[run {scope}] "


def describe(entry: Entry, production: Production | None = None, *, words: _Words | None = None) -> str:
    """One line: when (local time), then who did what to which weapon."""
    w = words or _Words(production)
    payload = entry.payload if isinstance(entry.payload, dict) else {}
    describer = _KINDS.get(entry.kind)
    try:
        text = describer(w, payload, entry) if describer else f"{entry.kind} {payload}"
    except (AttributeError, TypeError):  # a payload of an unexpected shape still gets a line
        text = f"{entry.kind} {payload}"
    drill = _run_label(entry.scope)
    skew = f" (clock ran {entry.clock_skew_ms} ms backwards)" if entry.clock_skew_ms else ""
    return f"#{entry.seq} {w.when(entry.time)}  {drill}{text}{skew}"


def describe_all(entries: Iterable[Entry], production: Production | None = None) -> Iterable[str]:
    """``describe`` for many entries, sharing the name lookups."""
    from armory.ledger.pack_versions import changed_in

    words = _Words(production)
    seen: dict = {}
    for entry in entries:
        line = describe(entry, production, words=words)
        changed = changed_in(entry, seen)
        yield line + "".join(f"; WARNING: {c}" for c in changed)


def spare_words(w, p) -> str:
    """'saa-2 instead of saa-1, rounds from d45-b instead of d45-a' (what changed, nothing else)."""
    parts = []
    if p.get("spare_weapon") != p.get("replaces_weapon"):
        parts.append(f"{w.weapon(p.get('spare_weapon'))} instead of {w.weapon(p.get('replaces_weapon'))}")
    if p.get("spare_lot") != p.get("replaces_lot"):
        parts.append(f"rounds from lot {p.get('spare_lot')} instead of {p.get('replaces_lot') or 'none'}")
    return ", ".join(parts) or "nothing changed"
