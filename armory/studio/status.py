"""``armory studio status``: every production and unit in the store, and what is open across the studio.

It never re-reads a chain: each unit's head and last sync come from
``armory.heads`` (kept at each push), its last witnessed head from
``armory.cosignatures``, and stops, incidents and seals from the few entries
of those kinds (a partial index holds them), folded here: a stop is open
until a clearance names it, an incident unreviewed until a review names it, a
sealed item held until it is handed to an investigator. Drill runs (entries
with a scope) are not the production's record and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from armory.studio.schema import NOTABLE_KINDS, SCHEMA


@dataclass
class UnitRow:
    production_title: str
    unit: str
    ledger_id: str
    key_fingerprint: str
    head_seq: int
    head_time: str
    head_kind: str
    last_sync_at: object
    last_sync_host: str
    witnessed_seq: int = 0
    witnessed_at: object = None


@dataclass
class Item:
    """Something open: a stop, an unreviewed incident, a sealed item; ``rank`` orders them, most serious first."""

    rank: int
    production_title: str
    unit: str
    seq: int
    time: str
    text: str


@dataclass
class Conflict:
    at: object
    """When it was first refused (UTC)."""
    production_title: str
    unit: str
    ledger_id: str
    first_seq: int
    reason: str
    found_by: str
    host: str
    times: int = 1
    """How many times the same refusal was seen, the first included."""
    last_at: object = None
    last_host: str = ""

    @property
    def last_seen(self):
        return self.last_at or self.at

    def words(self) -> str:
        """What was refused, in words: the reason names what a person goes to look at."""
        return {
            "fork": f"fork at entry #{self.first_seq}: a laptop's chain differs from the store's",
            "behind": f"behind: a laptop lacks entries from #{self.first_seq} on (restored from an old backup?)",
            "claimed": f"claimed: another ledger ({self.ledger_id}) tried to push as this unit",
            "unverified": f"unverified: entry #{self.first_seq} of a push did not verify",
            "inconsistent": f"inconsistent at entry #{self.first_seq}: the head no longer extends the one the "
                            "witness cosigned",
        }.get(self.reason, f"{self.reason} at entry #{self.first_seq}")


@dataclass
class Status:
    units: list[UnitRow] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    """Newest (last seen) first."""
    items: list[Item] = field(default_factory=list)


def read_status(conn, production_title: str | None = None) -> Status:
    """Every unit of the store, or of one production, with its conflicts and what is open."""
    status = Status()
    with conn.cursor() as cur:
        cur.execute(f"""SELECT u.production_title, u.unit, u.ledger_id, u.key_fingerprint,
                               coalesce(h.head_seq, 0), coalesce(h.head_time, ''), coalesce(h.head_kind, ''),
                               h.last_sync_at, coalesce(h.last_sync_host, '')
                        FROM {SCHEMA}.units u LEFT JOIN {SCHEMA}.heads h USING (ledger_id)
                        WHERE %(title)s::text IS NULL OR u.production_title = %(title)s
                        ORDER BY u.production_title, u.unit""", {"title": production_title})
        units = {row[2]: UnitRow(*row) for row in cur.fetchall()}
        status.units = list(units.values())
        cur.execute(f"SELECT DISTINCT ON (ledger_id) ledger_id, seq, signed_at FROM {SCHEMA}.cosignatures "
                    "ORDER BY ledger_id, seq DESC")
        for ledger_id, seq, signed_at in cur.fetchall():
            if ledger_id in units:
                units[ledger_id].witnessed_seq, units[ledger_id].witnessed_at = seq, signed_at
        status.conflicts = _conflicts(cur, production_title)
        kinds = ", ".join(f"'{kind}'" for kind in NOTABLE_KINDS)
        cur.execute(f"SELECT ledger_id, seq, kind, time, doc->'payload' FROM {SCHEMA}.entries "
                    f"WHERE kind IN ({kinds}) AND scope = '' AND ledger_id = ANY(%s) ORDER BY ledger_id, seq",
                    (list(units),))
        notable = cur.fetchall()
    conn.commit()
    status.items = _open_items(notable, units)
    return status


def _conflicts(cur, production_title: str | None) -> list[Conflict]:
    where = "WHERE %(title)s::text IS NULL OR c.production_title = %(title)s"
    columns = "c.at, c.production_title, c.unit, c.ledger_id, c.first_seq, c.reason, c.found_by, c.host"
    cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.conflict_repeats",))
    if cur.fetchone()[0] is None:  # a store at schema version 1: every refusal is a row of its own
        cur.execute(f"SELECT {columns} FROM {SCHEMA}.conflicts c {where} ORDER BY c.at DESC",
                    {"title": production_title})
        return [Conflict(*row) for row in cur.fetchall()]
    cur.execute(f"""SELECT {columns}, 1 + coalesce(r.times, 0), r.last_at, coalesce(r.last_host, '')
                    FROM {SCHEMA}.conflicts c LEFT JOIN {SCHEMA}.conflict_repeats r ON r.conflict_id = c.id
                    {where} ORDER BY coalesce(r.last_at, c.at) DESC""", {"title": production_title})
    return [Conflict(*row) for row in cur.fetchall()]


def _open_items(rows: list[tuple], units: dict[str, UnitRow]) -> list[Item]:
    stops: dict[tuple[str, int], tuple] = {}
    incidents: dict[tuple[str, int], tuple] = {}
    seals: dict[tuple[str, str], tuple] = {}
    for ledger_id, seq, kind, time, payload in rows:
        payload = payload if isinstance(payload, dict) else {}
        if kind == "stop":
            stops[(ledger_id, seq)] = (seq, time, payload)
        elif kind == "clearance":
            stops.pop((ledger_id, payload.get("stop_seq")), None)
        elif kind == "incident":
            incidents[(ledger_id, seq)] = (seq, time, payload)
        elif kind == "incident_reviewed":
            incidents.pop((ledger_id, payload.get("incident_seq")), None)
        elif kind == "seal":
            seals[(ledger_id, str(payload.get("seal_id")))] = (seq, time, payload)
        elif kind == "custody_transfer":
            key = (ledger_id, str(payload.get("seal_id")))
            if key in seals:
                seq0, time0, sealed = seals[key]
                seals[key] = (seq0, time0, {**sealed, "_custody": payload})
    items = []
    for (ledger_id, _), (seq, time, p) in stops.items():
        unit = units.get(ledger_id)
        if unit is None:
            continue
        wide = p.get("scope") == "production"
        what = "production-wide stop" if wide else f"stop on {', '.join(p.get('weapons') or []) or 'a weapon'}"
        items.append(Item(0 if wide else 1, unit.production_title, unit.unit, seq, time,
                          f"OPEN {what}: {p.get('reason', '')} ({p.get('cause', '')})"))
    for (ledger_id, _), (seq, time, p) in incidents.items():
        unit = units.get(ledger_id)
        if unit is not None:
            items.append(Item(2, unit.production_title, unit.unit, seq, time,
                              f"UNREVIEWED incident ({p.get('incident')}): {p.get('description', '')}"))
    for (ledger_id, _), (seq, time, p) in seals.items():
        unit = units.get(ledger_id)
        if unit is None:
            continue
        custody = p.get("_custody")
        where = (f"handed to {custody.get('investigator')} of {custody.get('agency')}" if custody
                 else "held by the armorer")
        items.append(Item(3 if custody else 2, unit.production_title, unit.unit, seq, time,
                          f"SEALED {p.get('item_kind')} {p.get('item')} (seal {p.get('seal_id')}): {where}"))
    items.sort(key=lambda item: (item.rank, item.time))
    return items


def _ago(moment) -> str:
    if moment is None:
        return "never"
    from datetime import datetime, timezone

    minutes = int((datetime.now(timezone.utc) - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (60 * 24)} days ago"


def render(status: Status, store_name: str, production_title: str | None = None) -> list[str]:
    """The status as lines of text, most serious first."""
    productions = sorted({unit.production_title for unit in status.units})
    units = f"{len(status.units)} unit{'s' if len(status.units) != 1 else ''}"
    lines = [f"studio store {store_name}, {production_title}: {units}" if production_title else
             f"studio store {store_name}: {len(productions)} production{'s' if len(productions) != 1 else ''}, "
             f"{units}"]
    if status.conflicts:
        lines.append(f"CONFLICTS ({len(status.conflicts)}): refused pushes and heads; the store kept what it held")
        for conflict in status.conflicts:
            seen = (f"; seen {conflict.times} times, last at {conflict.last_seen:%Y-%m-%d %H:%M} UTC"
                    f"{f' from {conflict.last_host}' if conflict.last_host else ''}" if conflict.times > 1 else "")
            lines.append(f"  {conflict.production_title} / {conflict.unit}: {conflict.words()}; found by "
                         f"{conflict.found_by} from {conflict.host} at {conflict.at:%Y-%m-%d %H:%M} UTC{seen}")
    if status.items:
        lines.append(f"OPEN ACROSS THE STUDIO ({len(status.items)})")
        for item in status.items:
            lines.append(f"  {item.production_title} / {item.unit} #{item.seq} {item.time[:16]}Z: {item.text}")
    else:
        lines.append("nothing open: no stop, no unreviewed incident, no sealed item")
    lines.append("UNITS")
    for unit in status.units:
        if unit.witnessed_seq:
            at_head = unit.witnessed_seq >= unit.head_seq or (
                unit.head_kind == "cosignature" and unit.witnessed_seq == unit.head_seq - 1)
            witnessed = ("witnessed at head" if at_head else
                         f"witnessed to #{unit.witnessed_seq}")
        else:
            witnessed = "never witnessed"
        last = f"#{unit.head_seq} {unit.head_kind} {unit.head_time[:16]}Z" if unit.head_seq else "no entries"
        lines.append(f"  {unit.production_title} / {unit.unit}: last entry {last}; synced {_ago(unit.last_sync_at)}"
                     f"{f' from {unit.last_sync_host}' if unit.last_sync_host else ''}; {witnessed}; "
                     f"key {unit.key_fingerprint}")
    return lines
