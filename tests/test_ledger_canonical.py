"""The fast canonical serializer gives exactly the RFC 8785 bytes within the ledger's domain."""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from armory.ledger.canonical import MAX_SAFE_INTEGER, canonical_bytes, check_domain
from armory.problems import InputError

VECTORS = [
    {},
    [],
    {"b": 1, "a": 2, "A": 3, "_": 4, "aa": 5, "a_b": 6},
    {"text": "caf\u00e9 \u2014 \U0001f52b", "nested": {"z": [1, None, True, False], "y": "\u20ac"}},
    {"controls": "\x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f", "quote": '"', "backslash": "\\", "slash": "/"},
    {"lineseps": "\u2028\u2029", "html": "<script>&</script>"},
    {"ints": [0, -1, 1, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 10**15]},
    {"empty": "", "list": [[], {}, [{}]]},
]


@pytest.mark.parametrize("value", VECTORS, ids=range(len(VECTORS)))
def test_fixed_vectors_match_rfc8785(value):
    assert canonical_bytes(value) == rfc8785.dumps(value)


def test_a_known_vector_byte_for_byte():
    # Written out by hand from RFC 8785's rules, so the test does not only compare two implementations.
    value = {"who": "ann", "seq": 2, "payload": {"b": [True, None], "a": "\u00e9\n"}}
    assert canonical_bytes(value) == b'{"payload":{"a":"\xc3\xa9\\n","b":[true,null]},"seq":2,"who":"ann"}'


_ascii_keys = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=8)
_texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
_scalars = st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | _texts
_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_ascii_keys, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(_values)
def test_generated_values_match_rfc8785(value):
    check_domain(value)
    assert canonical_bytes(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ({"x": 1.5}, "floats are not allowed"),
        ({"x": [1, 2.0]}, "floats are not allowed"),
        ({"caf\u00e9": 1}, "keys must be ASCII"),
        ({1: 1}, "keys must be ASCII"),
        ({"x": 2**53}, "outside the exact range"),
        ({"x": "\ud800"}, "lone surrogate"),
        ({"x": b"bytes"}, "bytes is not allowed"),
    ],
)
def test_values_outside_the_domain_are_refused(value, fragment):
    with pytest.raises(InputError, match=fragment):
        check_domain(value)


_any_keys = st.text(max_size=6) | st.integers(-5, 5)
_wide_scalars = (st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False)
                 | st.text(max_size=12))
_wide_values = st.recursive(
    _wide_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_any_keys, children, max_size=4),
    max_leaves=15,
)


def _refused(fn, value) -> bool:
    try:
        fn(value)
    except InputError:
        return True
    return False


@settings(max_examples=150, deadline=None)
@given(_wide_values)
def test_what_is_accepted_is_exactly_rfc8785(value):
    from armory.ledger.canonical import checked_canonical_bytes

    refused = _refused(check_domain, value)
    assert _refused(checked_canonical_bytes, value) == refused
    if not refused:
        assert checked_canonical_bytes(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("value", [{"n": 1.0}, {"n": [2**53]}, {"n": -1e300}, {"é": 1}, {"s": "\udfff"}])
def test_entry_bytes_are_refused_for_each_kind_of_value_outside_the_domain(value):
    from armory.ledger.canonical import checked_canonical_bytes

    with pytest.raises(InputError):
        checked_canonical_bytes(value)


# -- presorted_canonical_bytes: the appends' writer, for values built with their keys in order --------


def _sorted_deep(value):
    if isinstance(value, dict):
        return {key: _sorted_deep(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_deep(item) for item in value]
    return value


@pytest.mark.parametrize("value", VECTORS, ids=range(len(VECTORS)))
def test_presorted_fixed_vectors_match_rfc8785(value):
    from armory.ledger.canonical import presorted_canonical_bytes

    assert presorted_canonical_bytes(_sorted_deep(value)) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_presorted_generated_values_match_rfc8785(value):
    from armory.ledger.canonical import presorted_canonical_bytes

    assert presorted_canonical_bytes(_sorted_deep(value)) == rfc8785.dumps(value) == canonical_bytes(value)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=20))
def test_presorted_text_is_written_or_refused_as_rfc8785_would(text):
    from armory.ledger.canonical import presorted_canonical_bytes

    try:
        expected = rfc8785.dumps({"t": text})
    except Exception:  # a lone surrogate: no UTF-8 form
        with pytest.raises(InputError, match=r"x\.t: text holds a lone surrogate"):
            presorted_canonical_bytes({"t": text}, "x")
        return
    assert presorted_canonical_bytes({"t": text}, "x") == expected
