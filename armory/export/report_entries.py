"""The report's longest part: every entry in plain language, in chain order, under a heading per opening of a day,
each with its ``#e<seq>`` anchor; the checkpoints and export records written after a day's last entry
under a heading of their own."""

from __future__ import annotations

from html import escape
from typing import Callable, Sequence

from armory.export.clean import as_int
from armory.export.days import BOOKKEEPING_KINDS
from armory.export.openings import Opening
from armory.export.records import Names, Record, build_records
from armory.export.report_data import ReportData, Unverified
from armory.export.wording import rule_titles


def entries_html(records: Sequence[Record], data: ReportData, progress: Callable[[int], None] | None,
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


def after_the_day(data: ReportData, names: Names) -> list[Record]:
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
