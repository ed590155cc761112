"""What one report shows (:class:`ReportData`), and which of its entries it cannot vouch for.

Every section of the HTML report is drawn from a ReportData; a record that
fails verification marks the first entry that does not match and every one
after it as UNVERIFIED (:class:`Unverified`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from armory.export.clean import as_int
from armory.export.records import Names


@dataclass
class ReportData:
    """Everything one report shows."""

    chain: Sequence[dict]
    """The entries the file carries (the whole chain, or its prefix to the end of a day)."""
    lines: Sequence[str]
    """Those entries as jsonl lines, embedded verbatim."""
    shown: Sequence[dict]
    """The entries the report describes (a day's, or all of them)."""
    names: Names
    verification: Any
    """The ledger's VerifyResult for ``chain``: ok, head, first_bad, checkpoints_checked, key_fingerprint, problems."""
    day: str | None = None
    title: str | None = None
    """Heading; default: the production title."""
    generated: str | None = None
    """When the export was made (UTC, the time of the checkpoint it signed); without it the page says
    "record as of" the last entry it carries."""
    intro_html: str = ""
    """Extra HTML after the heading (the incident bundle explains itself here)."""
    incident: int | None = None
    """The incident an evidence bundle's page is about (its entry's sequence number)."""


@dataclass(frozen=True)
class Unverified:
    """The entries a record that fails verification cannot vouch for: the first that does not match and
    every one after it (anything after a break may have been changed, added, removed or reordered)."""

    first: int | None
    """Sequence number of the first entry that does not match (None: no entry verifies)."""
    seqs: frozenset[int]

    def note(self, seq: int) -> str:
        if seq not in self.seqs:
            return ""
        if seq == self.first:
            return ("this is the first entry that fails verification: what it says may have been changed "
                    "since it was written.")
        if self.first is None:
            return "no entry of this record verifies: what it says may have been changed since it was written."
        return (f"this entry comes after #{self.first}, the first that fails verification, so it may have been "
                "changed, added, removed or reordered since it was written.")

    def tag(self, seq: int) -> str:
        """A short mark for lists."""
        return '<span class="doubt-tag">UNVERIFIED</span> ' if seq in self.seqs else ""


def unverified(data: ReportData) -> Unverified | None:
    """None when the chain verifies; else which entries the report must mark."""
    v = data.verification
    if bool(getattr(v, "ok", False)):
        return None
    first_bad = getattr(v, "first_bad", None)
    first = as_int(first_bad[0]) if isinstance(first_bad, (tuple, list)) and first_bad else (
        as_int(first_bad) if first_bad else None)
    seqs = [as_int(e.get("seq")) for e in data.chain]
    start = 0
    if first:
        start = next((i for i, seq in enumerate(seqs) if seq >= first), len(seqs))
    suspects = set(seqs[start:])
    if first:
        suspects.add(first)
        suspects.update(as_int(e.get("seq")) for e in data.shown if as_int(e.get("seq")) >= first)
    else:
        suspects.update(as_int(e.get("seq")) for e in data.shown)
    return Unverified(first or None, frozenset(suspects))
