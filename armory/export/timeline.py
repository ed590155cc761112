"""The day's timeline: who held each weapon from when to when, with stops, incidents and handoffs.

Pure Python: :func:`build_timeline` folds one day's entries into spans and
marks, :func:`render_svg` draws them as an inline SVG (every text escaped,
a ``<title>`` and ``<desc>`` for screen readers, each mark a link to its
entry) and :func:`render_table` writes the same facts as an HTML table, the
text alternative. Colours come from the page's stylesheet through classes,
so the drawing follows light and dark themes and prints in black and white.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from html import escape
from typing import Sequence

from armory.export.clean import as_int
from armory.export.days import parse_time
from armory.export.records import Names
from armory.production.vocabulary import HANDLER_ROLES

#: Spans: where a weapon is. ``armory`` before the day's first handoff.
STATE_TEXT = {
    "armory": "with the armorer",
    "armorer": "with the armorer",
    "actor": "with",
    "sealed": "sealed as evidence",
    "investigator": "with investigator",
}

MARK_TEXT = {
    "override": "override",
    "handoff": "handoff",
    "return": "taken back",
    "stop": "stop",
    "clearance": "stop cleared",
    "incident": "incident",
    "refusal": "refused",
    "seal": "sealed",
}

# Geometry of the drawing, in SVG user units (the drawing scales to the page width).
#: The drawing covers at least this much time, so a day of a few minutes is not one wide smear. Only the
#: drawing: the spans, the table and the description keep their true times.
MIN_DRAWN = dt.timedelta(minutes=10)
WIDTH = 960
LABEL_WIDTH = 180
RIGHT_PAD = 24
AXIS_HEIGHT = 30
ROW_HEIGHT = 50
BAR_HEIGHT = 20
BOTTOM_PAD = 12


@dataclass
class Span:
    weapon: str
    start: dt.datetime
    end: dt.datetime
    state: str
    holder: str | None
    seq: int | None
    """The entry that began the span (None for the start of the day)."""


@dataclass
class Mark:
    weapon: str | None
    """None: the mark concerns every weapon (a production-wide stop, an incident with no weapon)."""
    time: dt.datetime
    kind: str
    text: str
    seq: int


@dataclass
class Timeline:
    day: str
    start: dt.datetime
    end: dt.datetime
    weapons: list[str]
    spans: list[Span] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    stopped: list[tuple[str, dt.datetime, dt.datetime, int]] = field(default_factory=list)
    """(weapon, from, to, stop seq): periods a weapon stood under a stop."""
    closed: bool = True
    """False when the day was never closed: the drawing ends at its last entry."""
    last_entry: dt.datetime | None = None
    label: str = ""
    """How titles and captions name the day (``day-1, 2026-12-01``); the day id when empty."""

    @property
    def empty(self) -> bool:
        return not self.weapons

    @property
    def drawn_end(self) -> dt.datetime:
        """Where the drawing's time axis ends: :attr:`end`, or :data:`MIN_DRAWN` after the start if that
        is later. Spans keep their true ends; only the axis is widened."""
        return max(self.end, self.start + MIN_DRAWN)


def _time(entry: dict) -> dt.datetime | None:
    try:
        return parse_time(str(entry.get("time", "")))
    except ValueError:
        return None


def build_timeline(day: str, entries: Sequence[dict], names: Names, descriptions: dict[int, str] | None = None,
                   *, label: str = "") -> Timeline:
    """Fold ``entries`` (those of ``day``, in chain order) into spans and marks; ``label`` names the day in
    titles and captions (with the date it was opened on)."""
    descriptions = descriptions or {}
    timed = [(t, e) for e in entries if (t := _time(e)) is not None]
    if not timed:
        now = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
        return Timeline(day, now, now, [], label=label)
    start = timed[0][0]
    end = max(t for t, _ in timed)

    order: dict[str, None] = {}
    holders: dict[str, tuple[dt.datetime, str, str | None, int | None]] = {}
    spans: list[Span] = []
    marks: list[Mark] = []
    stop_open: dict[int, tuple[list[str], dt.datetime]] = {}
    stopped: list[tuple[str, dt.datetime, dt.datetime, int]] = []

    def see(weapon: str | None) -> None:
        if weapon and weapon not in order:
            order[weapon] = None
            holders[weapon] = (start, "armory", None, None)

    def move(weapon: str, when: dt.datetime, state: str, holder: str | None, seq: int) -> None:
        see(weapon)
        since, old_state, old_holder, old_seq = holders[weapon]
        if when > since:
            spans.append(Span(weapon, since, when, old_state, old_holder, old_seq))
        holders[weapon] = (when, state, holder, seq)

    def role_state(person: str | None) -> str:
        if person is None:
            return "armory"
        production = names.production
        roles = production.roles_on(person, day) if production is not None else frozenset()
        return "armorer" if roles & HANDLER_ROLES else "actor"

    for when, entry in timed:
        kind = entry.get("kind")
        payload = entry.get("payload") if isinstance(entry.get("payload"), dict) else {}
        seq = as_int(entry.get("seq"))
        weapon = payload.get("weapon") if isinstance(payload.get("weapon"), str) else None
        text = descriptions.get(seq, kind or "")
        if kind == "handoff" and weapon:
            receiver = payload.get("receiver")
            move(weapon, when, role_state(receiver), receiver, seq)
            marks.append(Mark(weapon, when, "handoff", text, seq))
        elif kind == "return" and weapon:
            receiver = payload.get("receiver")
            move(weapon, when, "armorer", receiver, seq)
            marks.append(Mark(weapon, when, "return", text, seq))
        elif kind == "seal" and payload.get("item_kind") == "weapon":
            item = str(payload.get("item"))
            move(item, when, "sealed", None, seq)
            marks.append(Mark(item, when, "seal", text, seq))
        elif kind == "custody_transfer" and payload.get("item") in order:
            move(str(payload["item"]), when, "investigator", str(payload.get("investigator")), seq)
        elif kind == "stop":
            listed = [w for w in payload.get("weapons") or [] if isinstance(w, str)]
            for w in listed:
                see(w)
            if payload.get("scope") == "production" or not listed:
                marks.append(Mark(None, when, "stop", text, seq))
            else:
                for w in listed:
                    marks.append(Mark(w, when, "stop", text, seq))
            stop_open[seq] = (listed, when)
        elif kind == "clearance":
            stop_seq = as_int(payload.get("stop_seq"))
            listed, since = stop_open.pop(stop_seq, ([], None))
            for w in listed:
                marks.append(Mark(w, when, "clearance", text, seq))
                stopped.append((w, since, when, stop_seq))
            if not listed:
                marks.append(Mark(None, when, "clearance", text, seq))
        elif kind == "incident":
            see(weapon)
            marks.append(Mark(weapon, when, "incident", text, seq))
        elif kind == "refusal":
            see(weapon)
            marks.append(Mark(weapon, when, "refusal", text, seq))
        elif kind == "override":
            see(weapon)
            marks.append(Mark(weapon, when, "override", text, seq))
        elif weapon:
            see(weapon)

    for stop_seq, (listed, since) in stop_open.items():
        for w in listed:
            stopped.append((w, since, end, stop_seq))
    for weapon, (since, state, holder, seq) in holders.items():
        spans.append(Span(weapon, since, max(end, since), state, holder, seq))

    known = [w for w in names.weapon_order if w in order]
    weapons = known + [w for w in order if w not in known]
    spans.sort(key=lambda s: (weapons.index(s.weapon), s.start))
    closed = any(e.get("kind") == "day_closed" for _, e in timed)
    return Timeline(day, start, end, weapons, spans, marks, stopped, closed, max(t for t, _ in timed), label)


#: At most this many hour lines on a drawing, whatever the span it covers.
MAX_TICKS = 12
_STEPS_MINUTES = (5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2 * 1440, 7 * 1440, 14 * 1440, 28 * 1440)


def _tick_step(span: dt.timedelta) -> dt.timedelta:
    """The distance between hour lines: a round step giving at most about nine lines, never more than
    :data:`MAX_TICKS` however long the span (a day left open and exported years later must not draw
    thousands of lines)."""
    minutes = max(span.total_seconds(), 0.0) / 60
    for step in _STEPS_MINUTES:
        if minutes / step <= 9:
            return dt.timedelta(minutes=step)
    return dt.timedelta(minutes=math.ceil(minutes / (MAX_TICKS - 1)))


def _ticks(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> list[dt.datetime]:
    """Hour lines from ``start`` to ``end``, on round local times, at most :data:`MAX_TICKS`."""
    step = _tick_step(end - start)
    step_minutes = max(int(step.total_seconds() // 60), 1)
    local_start = start.astimezone(tz)
    minute_of_day = local_start.hour * 60 + local_start.minute
    align = step_minutes if step_minutes <= 1440 else 1440
    tick = local_start.replace(second=0, microsecond=0) + dt.timedelta(minutes=(-minute_of_day) % align)
    ticks = []
    while tick <= end and len(ticks) < MAX_TICKS:
        if tick >= start:
            ticks.append(tick)
        tick += step
    return ticks


def span_label(span: Span, names: Names) -> str:
    if span.state in ("actor", "investigator") and span.holder:
        return names.short_person(span.holder)
    if span.state == "armorer" and span.holder:
        return f"{names.short_person(span.holder)} (armorer)"
    return STATE_TEXT.get(span.state, span.state)


def render_svg(timeline: Timeline, names: Names, tz: dt.tzinfo, *, ident: str = "tl") -> str:
    """The timeline as an inline ``<svg>`` element."""
    if timeline.empty:
        return ""
    plot_left, plot_right = LABEL_WIDTH, WIDTH - RIGHT_PAD
    total = (timeline.drawn_end - timeline.start).total_seconds() or 1.0
    height = AXIS_HEIGHT + ROW_HEIGHT * len(timeline.weapons) + BOTTOM_PAD

    def x(moment: dt.datetime) -> float:
        fraction = (moment - timeline.start).total_seconds() / total
        return round(plot_left + max(0.0, min(1.0, fraction)) * (plot_right - plot_left), 1)

    def hhmm(moment: dt.datetime) -> str:
        return moment.astimezone(tz).strftime("%H:%M")

    row_of = {w: i for i, w in enumerate(timeline.weapons)}
    title = f"Who held each weapon on {timeline.label or timeline.day}"
    desc = (
        f"{len(timeline.weapons)} weapons from {hhmm(timeline.start)} to {hhmm(timeline.end)} local time; "
        f"{sum(1 for m in timeline.marks if m.kind == 'handoff')} handoffs, "
        f"{sum(1 for m in timeline.marks if m.kind == 'stop')} stops, "
        f"{sum(1 for m in timeline.marks if m.kind == 'incident')} incidents. The table below gives the same facts."
    )
    if not timeline.closed:
        desc += " The day was never closed: the drawing ends at its last entry."
    out = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]
    # Hour lines and labels.
    ticks = _ticks(timeline.start, timeline.drawn_end, tz)
    long_span = timeline.drawn_end - timeline.start > dt.timedelta(hours=20)
    out.append('<g class="tl-axis">')
    for tick in ticks:
        tx = x(tick)
        label = tick.astimezone(tz).strftime("%-d %b %H:%M" if long_span else "%H:%M")
        out.append(f'<line x1="{tx}" y1="{AXIS_HEIGHT - 6}" x2="{tx}" y2="{height - BOTTOM_PAD}"/>')
        out.append(f'<text x="{tx}" y="{AXIS_HEIGHT - 10}" text-anchor="middle">{label}</text>')
    out.append("</g>")
    # Where the marks of each row fall, so that no span label sits under one.
    mark_xs: dict[str, list[float]] = {}
    for mark in timeline.marks:
        for weapon in ([mark.weapon] if mark.weapon in row_of else list(row_of)):
            mark_xs.setdefault(weapon, []).append(x(mark.time))
    # Rows: a label, the spans, the stopped periods.
    for weapon, index in row_of.items():
        top = AXIS_HEIGHT + index * ROW_HEIGHT
        bar_y = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        out.append('<g class="tl-row">')
        out.append(f'<text class="tl-label" x="{LABEL_WIDTH - 10}" y="{bar_y + BAR_HEIGHT / 2 + 5}" text-anchor="end">{escape(weapon)}</text>')
        out.append(f'<line class="tl-rule" x1="{plot_left}" y1="{bar_y + BAR_HEIGHT / 2}" x2="{plot_right}" y2="{bar_y + BAR_HEIGHT / 2}"/>')
        for span in (s for s in timeline.spans if s.weapon == weapon):
            x0, x1 = x(span.start), x(span.end)
            width = max(x1 - x0, 1.5)
            label = span_label(span, names)
            tip = f"{weapon}: {label}, {hhmm(span.start)} to {hhmm(span.end)}"
            out.append(f'<g class="tl-span tl-{span.state}"><title>{escape(tip)}</title>')
            out.append(f'<rect x="{x0}" y="{bar_y}" width="{round(width, 1)}" height="{BAR_HEIGHT}" rx="3"/>')
            placed = place_label(label, x0, x0 + width, mark_xs.get(weapon, []))
            if placed is not None:
                lx, text = placed
                out.append(f'<text x="{lx}" y="{bar_y + BAR_HEIGHT / 2 + 4.5}">{escape(text)}</text>')
            out.append("</g>")
        for w, since, until, stop_seq in timeline.stopped:
            if w != weapon:
                continue
            x0, x1 = x(since), x(until)
            tip = f"{weapon} under stop #{stop_seq} from {hhmm(since)} to {hhmm(until)}"
            out.append(f'<g class="tl-stopped"><title>{escape(tip)}</title>'
                       f'<rect x="{x0}" y="{bar_y - 4}" width="{round(max(x1 - x0, 2), 1)}" height="{BAR_HEIGHT + 8}" rx="4"/></g>')
        out.append("</g>")
    # Marks, drawn last so they sit on top; incidents and overrides above the bar, so a stop at
    # the same minute does not hide them.
    for mark in sorted(timeline.marks, key=lambda m: m.kind in ("incident", "override")):
        rows = [row_of[mark.weapon]] if mark.weapon in row_of else list(row_of.values())
        mx = x(mark.time)
        tip = f"{hhmm(mark.time)}: {mark.text}"
        out.append(f'<a href="#e{mark.seq}" class="tl-mark tl-{mark.kind}"><title>{escape(tip)}</title>')
        if mark.weapon not in row_of:
            out.append(f'<line class="tl-wide" x1="{mx}" y1="{AXIS_HEIGHT - 4}" x2="{mx}" y2="{height - BOTTOM_PAD}"/>')
        for index in rows:
            cy = AXIS_HEIGHT + index * ROW_HEIGHT + ROW_HEIGHT / 2
            if mark.kind in ("incident", "override"):
                cy -= BAR_HEIGHT / 2 + 5
            out.append(mark_shape(mark.kind, mx, cy))
        out.append("</a>")
    out.append("</svg>")
    return "\n".join(out)


#: Width of one character of a span label (12px sans-serif), a little generous so a label never overflows.
CHAR_WIDTH = 7.2
#: Room left clear on each side of a mark's centre (the widest mark is 18 units across).
MARK_CLEARANCE = 11.0


def place_label(label: str, left: float, right: float, marks: Sequence[float]) -> tuple[float, str] | None:
    """Where a span's label goes, and its text: in the first gap between the marks on the bar wide enough
    for the whole label, else in the widest gap cut short with "…", else nowhere (the tooltip and the
    table below say it). A label never sits under a mark."""
    pad = 5.0
    cuts = sorted(m for m in marks if left - MARK_CLEARANCE < m < right + MARK_CLEARANCE)
    gaps = []
    start = left
    for m in cuts:
        gaps.append((start, m - MARK_CLEARANCE))
        start = max(start, m + MARK_CLEARANCE)
    gaps.append((start, right))
    need = CHAR_WIDTH * len(label) + 2 * pad
    for a, b in gaps:
        if b - a >= need:
            return round(a + pad, 1), label
    a, b = max(gaps, key=lambda g: g[1] - g[0])
    fits = int((b - a - 2 * pad) / CHAR_WIDTH) - 1
    if fits >= 4:
        return round(a + pad, 1), label[:fits].rstrip() + "…"
    return None


def legend_symbol(kind: str) -> str:
    """A mark's shape as a small inline SVG, for the legend beside the drawing."""
    return (f'<svg class="sym tl-mark tl-{kind}" viewBox="-12 -12 24 24" width="18" height="18" aria-hidden="true">'
            f"{mark_shape(kind, 0, 0)}</svg>")


def mark_shape(kind: str, cx: float, cy: float) -> str:
    if kind == "override":  # a diamond
        return f'<polygon points="{cx},{cy - 7} {cx + 7},{cy} {cx},{cy + 7} {cx - 7},{cy}"/>'
    if kind == "stop":  # an octagon, as on a road sign
        r = 9
        points = []

        for i in range(8):
            angle = math.pi / 8 + i * math.pi / 4
            points.append(f"{round(cx + r * math.cos(angle), 1)},{round(cy + r * math.sin(angle), 1)}")
        return f'<polygon points="{" ".join(points)}"/>'
    if kind == "incident":  # a warning triangle
        return f'<polygon points="{cx},{cy - 8} {round(cx + 9, 1)},{cy + 7} {round(cx - 9, 1)},{cy + 7}"/>'
    if kind == "refusal":  # a cross
        return (f'<path d="M{round(cx - 7, 1)},{cy - 7} L{round(cx + 7, 1)},{cy + 7} '
                f'M{round(cx + 7, 1)},{cy - 7} L{round(cx - 7, 1)},{cy + 7}"/>')
    if kind == "clearance":  # a tick
        return f'<path d="M{round(cx - 6, 1)},{cy} L{round(cx - 1, 1)},{cy + 6} L{round(cx + 7, 1)},{cy - 7}"/>'
    if kind == "seal":
        return f'<rect x="{round(cx - 6, 1)}" y="{cy - 6}" width="12" height="12"/>'
    # handoff and return: a notch across the bar
    return f'<line x1="{cx}" y1="{cy - 12}" x2="{cx}" y2="{cy + 12}"/>'


def render_table(timeline: Timeline, names: Names, tz: dt.tzinfo, *, caption: str | None = None) -> str:
    """The text alternative: every span and every mark, as table rows (each with its date too when the
    day runs over more than one local date)."""
    if timeline.empty:
        return ""
    several_dates = timeline.start.astimezone(tz).date() != timeline.end.astimezone(tz).date()

    def hhmm(moment: dt.datetime) -> str:
        local = moment.astimezone(tz)
        return f"{local.strftime('%Y-%m-%d')} {local.strftime('%H:%M')}" if several_dates else local.strftime("%H:%M")

    rows = []
    for span in timeline.spans:
        link = f'<a href="#e{span.seq}">#{span.seq}</a>' if span.seq else "—"
        rows.append((span.start, 0, f"<tr><th scope=\"row\">{escape(span.weapon)}</th><td>{hhmm(span.start)}–{hhmm(span.end)}</td>"
                     f"<td>{escape(span_label(span, names))}</td><td>{link}</td></tr>"))
    for mark in timeline.marks:
        weapon = mark.weapon or "all weapons"
        rows.append((mark.time, 1, f"<tr class=\"tl-row-{mark.kind}\"><th scope=\"row\">{escape(weapon)}</th><td>{hhmm(mark.time)}</td>"
                     f"<td>{escape(mark.text)}</td>"
                     f"<td><a href=\"#e{mark.seq}\">#{mark.seq}</a></td></tr>"))
    rows.sort(key=lambda r: (r[0], r[1]))
    if caption is None:
        caption = f"Timeline of {timeline.label or timeline.day} as a table (local time)"
        if not timeline.closed:
            caption += f"; the day was never closed, so it ends at its last entry ({hhmm(timeline.last_entry or timeline.end)})"
    return (
        f'<table class="tl-table"><caption>{escape(caption)}</caption>'
        '<thead><tr><th scope="col">Weapon</th><th scope="col">When</th><th scope="col">Held by / event</th>'
        '<th scope="col">Entry</th></tr></thead><tbody>'
        + "".join(r[2] for r in rows)
        + "</tbody></table>"
    )
