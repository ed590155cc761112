"""``armory export --store --incident SEQ``: an incident's evidence bundle made from the studio store.

The bundle is the one a unit's own ledger makes (:mod:`armory.export.bundle_write`),
from that unit's entries as the store holds them: the exact canonical bytes the
laptop hashed, read into the same shape as a ledger's entries. The store holds
no unit's key and signs nothing, so, as from a read-only ledger, the chain is
carried up to the unit's last signed checkpoint, which must come after the
incident: the bundle then proves where its chain ends and verifies on its own
(``armory log verify chain.jsonl``), wherever the entries were written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from armory.problems import InputError
from armory.studio.verify_store import stored_rows, units_of


@dataclass(frozen=True)
class StoreChain:
    """Where the entries came from, as the bundle writer names a ledger: ``path`` is only ever shown."""

    path: str
    readonly: bool = True


def unit_of(conn, title: str, unit: str | None) -> tuple:
    """The store's row for ``unit`` of ``title``; without ``unit``, the production's only unit."""
    units = units_of(conn, title)
    if not units:
        raise InputError(f"no unit of {title!r} in the studio store")
    names = ", ".join(row[1] for row in units)
    if unit is None:
        if len(units) > 1:
            raise InputError(f"{title!r} has {len(units)} units in the store ({names}): name the incident's with "
                             "--unit NAME")
        return units[0]
    found = next((row for row in units if row[1] == unit), None)
    if found is None:
        raise InputError(f"no unit {unit!r} of {title!r} in the studio store (it holds {names})")
    return found


def entries_of(conn, ledger_id: str) -> list[dict]:
    """The unit's entries from the store, as ``armory.export.writing.read_entries`` reads a ledger's."""
    from armory.export.chain import row_fields

    return [row_fields(row) for row in stored_rows(conn, ledger_id, name="bundle")]


def write_store_bundle(conn, store_name: str, title: str, unit: str | None, incident_seq: int, out: Path,
                       production_path: Path | None = None):
    """Write the bundle of incident ``incident_seq`` of one unit; returns the writer's ``BundleWritten``."""
    from armory.export.bundle_write import write_bundle
    from armory.export.production_file import recorded_title
    from armory.export.writing import Loaded
    from armory.ledger.opened_for import production_for_ledger

    _title, unit_name, ledger_id, _fingerprint, _key = unit_of(conn, title, unit)
    entries = entries_of(conn, ledger_id)
    where = f"{title} / {unit_name} in {store_name}"
    if not any(entry.get("seq") == incident_seq for entry in entries):
        raise InputError(f"{where}: the store holds no entry #{incident_seq} (its chain ends at #{len(entries)}); "
                         "sync the unit first")
    last = next((i for i in range(len(entries) - 1, -1, -1) if entries[i].get("kind") == "checkpoint"), None)
    if last is None or entries[last].get("seq", 0) < incident_seq:
        after = f"its last is #{entries[last].get('seq')}" if last is not None else "it holds none"
        raise InputError(
            f"{where}: no signed checkpoint after incident #{incident_seq} ({after}), so a bundle from the store "
            "could not prove where its chain ends; the unit signs one when it closes the day or exports, and its "
            "next sync brings it here (or make the bundle from the unit's own ledger). Nothing written")
    chain = entries[: last + 1]
    production = production_for_ledger(production_path, recorded_title(chain))[0]
    loaded = Loaded(StoreChain(where), False, chain, production)
    return unit_name, write_bundle(loaded, incident_seq, out)
