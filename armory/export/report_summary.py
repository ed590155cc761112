"""The report's summary: the counts, what is still open, and what went wrong, most serious first,
each with what became of it (cleared, overridden, reviewed, or still open)."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Sequence

from armory.export.clean import as_int
from armory.export.records import Record
from armory.export.report_data import ReportData, Unverified
from armory.export.report_html import clip, link, local_minute, observed_text, rule_words
from armory.export.summary import Summary
from armory.export.wording import plain_reason, rule_titles


def _outcomes(chain: Sequence[dict], tz: dt.tzinfo, suspect: Unverified | None = None) -> dict[int, str]:
    """What became of each stop, hold and incident: ``seq -> html`` (cleared, overridden, reviewed, or still open)."""
    outcomes: dict[int, str] = {}
    for entry in chain:
        payload = entry.get("payload") or {}
        kind = entry.get("kind")
        seq = as_int(entry.get("seq"))
        at = local_minute(str(entry.get("time", "")), tz)[11:16]
        if suspect is not None and seq in suspect.seqs:
            at = f"{at} (UNVERIFIED)"
        if kind == "stop":
            outcomes[seq] = "<strong>still open</strong>"
        elif kind == "incident":
            outcomes[seq] = "<strong>not yet reviewed</strong>"
        elif kind == "answer" and payload.get("verdict") == "fail" and payload.get("severity") == "hold":
            outcomes[seq] = "<strong>never overridden</strong>"
        elif kind == "clearance":
            outcomes[as_int(payload.get("stop_seq"))] = f"cleared at {at}, {link(seq)}"
        elif kind == "override":
            outcomes[as_int(payload.get("answer_seq"))] = f"overridden at {at}, {link(seq)}"
        elif kind == "incident_reviewed":
            outcomes[as_int(payload.get("incident_seq"))] = f"reviewed at {at}, {link(seq)}"
        elif kind == "correction":
            outcomes.setdefault(as_int(payload.get("corrects_seq")), f"corrected at {at}, {link(seq)}")
    return outcomes


def summary_html(summary: Summary, records: Sequence[Record], data: ReportData, tz: dt.tzinfo,
                  suspect: Unverified | None = None) -> str:
    by_seq = {as_int(e.get("seq")): e for e in data.chain}
    tag = suspect.tag if suspect is not None else (lambda seq: "")
    titles = rule_titles(data.chain)
    attention = []
    for seq in summary.open_stops:
        payload = by_seq.get(seq, {}).get("payload") or {}
        target = "every firearm" if payload.get("scope") == "production" else ", ".join(payload.get("weapons") or [])
        attention.append(f"<li>{tag(seq)}<strong>Stop still open</strong> ({link(seq)}): {escape(target)}: "
                         f"{clip(plain_reason(str(payload.get('reason', ''))), seq=seq)}</li>")
    for seq in summary.unreviewed_incidents:
        payload = by_seq.get(seq, {}).get("payload") or {}
        attention.append(f"<li>{tag(seq)}<strong>Incident not yet reviewed</strong> ({link(seq)}): "
                         f"{clip(str(payload.get('description', '')), seq=seq)}</li>")
    for seq in summary.open_holds:
        payload = by_seq.get(seq, {}).get("payload") or {}
        weapon = f" on {payload['weapon']}" if payload.get("weapon") else ""
        rule_id = str(payload.get("rule_id") or "")
        observed = observed_text(payload.get("observed"))
        attention.append(f"<li>{tag(seq)}<strong>Hold never overridden</strong> ({link(seq)}){escape(weapon)}: "
                         f"{rule_words(rule_id, titles, str(payload.get('question') or ''))}"
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
            reason = f" — {clip(record.reason, seq=record.seq)}" if record.reason else ""
            # the date too: a day id may have been opened on several dates, none of them the scheduled one
            when = f"{record.day or ''} {record.time_local[:16]}".strip()
            outcome = outcomes.get(record.seq)
            after = f" <em>({outcome})</em>" if outcome else ""
            rule = ""
            if record.rule and record.rule in titles and record.kind != "answer":
                rule = f" ({rule_words(record.rule, titles, '')})"
            out.append(f"<li>{tag(record.seq)}{link(record.seq)} {escape(when)} "
                       f"<strong>{escape(record.result or record.kind)}</strong>: {escape(record.short or record.what)}"
                       f"{rule}{reason}{after}</li>")
        out.append("</ul>")
    else:
        out.append("<p>Nothing failed: no stop, incident, refusal, override or failed check.</p>")
    out.append("</section>")
    return "".join(out)
