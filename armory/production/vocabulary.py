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

#: Roles that may hand a firearm to an actor and take it back (DESIGN invariant 4), unless the
#: production's `settings.handlers` says otherwise.
HANDLER_ROLES: frozenset[str] = frozenset({"armorer", "assistant_armorer"})

#: Roles a production may allow to hand a firearm over: California Labor Code §9153 (DOMAIN S2) names
#: the property master beside the armorer and the assistant. Never the first AD or a performer (F3).
HandlerRole = Literal["armorer", "assistant_armorer", "property_master"]
HANDLER_ROLE_CHOICES: tuple[str, ...] = get_args(HandlerRole)

#: Roles that are never a handler, whatever a production says: the first AD handed the revolver over on
#: Rust (F3), and a performer is who the handler hands it to.
NEVER_HANDLERS: frozenset[str] = frozenset({"first_assistant_director", "actor"})

#: Roles that are a duty of their own on set: a property master handing firearms over who also holds one
#: of them that day has another duty, which §9153 forbids while firearms are out ("no other duties").
CONFLICTING_DUTIES: frozenset[str] = frozenset(
    r for r in ROLES if r not in {"armorer", "assistant_armorer", "property_master", "crew"})

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

#: What an answer can mean to the engine, whatever the rule's severity: each triggers the invariant that
#: round verification, an incident or a failed stop triggers (DESIGN 3).
Hazard = Literal["live_round", "unconfirmed_round", "obstruction", "misfire", "unintended_discharge"]
HAZARDS: tuple[str, ...] = get_args(Hazard)

#: The moments a rule may have to be answered before: the weapon going out again, being taken back,
#: the day closing.
Moment = Literal["handoff", "take_back", "day_close"]
MOMENTS: tuple[str, ...] = get_args(Moment)
SEVERITIES: tuple[str, ...] = get_args(Severity)
