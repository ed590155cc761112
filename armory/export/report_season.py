"""The report of a whole season: the season first, each day drawn when it is opened, a search across them all.

A record of months (a hundred thousand entries over 270 days) drawn the way a
day is drawn is a page of 170 MB that a browser needs half a minute to show.
Past :data:`SEASON_DAYS` days or :data:`SEASON_ENTRIES` entries the record is
drawn as a season instead:

- on the page as HTML, readable with scripts off: whether the record is
  intact, what is still open (stops, incidents not reviewed, holds), the
  sealed evidence and where it went, every incident, the days as one table
  (date, where, entries, handoffs, failed checks, stops, incidents, refusals),
  the crew, weapons and lots, the rule packs;
- the entries themselves, embedded one day to a block, each block gzip
  compressed and in base64 (``<script type="application/gzip-base64"
  class="armory-ledger-day">``). A day's entries are about 300 kB of JSON
  and 25 kB compressed; the page's own script decompresses a day with the
  browser's ``DecompressionStream`` when it is opened and draws it, so
  nothing of a day costs anything until someone looks at it, and the file
  stays a tenth of its entries' size. One block per day (not one for the
  whole season) is what makes a day quick to open; gzip (not a format of our
  own) is what any tool can read back. The search (a weapon, a person, a
  rule) reads the blocks it needs the first time it is used.

``armory log verify`` reads the blocks back (base64, gzip) as the jsonl lines
they hold, checks the chain as for any export, and draws this page again from
those entries to compare it with the file: the blocks' contents are compared
as the entries they decode to (so another zlib's bytes are not a difference),
everything else byte for byte, the script included. The script draws only
from the entries the check has verified.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any, Sequence

from armory.export.clean import as_int, payload_of
from armory.export.report_html import local_minute
from armory.export.unresolved import open_holds, open_stops, unreviewed_incidents
from armory.ledger.export_file import SEASON_BLOCKS

SEASON_DAYS = 31
"""A record of more shooting days than this is drawn as a season."""
SEASON_ENTRIES = 20_000
"""Or of more entries than this."""
BLOCK_CLASS = "armory-ledger-day"
SCRIPT_PATH = Path(__file__).with_name("report_season.js")


_STYLE = """
.season-days td.num, .season-days th.num { text-align: right; font-variant-numeric: tabular-nums; }
.season-days tr.bad { background: #fff1f0; }
.season-days button, #season-search button { font: inherit; padding: 0.1em 0.6em; cursor: pointer; }
#season-search input { font: inherit; padding: 0.2em 0.4em; min-width: 16em; }
#season-day .entry, #season-found .entry { margin: 0.2em 0; list-style: none; }
#season-day .fail, #season-found .fail { color: #a8071a; font-weight: 600; }
.season-note { color: #555; }
"""


def is_season(chain: Sequence[dict], *, day: str | None, incident: int | None, plain: bool) -> bool:
    """Is this the whole record (not a day, an incident or a page with a heading of its own) of a season?"""
    if day is not None or incident is not None or not plain:
        return False
    if len(chain) > SEASON_ENTRIES:
        return True
    return sum(1 for entry in chain if entry.get("kind") == "day_opened") > SEASON_DAYS


def script_text() -> str:
    return SCRIPT_PATH.read_text(encoding="utf-8")


def content_security_policy() -> str:
    """Nothing fetched; the one script this page carries runs (named by its hash), no other."""
    digest = base64.b64encode(hashlib.sha256(script_text().encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            f"script-src 'sha256-{digest}'")


def blocks(chain: Sequence[dict], lines: Sequence[str] | None, days: Sequence[str | None]
           ) -> list[tuple[str, int, int, str]]:
    """The day blocks: (day or "", first seq, entries, base64 of the gzipped jsonl lines, or "" without lines).

    gzip at level 3: a tenth of the entries' size, in half the time of the default level."""
    out: list[tuple[str, int, int, str]] = []
    start = 0
    for index in range(1, len(chain) + 1):
        if index < len(chain) and days[index] == days[start]:
            continue
        text = ""
        if lines is not None:
            data = ("\n".join(lines[start:index]) + "\n").encode("utf-8")
            text = base64.b64encode(gzip.compress(data, compresslevel=3, mtime=0)).decode("ascii")
        out.append((days[start] or "", as_int(chain[start].get("seq")), index - start, text))
        start = index
    return out


def without_blocks(page: bytes) -> bytes:
    """The page with each block's contents left out (its tag kept): what is compared byte for byte."""
    return SEASON_BLOCKS.sub(rb"\1\3", page)


def season_data_html(chain: Sequence[dict], lines: Sequence[str] | None, names: Any, tz_name: str,
                     days: Sequence[str | None]) -> str:
    """The blocks, the names the script shows, and the script."""
    people = {m.id: m.name for m in names.production.crew} if names.production is not None else {}
    info = json.dumps({"tz": tz_name, "names": people}, sort_keys=True, ensure_ascii=True)
    info = info.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    out = [f'<script type="application/json" id="armory-season">{info}</script>']
    for day, first, count, text in blocks(chain, lines, days):
        out.append(f'<script type="application/gzip-base64" class="{BLOCK_CLASS}" data-day="{escape(day)}" '
                   f'data-first="{first}" data-entries="{count}">{text}</script>')
    out.append(f"<script>{script_text()}</script>")
    return "\n".join(out)


# -- what the page shows ---------------------------------------------------------------------------------

def season_main_html(chain: Sequence[dict], names: Any, tz: dt.tzinfo, days: Sequence[str | None]) -> list[str]:
    """The season's sections: still open, evidence, incidents, the days, search, a day opened."""
    per_day: dict[str, dict[str, Any]] = {}
    for entry, day in zip(chain, days):
        if not day:
            continue
        row = per_day.get(day)
        if row is None:
            row = per_day[day] = {"entries": 0, "handoff": 0, "failed": 0, "stop": 0, "incident": 0,
                                  "refusal": 0, "first": entry.get("time", ""), "scopes": set()}
        row["entries"] += 1
        row["last"] = entry.get("time", "")
        kind = entry.get("kind")
        if kind in ("handoff", "stop", "incident", "refusal"):
            row[kind] += 1
        elif kind == "answer" and payload_of(entry).get("verdict") == "fail":
            row["failed"] += 1
        if entry.get("scope"):
            row["scopes"].add(entry.get("scope"))
    return [_open_html(chain, tz), _evidence_html(chain, tz), _incidents_html(chain, tz),
            _days_html(per_day, names, tz), _search_html(), '<section id="season-day" aria-live="polite"></section>']


def _open_html(chain: Sequence[dict], tz: dt.tzinfo) -> str:
    items = []
    for entry in open_stops(chain):
        p = payload_of(entry)
        target = "every firearm" if p.get("scope") == "production" else ", ".join(map(str, p.get("weapons") or []))
        items.append(f"<li><strong>Stop still open</strong> (#{as_int(entry.get('seq'))}, {escape(str(p.get('day') or ''))}"
                     f"): {escape(target)}: {escape(str(p.get('reason', ''))[:240])}</li>")
    for entry in unreviewed_incidents(chain):
        p = payload_of(entry)
        items.append(f"<li><strong>Incident not yet reviewed</strong> (#{as_int(entry.get('seq'))}, "
                     f"{escape(str(p.get('day') or ''))}): {escape(str(p.get('description', ''))[:240])}</li>")
    for entry in open_holds(chain):
        p = payload_of(entry)
        items.append(f"<li><strong>Hold never overridden</strong> (#{as_int(entry.get('seq'))}, "
                     f"{escape(str(p.get('day') or ''))}): <code>{escape(str(p.get('rule_id', '')))}</code> on "
                     f"{escape(str(p.get('weapon') or 'the day'))}</li>")
    body = (f'<div class="attention"><ul>{"".join(items)}</ul></div>' if items else
            '<div class="calm"><p>No stop, hold or incident is open at the end of this record.</p></div>')
    return ('<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Still open at the end of the '
            f"season</h2>{body}</section>")


def _evidence_html(chain: Sequence[dict], tz: dt.tzinfo) -> str:
    sealed: dict[str, list[str]] = {}
    for entry in chain:
        kind = entry.get("kind")
        if kind not in ("seal", "custody_transfer"):
            continue
        p = payload_of(entry)
        item = str(p.get("item", ""))
        when = local_minute(str(entry.get("time", "")), tz)
        row = sealed.setdefault(item, [str(p.get("item_kind", "")), "", "", ""])
        if kind == "seal":
            row[1], row[2] = str(p.get("seal_id", "")), f"{when} (#{as_int(entry.get('seq'))})"
        else:
            row[3] = (f"{p.get('investigator', '')}, {p.get('agency', '')}, receipt {p.get('receipt', '')}, "
                      f"{when} (#{as_int(entry.get('seq'))})")
    rows = "".join(f'<tr><th scope="row">{escape(item)}</th><td>{escape(kind)}</td><td>{escape(seal)}</td>'
                   f"<td>{escape(when)}</td><td>{escape(to or 'still with the armorer, sealed')}</td></tr>"
                   for item, (kind, seal, when, to) in sealed.items())
    body = ('<div class="scroll"><table><thead><tr><th scope="col">Item</th><th scope="col">Kind</th>'
            '<th scope="col">Seal</th><th scope="col">Sealed</th><th scope="col">Handed to</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>" if rows else "<p>Nothing was sealed as evidence.</p>")
    return f'<section id="evidence" aria-labelledby="evidence-h"><h2 id="evidence-h">Sealed evidence</h2>{body}</section>'


def _incidents_html(chain: Sequence[dict], tz: dt.tzinfo) -> str:
    reviewed = {as_int(payload_of(e).get("incident_seq")): e for e in chain if e.get("kind") == "incident_reviewed"}
    rows = []
    for entry in chain:
        if entry.get("kind") != "incident":
            continue
        p = payload_of(entry)
        seq = as_int(entry.get("seq"))
        review = reviewed.get(seq)
        outcome = (f"reviewed {local_minute(str(review.get('time', '')), tz)} (#{as_int(review.get('seq'))})"
                   if review is not None else "NOT YET REVIEWED")
        rows.append(f'<tr><td><a href="#e{seq}">#{seq}</a></td><td>{escape(str(p.get("day") or ""))}</td>'
                    f"<td>{escape(local_minute(str(entry.get('time', '')), tz))}</td>"
                    f"<td>{escape(str(p.get('incident', '')).replace('_', ' '))}</td>"
                    f"<td>{escape(str(p.get('weapon') or ''))}</td><td>{escape(str(p.get('description', ''))[:200])}</td>"
                    f"<td>{escape(outcome)}</td></tr>")
    body = ('<div class="scroll"><table><thead><tr><th scope="col">Entry</th><th scope="col">Day</th>'
            '<th scope="col">When</th><th scope="col">What</th><th scope="col">Weapon</th><th scope="col">Said</th>'
            f'<th scope="col">Review</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
            if rows else "<p>No incident was recorded.</p>")
    return (f'<section id="incidents" aria-labelledby="incidents-h"><h2 id="incidents-h">Incidents '
            f"({len(rows)})</h2>{body}</section>")


def _days_html(per_day: dict[str, dict[str, Any]], names: Any, tz: dt.tzinfo) -> str:
    production = names.production
    rows = []
    for day, row in per_day.items():
        model = production.day_by_id(day) if production is not None else None
        date = model.date.isoformat() if model is not None else local_minute(str(row["first"]), tz)[:10]
        where = model.location if model is not None else ""
        hours = f"{local_minute(str(row['first']), tz)[11:]}–{local_minute(str(row.get('last', '')), tz)[11:]}"
        runs = f" ({len(row['scopes'])} drill run{'s' if len(row['scopes']) != 1 else ''})" if row["scopes"] else ""
        bad = ' class="bad"' if row["stop"] or row["incident"] else ""
        rows.append(
            f'<tr{bad}><th scope="row"><button type="button" data-day="{escape(day)}">{escape(day)}</button>'
            f"{escape(runs)}</th><td>{escape(date)}</td><td>{escape(hours)}</td><td>{escape(where)}</td>"
            + "".join(f'<td class="num">{row[key]}</td>' for key in
                      ("entries", "handoff", "failed", "stop", "incident", "refusal")) + "</tr>")
    first = next(iter(per_day), "")
    last = next(reversed(per_day), "") if per_day else ""
    heading = (f"The days: {escape(first)} to {escape(last)} ({len(per_day)} days)" if per_day else "The days")
    return (f'<section id="days" aria-labelledby="days-h"><h2 id="days-h">{heading}</h2>'
            '<p class="hint">Open a day to read every entry of it (drawn from the entries embedded in this '
            'file); a day with a stop or an incident is marked.</p>'
            '<div class="scroll"><table class="season-days"><thead><tr><th scope="col">Day</th>'
            '<th scope="col">Date</th><th scope="col">Hours</th><th scope="col">Where</th>'
            '<th scope="col" class="num">Entries</th><th scope="col" class="num">Handoffs</th>'
            '<th scope="col" class="num">Failed checks</th><th scope="col" class="num">Stops</th>'
            '<th scope="col" class="num">Incidents</th><th scope="col" class="num">Refused</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _search_html() -> str:
    return ('<section id="search" aria-labelledby="search-h"><h2 id="search-h">Search the season</h2>'
            '<form id="season-search" role="search"><label for="season-q">A weapon, a person or a rule</label> '
            '<input id="season-q" name="q" placeholder="saa-1, Ana Reyes, handling.chamber-count" '
            'autocomplete="off"> <button type="submit">Search</button></form>'
            '<noscript><p class="season-note">Searching and opening a day need the page\'s own script; '
            "the entries are inside this file (verify it with armory log verify), and the jsonl export holds "
            "them as text.</p></noscript>"
            '<div id="season-found" aria-live="polite"></div></section>')


def season_packs_html(chain: Sequence[dict]) -> str:
    """Each version of each pack in force, with the days it was in force (a row per version, not per day)."""
    seen: dict[tuple[str, str, str], list[str]] = {}
    for entry in chain:
        if entry.get("kind") not in ("day_opened", "packs_changed"):
            continue
        p = payload_of(entry)
        for pack in p.get("packs") or []:
            key = (str(pack.get("id")), str(pack.get("version")), str(pack.get("hash")))
            seen.setdefault(key, []).append(f"{p.get('day', '')} (#{as_int(entry.get('seq'))})")
    rows = "".join(
        f'<tr><th scope="row"><code>{escape(pack)}</code></th><td>{escape(version)}</td>'
        f'<td><code class="hash">{escape(digest)}</code></td><td>{len(days)}: {escape(days[0])}'
        f"{' to ' + escape(days[-1]) if len(days) > 1 else ''}</td></tr>"
        for (pack, version, digest), days in seen.items())
    body = ("<p>The rules each check was asked from, as recorded when each day opened; the full text of each pack "
            "is inside the embedded record.</p>"
            '<table class="packs"><thead><tr><th scope="col">Pack</th><th scope="col">Version</th>'
            '<th scope="col">SHA-256 of the pack file</th><th scope="col">Days in force</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>" if rows else
            "<p>No day was opened in this record, so no rule pack is on record.</p>")
    return f'<section id="packs" aria-labelledby="packs-h"><h2 id="packs-h">Rule packs in force</h2>{body}</section>'


def season_style() -> str:
    return _STYLE
