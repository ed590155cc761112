"""Every rule against every weapon and setup of a production, at a glance.

``armory rules show --production P`` without a day, scene or weapon prints it:
a table with one row per rule and one column per weapon in a setup, each cell
saying whether that rule is asked there (and at what severity), switched off by
the production, or does not apply. The same cells, one per line, are the CSV a
safety officer sorts in a spreadsheet. Built from :func:`plan_checks`, so it
always agrees with what the engine asks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from armory.checklist.plan import DAY_PHASES, WEAPON_PHASES, overridden_here, plan_checks
from armory.production.models import Production

if TYPE_CHECKING:
    from armory.rulebook.loaded import LoadedPack

PHASE_ORDER = ("day_start", *WEAPON_PHASES, "end_of_day", "on_incident")
SEVERITY_MARK = {"stop": "S", "hold": "H", "note": "N"}


@dataclass(frozen=True)
class Place:
    """One weapon in one setup (a column)."""

    day: str
    scene: str
    setup: str
    weapon: str
    load: str
    rounds: int

    @property
    def label(self) -> str:
        load = self.load if self.load == "cold" else f"{self.rounds} {self.load}"
        return f"{self.day} {self.scene}/{self.setup} {self.weapon} ({load})"


@dataclass(frozen=True)
class Cell:
    place: Place
    phase: str
    rule_id: str
    pack_id: str
    severity: str
    status: str
    """``asked`` or ``off`` (switched off by the production)."""
    passes: str
    reason: str = ""


def places(production: Production) -> list[Place]:
    return [Place(day.id, scene.id, setup.id, issue.weapon, issue.load, issue.rounds)
            for day in production.day for scene in day.scene for setup in scene.setup for issue in setup.weapon]


def cells(production: Production, packs: Sequence[LoadedPack]) -> list[Cell]:
    """Every rule asked (or switched off) at every place, day phases once per place of their day."""
    out: list[Cell] = []
    pack_of = {rule.id: loaded.pack.pack.id for loaded in packs for rule in loaded.pack.rule}
    day_cache: dict[tuple[str, str], tuple[list, list]] = {}
    for place in places(production):
        for phase in PHASE_ORDER:
            if phase in DAY_PHASES:
                key = (place.day, phase)
                if key not in day_cache:
                    day_cache[key] = (plan_checks(production, packs, day=place.day, phase=phase),
                                      overridden_here(production, packs, day=place.day, phase=phase))
                planned, off = day_cache[key]
            else:
                where = dict(day=place.day, phase=phase, scene=place.scene, setup=place.setup, weapon=place.weapon)
                planned = plan_checks(production, packs, **where)
                off = overridden_here(production, packs, **where)
            for pc in planned:
                out.append(Cell(place, phase, pc.rule.id, pc.pack.pack.pack.id, pc.rule.severity, "asked",
                                pc.expected_text))
            for rule, reason in off:
                out.append(Cell(place, phase, rule.id, pack_of.get(rule.id, ""), rule.severity, "off", "", reason))
    return out


def render_table(production: Production, packs: Sequence[LoadedPack]) -> str:
    """The terminal table: rules down, places across (numbered, with a legend)."""
    columns = places(production)
    found = cells(production, packs)
    marks: dict[tuple[str, int], str] = {}
    index = {place: i for i, place in enumerate(columns)}
    rows: dict[str, tuple[str, str]] = {}  # rule id -> (phase, severity), in plan order
    for cell in found:
        rows.setdefault(cell.rule_id, (cell.phase, cell.severity))
        marks[(cell.rule_id, index[cell.place])] = (
            SEVERITY_MARK[cell.severity] if cell.status == "asked" else "off")
    for loaded in packs:
        for rule in loaded.pack.rule:
            rows.setdefault(rule.id, (rule.phase, rule.severity))
    ordered = sorted(rows.items(), key=lambda item: PHASE_ORDER.index(item[1][0]))
    width = max((len(rule_id) for rule_id in rows), default=4)
    info = production.production
    lines = [f"{info.title}: every rule against every weapon in every setup",
             "S stop, H hold, N note: asked there; off: switched off by the production; .: does not apply", ""]
    header = " " * (width + 2) + " ".join(f"{i + 1:>3}" for i in range(len(columns)))
    lines.append(header)
    phase = None
    for rule_id, (rule_phase, _severity) in ordered:
        if rule_phase != phase:
            phase = rule_phase
            lines.append(phase.upper().replace("_", " "))
        row = " ".join(f"{marks.get((rule_id, i), '.'):>3}" for i in range(len(columns)))
        lines.append(f"  {rule_id:<{width}}{row}")
    lines.append("")
    lines.extend(f"{i + 1:>3}  {place.label}" for i, place in enumerate(columns))
    off = [o for o in info.override]
    if off:
        lines.append("")
        lines.append("Switched off by the production:")
        for o in off:
            scope = f" for {', '.join(o.weapons)}" if o.weapons else ""
            instead = f", replaced by {o.replaced_by}" if o.replaced_by else ""
            lines.append(f"  {o.rule}{scope}{instead}: {o.reason}")
    never = [rule_id for rule_id, _ in ordered if not any(k[0] == rule_id for k in marks)]
    if never:
        lines.append("")
        lines.append(f"Never asked on this production: {', '.join(never)}")
    return "\n".join(lines) + "\n"


def render_csv(production: Production, packs: Sequence[LoadedPack]) -> str:
    """One line per rule per place: day, scene, setup, weapon, load, phase, rule, pack, severity, status,
    what passes, and the production's reason where it switched the rule off."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["day", "scene", "setup", "weapon", "load", "rounds", "phase", "rule", "pack", "severity",
                     "status", "passes", "reason"])
    for cell in cells(production, packs):
        p = cell.place
        writer.writerow([p.day, p.scene, p.setup, p.weapon, p.load, p.rounds, cell.phase, cell.rule_id, cell.pack_id,
                         cell.severity, cell.status, cell.passes, cell.reason])
    return buffer.getvalue()
