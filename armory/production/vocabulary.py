"""The closed vocabularies that productions, rule packs and drills share.

Each is a ``Literal`` so that a typo is a validation error (with a "did you
mean" from the loader) and an editor can complete it from the JSON Schema.
"""

from typing import Literal, get_args

Role = Literal[
    "armorer",
    "assistant_armorer",
    "property_master",
    "assistant_property_master",
    "safety_officer",
    "first_assistant_director",
    "director",
    "actor",
    "producer",
    "camera",
    "crew",
]
ROLES: tuple[str, ...] = get_args(Role)

#: Roles that may hand a firearm to an actor and take it back (DESIGN invariant 4).
HANDLER_ROLES: frozenset[str] = frozenset({"armorer", "assistant_armorer"})

WeaponKind = Literal[
    "revolver",
    "semi_automatic_pistol",
    "rifle",
    "shotgun",
    "submachine_gun",
    "non_firing_replica",
    "rubber_prop",
]
WEAPON_KINDS: tuple[str, ...] = get_args(WeaponKind)

#: What a weapon carries in a setup.
Load = Literal["cold", "dummies", "blanks"]
LOADS: tuple[str, ...] = get_args(Load)

#: Ammunition lot kinds a production may hold. ``live`` is listed so the
#: loader can refuse it with a reason rather than a bare "invalid value".
LotKind = Literal["dummy", "blank"]
LOT_KINDS: tuple[str, ...] = get_args(LotKind)

SceneFact = Literal[
    "pointed_toward_camera",
    "pointed_at_person",
    "close_quarters",
    "firing_sequence",
    "holster_draw",
    "rehearsal",
    "moving_vehicle",
    "crowd",
    "night",
    "stunt",
]
SCENE_FACTS: tuple[str, ...] = get_args(SceneFact)

Phase = Literal[
    "day_start",
    "before_setup",
    "before_handoff",
    "on_return",
    "after_firing",
    "end_of_day",
    "on_incident",
]
PHASES: tuple[str, ...] = get_args(Phase)

Severity = Literal["stop", "hold", "note"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
