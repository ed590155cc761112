"""armory.fastjson reads every text exactly as json.loads does, and pauses the collector only while asked."""

from __future__ import annotations

import gc
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armory import fastjson

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def same(a, b) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 would hide a big integer read as a float)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans())
def test_reads_what_json_loads_reads(value, as_text):
    text = json.dumps(value, ensure_ascii=False)
    data = text if as_text else text.encode("utf-8")
    assert same(fastjson.loads(data), json.loads(data))


@pytest.mark.parametrize("data", [
    b'{"a":123456789012345678901234567890}',  # orjson alone would read a float
    b'{"a":-123456789012345678901234567890}',
    b'{"a":18446744073709551616}',  # 2**64
    b'{"a":18446744073709551615}',
    b'{"a":NaN}', b'{"a":Infinity}', b'{"a":1e400}',  # orjson alone refuses these
    b'\xef\xbb\xbf{"a":1}', '"\\ud800"'.encode(), '"\ud800"'.encode("utf-8", "surrogatepass"),
    b'{"a":1,"a":2}', b'{"a":1.0}', b'[-0, 0.0, -0.0]', '{"é":"ü"}'.encode("utf-16"),
    '{"a":"\ud800"}',
])
def test_edge_cases_read_as_json_loads_reads_them(data):
    try:
        expected = json.loads(data)
    except ValueError as err:
        with pytest.raises(type(err)):
            fastjson.loads(data)
    else:
        assert same(fastjson.loads(data), expected)


@pytest.mark.parametrize("data", [b"", b"{", b'{"a":}', b"[1,]", b"\xff"])
def test_bad_text_raises_what_json_loads_raises(data):
    with pytest.raises(ValueError) as expected:
        json.loads(data)
    with pytest.raises(type(expected.value)) as got:
        fastjson.loads(data)
    assert str(got.value) == str(expected.value)


def test_paused_gc_restores_the_collector_even_after_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), fastjson.paused_gc():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with fastjson.paused_gc():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_a_decorated_function_runs_without_the_collector():
    @fastjson.paused_gc()
    def inside() -> bool:
        return gc.isenabled()

    assert inside() is False
    assert gc.isenabled()
