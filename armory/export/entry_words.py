"""What each kind of ledger entry says, in a producer's words.

:func:`words` reads one entry's payload and says what happened (``what``), how
it ended (``result``), the rule, the reason, how serious it is and the details
the html shows under it. A season repeats itself: the same check asked of the
same weapon and answered the same way, round after round shown to be a dummy.
:func:`words_key` names what the words of such an entry depend on, so that an
export works them out once per distinct answer instead of once per entry.
"""

from __future__ import annotations

import itertools

from armory.export.clean import as_int
from armory.export.names import Names
from armory.export.wording import NOTHING_ENTERED, explain_failures, observed_words, plain_reason

#: What :func:`words` returns: (what, result, rule, reason, severity, short, details, weapon, weapons).
Words = tuple[str, str, str, str, str, str, tuple[tuple[str, str], ...], "str | None", tuple[str, ...]]

_MISSING = object()
_ABSENT = itertools.repeat(_MISSING)
_STRS = frozenset({str})
#: The payload fields an answer's words are made from (besides the weapon), and the types they may hold for
#: two answers with equal fields to be worded alike: no ints, so that ``True == 1`` cannot mix two answers up.
_ANSWER_FIELDS = ("sensed", "question", "rule_id", "verdict", "severity", "expected", "pack_id", "pack_hash")
_ANSWER_LISTS = ("observed", "failures", "signed_by")
_ANSWER_TYPES = frozenset({str, bool, type(None), object})  # object: the type of _MISSING
#: A round's: no bools, for the same reason (its number is an int).
_ROUND_FIELDS = ("round_no", "method", "lot", "verdict")
_ROUND_TYPES = frozenset({str, int, type(None), object})


def words_key(kind: str, p: dict, weapon: str | None) -> tuple | None:
    """What the words of an entry of ``kind`` with payload ``p`` depend on, as a key: two entries with equal
    keys are worded alike. None when that is not known for the kind (only the kinds a season is made of
    are), or a field holds a value that could share a key with one worded differently."""
    if kind == "answer":
        values = tuple(map(p.get, _ANSWER_FIELDS, _ABSENT))
        if not _ANSWER_TYPES.issuperset(map(type, values)):
            return None
        lists = []
        for name in _ANSWER_LISTS:
            value = p.get(name, _MISSING)
            if type(value) is list:
                if not _STRS.issuperset(map(type, value)):
                    return None
                value = tuple(value)  # a tuple, which no str, None or absent field equals
            elif not (value is None or value is _MISSING or type(value) is str):
                return None
            lists.append(value)
        return (kind, weapon, values, *lists)
    if kind == "round_verified":
        values = tuple(map(p.get, _ROUND_FIELDS, _ABSENT))
        return (kind, weapon, values) if _ROUND_TYPES.issuperset(map(type, values)) else None
    return None


def words(kind: str, p: dict, weapon: str | None, weapons: tuple[str, ...], n: Names,
          answers: dict[int, dict]) -> Words:
    """The words of one entry (``answers``: the payloads of the answers before it, by sequence number)."""
    result = rule = reason = severity = short = ""
    details: list[tuple[str, str]] = []
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
    return (what, result, rule, reason, severity, short, tuple((label, value) for label, value in details if value),
            weapon, weapons)
