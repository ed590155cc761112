"""The producer's report: one self-contained HTML file that reads like a record and verifies like a ledger.

Order on the page: whether the record is intact, what needs attention (open
stops, unreviewed incidents, holds never overridden, every serious entry),
the counts, a timeline per day, every entry in plain language (each with an
``#e<seq>`` anchor), and the rule packs in force. The exported entries are
embedded verbatim as jsonl in ``<script type="application/jsonl"
id="armory-ledger">`` (with ``<``, ``>`` and ``&`` written as JSON escapes so
the data can never close the element), which is what ``armory log verify
report.html`` reads. No script runs, nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from armory.export.records import (BOOKKEEPING_KINDS, Names, Record, as_int, build_records, clean_all, parse_time,
                                   plain_reason, production_matches, production_missing, rule_titles, zone)
from armory.export.openings import Opening, openings_by_seq
from armory.export.summary import Summary, summarize
from armory.export.timeline import build_timeline, render_svg, render_table

CSS_PATH = Path(__file__).with_name("report.css")
DATA_ELEMENT_ID = "armory-ledger"
PARAMS_ELEMENT_ID = "armory-report"
"""What the page was drawn with besides the entries (armory's version, the day, the export time), so
``armory log verify`` can draw it again from the embedded entries and compare (``report_check``)."""


def embed_jsonl(lines: Iterable[str]) -> str:
    """The jsonl lines as the body of the data element: ``<``, ``>``, ``&`` as ``\\u003c``, ``\\u003e``, ``\\u0026``.

    Those characters only ever occur inside JSON strings, where the escapes
    mean the same character, so every line still parses to the same entry.
    """
    return "\n".join(
        line.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e") for line in lines
    )


@dataclass
class ReportData:
    """Everything one report shows."""

    chain: Sequence[dict]
    """The entries the file carries (the whole chain, or its prefix to the end of a day)."""
    lines: Sequence[str]
    """Those entries as jsonl lines, embedded verbatim."""
    shown: Sequence[dict]
    """The entries the report describes (a day's, or all of them)."""
    names: Names
    verification: Any
    """The ledger's VerifyResult for ``chain``: ok, head, first_bad, checkpoints_checked, key_fingerprint, problems."""
    day: str | None = None
    title: str | None = None
    """Heading; default: the production title."""
    generated: str | None = None
    """When the export was made (UTC, the time of the checkpoint it signed); without it the page says
    "record as of" the last entry it carries."""
    intro_html: str = ""
    """Extra HTML after the heading (the incident bundle explains itself here)."""
    incident: int | None = None
    """The incident an evidence bundle's page is about (its entry's sequence number)."""


def render_params(data: ReportData) -> dict[str, Any]:
    from armory.version import armory_version

    if data.incident is not None:
        kind = "incident"
    else:
        kind = "record" if data.title is None and not data.intro_html else "other"
    params = {"armory": armory_version(), "day": data.day, "generated": data.generated, "kind": kind}
    if data.incident is not None:
        params["incident"] = data.incident
    return params


def render_report(data: ReportData, *, progress: Callable[[int], None] | None = None) -> str:
    import dataclasses
    import json

    chain = clean_all(data.chain)
    shown = chain if data.shown is data.chain else clean_all(data.shown)
    data = dataclasses.replace(data, chain=chain, shown=shown)
    names = data.names
    tz = zone(names.timezone)
    records = build_records(data.shown, names)
    summary = summarize(data.shown, records, data.chain, open_among_shown=data.incident is not None)
    suspect = _unverified(data)
    mismatch = production_matches(data.chain, names.production)
    missing = production_missing(data.chain, names.production)
    # The ledger's own record of its production wins over a production file that does not match it.
    production_title = ((_production_title(data.chain) if mismatch else None) or names.title
                        or _production_title(data.chain) or "Unnamed production")
    days = list(dict.fromkeys(r.day for r in records if r.day))
    opened = _openings_of(data, tz)
    if data.day:
        scope = f"day {data.day}"
    else:
        scope = f"all days ({_days_listed(days, opened)})" if days else "all days"
    company = names.production.production.company if names.production is not None and not mismatch else None
    heading = data.title or f"Firearms safety record: {production_title}"
    if data.generated:
        stamp = f"head signed {_local(data.generated, tz)}"  # shared by every export of that moment
    else:
        stamp = f"record as of {_local(str(data.chain[-1].get('time', '')), tz)}" if data.chain else ""

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="armory">',
        # Nothing may be fetched: the report opens from a USB stick with no network.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(heading)} ({escape(scope)})</title>",
        f"<style>\n{CSS_PATH.read_text(encoding='utf-8')}</style>",
        print_proof_css(production_title, data.verification, data.chain),
        "</head>",
        "<body>",
        '<a class="skip" href="#entries">Skip to the entries</a>',
        "<header>",
        f"<h1>{escape(heading)}</h1>",
        f'<p class="subtitle">{escape(company or production_title)} · {escape(scope)} · '
        f"times are local ({escape(names.timezone)}) · {escape(stamp)}</p>",
        '<nav class="toc" aria-label="Sections"><a href="#verification">Intact?</a><a href="#summary">Summary</a>'
        '<a href="#timeline">Timeline</a><a href="#entries">Entries</a><a href="#cast">Crew and weapons</a><a href="#packs">Rule packs</a>'
        '<a href="#words">Words used</a></nav>',
        "</header>",
        "<main>",
        _production_warning_html(mismatch, missing),
        _drills_note_html(data.shown),
        data.intro_html,
        _verification_html(data),
        _summary_html(summary, records, data, tz, suspect),
        _timelines_html(data, records, tz, opened),
        _entries_html(records, data, progress, after=_after_the_day(data, names), suspect=suspect, opened=opened),
        _cast_html(names.production if not mismatch else None, days),
        _packs_html(data.chain if data.day is None else data.shown, records),
        GLOSSARY,
        "</main>",
        _footer_html(data),
        f'<script type="application/json" id="{PARAMS_ELEMENT_ID}">'
        + embed_jsonl([json.dumps(render_params(data), sort_keys=True)]) + "</script>",
        f'<script type="application/jsonl" id="{DATA_ELEMENT_ID}">',
        embed_jsonl(data.lines),
        "</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(p for p in parts if p is not None)


def _css_string(text: str) -> str:
    """``text`` as a CSS string: quotes and backslashes escaped, and ``<`` too, so it can never close the
    ``<style>`` element; line breaks as spaces."""
    out = []
    for char in " ".join(text.split()):
        if char in '"\\':
            out.append("\\" + char)
        elif char == "<" or ord(char) < 32:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def print_proof_css(production_title: str, verification: Any, chain: Sequence[dict]) -> str:
    """The proof every printed page carries, in its margins: the production, the head hash and key
    fingerprint of the chain this file holds, and "page x of n" (``@page`` margin boxes, which Chromium
    prints since version 131; other browsers print the page without them)."""
    ok = bool(getattr(verification, "ok", False))
    head = str(getattr(verification, "head", "") or "")
    entries = getattr(verification, "entries", len(chain))
    key = str(getattr(verification, "key_fingerprint", "") or "unknown")
    if ok and head:
        proof = f"head #{entries} {head[:16]} · key {key}"
    else:
        proof = "DOES NOT VERIFY: see the first page · key " + key
    return ("<style media=\"print\">@page { margin: 16mm 12mm 16mm;"
            f" @top-left {{ content: {_css_string(production_title)}; font: 8pt sans-serif; }}"
            f" @top-right {{ content: {_css_string(proof)}; font: 8pt monospace; }}"
            " @bottom-left { content: \"Check it: armory log verify FILE --head \" "
            f"{_css_string(head[:16] if ok else 'HEX')}; font: 8pt sans-serif; }}"
            " @bottom-right { content: \"page \" counter(page) \" of \" counter(pages); font: 8pt sans-serif; } }"
            "</style>")


GLOSSARY = """<section id="words" aria-labelledby="words-h"><h2 id="words-h">Words used in this record</h2>
<dl class="glossary">
<dt>Check</dt><dd>A question from a rule, asked of a named person about one weapon: usually a count or a value
they observed (how many chambers they looked into), never a tick. Some checks are judged from the record itself
("judged from the ledger").</dd>
<dt>Stop</dt><dd>A failed stop rule, a round that does not reconcile, a live or unconfirmed round, a misfire or
an unintended discharge. The weapon (or every firearm, for a production-wide stop) goes nowhere but back to the
armorer until a safety officer clears it.</dd>
<dt>Clearance</dt><dd>A safety officer lifting a stop, with a signed reason. Nobody who caused the stop, and never
the 1st AD, may clear it.</dd>
<dt>Hold</dt><dd>A failed check of lesser severity: the weapon proceeds only after a signed override.</dd>
<dt>Override</dt><dd>People signing, with a reason, that a weapon may proceed despite a hold.</dd>
<dt>Refused</dt><dd>Something someone tried that armory would not allow (a handoff by anyone but an armorer, a
weapon under a stop), kept so the record shows it was tried.</dd>
<dt>Correction</dt><dd>A new entry fixing a mistyped answer. Nothing is ever changed or deleted, and a correction
never lifts a stop or a hold.</dd>
<dt>Hash, head hash</dt><dd>Each entry carries a fingerprint (SHA-256) of itself and of the entry before it, so
changing, removing or reordering any entry breaks every fingerprint after it. The head hash is the last one.</dd>
<dt>Checkpoint, key fingerprint</dt><dd>The armorer's laptop signs the head hash with its own key (Ed25519). The
key fingerprint names that key: if it differs from the one on the call sheet, this is not the same record.</dd>
</dl></section>"""


def _cast_html(production: Any, days: Sequence[str]) -> str | None:
    """Who the people were and what the weapons and ammunition were, from the production file in force."""
    if production is None:
        return None

    def roles(crew_id: str) -> str:
        default = sorted(next((m.roles for m in production.crew if m.id == crew_id), []))
        text = ", ".join(r.replace("_", " ") for r in default) or "none named"
        changed = [f"{d}: {', '.join(sorted(r.replace('_', ' ') for r in production.roles_on(crew_id, d)))}"
                   for d in days if sorted(production.roles_on(crew_id, d)) != default]
        return text + (f" ({'; '.join(changed)})" if changed else "")

    crew = "".join(f"<tr><th scope=\"row\">{escape(m.name)}</th><td>{escape(m.id)}</td><td>{escape(roles(m.id))}</td></tr>"
                   for m in production.crew)
    weapons = "".join(
        f"<tr><th scope=\"row\">{escape(w.id)}</th><td>{escape(w.kind.replace('_', ' '))}</td>"
        f"<td>{escape(w.make)} {escape(w.model)}</td><td>{escape(w.serial)}</td>"
        f"<td>{w.capacity if w.firing else '-'}</td><td>{'firing' if w.firing else 'does not fire'}</td></tr>"
        for w in production.weapon)
    lots = "".join(
        f"<tr><th scope=\"row\">{escape(lot.id)}</th><td>{escape(lot.kind)}</td><td>{escape(lot.caliber)}</td>"
        f"<td>{lot.count}</td><td>{escape(lot.supplier)}</td><td>{lot.received.isoformat()}</td></tr>"
        for lot in production.lot)
    return (
        '<section id="cast" aria-labelledby="cast-h"><h2 id="cast-h">Crew, weapons and ammunition</h2>'
        "<p>From the production file in force, as the ledger recorded it when each day opened. Roles can differ "
        "by day (an armorer also on props duty shows here).</p>"
        '<div class="scroll"><table><caption>Crew and their roles</caption><thead><tr><th scope="col">Name</th>'
        f'<th scope="col">Id</th><th scope="col">Roles</th></tr></thead><tbody>{crew}</tbody></table></div>'
        '<div class="scroll"><table><caption>Weapons</caption><thead><tr><th scope="col">Id</th>'
        '<th scope="col">Kind</th><th scope="col">Make and model</th><th scope="col">Serial</th>'
        f'<th scope="col">Chambers</th><th scope="col">Fires</th></tr></thead><tbody>{weapons}</tbody></table></div>'
        + ('<div class="scroll"><table><caption>Ammunition lots (dummies and blanks; never live)</caption><thead><tr>'
           '<th scope="col">Lot</th><th scope="col">Kind</th><th scope="col">Caliber</th><th scope="col">Count</th>'
           f'<th scope="col">Supplier</th><th scope="col">Received</th></tr></thead><tbody>{lots}</tbody></table></div>'
           if lots else "")
        + "</section>")


def _drills_note_html(shown: Sequence[dict]) -> str | None:
    """Practice runs kept in the same ledger are said to be practice, before any count is read."""
    runs = sorted({str(e.get("scope")) for e in shown if e.get("scope")})
    if not runs:
        return None
    own = sum(1 for e in shown if not e.get("scope"))
    listed = ", ".join(runs[:6]) + (f" and {len(runs) - 6} more" if len(runs) > 6 else "")
    return (f'<p class="doubt" role="note"><strong>Drills in this file:</strong> {len(runs)} drill run'
            f'{"s" if len(runs) != 1 else ""} ({escape(listed)}) were played on this ledger to test the rules. '
            f"They are practice, not a shooting day: their entries are labelled with their run, and the counts "
            f"below include them. The production's own record here is {own} entr{'y' if own == 1 else 'ies'}.</p>")


def _production_warning_html(mismatch: str | None, missing: str | None) -> str | None:
    if mismatch:
        return (f'<p class="doubt" role="alert"><strong>✘ Wrong production file:</strong> {escape(mismatch)}. '
                "The names, weapons and local times below may be wrong; the entries and their verification "
                "are not affected.</p>")
    if missing:
        return f'<p class="hint production-note"><strong>Note:</strong> {escape(missing[0].upper() + missing[1:])}.</p>'
    return None


def _production_title(chain: Sequence[dict]) -> str | None:
    for entry in chain[:1]:
        if entry.get("kind") == "ledger_opened":
            return (entry.get("payload") or {}).get("production_title")
    return None


def _local(value: str, tz: dt.tzinfo) -> str:
    try:
        return parse_time(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _outcomes(chain: Sequence[dict], tz: dt.tzinfo, suspect: Unverified | None = None) -> dict[int, str]:
    """What became of each stop, hold and incident: ``seq -> html`` (cleared, overridden, reviewed, or still open)."""
    outcomes: dict[int, str] = {}
    for entry in chain:
        payload = entry.get("payload") or {}
        kind = entry.get("kind")
        seq = as_int(entry.get("seq"))
        at = _local(str(entry.get("time", "")), tz)[11:16]
        if suspect is not None and seq in suspect.seqs:
            at = f"{at} (UNVERIFIED)"
        if kind == "stop":
            outcomes[seq] = "<strong>still open</strong>"
        elif kind == "incident":
            outcomes[seq] = "<strong>not yet reviewed</strong>"
        elif kind == "answer" and payload.get("verdict") == "fail" and payload.get("severity") == "hold":
            outcomes[seq] = "<strong>never overridden</strong>"
        elif kind == "clearance":
            outcomes[as_int(payload.get("stop_seq"))] = f"cleared at {at}, {_link(seq)}"
        elif kind == "override":
            outcomes[as_int(payload.get("answer_seq"))] = f"overridden at {at}, {_link(seq)}"
        elif kind == "incident_reviewed":
            outcomes[as_int(payload.get("incident_seq"))] = f"reviewed at {at}, {_link(seq)}"
        elif kind == "correction":
            outcomes.setdefault(as_int(payload.get("corrects_seq")), f"corrected at {at}, {_link(seq)}")
    return outcomes


def _clip(text: str, limit: int = 240, seq: int | None = None) -> str:
    """A long reason cut for a list, as html: cut at a word boundary, with a link to the entry, which
    shows it whole."""
    if len(text) <= limit:
        return escape(text)
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    cut = cut.rstrip(" ,;:—-")
    more = f' <a href="#e{seq}" class="more">read all of #{seq}</a>' if seq is not None else ""
    return f"{escape(cut)}…{more}"


def _rule_words(rule_id: str, titles: dict[str, str], question: str) -> str:
    """A rule as html: its title (else the question it asked) in words, its id after it, smaller."""
    words = titles.get(rule_id) or question
    code = f'<code class="rule-id">{escape(rule_id)}</code>' if rule_id else ""
    if not words:
        return code
    return f"{escape(words)} {code}".rstrip() if not code else f"{escape(words)} <span class=\"rule-ref\">(rule {code})</span>"


def _observed_text(values: Any) -> str:
    text = ", ".join(str(v) for v in values) if isinstance(values, list) else ("" if values is None else str(values))
    return text if text.strip(" ,") else "nothing entered"


def _link(seq: int) -> str:
    return f'<a href="#e{seq}">#{seq}</a>'


@dataclass(frozen=True)
class Unverified:
    """The entries a record that fails verification cannot vouch for: the first that does not match and
    every one after it (anything after a break may have been changed, added, removed or reordered)."""

    first: int | None
    """Sequence number of the first entry that does not match (None: no entry verifies)."""
    seqs: frozenset[int]

    def note(self, seq: int) -> str:
        if seq not in self.seqs:
            return ""
        if seq == self.first:
            return ("this is the first entry that fails verification: what it says may have been changed "
                    "since it was written.")
        if self.first is None:
            return "no entry of this record verifies: what it says may have been changed since it was written."
        return (f"this entry comes after #{self.first}, the first that fails verification, so it may have been "
                "changed, added, removed or reordered since it was written.")

    def tag(self, seq: int) -> str:
        """A short mark for lists."""
        return '<span class="doubt-tag">UNVERIFIED</span> ' if seq in self.seqs else ""


def _unverified(data: ReportData) -> Unverified | None:
    """None when the chain verifies; else which entries the report must mark."""
    v = data.verification
    if bool(getattr(v, "ok", False)):
        return None
    first_bad = getattr(v, "first_bad", None)
    first = as_int(first_bad[0]) if isinstance(first_bad, (tuple, list)) and first_bad else (
        as_int(first_bad) if first_bad else None)
    seqs = [as_int(e.get("seq")) for e in data.chain]
    start = 0
    if first:
        start = next((i for i, seq in enumerate(seqs) if seq >= first), len(seqs))
    suspects = set(seqs[start:])
    if first:
        suspects.add(first)
        suspects.update(as_int(e.get("seq")) for e in data.shown if as_int(e.get("seq")) >= first)
    else:
        suspects.update(as_int(e.get("seq")) for e in data.shown)
    return Unverified(first or None, frozenset(suspects))


def _verification_html(data: ReportData) -> str:
    v = data.verification
    ok = bool(getattr(v, "ok", False))
    entries = getattr(v, "entries", len(data.chain))
    head = getattr(v, "head", None) or (data.chain[-1].get("hash") if data.chain else "")
    fingerprint = getattr(v, "key_fingerprint", None) or "unknown"
    checkpoints = getattr(v, "checkpoints_checked", 0)
    problems = [str(p) for p in getattr(v, "problems", []) or []]
    first_bad = getattr(v, "first_bad", None)
    last_signed = getattr(v, "signed_through", None)
    if last_signed is None:
        last_signed = _last_signed(data.chain)
    rows = [
        ("Hash chain", f"intact: all {entries} entries recompute" if ok else "BROKEN"),
        ("Signatures", f"{checkpoints} signed checkpoint{'s' if checkpoints != 1 else ''} valid" if ok
         else "not trusted: the chain does not verify"),
        ("Head hash", f'<code>{escape(str(head))}</code>'),
        ("Key fingerprint", f"<code>{escape(str(fingerprint))}</code>"),
    ]
    if ok:
        headline = "✔ Intact: every entry's hash and every signature check out."
        if not last_signed:
            rows.insert(2, ("Signed", "no checkpoint signs this chain; the hashes alone cannot show a rewrite"))
        elif last_signed < len(data.chain):
            later = len(data.chain) - last_signed
            rows.insert(2, ("Signed", f"entries 1 to {last_signed} are covered by a signature; "
                                      f"{later} later entr{'y is' if later == 1 else 'ies are'} not"))
        else:
            rows.insert(2, ("Signed", f"the whole chain, by the checkpoint at its end (#{len(data.chain)})"))
        body = ("<p>Compare the key fingerprint and the head hash with the ones noted on the call sheet: "
                "a record rewritten and re-signed under another key shows a different fingerprint.</p>")
    else:
        if isinstance(first_bad, (tuple, list)) and len(first_bad) == 3:
            where = f" The first entry that does not match is #{first_bad[0]} ({first_bad[1]}): {first_bad[2]}."
        elif first_bad:
            where = f" The first entry that does not match is #{first_bad}."
        else:
            where = " The record holds no entry that verifies."
        headline = "✘ NOT INTACT: this record has been changed, damaged or cut short since it was written."
        body = (f"<p><strong>Do not rely on it.</strong>{escape(where)}</p><p>Ask the armorer for a fresh export "
                "and compare its head hash with the one noted on the call sheet.</p>")
        if problems:
            body += "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems[:20]) + "</ul>"
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{v_}</dd>" for k, v_ in rows)
    return (
        f'<section id="verification" class="verdict {"ok" if ok else "bad"}" aria-labelledby="verification-h">'
        f'<h2 id="verification-h">Is this record intact?</h2>'
        f'<p class="headline" role="status">{escape(headline)}</p>{body if not ok else ""}<dl>{dl}</dl>'
        f'{body if ok else ""}'
        "<p>Check it yourself: <code>armory log verify THIS-FILE.html</code> recomputes every hash and "
        "signature from the data inside this page, then draws this page again from that data and compares "
        "it with the file, so an edit to the text you are reading is caught too; add <code>--head HEX</code> "
        "with the head hash noted on the call sheet. This box says what was true when the file was made: "
        "only that command can tell whether the file was changed since.</p></section>"
    )


def _last_signed(chain: Sequence[dict]) -> int | None:
    for entry in reversed(chain):
        if entry.get("kind") == "checkpoint":
            return as_int((entry.get("payload") or {}).get("size"))
    return None


def _summary_html(summary: Summary, records: Sequence[Record], data: ReportData, tz: dt.tzinfo,
                  suspect: Unverified | None = None) -> str:
    by_seq = {as_int(e.get("seq")): e for e in data.chain}
    tag = suspect.tag if suspect is not None else (lambda seq: "")
    titles = rule_titles(data.chain)
    attention = []
    for seq in summary.open_stops:
        payload = by_seq.get(seq, {}).get("payload") or {}
        target = "every firearm" if payload.get("scope") == "production" else ", ".join(payload.get("weapons") or [])
        attention.append(f"<li>{tag(seq)}<strong>Stop still open</strong> ({_link(seq)}): {escape(target)}: "
                         f"{_clip(plain_reason(str(payload.get('reason', ''))), seq=seq)}</li>")
    for seq in summary.unreviewed_incidents:
        payload = by_seq.get(seq, {}).get("payload") or {}
        attention.append(f"<li>{tag(seq)}<strong>Incident not yet reviewed</strong> ({_link(seq)}): "
                         f"{_clip(str(payload.get('description', '')), seq=seq)}</li>")
    for seq in summary.open_holds:
        payload = by_seq.get(seq, {}).get("payload") or {}
        weapon = f" on {payload['weapon']}" if payload.get("weapon") else ""
        rule_id = str(payload.get("rule_id") or "")
        observed = _observed_text(payload.get("observed"))
        attention.append(f"<li>{tag(seq)}<strong>Hold never overridden</strong> ({_link(seq)}){escape(weapon)}: "
                         f"{_rule_words(rule_id, titles, str(payload.get('question') or ''))}"
                         f" — {escape(observed if observed == 'nothing entered' else 'answered ' + observed)}, "
                         f"expected {escape(str(payload.get('expected', '?')))}</li>")
    out = ['<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>',
           '<p class="hint">New to these words (stop, hold, override, clearance)? '
           '<a href="#words">They are explained at the end.</a></p>']
    if suspect is not None:
        since = f"#{suspect.first} and every entry after it" if suspect.first else "every entry"
        out.append(f'<p class="doubt"><strong>✘ This record does not verify:</strong> {escape(since)} may have been '
                   "changed, added, removed or reordered since it was written. They are counted and listed below as "
                   "they now read, each marked UNVERIFIED; do not rely on them.</p>")
    out.append('<div class="summary-top"><table class="counts"><caption>Counts</caption><thead><tr><th scope="col">What</th>'
               '<th scope="col" class="num">How many</th></tr></thead><tbody>')
    for label, number, css in summary.counts():
        cls = f' class="{css}"' if css else ""
        out.append(f'<tr{cls}><th scope="row">{escape(label)}</th><td class="num">{number}</td></tr>')
    out.append("</tbody></table>")
    when = "at the end of this record"
    if attention:
        out.append(f'<div class="attention"><h3>Still open {when}</h3><ul>{"".join(attention)}</ul></div>')
    else:
        out.append(f'<div class="calm"><p>No stop, hold or incident is open {when}.</p></div>')
    out.append("</div>")
    if summary.serious:
        out.append("<h3>What went wrong, most serious first</h3><ul class=\"serious-list\">")
        order = {"incident": 0, "stop": 1, "refusal": 2, "override": 3}
        ranked = sorted(summary.serious, key=lambda r: (order.get(r.kind, 4), r.seq))
        outcomes = _outcomes(data.chain, tz, suspect)
        for record in ranked:
            reason = f" — {_clip(record.reason, seq=record.seq)}" if record.reason else ""
            # the date too: a day id may have been opened on several dates, none of them the scheduled one
            when = f"{record.day or ''} {record.time_local[:16]}".strip()
            outcome = outcomes.get(record.seq)
            after = f" <em>({outcome})</em>" if outcome else ""
            rule = ""
            if record.rule and record.rule in titles and record.kind != "answer":
                rule = f" ({_rule_words(record.rule, titles, '')})"
            out.append(f"<li>{tag(record.seq)}{_link(record.seq)} {escape(when)} "
                       f"<strong>{escape(record.result or record.kind)}</strong>: {escape(record.short or record.what)}"
                       f"{rule}{reason}{after}</li>")
        out.append("</ul>")
    else:
        out.append("<p>Nothing failed: no stop, incident, refusal, override or failed check.</p>")
    out.append("</section>")
    return "".join(out)


def _legend() -> str:
    from armory.export.timeline import legend_symbol

    items = [
        '<span class="swatch armorer"></span>with the armorer',
        '<span class="swatch actor"></span>with an actor (anyone not an armorer)',
        '<span class="swatch sealed"></span>sealed as evidence / with an investigator',
        '<span class="swatch stopped"></span>under a stop',
        f'{legend_symbol("handoff")}handoff or return',
        f'{legend_symbol("stop")}stop',
        f'{legend_symbol("clearance")}stop cleared',
        f'{legend_symbol("incident")}incident',
        f'{legend_symbol("override")}override of a hold',
        f'{legend_symbol("refusal")}refused',
    ]
    return '<ul class="legend" aria-label="Legend">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _timelines_html(data: ReportData, records: Sequence[Record], tz: dt.tzinfo,
                    opened: dict[int, Opening] | None = None) -> str:
    descriptions = {r.seq: r.what for r in records}
    opened = opened or {}
    # One drawing per opening of a day: drills sharing a ledger each open their own "day-1", and a day id
    # may be opened again on another date; one drawing across them would run over several calendar days.
    by_day: dict[tuple[str, str, Opening | None], list[dict]] = {}
    for entry, record in zip(data.shown, records):
        if record.day:
            opening = opened.get(record.seq)
            opening = opening if opening is not None and opening.day == record.day else None
            by_day.setdefault((record.day, record.scope, opening), []).append(entry)
    out = ['<section id="timeline" aria-labelledby="timeline-h"><h2 id="timeline-h">Who held each weapon, and when</h2>']
    drawn = 0
    for index, ((day, run, opening), entries) in enumerate(by_day.items()):
        label = f"{day}, {opening.date.isoformat()}" if opening is not None else day
        timeline = build_timeline(day, entries, data.names, descriptions, label=label)
        if timeline.empty:
            continue
        drawn += 1
        if len(by_day) > 1:
            heading = opening.heading() if opening is not None else day
            out.append(f"<h3>{escape(heading)}" + (f" <small>(run {escape(run)})</small>" if run else "") + "</h3>")
        out.append('<p class="scroll-hint">Scroll the drawing sideways to see the whole day; '
                   "the table below it says the same.</p>")
        out.append(f'<figure class="timeline-figure"><div class="timeline-wrap" tabindex="0" role="region" '
                   f'aria-label="Timeline of {escape(label)}{escape(f" (run {run})" if run else "")}, scrollable">'
                   f"{render_svg(timeline, data.names, tz, ident=f'tl{index}')}</div></figure>")
        out.append(_legend())
        out.append(render_table(timeline, data.names, tz))
    if not drawn:
        out.append("<p>No weapon moved or was stopped in this record.</p>")
    out.append("</section>")
    return "\n".join(out)


def _entries_html(records: Sequence[Record], data: ReportData, progress: Callable[[int], None] | None,
                  after: Sequence[Record] = (), suspect: "Unverified | None" = None,
                  opened: dict[int, Opening] | None = None) -> str:
    """Every record in chain order, under a heading per opening of a day (with the date it was opened);
    the checkpoints and export records written after a day's last entry under their own heading, apart
    from the day. A row shows its date too when it is not the heading's."""
    out = ['<section id="entries" aria-labelledby="entries-h"><h2 id="entries-h">Everything recorded, in order</h2>',
           "<p>Each entry links to itself (<code>#e</code> and its number). Times are local.</p>"]
    titles = rule_titles(data.chain)
    opened = opened or {}
    unset = object()
    current: object = unset
    group_date = ""
    last_day: str | None = None
    listed = [*records, *after]
    for index, record in enumerate(listed, 1):
        if record.day:
            last_day = record.day
            opening = opened.get(record.seq)
            group: tuple = ("day", record.day, opening if opening is not None and opening.day == record.day else None)
        elif record.kind in BOOKKEEPING_KINDS and (last_day or data.day):
            group = ("after", last_day or data.day, None)
        else:
            group = ("none", None, None)
        if group != current:
            if current is not unset:
                out.append("</ol>")
            current = group
            group_date = group[2].date.isoformat() if group[2] is not None else record.time_local[:10]
            out.append(f"<h3>{escape(_group_heading(group, record, data.names))}</h3>")
            if group[0] == "after":
                out.append('<p class="hint">Written when the record was exported, after the day\'s last entry: '
                           "they sign and note the chain so far, and are not part of the day.</p>")
            out.append('<ol class="entries">')
        out.append(_entry_html(record, suspect, titles, with_date=record.time_local[:10] != group_date))
        if progress is not None and index % 1000 == 0:
            progress(index)
    if listed:
        out.append("</ol>")
    else:
        out.append("<p>No entries.</p>")
    out.append("</section>")
    return "\n".join(out)


def _group_heading(group: tuple, record: Record, names: Names) -> str:
    if group[0] == "after":
        return f"After {group[1]}: signed checkpoints and exports (from {record.time_local[:10]})"
    if group[2] is not None:
        return group[2].heading()
    return _day_heading(record, names)


def _openings_of(data: ReportData, tz: dt.tzinfo) -> dict[int, Opening]:
    """The opening of a day each entry of the chain belongs to, by sequence number."""
    from armory.export.records import assign_days

    return openings_by_seq(data.chain, assign_days(data.chain), tz, data.names.production)


def _days_listed(days: Sequence[str], opened: dict[int, Opening]) -> str:
    """The days a page shows: their ids, with the dates they were opened on where a day id was opened on
    several dates or off its schedule."""
    dates: dict[str, list[Opening]] = {}
    for opening in dict.fromkeys(opened.values()):
        if opening.day in days and all(o.date != opening.date for o in dates.get(opening.day, [])):
            dates.setdefault(opening.day, []).append(opening)
    shown = []
    for day in days:
        those = dates.get(day, [])
        if len(those) > 1 or any(o.off_schedule for o in those):
            shown += [f"{day} on {o.date.isoformat()}" for o in those]
        else:
            shown.append(day)
    return ", ".join(shown[:8]) + (f" and {len(shown) - 8} more" if len(shown) > 8 else "")


def _after_the_day(data: ReportData, names: Names) -> list[Record]:
    """For one day's report: the checkpoints and export records the file carries after the day's last
    entry (the signed head the export ends on among them)."""
    if data.day is None or data.shown is data.chain or not data.shown:
        return []
    last = as_int(data.shown[-1].get("seq"))
    return build_records([e for e in data.chain if as_int(e.get("seq")) > last and e.get("kind") in BOOKKEEPING_KINDS],
                         names)


def _day_heading(record: Record, names: Names) -> str:
    date = record.time_local[:10]
    production = names.production
    if record.day and production is not None and production.day_by_id(record.day) is not None:
        day = production.day_by_id(record.day)
        date = day.date.strftime("%A %-d %B %Y") + (f", {day.location}" if day.location else "")
    if record.day:
        return f"{record.day}: {date}"
    return f"Outside any shooting day ({date})"


def _entry_html(record: Record, suspect: "Unverified | None" = None, titles: dict[str, str] | None = None, *,
                with_date: bool = False) -> str:
    css = f" {record.severity}" if record.severity else ""
    doubt = suspect.note(record.seq) if suspect is not None else ""
    if doubt:
        css += " unverified"
    head = [f'<a href="#{record.anchor}">#{record.seq}</a>',
            f'<time datetime="{escape(record.time_utc)}">'
            f'{escape(record.time_local if with_date else record.time_local[11:] or record.time_local)}</time>']
    if record.scope:
        head.append(f"<strong>{escape(record.scope)}</strong>")
    if record.who:
        head.append(f"by {escape(record.who)}")
    for label, value in (("scene", record.scene), ("setup", record.setup)):
        if value:
            head.append(f"{label} {escape(value)}")
    if record.rule:
        title = (titles or {}).get(record.rule)
        head.append(f"rule: {escape(title)} (<code>{escape(record.rule)}</code>)" if title
                    else f"rule <code>{escape(record.rule)}</code>")
    if record.result:
        head.append(f'<span class="result">{escape(record.result)}</span>')
    if record.hash:
        head.append(f'<span class="hash" title="{escape(record.hash)}">hash {escape(record.hash[:12])}…</span>')
    body = [f'<li id="{record.anchor}" class="entry{css}">',
            f'<div class="entry-head">{" · ".join(head)}</div>',
            f'<p class="what">{escape(record.what)}</p>']
    if doubt:
        body.insert(2, f'<p class="doubt"><strong>✘ UNVERIFIED:</strong> {escape(doubt)}</p>')
    if record.reason:
        body.append(f'<p class="reason">{escape("Why: " if record.severity in ("serious", "warning") else "Reason: ")}'
                    f"{escape(record.reason)}</p>")
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in record.details if v)
    if dl:
        body.append(f"<dl>{dl}</dl>")
    body.append("</li>")
    return "".join(body)


def _packs_html(entries: Sequence[dict], records: Sequence[Record]) -> str:
    rows = []
    for entry in entries:
        if entry.get("kind") not in ("day_opened", "packs_changed"):
            continue
        payload = entry.get("payload") or {}
        for pack in payload.get("packs") or []:
            rows.append(
                f"<tr><th scope=\"row\"><code>{escape(str(pack.get('id')))}</code></th><td>{escape(str(pack.get('version')))}</td>"
                f"<td>{escape(str(payload.get('day', '')))}</td><td><code class=\"hash\">{escape(str(pack.get('hash')))}</code></td>"
                f"<td>{_link(as_int(entry.get('seq')))}</td></tr>"
            )
    out = ['<section id="packs" aria-labelledby="packs-h"><h2 id="packs-h">Rule packs in force</h2>']
    if rows:
        out.append("<p>The rules each check was asked from, as recorded when the day opened. "
                   "The full text of each pack is inside the embedded record.</p>")
        out.append('<table class="packs"><thead><tr><th scope="col">Pack</th><th scope="col">Version</th>'
                   '<th scope="col">Day</th><th scope="col">SHA-256 of the pack file</th><th scope="col">Entry</th>'
                   "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    else:
        out.append("<p>No day was opened in this record, so no rule pack is on record.</p>")
    out.append("</section>")
    return "\n".join(out)


def _footer_html(data: ReportData) -> str:
    return (
        "<footer><p>Made by armory from an append-only ledger. Every entry carries the hash of the one "
        "before it; signed checkpoints (Ed25519) seal the chain. The entries themselves are embedded at the "
        "end of this file as JSON lines.</p></footer>"
    )
