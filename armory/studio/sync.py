"""One sync of a unit's ledger with the store, as ``armory sync`` and the app's background worker run it.

Bring home the witness's cosignatures (appended to the ledger as entries),
then push everything the store lacks (:mod:`armory.studio.push`), and keep
what happened in the unit's state file beside the ledger. A store that cannot
be reached is remembered as "unreachable since"; nothing on the laptop waits
on it or loses anything, and the next sync starts from the store's head.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from armory.problems import InputError
from armory.studio.connect import connect, unavailable
from armory.studio.state import UnitState, failure_words, now_text, read_state, write_state


@dataclass
class SyncOutcome:
    result: object
    """The push's :class:`armory.studio.push.PushResult`."""
    state: UnitState
    brought: list[tuple[str, int, str]] = field(default_factory=list)


def sync_ledger(ledger_path: Path, url: str, *, unit: str | None = None, timeout: int = 5,
                conn=None) -> SyncOutcome:
    """Sync the ledger at ``ledger_path`` with the store at ``url``; StoreUnavailable when it cannot be reached.

    ``conn``: an open connection to reuse (the app keeps one); otherwise one is opened and closed.
    """
    import psycopg

    from armory.ledger.store import Ledger
    from armory.studio.push import pull_cosignatures, push
    from armory.studio.schema import require_schema

    state = read_state(ledger_path) or UnitState()
    if unit:
        state.unit = unit
    ledger = Ledger.open(Path(ledger_path), create=False)
    try:
        try:
            own = conn is None
            if own:
                conn = connect(url, timeout=timeout)
            try:
                with conn.cursor() as cur:
                    require_schema(cur)
                conn.commit()
                brought = pull_cosignatures(ledger, conn)
                result = push(ledger, conn, state.unit)
            finally:
                if own:
                    conn.close()
        except psycopg.Error as err:
            raise unavailable(url, err, "syncing with") from None
    except InputError as err:  # unreachable, or reached and unusable (a password, a role, no schema)
        state.unreachable_since = state.unreachable_since or now_text()
        state.unreachable_why = failure_words(str(err), connection=getattr(err, "connection", False))
        write_state(ledger_path, state)
        raise
    finally:
        ledger.close()
    state.unreachable_since = state.unreachable_why = None
    state.unit = result.unit
    if result.refused is not None:
        state.problem = result.refused.summary
    else:
        state.problem = None
        state.last_sync = now_text()
        state.store_seq = result.head_seq
        _witnessed(ledger_path, state)
    write_state(ledger_path, state)
    return SyncOutcome(result, state, brought)


def _witnessed(ledger_path: Path, state: UnitState) -> None:
    """The last cosigned head the ledger holds, and whether only cosignatures follow it."""
    import json

    from armory.ledger.store import Ledger

    with Ledger.open(Path(ledger_path), readonly=True) as ledger:
        rows = ledger._conn.execute("SELECT body FROM entries WHERE kind = 'cosignature'").fetchall()
        sizes = [json.loads(body)["payload"]["size"] for (body,) in rows]
        state.witnessed_seq = max(sizes, default=0)
        if state.witnessed_seq:
            later = ledger._conn.execute("SELECT count(*) FROM entries WHERE seq > ? AND kind != 'cosignature'",
                                         (state.witnessed_seq,)).fetchone()[0]
            state.witnessed_head = later == 0
        else:
            state.witnessed_head = False
