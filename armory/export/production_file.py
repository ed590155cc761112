"""Is this the right production file? The production a record is drawn with, and a warning when it is not.

Names, weapons and the time zone of a report come from a production file; a
wrong one titles the record wrongly and names the wrong people without a
word. The ledger records the production's title in its first entry and its
full text when each day opens, so the export can check the file it is given,
or do without one.
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

from armory.export.clean import payload_of


def production_in_chain(entries: Sequence[dict]) -> Any:
    """The production in force at the end of ``entries``, as the last day opened recorded it in full (the text
    is recorded once per version of the file: on the first day opened with its hash); None when no day
    recorded one (a ledger from before armory recorded the production's text).

    Names, weapons and the time zone taken from here are covered by the chain's hashes and signatures,
    so a report drawn from them can be re-drawn, and checked, from the exported entries alone."""
    from armory.export.chain import of_kinds

    wanted = None  # the production_hash of the last day opened: its text may be recorded on an earlier day
    latest = None  # else the last text recorded, as before texts were recorded once
    text = None
    for entry in reversed(of_kinds(entries, frozenset({"day_opened"}))):
        if not isinstance(entry, dict) or entry.get("kind") != "day_opened":
            continue
        payload = payload_of(entry)
        wanted = wanted or payload.get("production_hash")
        text = payload.get("production_text")
        if not isinstance(text, str):
            continue
        latest = latest or text
        if payload.get("production_hash") in (wanted, None):
            break
    else:
        text = latest
    if not isinstance(text, str):
        return None
    return _production_of(text)


@functools.lru_cache(maxsize=4)
def _production_of(text: str) -> Any:
    """The production a recorded text holds, parsed once: an export asks for it several times, and a season's
    text (every shooting day in it) takes a third of a second to read."""
    import tomllib

    from pydantic import ValidationError

    from armory.production.models import Production

    try:
        return Production.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError, ValueError):
        return None  # recorded by another version of the format: the file given (if any) is used instead


def recorded_title(entries: Sequence[dict]) -> str | None:
    """The production title the ledger recorded in its first entry (``ledger_opened``), if any."""
    for entry in entries[:1]:
        if isinstance(entry, dict) and entry.get("kind") == "ledger_opened":
            title = payload_of(entry).get("production_title")
            return title if isinstance(title, str) and title else None
    return None


def production_matches(entries: Sequence[dict], production: Any) -> str | None:
    """A warning when ``production`` (a production model, or None) is not the one the ledger was opened
    for, judged by the title the ledger recorded in its first entry; None when it matches or when no
    production is given (see :func:`production_missing`).

    A wrong production file titles the record wrongly and names the wrong people, weapons and time zone
    without a word; the caller prints this warning (and the report shows it)."""
    if production is None:
        return None
    given = production.production.title
    recorded = recorded_title(entries)
    if recorded is None:
        return (f"the ledger records no production title, so it cannot be checked that the production file "
                f"({given!r}) is the one it was kept for; names, weapons and local times come from that file")
    if recorded.strip().casefold() != str(given).strip().casefold():
        return (f"the ledger was kept for {recorded!r} but the production file given is {given!r}: "
                "names, weapons and local times would come from the wrong production; "
                f"give the production file of {recorded!r}")
    return None


def production_missing(entries: Sequence[dict], production: Any) -> str | None:
    """A note when no production file is known: people appear by crew id and times in UTC."""
    if production is not None:
        return None
    recorded = recorded_title(entries)
    kept = f" (the ledger was kept for {recorded!r})" if recorded else ""
    return (f"no production file was given{kept}, so people and weapons appear by their ids and times in UTC; "
            "export with --production FILE for names and local times")
