"""Rule packs whose text changed under a version the ledger already recorded.

Each day opened records every pack in force with its id, version and hash. A
pack edited without a version bump looks the same in a list of ids and
versions; these read the hashes, so ``log show`` and ``rules lint --ledger``
can say which pack changed under which version, and since which entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from armory.problems import Problem

_RECORDING = ("day_opened", "packs_changed")


@dataclass(frozen=True)
class Recorded:
    """The first record of a pack version: its hash, the entry, the day."""

    hash: str
    seq: int
    day: str


def first_records(entries: Iterable) -> dict[tuple[str, str], Recorded]:
    """(pack id, version) -> how it was first recorded, over every scope of the ledger."""
    seen: dict[tuple[str, str], Recorded] = {}
    for entry in entries:
        if entry.kind not in _RECORDING:
            continue
        for pack in entry.payload.get("packs") or []:
            key = (str(pack.get("id")), str(pack.get("version")))
            seen.setdefault(key, Recorded(str(pack.get("hash")), entry.seq, str(entry.payload.get("day"))))
    return seen


def changed_in(entry, seen: dict[tuple[str, str], Recorded]) -> list[str]:
    """For a day opened or a pack change: each pack whose text differs from the one first recorded under the
    same version, as words; ``seen`` is updated with what this entry records."""
    if entry.kind not in _RECORDING:
        return []
    out = []
    for pack in entry.payload.get("packs") or []:
        key = (str(pack.get("id")), str(pack.get("version")))
        first = seen.get(key)
        if first is None:
            seen[key] = Recorded(str(pack.get("hash")), entry.seq, str(entry.payload.get("day")))
        elif first.hash != pack.get("hash") and first.seq != entry.seq:
            out.append(f"pack {key[0]} {key[1]} changed without a new version (its text differs from the one "
                       f"recorded at #{first.seq} on {first.day})")
    return out


def ledger_problems(ledger_path: Path, packs: Sequence[tuple[str, str, str, str]]) -> list[Problem]:
    """``packs``: (file shown, pack id, version, sha256) of the packs linted. A problem for each whose version
    the ledger recorded with other text."""
    from armory.ledger.store import Ledger

    ledger = Ledger.open(Path(ledger_path), create=False, readonly=True)
    try:
        seen = first_records(ledger.entries(scope=None))
    finally:
        ledger.close()
    out = []
    for shown, pack_id, version, digest in packs:
        first = seen.get((pack_id, version))
        if first is not None and first.hash != digest:
            out.append(Problem(shown, None, "pack.version",
                               f"pack {pack_id} version {version} is not the text {ledger_path} recorded under that "
                               f"version (entry #{first.seq}, {first.day}): change `version` when a rule changes, "
                               "so the record tells the two apart"))
    return out
