"""``armory export --store``: one production's units read from the studio store, side by side.

Each unit's chain is verified on its own first (the same code as ``log
verify``), then described with the producer's export code
(:func:`armory.export.records.build_records`: the same words as a unit's own
report, names and local times from the production the chain records), then
laid out on one timeline:

- **html**: a self-contained page: a table naming each unit's ledger, key,
  head, signed checkpoints, witnessed head and whether its chain verifies,
  then every entry in time order with one column per unit;
- **jsonl**: one line per entry of every unit in time order,
  ``{"entry": {...}, "key_fingerprint": ..., "ledger_id": ..., "unit": ...}``,
  where ``entry`` is the unit's entry exactly as its own export writes it
  (its hash checks against its canonical bytes).

A chain that does not verify is still exported, said at the top, and the
command exits 1.
"""

from __future__ import annotations

import html
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from armory.export.records import Names, Record, build_records, production_in_chain
from armory.ledger.verify import VerifyResult, verify_rows
from armory.studio.schema import SCHEMA
from armory.studio.verify_store import stored_rows, units_of


@dataclass
class UnitChain:
    unit: str
    ledger_id: str
    key_fingerprint: str
    result: VerifyResult
    entries: list[dict]
    records: list[Record]
    witnessed: int


def read_units(conn, title: str) -> list[UnitChain]:
    from armory.problems import InputError

    chains = []
    units = units_of(conn, title)
    if not units:
        raise InputError(f"no unit of {title!r} in the studio store")
    for _title, unit, ledger_id, fingerprint, _key in units:
        rows = list(stored_rows(conn, ledger_id))
        result = verify_rows(rows)
        entries = []
        for seq, time, kind, who, scope, hash_hex, body in rows:
            try:
                fields = json.loads(body)
            except ValueError:
                fields = {"seq": seq, "time": time, "kind": kind, "who": who, "scope": scope, "payload": {},
                          "prev": "", "clock_skew_ms": 0}
            entries.append({**fields, "hash": hash_hex})
        names = Names(production_in_chain(entries))
        with conn.cursor() as cur:
            cur.execute(f"SELECT coalesce(max(seq), 0) FROM {SCHEMA}.cosignatures WHERE ledger_id = %s", (ledger_id,))
            witnessed = cur.fetchone()[0]
        conn.commit()
        chains.append(UnitChain(unit, ledger_id, fingerprint, result, entries, build_records(entries, names),
                                witnessed))
    return chains


def export_units(conn, url: str, title: str, fmt: str, out: Path) -> int:
    from armory.export.atomic import atomic_open

    chains = read_units(conn, title)
    with atomic_open(out) as handle:
        if fmt == "jsonl":
            write_jsonl(chains, handle)
        else:
            handle.write(render_html(title, chains))
    bad = [chain for chain in chains if not chain.result.ok]
    entries = sum(len(chain.entries) for chain in chains)
    print(f"wrote {out}: {len(chains)} unit{'s' if len(chains) != 1 else ''} of {title!r}, {entries} entries, "
          "on one timeline")
    for chain in bad:
        seq, kind, what = chain.result.first_bad or (0, "?", "no entries")
        print(f"armory: unit {chain.unit}: its chain does not verify at #{seq} ({kind}): {what}", file=sys.stderr)
    return 1 if bad else 0


def _timeline(chains: list[UnitChain]) -> list[tuple[str, int, dict, Record | None]]:
    merged = [(str(entry.get("time", "")), index, entry, record)
              for index, chain in enumerate(chains)
              for entry, record in zip(chain.entries, chain.records)]
    merged.sort(key=lambda item: (item[0], item[1], item[2].get("seq", 0)))
    return merged


def write_jsonl(chains: list[UnitChain], handle) -> None:
    from armory.ledger.canonical import canonical_bytes

    for _time, index, entry, _record in _timeline(chains):
        chain = chains[index]
        line = {"entry": entry, "key_fingerprint": chain.key_fingerprint, "ledger_id": chain.ledger_id,
                "unit": chain.unit}
        handle.write(canonical_bytes(line).decode() + "\n")


_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#111;background:#fff}
@media (prefers-color-scheme:dark){body{color:#eee;background:#111}td,th{border-color:#444}}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;
vertical-align:top;text-align:left;font-size:.9rem}.sev-serious{color:#b00;font-weight:600}.sev-warning{color:#a60}
.bad{color:#b00;font-weight:700}.ok{color:#070;font-weight:700}.when{white-space:nowrap;font-family:monospace}
"""


def render_html(title: str, chains: list[UnitChain]) -> str:
    esc = html.escape
    rows = []
    for chain in chains:
        result = chain.result
        if result.ok:
            state = '<span class="ok">intact</span>'
        else:
            seq, kind, what = result.first_bad or (0, "?", "no entries")
            state = f'<span class="bad">DOES NOT VERIFY at #{seq} ({esc(kind)}): {esc(what)}</span>'
        witnessed = f"#{chain.witnessed}" if chain.witnessed else "never"
        # what the store holds, not how far the check got: a chain that fails at #6 still holds all its entries
        stored_head = str(chain.entries[-1].get("hash", "")) if chain.entries else ""
        if not result.ok:
            signed = f"not checked past #{(result.first_bad or (0,))[0]}"
        else:
            signed = f"#{result.signed_through}" if result.signed_through else "no checkpoint yet"
        rows.append(f"<tr><td>{esc(chain.unit)}</td><td><code>{esc(chain.ledger_id)}</code></td>"
                    f"<td><code>{esc(chain.key_fingerprint)}</code></td><td>{len(chain.entries)}</td>"
                    f"<td><code>{esc(stored_head[:16])}</code></td><td>{signed}</td>"
                    f"<td>{witnessed}</td><td>{state}</td></tr>")
    head = "".join(f"<th>{esc(chain.unit)}</th>" for chain in chains)
    lines = []
    for time, index, entry, record in _timeline(chains):
        cells = ["<td></td>"] * len(chains)
        what = record.what if record is not None else str(entry.get("kind"))
        # who and what came of it, unless the words already say them ("reported by Ana Reyes", "misfire")
        who = f" ({esc(record.who)})" if record is not None and record.who and record.who not in what else ""
        if record is not None and record.result and record.result not in what:
            who += f": {esc(record.result)}"  # a check's answer and verdict, as the unit's own report says
        severity = record.severity if record is not None else ""
        # "sev-": the verdict's own "ok" and "bad" classes are bold; a passed check must read as plain
        cells[index] = (f'<td id="{esc(chains[index].unit)}-e{entry.get("seq")}" class="sev-{esc(severity or "none")}">'
                        f'#{entry.get("seq")} {esc(what)}{who}</td>')
        local = record.time_local if record is not None else time
        lines.append(f'<tr><td class="when">{esc(local)}</td>{"".join(cells)}</tr>')
    failing = [chain for chain in chains if not chain.result.ok]
    verdict = ('<p class="bad">Some unit chains DO NOT VERIFY: read them as evidence of tampering.</p>' if failing
               else '<p class="ok">Every unit\'s chain verifies on its own (hashes, links, signed checkpoints).</p>')
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"armory-report\" content=\"studio-units\"><title>{esc(title)}: every unit"
            f"</title><style>{_CSS}</style></head><body>\n<h1>{esc(title)}: every unit, one timeline</h1>\n"
            f"{verdict}\n<table><thead><tr><th>unit</th><th>ledger</th><th>signing key</th><th>entries</th>"
            f"<th>head</th><th>signed through</th><th>witnessed head</th><th>chain</th></tr></thead><tbody>"
            f"{''.join(rows)}</tbody></table>\n<h2>Timeline</h2>\n<table><thead><tr><th>local time</th>{head}</tr>"
            f"</thead><tbody>\n" + "\n".join(lines) + "\n</tbody></table>\n<p>Read from the studio store; each "
            "unit's chain is checked again with <code>armory log verify --store URL --production TITLE</code>."
            "</p>\n</body></html>\n")
