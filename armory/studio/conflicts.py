"""Recording a refusal in ``armory.conflicts``: once, then counted.

A laptop that stays behind, or a fork nobody has dealt with yet, is refused
at every sync (the app tries every few minutes), and a witness refuses the
same inconsistent head at every run. The first refusal is the evidence: one
row in ``armory.conflicts``, append-only like the entries. The same refusal
again (same ledger, unit, reason, who found it, entry and hashes) adds no
row; it counts in ``armory.conflict_repeats`` (how many times more, when
last, from which host), a summary beside the evidence as ``armory.heads``
is, which ``studio status`` shows as "seen 14 times, last 10:40".

A store still at schema version 1 has no ``conflict_repeats``: there every
refusal is a row, as before, until ``armory studio init`` migrates it.
"""

from __future__ import annotations

from armory.studio.schema import SCHEMA

_SAME = (f"SELECT id FROM {SCHEMA}.conflicts WHERE ledger_id = %s AND production_title = %s AND unit = %s "
         "AND reason = %s AND found_by = %s AND first_seq = %s AND store_hash = %s AND pushed_hash = %s "
         "ORDER BY id DESC LIMIT 1")


def record(cur, *, ledger_id: str, production_title: str, unit: str, first_seq: int, store_hash: str,
           pushed_hash: str, host: str, found_by: str, reason: str) -> int:
    """Record a refusal; returns how many times this same refusal has now been seen (1: the first)."""
    key = (ledger_id, production_title, unit, reason, found_by, first_seq, store_hash, pushed_hash)
    cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.conflict_repeats",))
    counted = cur.fetchone()[0] is not None
    if counted:
        cur.execute(_SAME, key)
        row = cur.fetchone()
        if row is not None:
            cur.execute(
                f"INSERT INTO {SCHEMA}.conflict_repeats AS r (conflict_id, times, last_at, last_host) "
                "VALUES (%s, 1, now(), %s) ON CONFLICT (conflict_id) DO UPDATE SET times = r.times + 1, "
                "last_at = now(), last_host = excluded.last_host RETURNING times", (row[0], host))
            return cur.fetchone()[0] + 1
    cur.execute(
        f"INSERT INTO {SCHEMA}.conflicts (ledger_id, production_title, unit, first_seq, store_hash, pushed_hash, "
        "host, found_by, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (ledger_id, production_title, unit, first_seq, store_hash, pushed_hash, host, found_by, reason))
    return 1
