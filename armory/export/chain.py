"""A ledger's entries for export, read once and parsed only where something looks at them.

A season's ledger holds a hundred thousand entries; parsing every body into a
dict costs twice what writing them all as JSON does, and the jsonl export
needs none of them: each of its lines is the entry's stored canonical bytes
with its ``hash`` sorted in. :class:`Chain` keeps the stored rows, hands out
an entry's dict (the export line's fields) the first time it is asked for,
and knows each entry's kind without parsing it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from armory.fastjson import loads

_PREFIX = b'{"clock_skew_ms":'


def row_fields(row: tuple) -> dict:
    """The export line's dict of one stored row ``(seq, time, kind, who, scope, hash, body)``.

    An entry whose stored bytes are not JSON any more (a damaged or edited file) is kept as what its
    index columns say, with an empty payload, so the export still shows everything around it and
    verification names it.
    """
    seq, time, kind, who, scope, hash_hex, body = row
    try:
        fields = loads(body)
        if not isinstance(fields, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError, TypeError):
        fields = {"seq": seq, "time": time, "kind": kind, "who": who, "scope": scope,
                  "payload": {"unreadable": "the stored bytes of this entry are not JSON"},
                  "prev": "", "clock_skew_ms": 0}
    return {**fields, "hash": hash_hex}


def line_from_body(body: bytes, hash_hex: str) -> bytes | None:
    """The export line of an entry from its stored canonical bytes: ``hash`` sorted in after ``clock_skew_ms``
    (JCS sorts the keys, and no other key falls between them). None when the bytes do not start as armory
    writes them."""
    if type(body) is not bytes or not body.startswith(_PREFIX):
        return None
    comma = body.find(b",", len(_PREFIX))
    if comma < 0 or not body[len(_PREFIX):comma].lstrip(b"-").isdigit() or not body.startswith(b'"kind":', comma + 1):
        return None
    return b"".join((body[: comma + 1], b'"hash":"', hash_hex.encode("ascii"), b'",', body[comma + 1:]))


class Chain(Sequence[dict]):
    """Entries as export lines' dicts, parsed on first use, with the stored rows they came from."""

    def __init__(self, rows: Sequence[tuple], extra: Sequence[dict] = (), extra_bodies: Sequence[bytes | None] = ()):
        self.rows = list(rows)
        """The stored rows ``(seq, time, kind, who, scope, hash, body)``, in order."""
        self._parsed: list[dict | None] = [None] * len(self.rows)
        self._extra = list(extra)
        self._extra_bodies = list(extra_bodies) or [None] * len(self._extra)

    def __len__(self) -> int:
        return len(self.rows) + len(self._extra)

    @overload
    def __getitem__(self, index: int) -> dict: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict]: ...

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if start == 0 and step == 1 and stop <= len(self.rows):
                # A prefix of the stored rows (the chain to a signed head) stays a Chain: still read lazily.
                prefix = Chain(())
                prefix.rows, prefix._parsed = self.rows[:stop], self._parsed[:stop]
                return prefix
            return [self[i] for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        stored = len(self.rows)
        if index >= stored:
            return self._extra[index - stored]
        entry = self._parsed[index]
        if entry is None:
            entry = self._parsed[index] = row_fields(self.rows[index])
        return entry

    def __iter__(self) -> Iterator[dict]:
        for index in range(len(self)):
            yield self[index]

    def __add__(self, more: Sequence[dict]) -> Chain:
        """This chain with ``more`` after it (the checkpoint an export signs)."""
        chain = Chain((), [*self._extra, *more], [*self._extra_bodies, *([None] * len(more))])
        chain.rows, chain._parsed = self.rows, self._parsed
        return chain

    def kind(self, index: int) -> str:
        """An entry's kind, without parsing it (from the index column of a stored row)."""
        if index < len(self.rows):
            return str(self.rows[index][2])
        return str(self._extra[index - len(self.rows)].get("kind"))

    def line(self, index: int, *, verified: bool) -> str:
        """The jsonl export line of an entry (without its newline).

        Of a chain that verified from its stored rows (``verified``), a stored entry's line is its bytes with
        the hash put in: the same bytes as its dict written canonically, since armory stores canonical bytes
        and the hash covers them. Otherwise the line is written from the dict, as the entry reads.
        """
        if verified and index < len(self.rows):
            row = self.rows[index]
            line = line_from_body(row[6], str(row[5]))
            if line is not None:
                return line.decode("utf-8")
        from armory.export.jsonl import entry_line

        return entry_line(self[index])


def of_kinds(entries: Sequence[dict], kinds: frozenset[str]) -> list[dict]:
    """The entries of these kinds, in order; a :class:`Chain` parses only those."""
    if isinstance(entries, Chain):
        return [entries[i] for i in range(len(entries)) if entries.kind(i) in kinds]
    return [e for e in entries if e.get("kind") in kinds]
