"""The production file: crew, weapons, ammunition lots and shooting days.

These models are the single truth of the format: the loader validates with
them, ``armory rules schema --kind production`` prints their JSON Schema, and
each field's docstring is the description an editor shows on hover.
"""

from __future__ import annotations

import datetime as dt
import functools

from pydantic import BaseModel, ConfigDict, Field

from armory.modeldocs import add_field_docs
from typing import Literal

from armory.production.vocabulary import HandlerRole, Load, LotKind, Role, SceneFact, WeaponKind

_CONFIG = ConfigDict(
    extra="forbid", frozen=True, defer_build=True, json_schema_extra=add_field_docs
)

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


class PackRef(BaseModel):
    """A rule pack this production uses, by id and the version it expects."""

    model_config = _CONFIG
    id: str = Field(pattern=ID_PATTERN)
    """The pack's id, as in its `[pack] id`."""
    version: str
    """The pack version this production was planned against; a mismatch is a lint error."""


class Settings(BaseModel):
    """Production-wide settings the engine applies."""

    model_config = _CONFIG
    check_valid_minutes: int = Field(default=30, ge=1, le=24 * 60)
    """How long a weapon's completed checks stay recent enough for a handoff, in minutes."""
    min_blank_distance_feet: int = Field(default=20, ge=0)
    """The nearest a person may stand to the muzzle of a weapon firing blanks, in feet."""
    handlers: list[HandlerRole] = Field(default_factory=lambda: ["armorer", "assistant_armorer"])
    """Roles that may hand a firearm to a performer and take it back. The armorer and assistant armorer by default; add `property_master` where the production allows it (California Labor Code §9153). Never the first AD or a performer, and never a property master with another duty that day."""


FactType = Literal["count", "feet", "metres", "text"]


class ProductionFact(BaseModel):
    """A value of this production that rules may compare answers with, as `production.<id>`."""

    model_config = _CONFIG
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    """Name rules use after `production.` (`max_people_forward` is `production.max_people_forward`)."""
    type: FactType
    """`count` (a whole number), `feet` or `metres` (a distance), or `text`. Lint checks each rule compares it with an answer of that kind."""
    value: int | float | str
    """The value."""
    about: str = ""
    """What it is and who decided it."""


class RuleOverride(BaseModel):
    """A bundled or shared rule switched off (or replaced) for this production, with the reason."""

    model_config = _CONFIG
    rule: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    """Id of the rule switched off (`handling.cold-empty`)."""
    reason: str = Field(min_length=1)
    """Why, in words a producer reads: recorded on every day opened and shown in exports and `rules show`."""
    weapons: list[str] = Field(default_factory=list)
    """Only for these weapon ids (a non-firing replica); empty: everywhere."""
    replaced_by: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    """Id of the rule, in a pack this production names, that asks in its place."""


class CrewMember(BaseModel):
    """A person on the production."""

    model_config = _CONFIG
    id: str = Field(pattern=ID_PATTERN)
    """Stable crew id used everywhere else (handoffs, ledger entries, drills)."""
    name: str = Field(min_length=1)
    """The person's name as it should appear in the record."""
    roles: list[Role] = Field(default_factory=list)
    """Roles held on every day unless a day's `[[day.crew]]` says otherwise."""
    demo_pin: str | None = Field(default=None, pattern=r"^[0-9]{4,8}$")
    """Sample productions only: a demonstration PIN enrolled automatically. Never in a real production."""


class Weapon(BaseModel):
    """A firearm or prop weapon held by the production."""

    model_config = _CONFIG
    id: str = Field(pattern=ID_PATTERN)
    """Stable weapon id."""
    kind: WeaponKind
    """What sort of weapon this is."""
    make: str
    """Maker, for example `Pietta`."""
    model: str
    """Model, for example `1873 Single Action Army`."""
    serial: str = Field(min_length=4)
    """Serial number; checks ask for its last four characters."""
    caliber: str | None = None
    """Caliber it chambers, matched against lot calibers (`.45 Colt`). Not needed for non-firing weapons."""
    capacity: int = Field(default=0, ge=0)
    """Chambers (revolver) or rounds the weapon holds when loaded."""
    firing: bool = True
    """Whether it can fire. Non-firing replicas and rubber props are `false`."""


class Lot(BaseModel):
    """A lot of ammunition received by the armorer. Live ammunition is never allowed."""

    model_config = _CONFIG
    id: str = Field(pattern=ID_PATTERN)
    """Stable lot id, as on the container label."""
    kind: LotKind
    """`dummy` or `blank`. A `live` lot is refused: live ammunition never belongs on set (DOMAIN F1, S1)."""
    caliber: str
    """Caliber, as on the box (`.45 Colt`)."""
    count: int = Field(ge=0)
    """Rounds received in this lot."""
    supplier: str = Field(min_length=1)
    """Who supplied the lot (DOMAIN F1, F8: a lot without a supplier has no provenance)."""
    received: dt.date
    """Date the lot was received."""
    label: str | None = None
    """What the container's label says, if it differs from the lot id."""


class Assignment(BaseModel):
    """One person's roles on one day, overriding their default roles."""

    model_config = _CONFIG
    id: str = Field(pattern=ID_PATTERN)
    """The crew member's id."""
    roles: list[Role]
    """Every role they hold that day. An armorer with a second role is flagged (DOMAIN F4)."""


class Issue(BaseModel):
    """One weapon in one setup: who holds it and what it carries."""

    model_config = _CONFIG
    weapon: str
    """Weapon id."""
    actor: str | None = None
    """Crew id of the actor who holds it, if any."""
    load: Load = "cold"
    """What it carries: `cold` (empty), `dummies` or `blanks`."""
    rounds: int = Field(default=0, ge=0)
    """How many rounds are loaded (0 when cold)."""
    lot: str | None = None
    """Lot id the rounds come from (needed unless cold)."""


class Setup(BaseModel):
    """A camera setup within a scene."""

    model_config = _CONFIG
    id: str = Field(pattern=ID_PATTERN)
    """Setup id, unique in its scene (`12A`)."""
    description: str = ""
    """What is shot."""
    facts: list[SceneFact] = Field(default_factory=list)
    """Facts of this setup in addition to the scene's."""
    weapon: list[Issue] = Field(default_factory=list)
    """The weapons in this setup."""


class Scene(BaseModel):
    """A scene on a shooting day."""

    model_config = _CONFIG
    id: str = Field(pattern=ID_PATTERN)
    """Scene id, unique on its day."""
    title: str = ""
    """Short description."""
    facts: list[SceneFact] = Field(default_factory=list)
    """Facts that rules can depend on (`pointed_toward_camera`, `close_quarters`, ...)."""
    setup: list[Setup] = Field(min_length=1)
    """The camera setups of the scene."""


class Day(BaseModel):
    """A shooting day."""

    model_config = _CONFIG
    id: str = Field(pattern=ID_PATTERN)
    """Day id (`day-1`)."""
    date: dt.date
    """Calendar date, in the production's time zone."""
    location: str = ""
    """Where the unit shoots."""
    crew: list[Assignment] = Field(default_factory=list)
    """Roles held that day where they differ from a person's default roles."""
    scene: list[Scene] = Field(default_factory=list)
    """The scenes shot."""


class ProductionInfo(BaseModel):
    """The `[production]` table."""

    model_config = _CONFIG
    title: str = Field(min_length=1)
    """Title of the production."""
    company: str = Field(min_length=1)
    """Production company."""
    timezone: str = "UTC"
    """IANA time zone where the unit shoots (`America/Denver`); the record shows local time."""
    sample: bool = False
    """A bundled sample: demo PINs are enrolled automatically. Never set this on a real production."""
    packs: list[PackRef] = Field(min_length=1)
    """The rule packs in force."""
    settings: Settings = Field(default_factory=Settings)
    """Engine settings."""
    fact: list[ProductionFact] = Field(default_factory=list)
    """Values of this production that rules compare answers with (`production.<id>`)."""
    override: list[RuleOverride] = Field(default_factory=list)
    """Rules of the packs in force switched off or replaced for this production, each with a reason."""


class Production(BaseModel):
    """A whole production file."""

    model_config = _CONFIG
    production: ProductionInfo
    """Title, company, packs and settings."""
    crew: list[CrewMember] = Field(min_length=1)
    """Everyone who may appear in the record."""
    weapon: list[Weapon] = Field(default_factory=list)
    """Every weapon, firing or not."""
    lot: list[Lot] = Field(default_factory=list)
    """Every ammunition lot. No live lots."""
    day: list[Day] = Field(default_factory=list)
    """The shooting days."""

    # Lookups used by the engine and the faces. Days are looked up through an index built once: a season
    # has hundreds of days, and every answer looks its day up several times.
    @functools.cached_property
    def _days_by_id(self) -> dict[str, Day]:
        index: dict[str, Day] = {}
        for day in self.day:
            index.setdefault(day.id, day)  # the first of a repeated id, as a scan from the start finds it
        return index

    def model_copy(self, *, update=None, deep: bool = False):
        """A copy (pydantic's), without the day index of the original: a copy with other days (a setup's spare,
        armory.checklist.spare_plan) must look its own days up."""
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("_days_by_id", None)
        return copied

    def crew_member(self, crew_id: str) -> CrewMember | None:
        return next((c for c in self.crew if c.id == crew_id), None)

    def weapon_by_id(self, weapon_id: str) -> Weapon | None:
        return next((w for w in self.weapon if w.id == weapon_id), None)

    def lot_by_id(self, lot_id: str) -> Lot | None:
        return next((lot for lot in self.lot if lot.id == lot_id), None)

    def day_by_id(self, day_id: str) -> Day | None:
        return self._days_by_id.get(day_id)

    def declared_fact(self, fact_id: str) -> ProductionFact | None:
        """The `[[production.fact]]` named ``fact_id`` (without its `production.` prefix)."""
        return next((f for f in self.production.fact if f.id == fact_id), None)

    def override_for(self, rule_id: str, weapon_id: str | None) -> RuleOverride | None:
        """The override that switches ``rule_id`` off here (for ``weapon_id``; None: a day check), if any."""
        for override in self.production.override:
            if override.rule != rule_id:
                continue
            if not override.weapons or (weapon_id is not None and weapon_id in override.weapons):
                return override
        return None

    def roles_on(self, crew_id: str, day_id: str) -> frozenset[str]:
        """Roles ``crew_id`` holds on ``day_id`` (the day's assignment, else the defaults)."""
        day = self.day_by_id(day_id)
        if day is not None:
            for assignment in day.crew:
                if assignment.id == crew_id:
                    return frozenset(assignment.roles)
        member = self.crew_member(crew_id)
        return frozenset(member.roles) if member else frozenset()
