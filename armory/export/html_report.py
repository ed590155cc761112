"""The producer's report: one self-contained HTML file that reads like a record and verifies like a ledger.

Order on the page: whether the record is intact, what needs attention (open
stops, unreviewed incidents, holds never overridden, every serious entry),
the counts, a timeline per day, every entry in plain language (each with an
``#e<seq>`` anchor), and the rule packs in force. The exported entries are
embedded verbatim as jsonl in ``<script type="application/jsonl"
id="armory-ledger">`` (with ``<``, ``>`` and ``&`` written as JSON escapes so
the data can never close the element), which is what ``armory log verify
report.html`` reads. No script runs, nothing is fetched.

This module draws the page and its shorter sections; the three long ones have
rooms of their own: :mod:`~armory.export.report_verdict` (is it intact?),
:mod:`~armory.export.report_summary` and :mod:`~armory.export.report_entries`,
all drawn from a :class:`~armory.export.report_data.ReportData`.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from armory.export.clean import as_int, clean_all
from armory.export.days import zone
from armory.export.production_file import production_matches, production_missing
from armory.export.records import Record, build_records
from armory.export.report_data import ReportData, Unverified, unverified
from armory.export.report_entries import after_the_day, entries_html
from armory.export.report_html import link, local_minute
from armory.export.report_summary import summary_html
from armory.export.report_verdict import verification_html
from armory.export.openings import Opening, days_listed, openings_of_chain
from armory.export.report_print import print_proof_css
from armory.export.summary import summarize
from armory.export.timeline import build_timeline, render_svg, render_table

__all__ = ["CSS_PATH", "DATA_ELEMENT_ID", "GLOSSARY", "PARAMS_ELEMENT_ID", "ReportData", "Unverified",
           "embed_jsonl", "render_params", "render_report"]

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
    suspect = unverified(data)
    mismatch = production_matches(data.chain, names.production)
    missing = production_missing(data.chain, names.production)
    # The ledger's own record of its production wins over a production file that does not match it.
    production_title = ((_production_title(data.chain) if mismatch else None) or names.title
                        or _production_title(data.chain) or "Unnamed production")
    days = list(dict.fromkeys(r.day for r in records if r.day))
    opened = openings_of_chain(data.chain, tz, names.production)
    if data.day:
        scope = f"day {data.day}"
    else:
        scope = f"all days ({days_listed(days, opened)})" if days else "all days"
    company = names.production.production.company if names.production is not None and not mismatch else None
    heading = data.title or f"Firearms safety record: {production_title}"
    if data.generated:
        stamp = f"head signed {local_minute(data.generated, tz)}"  # shared by every export of that moment
    else:
        stamp = f"record as of {local_minute(str(data.chain[-1].get('time', '')), tz)}" if data.chain else ""

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
        verification_html(data),
        summary_html(summary, records, data, tz, suspect),
        _timelines_html(data, records, tz, opened),
        entries_html(records, data, progress, after=after_the_day(data, names), suspect=suspect, opened=opened),
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
                f"<td>{link(as_int(entry.get('seq')))}</td></tr>"
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
