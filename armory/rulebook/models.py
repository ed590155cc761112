"""Rule packs: metadata, sources and rules, and the failure catalogue.

A rule asks a person (or the ledger) for an observed value and says what
value passes. The expectation vocabulary is closed: literals, or references
to a fixed list of production facts (:data:`Fact`). There is no expression
language, so a rule file can never run code, and an unknown fact is a
validation error with a suggestion.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from armory.modeldocs import add_field_docs
from armory.production.vocabulary import Hazard, Load, Moment, Phase, Role, SceneFact, Severity, WeaponKind

_CONFIG = ConfigDict(
    extra="forbid", frozen=True, defer_build=True, json_schema_extra=add_field_docs
)

RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"

AnswerKind = Literal["count", "digits", "choice", "time", "measurement", "text", "yes_no"]
ANSWER_KINDS: tuple[str, ...] = get_args(AnswerKind)

Unit = Literal["feet", "metres"]

#: Facts of the production a rule's expectation may refer to.
Fact = Literal[
    "weapon.capacity",
    "weapon.serial_last4",
    "weapon.kind",
    "weapon.caliber",
    "setup.rounds",
    "setup.load",
    "setup.lot",
    "setup.actor",
    "lot.caliber",
    "settings.min_blank_distance_feet",
    "settings.check_valid_minutes",
]
FACTS: tuple[str, ...] = get_args(Fact)

#: A fact a production declares itself (`[[production.fact]]`), named `production.<id>`.
PRODUCTION_FACT_PATTERN = r"^production\.[a-z0-9][a-z0-9_]*$"


def is_production_fact(name: str) -> bool:
    return re.fullmatch(PRODUCTION_FACT_PATTERN, name) is not None


def _known_fact(name: str) -> str:
    from armory.source import did_you_mean, one_of, quote

    if name in FACTS or is_production_fact(name):
        return name
    hint = did_you_mean(name, FACTS)
    if hint:
        raise ValueError(f"{quote(name)} is not allowed{hint} (or `production.<id>`, a fact the production declares)")
    raise ValueError(f"{quote(name)} is not allowed: expected {one_of(FACTS)}, or `production.<id>` for a fact the "
                     "production declares in [[production.fact]]")


#: A fact as a rule names it: one of :data:`FACTS`, or `production.<id>`.
FactRef = Annotated[
    str,
    AfterValidator(_known_fact),
    WithJsonSchema({"anyOf": [{"enum": list(FACTS)}, {"type": "string", "pattern": PRODUCTION_FACT_PATTERN}]}),
]

#: Values the engine reads from the ledger itself. A rule with ``sense`` is
#: never asked: it ticks (or fails) on its own and nobody can answer it.
Sensed = Literal[
    "rounds_unaccounted",
    "open_incidents",
    "unreviewed_incidents",
    "armorer_other_roles",
    "open_stops",
    "weapons_not_returned",
]
SENSED: tuple[str, ...] = get_args(Sensed)


class Expect(BaseModel):
    """What answer passes. Every key given must hold."""

    model_config = _CONFIG
    equals: int | str | None = None
    """The answer must equal this literal (a count, digits, a choice, `yes`/`no`)."""
    equals_fact: FactRef | None = None
    """The answer must equal this fact of the production (`weapon.capacity`)."""
    at_least: int | None = None
    """A count or measurement must be at least this."""
    at_least_fact: FactRef | None = None
    """A count or measurement must be at least this fact (`settings.min_blank_distance_feet`)."""
    at_most: int | None = None
    """A count or measurement must be at most this."""
    at_most_fact: FactRef | None = None
    """A count or measurement must be at most this fact."""
    one_of: list[str] | None = None
    """A choice must be one of these (per round: every round's choice)."""
    within_minutes: int | None = Field(default=None, ge=1)
    """A clock time must be no later than now and no more than this many minutes ago."""
    not_empty: bool = False
    """A text answer must name something: a blank is refused, and "none", "nobody", "unknown" or "n/a" fail."""

    def is_empty(self) -> bool:
        return self == Expect()


class When(BaseModel):
    """When a rule applies. Every key given must match; an empty table means always."""

    model_config = _CONFIG
    weapon_kind: list[WeaponKind] = Field(default_factory=list)
    """Only for these weapon kinds."""
    load: list[Load] = Field(default_factory=list)
    """Only when the setup's load is one of these."""
    facts: list[SceneFact] = Field(default_factory=list)
    """Only when the scene or setup has all of these facts."""
    firing: bool | None = None
    """Only for firing weapons (`true`) or non-firing ones (`false`)."""
    armorer_roles: list[Role] = Field(default_factory=list)
    """Only on a day when someone acting as armorer (or assistant armorer) also holds one of these roles (`["assistant_property_master"]`: the armorer who is also props, DOMAIN F4). Applies in the once-a-day phases too."""
    actor_roles: list[Role] = Field(default_factory=list)
    """Only when the actor the setup gives the weapon to also holds one of these roles that day."""


class Rule(BaseModel):
    """One rule: a question (or a sensed value), what passes, and why."""

    model_config = _CONFIG
    id: str = Field(pattern=RULE_ID_PATTERN)
    """Stable id, unique across every pack (`rounds.chamber-count`). Drills and the ledger refer to it."""
    title: str = Field(min_length=1)
    """Short name shown in lists."""
    phase: Phase
    """When the rule is asked."""
    severity: Severity
    """`stop`: the weapon goes back to the armorer until a safety officer clears it; `hold`: proceeds only after a signed override; `note`: recorded."""
    ask: str | None = None
    """The question put to the person, naming an observable value. Omit for sensed rules."""
    answer: AnswerKind | None = None
    """The kind of answer. Prefer observed values to `yes_no`."""
    per_round: bool = False
    """Ask once for each round loaded (`setup.rounds`)."""
    choices: list[str] = Field(default_factory=list)
    """The choices offered, for `answer = "choice"`."""
    unit: Unit | None = None
    """The unit a `measurement` is judged in; answers in the other unit are converted."""
    asked_of: list[Role] = Field(default_factory=list)
    """Roles of the people who answer, each signing by name (`["actor", "first_assistant_director"]` to show the load). Empty: the armorer or an assistant armorer."""
    sense: Sensed | None = None
    """Judge a value the ledger already holds instead of asking anyone."""
    expect: Expect
    """What passes."""
    when: When = Field(default_factory=When)
    """When the rule applies."""
    required_before: list[Moment] = Field(default_factory=list)
    """Moments the engine refuses until this rule is answered: `handoff` (the weapon goes out again), `take_back`, `day_close`. What makes it due depends on the phase: each firing of the weapon (`after_firing`), each return (`on_return`), each incident (`on_incident`), the day itself (`day_start`, `end_of_day`)."""
    hazards: dict[str, Hazard] = Field(default_factory=dict)
    """Answers that mean a hazard, whatever the severity: a choice (or `yes`/`no`) -> `live_round`, `unconfirmed_round`, `obstruction`, `misfire` or `unintended_discharge`. The engine acts on it as on a round verified live, a stop, or an incident."""
    why: str = Field(min_length=1)
    """Why the rule exists, in words a crew member understands."""
    sources: list[str] = Field(min_length=1)
    """Ids of the pack's `[[source]]` entries that back the rule."""
    failures: list[str] = Field(min_length=1)
    """DOMAIN.md failure or standard ids this rule prevents (`F2`, `S1`)."""

    @model_validator(mode="after")
    def _asked_or_sensed(self) -> Rule:
        if self.sense is None:
            if self.ask is None or self.answer is None:
                raise ValueError("a rule that is not sensed needs both `ask` and `answer`")
            if self.answer == "choice" and not self.choices:
                raise ValueError("`answer = \"choice\"` needs `choices`")
            if self.answer == "measurement" and self.unit is None:
                raise ValueError("`answer = \"measurement\"` needs `unit`")
        elif self.ask is not None or self.answer is not None or self.per_round:
            raise ValueError("a sensed rule is never asked: remove `ask`, `answer` and `per_round`")
        if self.expect.is_empty():
            raise ValueError("`expect` must say what passes")
        return self


class Source(BaseModel):
    """A document a rule relies on."""

    model_config = _CONFIG
    id: str = Field(pattern=RULE_ID_PATTERN)
    """Id that rules cite in `sources`."""
    title: str
    """Title of the source."""
    url: str | None = None
    """Where it can be read."""


class PackInfo(BaseModel):
    """The `[pack]` table."""

    model_config = _CONFIG
    id: str = Field(pattern=RULE_ID_PATTERN)
    """Pack id that productions name."""
    title: str
    """Title."""
    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$")
    """Version (`1.2.0`); recorded in the ledger with the pack's hash."""
    based_on: str
    """What the pack is based on (`DOMAIN.md; Safety Bulletin #1`)."""
    description: str = ""
    """Longer description."""


class Pack(BaseModel):
    """A whole rule pack file."""

    model_config = _CONFIG
    pack: PackInfo
    """Pack metadata."""
    source: list[Source] = Field(default_factory=list)
    """Sources the rules cite."""
    rule: list[Rule] = Field(default_factory=list)
    """The rules."""


class Failure(BaseModel):
    """A failure or standard from DOMAIN.md that rules cite."""

    model_config = _CONFIG
    id: str = Field(pattern=r"^[FS][0-9]+$")
    """`F1`..`F12` for failures, `S1`.. for standards."""
    title: str
    """Short title, as in DOMAIN.md."""
    source: str
    """Where DOMAIN.md sources it."""


class FailureCatalogue(BaseModel):
    """`rules/failures.toml`."""

    model_config = _CONFIG
    failure: list[Failure] = Field(min_length=1)
    """Every failure id rules may cite."""
