"""What a producer asks first: how many checks, stops, holds, overrides, refusals, incidents, and what is still open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from armory.export.clean import as_int
from armory.export.records import Record
from armory.export.unresolved import open_holds, open_stops, unreviewed_incidents


@dataclass(frozen=True)
class Summary:
    checks: int
    checks_failed: int
    rounds_verified: int
    rounds_failed: int
    stops: int
    holds: int
    """Failed checks of severity hold."""
    overrides: int
    clearances: int
    refused_handoffs: int
    other_refusals: int
    incidents: int
    corrections: int
    handoffs: int
    returns_unreconciled: int
    open_stops: tuple[int, ...]
    """Sequence numbers of stops not cleared by the end of the exported chain."""
    open_holds: tuple[int, ...]
    unreviewed_incidents: tuple[int, ...]
    serious: tuple[Record, ...]
    """Records the producer must read first, in chain order."""

    def counts(self) -> list[tuple[str, int, str]]:
        """(label, number, css class) rows of the summary table."""
        return [
            ("Stops", self.stops, "serious" if self.stops else ""),
            ("Incidents", self.incidents, "serious" if self.incidents else ""),
            ("Refused handoffs", self.refused_handoffs, "serious" if self.refused_handoffs else ""),
            ("Other refused actions", self.other_refusals, "warning" if self.other_refusals else ""),
            ("Overrides of a failed hold", self.overrides, "serious" if self.overrides else ""),
            # Amber only while one is still open: an overridden hold is on record in the row above.
            ("Failed holds (each needs a signed override)", self.holds, "warning" if self.open_holds else ""),
            ("Clearances of a stop", self.clearances, ""),
            ("Checks answered", self.checks, ""),
            ("Checks failed", self.checks_failed, "warning" if self.checks_failed else ""),
            ("Rounds verified one by one", self.rounds_verified, ""),
            ("Rounds not confirmed", self.rounds_failed, "serious" if self.rounds_failed else ""),
            ("Handoffs", self.handoffs, ""),
            ("Returns whose rounds did not reconcile", self.returns_unreconciled,
             "serious" if self.returns_unreconciled else ""),
            ("Corrections", self.corrections, "warning" if self.corrections else ""),
        ]


def summarize(shown: Sequence[dict], records: Sequence[Record], chain: Sequence[dict], *,
              open_among_shown: bool = False) -> Summary:
    """Counts over the ``shown`` entries (and their ``records``); what is open at the end of ``chain``.

    ``open_among_shown``: list only the open stops, holds and incidents that are among the ``shown`` entries
    (an evidence bundle's page: its counts and its lists cover exactly the entries it indexes, not another
    drill run's or another weapon's)."""
    if open_among_shown:
        seqs = {as_int(e.get("seq")) for e in shown}

        def among(found: Sequence[dict]) -> tuple[int, ...]:
            return tuple(as_int(e.get("seq")) for e in found if as_int(e.get("seq")) in seqs)
    else:
        def among(found: Sequence[dict]) -> tuple[int, ...]:
            return tuple(as_int(e.get("seq")) for e in found)

    kinds = [e.get("kind") for e in shown]
    answers = [e.get("payload") or {} for e in shown if e.get("kind") == "answer"]
    rounds = [e.get("payload") or {} for e in shown if e.get("kind") == "round_verified"]
    refusals = [e.get("payload") or {} for e in shown if e.get("kind") == "refusal"]
    returns = [e.get("payload") or {} for e in shown if e.get("kind") == "return"]
    return Summary(
        checks=len(answers),
        checks_failed=sum(1 for a in answers if a.get("verdict") == "fail"),
        rounds_verified=len(rounds),
        rounds_failed=sum(1 for r in rounds if r.get("verdict") == "fail"),
        stops=kinds.count("stop"),
        holds=sum(1 for a in answers if a.get("verdict") == "fail" and a.get("severity") == "hold"),
        overrides=kinds.count("override"),
        clearances=kinds.count("clearance"),
        refused_handoffs=sum(1 for r in refusals if r.get("action") == "handoff"),
        other_refusals=sum(1 for r in refusals if r.get("action") != "handoff"),
        incidents=kinds.count("incident"),
        corrections=kinds.count("correction"),
        handoffs=kinds.count("handoff"),
        returns_unreconciled=sum(1 for r in returns if not r.get("reconciled", True)),
        open_stops=among(open_stops(chain)),
        open_holds=among(open_holds(chain)),
        unreviewed_incidents=among(unreviewed_incidents(chain)),
        serious=tuple(r for r in records if r.severity == "serious"),
    )
