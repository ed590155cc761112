"""Crew and weapons by name: the production file's names for the ids the ledger records.

An export names people as ``Ana Reyes (ana-reyes)`` and weapons by make and
model where a production file (or the one the chain recorded) is known, and by
their ids otherwise.
"""

from __future__ import annotations

from typing import Any, Iterable


class Names:
    """Crew and weapon names from the production file, when one is known; ids otherwise."""

    def __init__(self, production: Any = None) -> None:
        self.production = production
        self._crew: dict[str, str] = {}
        self._weapons: dict[str, str] = {}
        self._shown: dict[str, str] = {}
        self.weapon_order: list[str] = []
        self.timezone = "UTC"
        self.title: str | None = None
        if production is not None:
            self.title = production.production.title
            self.timezone = production.production.timezone
            self._crew = {c.id: c.name for c in production.crew}
            for w in production.weapon:
                self._weapons[w.id] = f"{w.make} {w.model}"
                self.weapon_order.append(w.id)

    def person(self, crew_id: str | None) -> str:
        if not crew_id:
            return ""
        shown = self._shown.get(crew_id)
        if shown is None:
            name = self._crew.get(crew_id)
            shown = self._shown[crew_id] = f"{name} ({crew_id})" if name else str(crew_id)
        return shown

    def people(self, crew_ids: Iterable[str]) -> str:
        return ", ".join(self.person(c) for c in crew_ids)

    def weapon(self, weapon_id: str | None) -> str:
        if not weapon_id:
            return ""
        label = self._weapons.get(weapon_id)
        return f"{weapon_id} ({label})" if label else weapon_id

    def short_person(self, crew_id: str | None) -> str:
        if not crew_id:
            return ""
        return self._crew.get(crew_id, crew_id)
