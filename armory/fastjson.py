"""Reading a ledger's stored entries quickly, exactly as ``json.loads`` reads them.

A season's ledger holds a hundred thousand entries; exporting, verifying or
replaying it parses every one. orjson parses them three to four times faster
than the standard library, and :func:`paused_gc` keeps Python's cycle
collector from walking every dict already built each time a few thousand more
are made (on a season that doubled the time of a plain ``json.loads`` loop).

orjson reads a few things differently from ``json.loads``: an integer too large
for 64 bits becomes a float, and NaN, infinities, a byte order mark or a lone
surrogate are refused where ``json.loads`` accepts them. armory never writes
any of those (its canonical bytes bound integers to 2**53 and have no NaN),
but a damaged or edited file may hold them, and what the export shows and the
verifier says must not depend on which parser ran. So any text with a run of
twenty digits or more, or that orjson refuses, is read by ``json.loads``:
the result is always ``json.loads``'s.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:
    import orjson
except ImportError:  # an install without it still works, at the standard library's speed
    orjson = None  # type: ignore[assignment]

#: Every byte as ``0`` if it is a digit, else ``x``: a run of twenty ``0`` then marks a number orjson may read
#: as a float (it keeps integers exactly up to 2**64, twenty digits), found at C speed (a regular expression
#: took six times as long on a season).
_DIGITS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x78 for byte in range(256))
_LONG_RUN = b"0" * 20


def loads(data: bytes | str) -> Any:
    """``json.loads(data)``, faster where it can be."""
    if orjson is not None:
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        if type(raw) is bytes and _LONG_RUN not in raw.translate(_DIGITS):
            try:
                return orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass  # json.loads decides, and names the problem its own way
    return json.loads(data)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cycle collection while a whole ledger is read into plain containers (reference counting still
    frees what is dropped); the collector runs as before afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
