"""The production as the day's spares change it (see :mod:`armory.checklist.spares`)."""

from __future__ import annotations

from collections.abc import Mapping

from armory.checklist.state import setup_key
from armory.production.models import Production


def with_spares(planned: Production, spares: Mapping[str, tuple[str, str | None, int]]) -> Production:
    """The production as the day's spares change it: each row with a spare names the spare weapon and lot."""
    if not spares:
        return planned
    days = []
    for day in planned.day:
        scenes = []
        for scene in day.scene:
            setups = []
            for setup in scene.setup:
                issues = []
                for issue in setup.weapon:
                    spare = spares.get(setup_key(day.id, scene.id, setup.id, issue.weapon))
                    if spare is not None:
                        issue = issue.model_copy(update={"weapon": spare[0], "lot": spare[1]})
                    issues.append(issue)
                setups.append(setup.model_copy(update={"weapon": issues}))
            scenes.append(scene.model_copy(update={"setup": setups}))
        days.append(day.model_copy(update={"scene": scenes}))
    return planned.model_copy(update={"day": days})
