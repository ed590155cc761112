"""The append fast path: a flat payload is proven inside the canonical domain instead of walked.

``Ledger.append`` writes a payload of a flat kind (see ``entries.FlatLayout``) through
``presorted_canonical_bytes`` without walking it, because its model's types keep it inside the domain.
These tests hold it to that: the bytes are those of the checked path and of RFC 8785, and a payload
outside the domain (a float, an int beyond 2**53, a lone surrogate, a non-ASCII key) is still refused,
by the model or by the ledger, whichever way it comes in.
"""

from __future__ import annotations

import json
import types
import typing
from datetime import datetime, timedelta, timezone

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, field_serializer

from armory.ledger.canonical import MAX_SAFE_INTEGER, canonical_bytes, checked_canonical_bytes
from armory.ledger.entries import (
    FLAT_LAYOUTS, PAYLOADS, Answer, Note, Payload, Refusal, RoundsFired, flat_layout, payload_json,
)
from armory.ledger.store import Ledger, format_time
from armory.problems import InputError


class FixedClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 14, 30, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now


@pytest.fixture
def ledger(tmp_path):
    with Ledger.open(tmp_path / "prod.ledger", production_title="Dry Gulch", clock=FixedClock()) as opened:
        yield opened


# -- which kinds are flat ---------------------------------------------------------------------------


def test_every_kind_but_those_with_packs_is_flat():
    assert set(PAYLOADS) - set(FLAT_LAYOUTS) == {"day_opened", "packs_changed"}
    for kind, layout in FLAT_LAYOUTS.items():
        model = PAYLOADS[kind]
        assert layout.names == tuple(sorted(model.model_fields))
        assert all(name.isascii() for name in layout.names)


def test_a_model_with_any_type_outside_the_flat_domain_is_not_flat():
    class Nested(Payload):
        x: str

    def model(**fields) -> type[Payload]:
        annotations = {name: annotation for name, (annotation, _) in fields.items()}
        namespace = {"__annotations__": annotations, **{name: default for name, (_, default) in fields.items()}}
        return types.new_class("M", (Payload,), exec_body=lambda ns: ns.update(namespace))

    assert flat_layout(model(a=(str, ...), b=(int | None, None), c=(list[str], ...),
                             d=(typing.Literal["x", "y"], "x"), e=(bool, False))) is not None
    for annotation in (float, int | float, list[int], dict, dict[str, str], Nested, list[Nested], bytes,
                       typing.Any, typing.Literal[1, 2], tuple[str, ...]):
        assert flat_layout(model(a=(annotation, ...))) is None, annotation
    assert flat_layout(model(a=(str, Field(alias="b")))) is None
    assert flat_layout(model(a=(str, Field(max_length=3)))) is None

    class Serialized(Payload):
        a: str

        @field_serializer("a")
        def _upper(self, value: str) -> str:
            return value.upper()

    assert flat_layout(Serialized) is None


# -- the fast path writes the checked path's bytes ---------------------------------------------------

_texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def _strategy(annotation):
    if annotation is str:
        return _texts
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(-(2**60), 2**60)
    if annotation is type(None):
        return st.none()
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if origin is list:
        return st.lists(_strategy(typing.get_args(annotation)[0]), max_size=3)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_strategy(arg) for arg in typing.get_args(annotation)])
    raise AssertionError(f"no strategy for {annotation}")


@st.composite
def _flat_payloads(draw):
    kind = draw(st.sampled_from(sorted(FLAT_LAYOUTS)))
    payload = {}
    for name, field in PAYLOADS[kind].model_fields.items():
        if field.is_required() or draw(st.booleans()):
            payload[name] = draw(_strategy(field.annotation))
    return kind, payload


def _generic_bytes(entry, payload):
    """What the checked path writes for the same entry: the payload dumped, walked and sorted by json."""
    fields = {**entry.fields(), "payload": payload_json(PAYLOADS[entry.kind].model_validate(payload))}
    return checked_canonical_bytes(fields)


@settings(max_examples=300, deadline=None)
@given(_flat_payloads(), st.none() | _texts, _texts)
def test_a_flat_payload_is_written_as_the_checked_path_and_rfc8785_write_it(tmp_path_factory, drawn, who, scope):
    kind, payload = drawn
    path = tmp_path_factory.mktemp("fast") / "l.ledger"
    with Ledger.open(path, clock=FixedClock()) as ledger:
        out_of_range = [name for name in FLAT_LAYOUTS[kind].ints
                        if isinstance(payload.get(name), int) and abs(payload[name]) > MAX_SAFE_INTEGER]
        if out_of_range:
            with pytest.raises(InputError, match="outside the exact range"):
                ledger.append(kind, who, payload, scope=scope)
            assert len(ledger) == 1
            return
        entry = ledger.append(kind, who, payload, scope=scope)
        assert entry.body == _generic_bytes(entry, payload)
        assert entry.body == rfc8785.dumps(json.loads(entry.body))
        assert entry.body == canonical_bytes(entry.fields())
        assert list(entry.payload) == sorted(entry.payload)
        assert ledger.get(entry.seq) == entry
        # The same payload as a model instance (walked, not validated again) gives the same bytes.
        again = ledger.append(kind, who, PAYLOADS[kind].model_validate(payload), scope=scope)
        assert again.payload == entry.payload and again.body == _generic_bytes(again, payload)


def test_an_answer_with_every_field_reads_back_as_written(ledger):
    entry = ledger.append("answer", "ann", {
        "day": "day-1", "phase": "before_handoff", "rule_id": "r", "pack_id": "p", "pack_hash": "ab" * 32,
        "question": "Caf\u00e9 \u2014 how many?", "answer_kind": "count", "expected": "6", "observed": ["6", "5"],
        "verdict": "fail", "severity": "stop", "failures": ["F1"], "signed_by": ["ann"], "rounds_loaded": 6,
        "stopped_at_round": 2,
    })
    assert ledger.get(entry.seq) == entry
    unset = ledger.append("answer", "ann", {**entry.payload, "rounds_loaded": None, "stopped_at_round": None})
    assert "rounds_loaded" not in unset.payload and "stopped_at_round" not in unset.payload


def test_an_instance_payload_gets_lists_of_its_own(ledger):
    answer = Answer(day="d", phase="p", rule_id="r", pack_id="p", pack_hash="h", question="q", answer_kind="count",
                    expected="6", observed=["6"], verdict="pass", severity="stop")
    entry = ledger.append("answer", None, answer)
    entry.payload["observed"].append("7")
    assert answer.observed == ["6"]


# -- outside the domain: still refused, and nothing written -----------------------------------------


@pytest.mark.parametrize(
    "kind, payload, fragment",
    [
        ("rounds_fired", {"day": "d", "weapon": "w", "rounds": 2**53}, "outside the exact range"),
        ("rounds_fired", {"day": "d", "weapon": "w", "rounds": -(2**53)}, "outside the exact range"),
        ("answer", {**dict.fromkeys(("day", "phase", "rule_id", "pack_id", "pack_hash", "question", "answer_kind",
                                      "expected"), "x"),
                    "observed": [], "verdict": "pass", "severity": "stop", "rounds_loaded": 2**60},
         "payload.rounds_loaded: integer"),
        ("rounds_fired", {"day": "d", "weapon": "w", "rounds": 1.5}, "rounds"),
        ("note", {"text": "\ud800"}, "note entry.payload.text: text holds a lone surrogate"),
        ("note", {"text": "x", "weapon": "a\udfffb"}, "lone surrogate"),
        ("stop", {"scope": "weapon", "weapons": ["w", "\ud83d"], "cause": "c", "failures": [], "reason": "r"},
         "payload.weapons\\[1\\]: text holds a lone surrogate"),
        ("note", {"text": 1.5}, "text"),
        ("note", {"text": "x", "caf\u00e9": 1}, "Extra inputs"),
        ("note", {"text": "x", 1: 1}, "note entry"),
    ],
)
def test_a_payload_outside_the_domain_is_refused(ledger, kind, payload, fragment):
    with pytest.raises(InputError, match=fragment):
        ledger.append(kind, "ann", payload)
    assert len(ledger) == 1


def test_a_float_that_is_an_int_is_stored_as_the_int(ledger):
    entry = ledger.append("rounds_fired", None, {"day": "d", "weapon": "w", "rounds": 2.0})
    assert b'"rounds":2,' in entry.body and type(entry.payload["rounds"]) is int


@pytest.mark.parametrize(
    "who, scope, fragment",
    [
        ("\udc00", "", "who: text holds a lone surrogate"),
        (None, "drill-\ud800", "scope: text holds a lone surrogate"),
        (None, 1.5, "floats are not allowed"),
        (None, b"drill", "bytes is not allowed"),
        (7, "", "who must be a crew id"),
    ],
)
def test_who_and_scope_outside_the_domain_are_refused(ledger, who, scope, fragment):
    with pytest.raises(InputError, match=fragment):
        ledger.append("note", who, {"text": "x"}, scope=scope)
    assert len(ledger) == 1


@pytest.mark.parametrize(
    "kind, payload, fragment",
    [
        ("note", Note.model_construct(text="x", weapon=1.5), "note entry.payload.weapon: floats are not allowed"),
        ("note", Note.model_construct(text=b"x"), "bytes is not allowed"),
        ("note", Note.model_construct(text="\ud800"), "lone surrogate"),
        ("note", Note.model_construct(text={"caf\u00e9": 1}), "keys must be ASCII"),
        ("rounds_fired", RoundsFired.model_construct(day="d", weapon="w", rounds=2**53), "outside the exact range"),
        ("rounds_fired", RoundsFired.model_construct(day="d", weapon="w", rounds=[1.0]), "floats are not allowed"),
    ],
)
def test_a_model_instance_made_without_validation_is_walked_and_refused(ledger, kind, payload, fragment):
    with pytest.raises(InputError, match=fragment):
        ledger.append(kind, None, payload)
    assert len(ledger) == 1


def test_a_model_instance_missing_a_required_field_is_refused(ledger):
    with pytest.raises(InputError, match="rounds_fired entry: rounds: Field required"):
        ledger.append("rounds_fired", None, RoundsFired.model_construct(day="d", weapon="w"))
    assert len(ledger) == 1


def test_a_subclass_instance_is_dumped_and_walked(ledger):
    class Wider(Note):
        extra: float = 1.5

    with pytest.raises(InputError, match="floats are not allowed"):
        ledger.append("note", None, Wider(text="x"))
    assert len(ledger) == 1


def test_a_checkpoint_payload_is_validated_by_its_model(ledger):
    entry = ledger.checkpoint()
    assert PAYLOADS["checkpoint"].model_validate(entry.payload).size == entry.seq - 1
    assert entry.body == rfc8785.dumps(json.loads(entry.body))


# -- time ---------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-7)),
                                               timezone(timedelta(hours=5, minutes=30))])))
def test_format_time_is_utc_isoformat_with_microseconds_and_z(moment):
    expected = moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    assert format_time(moment) == expected


def test_format_time_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="aware"):
        format_time(datetime(2026, 3, 2))


@pytest.mark.parametrize("make", [
    lambda: Refusal(action="handoff", reason="r", cause="c", failures=[]).model_copy(
        update={"failures": [{"b": 1, "a": 2}]}),
    lambda: Note.model_construct(text={"z": 1, "a": 2}),
], ids=["model_copy-update", "model_construct"])
def test_an_unvalidated_instance_holding_a_dict_is_still_written_canonical(ledger, make):
    """The fast writer keeps insertion order: an instance not validated here must not reach it with a dict."""
    payload = make()
    entry = ledger.append(_kind_of(payload), None, payload)
    assert rfc8785.dumps(json.loads(entry.body)) == entry.body


def _kind_of(model) -> str:
    return next(kind for kind, model_type in PAYLOADS.items() if type(model) is model_type)


def test_a_model_with_a_validator_or_post_init_hook_is_not_flat():
    from pydantic import field_validator, model_validator

    class Checked(Payload):
        text: str

        @field_validator("text")
        @classmethod
        def keep(cls, value):
            return value

    class Whole(Payload):
        text: str

        @model_validator(mode="after")
        def keep(self):
            return self

    class Hooked(Payload):
        text: str

        def model_post_init(self, context):
            pass

    assert flat_layout(Checked) is None and flat_layout(Whole) is None and flat_layout(Hooked) is None


def test_append_many_refuses_a_who_outside_the_domain(ledger):
    with pytest.raises(InputError, match="who must be a crew id"):
        ledger._append_many([("note", 1.5, {"text": "x"}, "")])
