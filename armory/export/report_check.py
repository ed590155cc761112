"""Is the readable part of a report exactly what its embedded entries draw?

``armory log verify report.html`` checks the entries embedded in the page:
their hashes, links and signatures. But a producer reads the page, not the
data, and an edit to the visible text alone ("observed 1" made "observed 0")
would leave the data intact. So the report also embeds how it was drawn
(armory's version, the day, the export time), and this module draws the page
again from the embedded entries alone and compares it byte for byte.

Names, weapons and the time zone come from the production file the chain
itself recorded when each day opened, never from a file beside the report,
so nothing the page shows escapes the hashes. Where the page cannot be drawn
again (drawn by another armory version, or from a ledger that did not record
its production), the check says so and does not guess.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

_PARAMS = re.compile(rb'<script type="application/json" id="armory-report">(.*?)</script>', re.S)
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class ReadableCheck:
    matches: bool | None
    """True: the page is exactly what its entries draw; False: it is not; None: it could not be drawn again."""
    message: str


def check_report(path: Path, carried: Sequence[dict]) -> ReadableCheck:
    """Draw the report at ``path`` again from ``carried`` (its embedded, verified entries) and compare.

    Only a page drawn again byte for byte passes. A page that cannot be drawn again (no record of how it
    was drawn, another armory version, a ledger that did not record its production) is not passed: the
    record of how it was drawn is not signed, so saying "older version" must never switch the check off.
    """
    from armory.export.html_report import ReportData, render_report
    from armory.export.production_file import production_in_chain
    from armory.export.records import Names
    from armory.ledger.verify import verify_entries
    from armory.version import armory_version

    data = Path(path).read_bytes()
    found = _PARAMS.search(data)
    if found is None:
        return ReadableCheck(None, "the page does not say how it was drawn, so the text you read cannot be "
                                   "checked against its entries (the entries themselves verify)")
    if len(found.group(1)) > 4096:
        return ReadableCheck(False, "the page's record of how it was drawn is far longer than armory writes: "
                                    "it was edited")
    try:
        params = json.loads(found.group(1), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return ReadableCheck(False, "the page's record of how it was drawn is not JSON: it was edited")
    if not isinstance(params, dict):
        return ReadableCheck(False, "the page's record of how it was drawn was edited")
    drawn_by, this = params.get("armory"), armory_version()
    if drawn_by != this:
        return ReadableCheck(None, f"the page says it was drawn by armory {drawn_by}, this is armory {this}: the "
                                   f"text you read cannot be drawn again to compare (verify it with armory "
                                   f"{drawn_by}, or verify the jsonl export)")
    production = production_in_chain(carried)
    if production is None:
        return ReadableCheck(None, "the ledger did not record its production file (older ledgers did not), so "
                                   "names and local times cannot be drawn from the entries alone: the text you "
                                   "read is not checked (the entries themselves verify)")
    carried = list(carried)
    generated = params.get("generated")
    # The export time a page shows must be the time of the checkpoint that ends its entries (a day's page
    # shows none: its entries end before the export signed anything), or it could say anything.
    if generated is not None and not (isinstance(generated, str) and carried
                                      and generated == str(carried[-1].get("time", ""))
                                      and params.get("day") is None):
        return ReadableCheck(False, "the page's export time is not when its entries were signed: it was edited")
    names = Names(production)
    verification = verify_entries(carried)
    kind = params.get("kind")
    if kind == "incident":
        from armory.export.bundle_write import incident_report_data
        from armory.problems import InputError

        incident = params.get("incident")
        if type(incident) is not int:
            return ReadableCheck(False, "the page names no incident by its entry number: it was edited")
        try:
            report = incident_report_data(carried, incident, names, verification, generated)
        except (InputError, TypeError, ValueError):
            return ReadableCheck(False, "the page names an incident its entries do not hold: it was edited")
    elif kind == "record":
        from armory.export.writing import jsonl_lines, select_day
        from armory.problems import InputError

        day = params.get("day")
        shown: Sequence[dict] = carried
        if day is not None:
            try:
                shown = select_day(carried, str(day), production)[1]
            except InputError:
                return ReadableCheck(False, f"the page says it shows {day!r}, which its entries do not hold: "
                                            "it was edited")
        report = ReportData(chain=carried, lines=jsonl_lines(carried), shown=shown, names=names,
                            verification=verification, day=day, generated=generated)
    else:
        return ReadableCheck(False, f"the page's record of how it was drawn names no kind of page armory draws "
                                    f"({kind!r}): it was edited")
    expected = render_report(report).encode("utf-8")
    if expected == data:
        return ReadableCheck(True, "the text you read is exactly what the signed entries draw")
    return ReadableCheck(False, "the text you read is not what its signed entries draw: " + _first_difference(data, expected))


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON armory writes")


def _first_difference(got: bytes, expected: bytes) -> str:
    got_lines, expected_lines = got.split(b"\n"), expected.split(b"\n")
    for number, (line, wanted) in enumerate(zip(got_lines, expected_lines), 1):
        if line != wanted:
            at = next((i for i, (a, b) in enumerate(zip(line, wanted)) if a != b), min(len(line), len(wanted)))
            return (f"line {number} reads {_around(line, at)!r} where the entries give {_around(wanted, at)!r}")
    shorter = "shorter" if len(got_lines) < len(expected_lines) else "longer"
    return f"the page is {shorter} than the entries draw it (from line {min(len(got_lines), len(expected_lines)) + 1})"


def _around(line: bytes, at: int, before: int = 120, after: int = 60) -> str:
    """The words around byte ``at`` of an HTML line, tags left out."""
    text = line[max(0, at - before): at + after].decode("utf-8", "replace")
    text = _TAGS.sub(" ", text)
    text = re.sub(r"^[^<]*>|<[^>]*$", " ", text)  # a tag cut in half at either end
    words = " ".join(text.split())
    return words if len(words) <= 70 else "…" + words[-69:]
