"""The one head to note: the line for the call sheet, and what a noted head says about a file.

Closing a day signs a checkpoint, and the armorer notes one line: the key
fingerprint and the head (``armory ledger key 1a2b…, head #57 9f86…``; the
same line from ``armory log head``). An export made while nothing but exports
was recorded since that checkpoint ends on it, so the html, jsonl and csv of
one moment carry that same head.

``armory log verify FILE --head NOTED`` takes that line whole, ``#57 9f86…``,
``57:9f86…`` or the hash alone, and tells apart:

- the head is in this chain (it is the head, or the file goes on after it);
- that head is later than this file (an earlier export, or one cut back to a
  signed checkpoint: it cannot show that head);
- this file ends before that head (it breaks off: cut short);
- that head is not in this chain (rewritten since, or another ledger's).

Without the head's number, a hash that is not in the file cannot say which of
the last three it is, and the message says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from armory.problems import InputError

_KEY = re.compile(r"\bkey\s+([0-9a-fA-F]{16})\b")
_NUMBERED = re.compile(r"(?:#\s*(\d+)\s*[:\s]\s*|\b(\d+):)([0-9a-fA-F]{8,64})\b")
_BARE = re.compile(r"\b([0-9a-fA-F]{8,64})\b")


@dataclass(frozen=True)
class NotedHead:
    """A head as noted on a call sheet."""

    prefix: str
    """The hash, or its first characters (at least 8 hex digits), lower case."""
    seq: int | None = None
    """The head's entry number, when noted."""
    key: str | None = None
    """The key fingerprint noted with it."""

    def __str__(self) -> str:
        return f"#{self.seq} {self.prefix}" if self.seq is not None else self.prefix


def call_sheet_line(key_fingerprint: str, seq: int, head_hash: str) -> str:
    """The one line to note: ``armory ledger key 1a2b3c4d5e6f7a8b, head #57 9f86d081884c7d65``."""
    return f"armory ledger key {key_fingerprint}, head #{seq} {head_hash[:16]}"


def parse_noted(text: str) -> NotedHead:
    """A noted head: the call-sheet line whole, ``#57 HEX``, ``57:HEX`` or ``HEX`` (8 hex digits or more)."""
    rest = text.strip()
    key_match = _KEY.search(rest)
    key = key_match.group(1).lower() if key_match else None
    if key_match:
        rest = rest[:key_match.start()] + " " + rest[key_match.end():]
    numbered = _NUMBERED.search(rest)
    if numbered:
        return NotedHead(numbered.group(3).lower(), int(numbered.group(1) or numbered.group(2)), key)
    bare = _BARE.findall(rest)
    if len(bare) == 1 and rest.strip(" ,.·").lower().removeprefix("head").strip() == bare[0].lower():
        return NotedHead(bare[0].lower(), None, key)
    raise InputError(f"--head {text!r}: give the head as noted on the call sheet (the line 'armory ledger key "
                     "KEY, head #N HEX', or '#N HEX', or at least 8 hex digits of the head hash)")


@dataclass(frozen=True)
class HeadCheck:
    found: bool
    verdict: str
    """``found``, ``later`` (an earlier file), ``cut_short``, ``not_in_chain`` or ``unknown`` (no number given)."""
    message: str


def check_noted(result: Any, noted: NotedHead, *, complete: bool = True, upto: int | None = None) -> HeadCheck:
    """What ``noted`` says about a verified chain (``result``: a VerifyResult).

    ``complete``: the file verified whole and ends on a signed checkpoint, as an export does; False when
    only its entries before the first bad one count (``upto`` of them)."""
    entries = result.entries if upto is None else min(upto, result.entries)
    hashes: Sequence[str] = result.hashes[:entries]
    ends = f"#{entries}" if entries else "no entry"
    if noted.key and result.key_fingerprint and noted.key != result.key_fingerprint:
        return HeadCheck(False, "not_in_chain",
                         f"that head is not in this chain: it was noted under key {noted.key}, and this file is "
                         f"signed by key {result.key_fingerprint}: it is another ledger's, or this chain was "
                         "rewritten under a new key")
    if noted.seq is not None:
        if 1 <= noted.seq <= entries:
            ours = hashes[noted.seq - 1]
            if ours.startswith(noted.prefix):
                return HeadCheck(True, "found", _found(noted, noted.seq, entries, result))
            return HeadCheck(False, "not_in_chain",
                             f"that head is not in this chain: entry #{noted.seq} here hashes to {ours[:16]}…, not "
                             f"{noted.prefix[:16]}…: the chain was rewritten since that head was noted, or the "
                             "head belongs to another ledger")
        if not complete:
            return HeadCheck(False, "cut_short",
                             f"this file ends before that head: its entries link up to {ends} and then break off, "
                             f"but the head noted is #{noted.seq}: the file was cut short (or damaged) after it "
                             "was exported")
        return HeadCheck(False, "later",
                         f"that head is later than this file: the head noted is #{noted.seq}, and this file ends at "
                         f"{ends} on a signed checkpoint. It is an earlier export than the one that head was noted "
                         "from (or one cut back to an earlier signed checkpoint), so it cannot show that head; check "
                         "a later export, or the ledger, against it")
    for index, digest in enumerate(hashes):
        if digest.startswith(noted.prefix):
            return HeadCheck(True, "found", _found(noted, index + 1, entries, result))
    among = "" if complete else f" (among the {entries} entries before the bad one)"
    return HeadCheck(False, "unknown",
                     f"no entry of this chain has a hash starting {noted.prefix}{among}: that head is later than "
                     f"this file (which ends at {ends}), or the chain was rewritten since it was noted, or it is "
                     "another ledger's. Give it with its number as the call sheet has it (--head '#N "
                     f"{noted.prefix[:16]}') to tell which")


def _found(noted: NotedHead, seq: int, entries: int, result: Any) -> str:
    where = "the head" if seq == entries else f"entry #{seq} ({result.kinds[seq - 1]})"
    after = "" if seq == entries else f"; this file goes on to #{entries}, extending it"
    return f"head {noted.prefix[:16]} is {where} of this chain{after}"


def shared_checkpoint(entries: Sequence[dict]) -> int | None:
    """The index of the last checkpoint when nothing but records of exports follows it, else None.

    An export made then ends on that checkpoint instead of signing another: every export of one moment
    (and the call-sheet line of the day's close) carries the same head."""
    for index in range(len(entries) - 1, -1, -1):
        kind = entries[index].get("kind")
        if kind == "checkpoint":
            return index
        if kind != "export_recorded":
            return None
    return None
