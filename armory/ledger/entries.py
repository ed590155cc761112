"""Ledger entry kinds and their payload models.

The ledger owns this vocabulary; the engine writes entries of these kinds and
folds them back into state; the exports describe them. Payloads hold only
strings, integers, booleans, lists and objects with ASCII keys (never floats),
so their canonical JSON (RFC 8785) is stable across tools and machines.

Conventions used by every payload:

- ``day``, ``scene``, ``setup``, ``weapon`` are ids from the production file.
- crew members are named by crew id; ``signed_by`` lists every person who
  authenticated with a PIN for this entry (the PIN itself never appears).
- references to earlier entries are by sequence number (``*_seq``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import UnionType
from typing import Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from armory.modeldocs import add_field_docs

_CONFIG = ConfigDict(
    extra="forbid", frozen=True, defer_build=True, json_schema_extra=add_field_docs
)

Kind = Literal[
    "ledger_opened",
    "crew_enrolled",
    "auth_failed",
    "day_opened",
    "packs_changed",
    "answer",
    "round_verified",
    "override",
    "correction",
    "stop",
    "clearance",
    "handoff",
    "refusal",
    "return",
    "rounds_fired",
    "incident",
    "incident_reviewed",
    "seal",
    "custody_transfer",
    "spare",
    "checks_signed",
    "note",
    "day_closed",
    "checkpoint",
    "export_recorded",
    "cosignature",
    "credentials_sealed",
]
KINDS: tuple[str, ...] = get_args(Kind)


class Payload(BaseModel):
    model_config = _CONFIG


class LaterFields(Payload):
    """A payload with optional fields added after ledgers were written: each is left out of an entry that does
    not use it (None or empty), so such an entry is byte for byte what earlier versions wrote, and older
    ledgers read unchanged. The store leaves them out (:func:`payload_json`); a pydantic wrap serializer
    would call back into Python on every dump and cost a fifth of an append."""

    omit_when_unset: ClassVar[frozenset[str]] = frozenset()


def payload_json(model: Payload) -> dict[str, Any]:
    """The payload as the ledger stores it: JSON types, later optional fields left out when unset."""
    data = model.model_dump(mode="json")
    for name in getattr(model, "omit_when_unset", ()):
        if name in data and data[name] in (None, []):
            del data[name]
    return data


@dataclass(frozen=True, slots=True)
class FlatLayout:
    """How a flat payload model's fields become the ledger's payload without ``model_dump``.

    A model is flat when each field is text, a bool, None, an int, a ``Literal`` of strings, a list of
    text, or a union of those, and nothing changes how it serializes (no alias, serializer, computed or
    excluded field). The values pydantic stores for such a model are then exactly what ``model_dump``
    gives, so the payload is those values in sorted key order: already RFC 8785's key order, ASCII keys
    (field names), and inside the canonical domain except for text holding a lone surrogate (which the
    encoder refuses) and ints beyond 2**53 (``ints`` names the fields to check). A validated payload of a
    flat kind needs no walk of its values; a model instance made without validation is walked anyway.
    """

    names: tuple[str, ...]
    """Every field, sorted."""
    ints: tuple[str, ...]
    """Fields that may hold an int (bound checked)."""
    lists: tuple[str, ...]
    """Fields that may hold a list (copied from an instance the caller keeps)."""
    omit: tuple[str, ...]
    """``omit_when_unset`` fields, left out when None or empty (as :func:`payload_json` does)."""

    def payload(self, model: Payload) -> dict[str, Any]:
        """The payload of ``model`` (which must be exactly of this layout's model type), keys sorted."""
        values = model.__dict__
        data = {name: values[name] for name in self.names}
        for name in self.omit:
            if data[name] in (None, []):
                del data[name]
        return data


def _flat_shapes(annotation: Any) -> set[str] | None:
    """What a value of this type may be (``int``, ``list`` or ``plain``), or None when outside the flat domain."""
    if annotation in (str, bool, type(None)):
        return {"plain"}
    if annotation is int:
        return {"int"}
    origin = get_origin(annotation)
    if origin is Literal:
        return {"plain"} if all(type(arg) is str for arg in get_args(annotation)) else None
    if origin is list:
        return {"list"} if get_args(annotation) == (str,) else None
    if origin in (Union, UnionType):
        shapes: set[str] = set()
        for arg in get_args(annotation):
            arg_shapes = _flat_shapes(arg)
            if arg_shapes is None:
                return None
            shapes |= arg_shapes
        return shapes
    return None


def flat_layout(model: type[Payload]) -> FlatLayout | None:
    """The model's FlatLayout, or None when it is not flat (its payloads are dumped and walked)."""
    decorators = model.__pydantic_decorators__
    if (model.model_computed_fields or decorators.field_serializers or decorators.model_serializers
            or decorators.field_validators or decorators.model_validators or decorators.validators
            or decorators.root_validators or model.model_post_init is not BaseModel.model_post_init):
        return None  # a validator or hook may store any value: such payloads are dumped and walked
    ints, lists = [], []
    for name, field in model.model_fields.items():
        if (not name.isascii() or field.alias is not None or field.serialization_alias is not None
                or field.exclude or field.metadata):
            return None
        shapes = _flat_shapes(field.annotation)
        if shapes is None:
            return None
        if "int" in shapes:
            ints.append(name)
        if "list" in shapes:
            lists.append(name)
    omit = getattr(model, "omit_when_unset", frozenset())
    return FlatLayout(tuple(sorted(model.model_fields)), tuple(ints), tuple(lists), tuple(sorted(omit)))


class LedgerOpened(Payload):
    """The first entry of every ledger: who signs its checkpoints."""

    ledger_id: str
    """Random id of this ledger (one per production and unit)."""
    production_title: str
    """Title of the production the ledger belongs to."""
    public_key: str
    """The device's Ed25519 public key, base64 (raw 32 bytes)."""
    key_fingerprint: str
    """Short fingerprint of the public key (hex of the first 8 bytes of its SHA-256)."""
    armory_version: str
    """The armory version that created the ledger."""
    format: int = 1
    """Ledger entry format version."""


class CrewEnrolled(Payload):
    """A PIN set or changed. The hash stays in the credential table, never here."""

    crew_id: str
    changed: bool
    """True when an existing PIN was replaced."""
    authorized_by: str
    """The safety officer whose PIN authorized it (the person themselves for the first one)."""


class AuthFailed(Payload):
    """A wrong PIN was entered."""

    crew_id: str
    purpose: str
    """What the person was trying to do."""
    attempts: int
    """Consecutive failures so far."""
    locked_until: str | None = None
    """UTC time until which the person is locked out, if this failure locked them."""


class PackInForce(BaseModel):
    model_config = _CONFIG
    id: str
    version: str
    hash: str
    """SHA-256 of the pack file's bytes, hex."""
    text: str
    """The pack file's full text, so the record shows exactly what was asked."""


class RuleOff(BaseModel):
    """A rule of the packs in force that the production switched off, as it stood when the day opened."""

    model_config = _CONFIG
    rule: str
    reason: str
    weapons: list[str] = Field(default_factory=list)
    """Only for these weapons; empty: everywhere."""
    replaced_by: str | None = None


class DayOpened(LaterFields):
    day: str
    production_hash: str
    """SHA-256 of the production file's bytes, hex."""
    packs: list[PackInForce]
    signed_by: list[str]
    production_text: str | None = None
    """The production file in force, in full (as each pack's text is): who the crew were, which weapons,
    lots and loads, so an export names people and weapons from the chain alone. None when an earlier
    day_opened of the chain recorded the same file (the same ``production_hash``), and in older ledgers."""
    rules_off: list[RuleOff] = Field(default_factory=list)
    """Rules the production switched off that day, each with its reason. Absent when none."""
    signed_before_handoff: bool | None = None
    """True: no firearm goes to an actor that day before the armorer has signed its day-start checks
    (``checks_signed``). Absent from days opened by an armory that did not ask for that signature: they
    replay as they were, never refused after the fact."""

    omit_when_unset: ClassVar[frozenset[str]] = frozenset({"rules_off", "signed_before_handoff"})


class PacksChanged(Payload):
    day: str
    packs: list[PackInForce]
    reason: str
    signed_by: list[str]


class Answer(LaterFields):
    """A person's (or the ledger's, when sensed) answer to one rule."""

    day: str
    scene: str | None = None
    setup: str | None = None
    weapon: str | None = None
    phase: str
    rule_id: str
    pack_id: str
    pack_hash: str
    question: str
    answer_kind: str
    expected: str
    """What passes, in words (`the weapon's capacity (6)`; older entries: `equals weapon.capacity (6)`)."""
    observed: list[str]
    """What was observed: one value, or one per round."""
    verdict: Literal["pass", "fail"]
    severity: Literal["stop", "hold", "note"]
    sensed: bool = False
    failures: list[str] = Field(default_factory=list)
    signed_by: list[str] = Field(default_factory=list)
    rounds_loaded: int | None = None
    """Per-round answers that stopped at a failing round: the rounds the setup loads (``observed`` is shorter)."""
    stopped_at_round: int | None = None
    """The round whose failing answer stopped the check before every round was answered (1-based; the last
    value of ``observed``). Absent when every round was answered."""

    omit_when_unset: ClassVar[frozenset[str]] = frozenset({"rounds_loaded", "stopped_at_round"})


#: How a round may be shown to be inert, by the load it belongs to.
ROUND_METHODS: dict[str, str | None] = {
    "rattle": "dummies",
    "empty_primer_pocket": "dummies",
    "drilled_case": "dummies",
    "side_hole": "dummies",
    "crimped_blank": "blanks",
    "blank_marking": "blanks",
    "unconfirmed": None,
    "live": None,
}

ROUND_METHOD_WORDS: dict[str, str] = {
    "rattle": "rattles when shaken (bearing inside, no powder)",
    "empty_primer_pocket": "primer pocket empty or inert",
    "drilled_case": "case drilled through",
    "side_hole": "side hole in the case",
    "crimped_blank": "crimped blank, no projectile",
    "blank_marking": "blank marking on the case",
    "unconfirmed": "cannot confirm it is a dummy or blank",
    "live": "live round",
}


class RoundVerified(Payload):
    """One round shown to be a dummy or a blank (or not) before it goes in."""

    day: str
    scene: str
    setup: str
    weapon: str
    lot: str | None
    round_no: int
    """1-based position in the load."""
    method: str
    """How it was shown: `rattle`, `empty_primer_pocket`, `drilled_case`, `crimped_blank`, ... or `unconfirmed`/`live`."""
    verdict: Literal["pass", "fail"]


class Override(Payload):
    """A signed override of a failed hold."""

    answer_seq: int
    rule_id: str
    weapon: str | None = None
    reason: str
    signed_by: list[str]


class Correction(Payload):
    """A new answer for a mistyped one. It never lifts a stop or a hold."""

    corrects_seq: int
    observed: list[str]
    verdict: Literal["pass", "fail"]
    reason: str
    signed_by: list[str]


class Stop(Payload):
    """A stop: the weapons named go nowhere but back to the armorer until cleared."""

    scope: Literal["weapon", "production"]
    weapons: list[str]
    cause: str
    """Rule id, or the invariant id (`invariant.live-round`, ...)."""
    failures: list[str]
    reason: str
    """What happened, in plain words."""
    caused_by: str | None = None
    """Who caused it (who gave the failing answer, fired, ...)."""
    from_seq: int | None = None
    """The entry that caused it."""
    day: str | None = None


class Clearance(Payload):
    stop_seq: int
    reason: str
    signed_by: list[str]


class Handoff(Payload):
    """A weapon moving between people, written after both authenticated."""

    day: str
    scene: str | None = None
    setup: str | None = None
    weapon: str
    giver: str
    receiver: str
    load: str
    rounds: int
    witnesses: list[str]
    signed_by: list[str]


class Refusal(LaterFields):
    """An action the engine refused, kept so the record shows it was tried."""

    action: str
    """`handoff`, `clearance`, `answer`, ..."""
    actor: str | None = None
    """Who tried it."""
    weapon: str | None = None
    day: str | None = None
    reason: str
    cause: str
    """Rule or invariant id that refused."""
    failures: list[str]
    related: list[str] = Field(default_factory=list)
    """Rule or invariant ids the reasons are about (stops that block, checks failed, not yet answered or stale),
    which the reason names in words. Absent when there are none."""
    stop_seq: int | None = None
    """The stop a refused clearance was for (absent for other actions, and in older ledgers)."""
    incident_seq: int | None = None
    """The incident a refused review was of (absent for other actions, and in older ledgers)."""

    omit_when_unset: ClassVar[frozenset[str]] = frozenset({"related", "stop_seq", "incident_seq"})


class Return(Payload):
    """A weapon taken back by the armorer, with its rounds reconciled."""

    day: str
    scene: str | None = None
    setup: str | None = None
    weapon: str
    giver: str
    receiver: str
    rounds_out: int
    rounds_fired: int
    rounds_returned: int
    reconciled: bool
    """Rounds out = rounds back + rounds fired, and none reported fired from a load that cannot fire (dummies or
    cold: such a firing is recorded as an unintended discharge)."""
    signed_by: list[str]


class RoundsFired(Payload):
    day: str
    weapon: str
    rounds: int
    scene: str | None = None
    setup: str | None = None


class Incident(Payload):
    incident: Literal["misfire", "unintended_discharge", "injury", "live_round", "complaint", "drop", "other"]
    day: str | None = None
    weapon: str | None = None
    description: str
    reported_by: str
    weapons: list[str] = Field(default_factory=list)
    """After an injury or a live round, the firearms frozen as evidence: the weapon named; for an injury with
    none named, every firearm out of the armory at the time (every firearm of the production if none was out)."""
    lots: list[str] = Field(default_factory=list)
    """The ammunition lots frozen with them: the lot of each frozen weapon's current setup (or last loaded)."""


class IncidentReviewed(Payload):
    incident_seq: int
    findings: str
    signed_by: list[str]


class Seal(Payload):
    """An item frozen as evidence."""

    item_kind: Literal["weapon", "lot", "other"]
    item: str
    seal_id: str
    incident_seq: int | None = None
    signed_by: list[str]


class CustodyTransfer(Payload):
    """A sealed item handed to a named investigator, with a receipt."""

    item: str
    seal_id: str
    investigator: str
    agency: str
    receipt: str
    signed_by: list[str]


class Spare(Payload):
    """A spare put on a setup for the day: another weapon of the same kind, or another lot, and why.

    The setup's row keeps the weapon the production names (``weapon``); from this entry on, what goes out in
    that row is ``spare_weapon`` and its rounds come from ``spare_lot``. The spare's checks and rounds start
    from nothing; whatever it replaces keeps its own record (a sealed weapon stays sealed)."""

    day: str
    scene: str
    setup: str
    weapon: str
    """The weapon the production names for this row of the setup."""
    replaces_weapon: str
    """What went out in this row until now (the production's weapon, or an earlier spare)."""
    spare_weapon: str
    """What goes out in this row from now on (the same as ``replaces_weapon`` when only the lot changes)."""
    replaces_lot: str | None = None
    spare_lot: str | None = None
    """The lot its rounds come from from now on (the same as ``replaces_lot`` when only the weapon changes)."""
    reason: str
    signed_by: list[str]


class ChecksSigned(Payload):
    """The armorer signs a phase's checks as done (the day-start checks end so): every answer they cover."""

    day: str
    phase: str
    rules: list[str]
    """The rule ids of the checks signed over, each answered (or sensed) as it stood."""
    last_answer: int
    """The newest of their answers' entries: the signature covers that answer and every one before it."""
    signed_by: list[str]


class Note(Payload):
    text: str
    day: str | None = None
    weapon: str | None = None


class DayClosed(Payload):
    day: str
    head_hash: str
    signed_by: list[str]


class Checkpoint(Payload):
    """A signed statement of the chain's head (C2SP signed-note form)."""

    origin: str
    size: int
    """Number of entries covered (sequence numbers 1..size)."""
    head_hash: str
    """Hash of entry ``size``, hex."""
    key_fingerprint: str
    note: str
    """The whole signed note text, verifiable with the ledger's public key."""


class ExportRecorded(Payload):
    format: str
    day: str | None = None
    entries: int
    head_hash: str


class Cosignature(Payload):
    """A studio witness's signature over a head of this chain, brought home by ``armory sync``.

    The witness (``armory studio witness``) holds a key the unit never holds; once its cosignature is in the
    chain, a rewrite of any entry up to ``size`` no longer verifies, even where nobody kept an export."""

    witness: str
    """The witness's name, as its signature line gives it."""
    witness_key: str
    """The witness's Ed25519 public key, base64 (raw 32 bytes)."""
    witness_fingerprint: str
    """Short fingerprint of that key, to compare with the one the studio publishes (``log verify --witness``)."""
    size: int
    """Entries cosigned (sequence numbers 1..size)."""
    head_hash: str
    """Hash of entry ``size``, hex."""
    note: str
    """The cosigned note (the checkpoint form, signed with the witness's key)."""


class CredentialsSealed(Payload):
    """A ledger made by an earlier armory moved, once, to credentials a copy of it does not carry: its PIN
    hashes sealed and its signing key encrypted under the device secret (no PIN is re-entered, nothing is lost,
    the key and every signature made with it stay the same). Neither the secret nor a hash is recorded."""

    crew_ids: list[str]
    """Whose PIN hashes were sealed (each PIN still works as before)."""
    key_sealed: bool
    """True when the plain signing key beside the ledger was rewritten encrypted."""
    key_fingerprint: str
    """Fingerprint of the signing key (unchanged)."""
    secret_store: Literal["keyring", "file"]
    """Where the device secret is kept: the operating system's keyring, or a file of its own outside the
    ledger's folder that only its owner reads."""
    scheme: str
    """How PINs are stored now: argon2id, the hash encrypted with AES-256-GCM under the device secret."""


PAYLOADS: dict[str, type[Payload]] = {
    "ledger_opened": LedgerOpened,
    "crew_enrolled": CrewEnrolled,
    "auth_failed": AuthFailed,
    "day_opened": DayOpened,
    "packs_changed": PacksChanged,
    "answer": Answer,
    "round_verified": RoundVerified,
    "override": Override,
    "correction": Correction,
    "stop": Stop,
    "clearance": Clearance,
    "handoff": Handoff,
    "refusal": Refusal,
    "return": Return,
    "rounds_fired": RoundsFired,
    "incident": Incident,
    "incident_reviewed": IncidentReviewed,
    "seal": Seal,
    "custody_transfer": CustodyTransfer,
    "spare": Spare,
    "checks_signed": ChecksSigned,
    "note": Note,
    "day_closed": DayClosed,
    "checkpoint": Checkpoint,
    "export_recorded": ExportRecorded,
    "cosignature": Cosignature,
    "credentials_sealed": CredentialsSealed,
}
assert set(PAYLOADS) == set(KINDS)

#: Kinds whose payloads are flat (see FlatLayout): every kind but those with nested objects.
FLAT_LAYOUTS: dict[str, FlatLayout] = {
    kind: layout for kind, model in PAYLOADS.items() if (layout := flat_layout(model)) is not None
}
