"""Drills: TOML scenarios that test rule packs the way unit tests test code.

A drill names a production (by a path relative to the drill), plays a
sequence of actions (answers, rounds, handoffs, returns, incidents,
clearances, ...) each by a named person, and says what must come of it: the
outcome (``clear``, ``hold`` or ``stop``), which rules and invariants must
fire and which must not, and which steps must be refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from armory.modeldocs import add_field_docs

_CONFIG = ConfigDict(
    extra="forbid", frozen=True, defer_build=True, json_schema_extra=add_field_docs
)

Action = Literal[
    "open_day",
    "check",
    "sign_checks",
    "verify_rounds",
    "hand_over",
    "take_back",
    "fire",
    "incident",
    "review_incident",
    "clear",
    "override",
    "correct",
    "seal",
    "transfer",
    "close_day",
    "wait",
]

#: What each action needs besides ``by``.
REQUIRED: dict[str, tuple[str, ...]] = {
    "check": ("phase",),
    "verify_rounds": ("scene", "weapon"),
    "hand_over": ("scene", "weapon"),
    "take_back": ("weapon",),
    "fire": ("weapon",),
    "incident": ("incident",),
    "override": ("rule",),
    "correct": ("rule", "answer"),
    "seal": ("item", "seal_id"),
    "transfer": ("item", "seal_id", "investigator"),
}


class Step(BaseModel):
    """One action in a drill, by one person."""

    model_config = _CONFIG
    action: Action
    """What is done. `sign_checks`: the armorer signs the day-start checks once each is answered, as the app
    asks with a PIN; no firearm goes to an actor before that signature."""
    by: str | None = None
    """Crew id of who does it (the armorer, the 1st AD, a safety officer...). Not needed for `wait`."""
    note: str = ""
    """What this step stands for, shown in the drill's output."""
    day: str | None = None
    """Day id; defaults to the drill's `day`."""
    scene: str | None = None
    """Scene id."""
    setup: str | None = None
    """Setup id; defaults to the scene's first setup."""
    weapon: str | None = None
    """Weapon id."""
    phase: str | None = None
    """For `check`: which phase's checklist to answer (`before_setup`, `before_handoff`, `day_start`, ...).
    For `sign_checks`: which day phase's checks the armorer signs (default `day_start`)."""
    answers: dict[str, str | list[str]] = Field(default_factory=dict)
    """For `check`: rule id -> the answer given (a list gives one answer per round)."""
    pass_others: bool = True
    """For `check`: answer every other pending or failed question that `by` may answer, so that it passes."""
    recheck: bool = False
    """For `check`: answer again, so that they pass, questions already passed (a re-check after a wait)."""
    rule: str | None = None
    """For `override` and `correct`: the rule whose latest answer is meant."""
    answer: str | list[str] | None = None
    """For `correct`: the corrected answer."""
    method: str | None = None
    """For `verify_rounds`: how every round was shown inert (`rattle`, `crimped_blank`, ... or `live`)."""
    methods: list[str] = Field(default_factory=list)
    """For `verify_rounds`: one method per round, in order; overrides `method`."""
    giver: str | None = None
    """For `hand_over`/`take_back`: who gives (default: `by` for a handoff, the holder for a return)."""
    receiver: str | None = None
    """For `hand_over`/`take_back`: who receives (default: the setup's actor for a handoff, `by` for a return)."""
    witnesses: list[str] = Field(default_factory=list)
    """For `hand_over`: named witnesses."""
    rounds: int | None = Field(default=None, ge=0)
    """For `fire`: rounds fired."""
    rounds_fired: int = Field(default=0, ge=0)
    """For `take_back`: rounds fired since the handoff (not already recorded with `fire`)."""
    rounds_returned: int | None = Field(default=None, ge=0)
    """For `take_back`: rounds that came back (default: all that were not fired)."""
    incident: Literal["misfire", "unintended_discharge", "injury", "live_round", "complaint", "drop", "other"] | None = None
    """For `incident`: what happened."""
    description: str = ""
    """For `incident`, `review_incident`: what happened / what was found."""
    reason: str = ""
    """For `clear`, `override`, `correct`: the signed reason."""
    stop: str = "last"
    """For `clear`: `last` (the newest open stop) or the rule/invariant id that caused the stop to clear."""
    item: str | None = None
    """For `seal`/`transfer`: the weapon or lot id."""
    item_kind: Literal["weapon", "lot", "other"] = "weapon"
    """For `seal`: what the item is."""
    seal_id: str | None = None
    """For `seal`/`transfer`: the seal's id."""
    investigator: str | None = None
    """For `transfer`: the named investigator."""
    agency: str = ""
    """For `transfer`: the investigator's agency."""
    receipt: str = ""
    """For `transfer`: the receipt number."""
    minutes: int = Field(default=0, ge=0)
    """Minutes that pass before this step (every step also takes one minute)."""
    expect: Literal["ok", "refused"] = "ok"
    """Whether the step must go through or be refused."""
    refused_by: str | None = None
    """With `expect = "refused"`: the rule or invariant id that must refuse it (`invariant.handler-only`)."""

    @model_validator(mode="after")
    def _needs(self) -> Step:
        missing = [key for key in REQUIRED.get(self.action, ()) if getattr(self, key) in (None, "", [])]
        if self.action != "wait" and self.by is None:
            missing.insert(0, "by")
        if missing:
            raise ValueError(f"`{self.action}` needs {', '.join(f'`{m}`' for m in missing)}")
        if self.refused_by and self.expect != "refused":
            raise ValueError('`refused_by` only makes sense with expect = "refused"')
        return self


class Expectation(BaseModel):
    """What must come of the drill."""

    model_config = _CONFIG
    outcome: Literal["clear", "hold", "stop"]
    """At the end: `stop` if any stop is open, else `hold` if a failed hold is not overridden, else `clear`."""
    fired: list[str] = Field(default_factory=list)
    """Rule or invariant ids that must fire (a failed answer, a stop or a refusal they caused)."""
    not_fired: list[str] = Field(default_factory=list)
    """Rule or invariant ids that must not fire."""
    refused: list[str] = Field(default_factory=list)
    """Invariant or rule ids that must refuse at least one step."""
    never_held_by: list[str] = Field(default_factory=list)
    """Crew ids who must never be handed a weapon in this drill (the actor, on a day that must stop)."""


class DrillInfo(BaseModel):
    """The `[drill]` table."""

    model_config = _CONFIG
    title: str = Field(min_length=1)
    """What the drill is about."""
    production: str
    """Path of the production file, relative to the drill file."""
    day: str
    """Day id the steps happen on unless a step says otherwise."""
    description: str = ""
    """The story, for the safety officer reading it."""
    failures: list[str] = Field(default_factory=list)
    """DOMAIN.md failure ids the drill rehearses (`F3`)."""
    start: dt.datetime | None = None
    """Local time the drill starts (default: 07:00 on the day's date)."""


class Drill(BaseModel):
    """A whole drill file."""

    model_config = _CONFIG
    drill: DrillInfo
    """Title, production, day."""
    step: list[Step] = Field(min_length=1)
    """The actions, in order."""
    expect: Expectation
    """What must come of it."""
