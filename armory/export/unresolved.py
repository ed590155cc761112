"""What is still unresolved at the end of a run of entries: open stops, holds never overridden,
incidents not yet reviewed. The summary and the command line ask these questions."""

from __future__ import annotations

from typing import Sequence

from armory.export.clean import as_int, payload_of


def open_stops(entries: Sequence[dict]) -> list[dict]:
    """Stop entries with no clearance after them."""
    cleared = {as_int(payload_of(e).get("stop_seq")) for e in entries if e.get("kind") == "clearance"}
    return [e for e in entries if e.get("kind") == "stop" and as_int(e.get("seq")) not in cleared]


def open_holds(entries: Sequence[dict]) -> list[dict]:
    """Failed hold answers that nobody overrode."""
    overridden = {as_int(payload_of(e).get("answer_seq")) for e in entries if e.get("kind") == "override"}
    return [
        e for e in entries
        if e.get("kind") == "answer"
        and payload_of(e).get("verdict") == "fail"
        and payload_of(e).get("severity") == "hold"
        and as_int(e.get("seq")) not in overridden
    ]


def unreviewed_incidents(entries: Sequence[dict]) -> list[dict]:
    reviewed = {as_int(payload_of(e).get("incident_seq")) for e in entries if e.get("kind") == "incident_reviewed"}
    return [e for e in entries if e.get("kind") == "incident" and as_int(e.get("seq")) not in reviewed]
