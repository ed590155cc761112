"""Canonical bytes of a ledger entry: RFC 8785 (JSON Canonicalization Scheme).

Entries are restricted to strings, integers (within the IEEE 754 exact range),
booleans, null, lists and objects with ASCII keys, and never floats. Within
that domain the standard library's ``json.dumps`` with sorted keys, no
whitespace and ``ensure_ascii=False`` writes exactly the JCS bytes: JCS sorts
keys by UTF-16 code units, which for ASCII keys is plain string order, and
both escape only ``"``, ``\\`` and control characters (the same way, lower-case
``\\u00XX``). ``tests/test_ledger_canonical.py`` checks this against the
``rfc8785`` package on fixed vectors and generated payloads, so a producer's
own JCS tool recomputes the same hashes.

The ledger's appends use :func:`presorted_canonical_bytes` instead: values
whose objects the store built with their keys already in sorted order, and
whose domain it has proven (see ``entries.FlatLayout``), go through pydantic's
JSON writer, four times faster than ``json.dumps`` with ``sort_keys``. It
writes the same bytes (keys in insertion order, the same escapes, UTF-8 as is),
which the same tests check against ``rfc8785``.
"""

from __future__ import annotations

import hashlib
import json

from pydantic_core import PydanticSerializationError, to_json

from armory.problems import InputError

#: Largest integer JCS can write exactly (it writes numbers as IEEE doubles).
MAX_SAFE_INTEGER = 2**53 - 1

_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode


def check_domain(value: object, where: str = "payload") -> None:
    """Raise InputError unless ``value`` is inside the canonical domain (see module docstring)."""
    # A flat walk for the common case; anything odd is walked again by _explain for the message.
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            if not item.isascii():
                break
        elif kind is dict:
            for key in item:
                if type(key) is not str or not key.isascii():
                    break
            else:
                extend(item.values())
                continue
            break
        elif kind is list:
            extend(item)
        elif kind is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                break
        elif item is not None and kind is not bool:
            break
    else:
        return
    _explain(value, where)


def _explain(value: object, where: str) -> None:
    """The slow, recursive walk: raises with the path of what is outside the domain."""
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str):
            _check_text(value, where)
        return
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return
        raise InputError(f"{where}: integer {value} is outside the exact range of JSON numbers (±2**53-1)")
    if isinstance(value, float):
        raise InputError(f"{where}: floats are not allowed in ledger entries (got {value!r}); use an integer or a string")
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _explain(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise InputError(f"{where}: object keys must be ASCII strings (got {key!r})")
            _explain(item, f"{where}.{key}")
        return
    raise InputError(f"{where}: {type(value).__name__} is not allowed in ledger entries (got {value!r})")


def _check_text(text: str, where: str) -> None:
    # A lone surrogate cannot be written as UTF-8; JCS has no form for it.
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"{where}: text holds a lone surrogate, which has no UTF-8 form") from None


def canonical_bytes(value: object) -> bytes:
    """The RFC 8785 bytes of ``value``, which must already be inside the domain."""
    return _dumps(value).encode("utf-8")


def checked_canonical_bytes(value: object, where: str = "entry") -> bytes:
    """``canonical_bytes`` after making sure ``value`` is inside the domain."""
    check_domain(value, where)
    return canonical_bytes(value)


def presorted_canonical_bytes(value: object, where: str = "entry") -> bytes:
    """The RFC 8785 bytes of ``value``, whose every object already has its keys in sorted order.

    ``value`` must be inside the domain but for text, which may hold a lone surrogate: that has no
    UTF-8 form, and is refused here with the path to it.
    """
    try:
        return to_json(value)
    except PydanticSerializationError:
        check_domain(value, where)  # names what is wrong
        raise


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
