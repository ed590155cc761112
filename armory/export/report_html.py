"""Small pieces of the report's HTML that every section uses: a link to an entry, a clipped reason,
a local time to the minute, an answer and a rule in words."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from armory.export.days import parse_time


def local_minute(value: str, tz: dt.tzinfo) -> str:
    try:
        return parse_time(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def clip(text: str, limit: int = 240, seq: int | None = None) -> str:
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


def rule_words(rule_id: str, titles: dict[str, str], question: str) -> str:
    """A rule as html: its title (else the question it asked) in words, its id after it, smaller."""
    words = titles.get(rule_id) or question
    code = f'<code class="rule-id">{escape(rule_id)}</code>' if rule_id else ""
    if not words:
        return code
    return f"{escape(words)} {code}".rstrip() if not code else f"{escape(words)} <span class=\"rule-ref\">(rule {code})</span>"


def observed_text(values: Any) -> str:
    text = ", ".join(str(v) for v in values) if isinstance(values, list) else ("" if values is None else str(values))
    return text if text.strip(" ,") else "nothing entered"


def link(seq: int) -> str:
    return f'<a href="#e{seq}">#{seq}</a>'
