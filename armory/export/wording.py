"""Plain-language pieces of a record: answers, reasons, failure ids and rules named in words.

A producer reads "nothing entered" rather than an empty gap, a failure id
with its title from ``rules/failures.toml``, and a rule by the title the pack
in force gave it (read from the pack's full text recorded in the ledger).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from armory.export.clean import payload_of


def _join(values: Any) -> str:
    if isinstance(values, (list, tuple)):
        return ", ".join(str(v) for v in values)
    return "" if values is None else str(values)


NOTHING_ENTERED = "nothing entered"


def observed_words(values: Any) -> str:
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
        for pack in payload_of(entry).get("packs") or []:
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
