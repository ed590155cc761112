"""``armory log verify UNITS.jsonl``: the store's export of a production's units, checked on its own.

``armory export --store --production TITLE --out units.jsonl`` writes every
unit's chain whole, one entry a line, as ``{"entry": ..., "key_fingerprint":
..., "ledger_id": ..., "unit": ...}`` on one timeline. A file that has left
the studio must verify without it, as a unit's own export does: each unit's
entries are taken back out of the timeline and verified as a chain of their
own (every hash, link and signed checkpoint), and the key each line names
must be the one the chain's first entry holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from armory.ledger.verify import VerifyResult, verify_entries
from armory.problems import InputError

_LINE_KEYS = {"entry", "key_fingerprint", "ledger_id", "unit"}


def is_units_file(path: Path) -> bool:
    """Whether ``path`` looks like the store's export of several units (its first line says so)."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(1 << 20)
    except OSError:
        return False
    return first.startswith(b'{"entry":{')


#: The store's html report says what it is in its head, so that ``log verify`` can say what to check instead.
REPORT_MARK = b'<meta name="armory-report" content="studio-units">'


def is_units_report(path: Path) -> bool:
    """Whether ``path`` is the store's html report of several units (which embeds no chain)."""
    try:
        with open(path, "rb") as handle:
            return REPORT_MARK in handle.read(4096)
    except OSError:
        return False


@dataclass
class UnitChecked:
    unit: str
    ledger_id: str
    key_fingerprint: str
    production_title: str
    result: VerifyResult
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.failures


def verify_units_file(path: Path) -> list[UnitChecked]:
    """Each unit's chain in the file, verified on its own, in the order the units first appear."""
    chains: dict[str, list[dict]] = {}
    named: dict[str, tuple[str, str]] = {}
    mixed: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot be read ({err})") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as err:
            raise InputError(f"{path}:{number}: not a JSON line ({err})") from None
        if not isinstance(item, dict) or item.keys() != _LINE_KEYS or not isinstance(item["entry"], dict):
            raise InputError(f"{path}:{number}: not a line of the store's export (entry, key_fingerprint, "
                             "ledger_id, unit)")
        ledger_id = str(item["ledger_id"])
        chains.setdefault(ledger_id, []).append(item["entry"])
        said = (str(item["unit"]), str(item["key_fingerprint"]))
        if named.setdefault(ledger_id, said) != said:
            mixed.setdefault(ledger_id, f"line {number} names unit {said[0]!r} and key {said[1]}, earlier lines "
                                        f"{named[ledger_id][0]!r} and {named[ledger_id][1]}")
    if not chains:
        raise InputError(f"{path}: no entries")
    checked = []
    for ledger_id, entries in chains.items():
        entries.sort(key=lambda entry: entry.get("seq") if isinstance(entry.get("seq"), int) else 0)
        result = verify_entries(entries)
        unit, fingerprint = named[ledger_id]
        first = entries[0].get("payload") if isinstance(entries[0].get("payload"), dict) else {}
        one = UnitChecked(unit, ledger_id, fingerprint, str(first.get("production_title", "?")), result)
        if ledger_id in mixed:
            one.failures.append(mixed[ledger_id])
        if result.ok and (result.key_fingerprint != fingerprint or first.get("ledger_id") != ledger_id):
            one.failures.append(f"the lines name ledger {ledger_id} and key {fingerprint}, but the chain's first "
                                f"entry holds ledger {first.get('ledger_id')} and key {result.key_fingerprint}")
        checked.append(one)
    return checked
