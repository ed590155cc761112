"""The part of the fold about what the day changed in its plan: spares put on setups, checks signed.

:class:`~armory.checklist.state.State` takes these handlers with its own (``_on_<kind>``); the fields they
fill are declared on State.
"""

from __future__ import annotations

from typing import Any


def setup_key(day: str, scene: str | None, setup: str | None, weapon: str | None) -> str:
    """One weapon in one setup of one day, as the fold keys it (armory.checklist.state re-exports it)."""
    return "/".join([day, scene or "-", setup or "-", weapon or "-"])


class DayChangesFold:
    """Spares put on setups and phases' checks signed, folded from their entries."""

    spares: dict
    """Setup key of a production row (its planned weapon) -> (weapon, lot, entry seq) put on it as a spare."""
    spare_since: dict
    """Setup key of what goes out now -> the spare entry it starts from (its checks and rounds, from nothing)."""
    checks_signed: dict
    """(day, phase) -> the entry in which the armorer signed that phase's checks."""
    weapons: dict

    def _on_checks_signed(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.checks_signed[(p["day"], p["phase"])] = entry.seq

    def _on_spare(self, entry: EntryLike, p: dict[str, Any]) -> None:
        self.spares[setup_key(p["day"], p["scene"], p["setup"], p["weapon"])] = (
            p["spare_weapon"], p.get("spare_lot"), entry.seq)
        self.spare_since[setup_key(p["day"], p["scene"], p["setup"], p["spare_weapon"])] = entry.seq

    def fresh_since(self, day: str, scene: str | None, setup: str | None, weapon: str) -> int | None:
        """The entry after which this weapon's checks and rounds in this setup count: it last came back, or
        it (or its lot) was put on the setup as a spare. Anything before is about another time or load."""
        returned = self.weapons[weapon].returned_seq if weapon in self.weapons else None
        spare = self.spare_since.get(setup_key(day, scene, setup, weapon))
        marks = [seq for seq in (returned, spare) if seq is not None]
        return max(marks) if marks else None
