"""The facts of a production that a rule's expectation may name (``weapon.capacity``, ...)."""

from __future__ import annotations

from armory.production.models import Production
from armory.rulebook.models import FACTS


def resolve_facts(production: Production, *, day: str, scene: str | None = None, setup: str | None = None,
                  weapon: str | None = None) -> dict[str, object]:
    """Every fact of :data:`~armory.rulebook.models.FACTS` that this context defines."""
    facts: dict[str, object] = {
        "settings.min_blank_distance_feet": production.production.settings.min_blank_distance_feet,
        "settings.check_valid_minutes": production.production.settings.check_valid_minutes,
    }
    for declared in production.production.fact:
        facts[f"production.{declared.id}"] = declared.value
    weapon_model = production.weapon_by_id(weapon) if weapon else None
    if weapon_model is not None:
        facts.update({
            "weapon.capacity": weapon_model.capacity,
            "weapon.serial_last4": weapon_model.serial[-4:].upper(),
            "weapon.kind": weapon_model.kind,
            "weapon.caliber": weapon_model.caliber,
        })
    day_model = production.day_by_id(day)
    scene_model = next((s for s in day_model.scene if s.id == scene), None) if day_model and scene else None
    setup_model = None
    if scene_model is not None:
        setup_model = next((s for s in scene_model.setup if s.id == setup), None) if setup else scene_model.setup[0]
    issue = next((i for i in setup_model.weapon if i.weapon == weapon), None) if setup_model else None
    if issue is not None:
        facts.update({"setup.rounds": issue.rounds, "setup.load": issue.load, "setup.lot": issue.lot,
                      "setup.actor": issue.actor})
        lot = production.lot_by_id(issue.lot) if issue.lot else None
        if lot is not None:
            facts["lot.caliber"] = lot.caliber
    assert all(name in FACTS or name.startswith("production.") for name in facts)
    return {k: v for k, v in facts.items() if v is not None}


def setup_facts(production: Production, *, day: str, scene: str | None, setup: str | None) -> set[str]:
    """Scene facts plus setup facts (``pointed_toward_camera``, ...)."""
    day_model = production.day_by_id(day)
    scene_model = next((s for s in day_model.scene if s.id == scene), None) if day_model and scene else None
    if scene_model is None:
        return set()
    setup_model = next((s for s in scene_model.setup if s.id == setup), None) if setup else scene_model.setup[0]
    return set(scene_model.facts) | set(setup_model.facts if setup_model else ())
