"""What a unit knows of its last sync, beside its ledger: ``<ledger>.studio.json``.

The unit's name in the store, when it last synced, how far the store holds
its chain, its last witnessed head, and since when the store has been
unreachable. The app's first screen reads it to say "synced 12 min ago,
witnessed"; nothing in it is evidence (the ledger is) and nothing in it is
secret: the store's URL and password are never written here.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

DEFAULT_UNIT = "main"


@dataclass
class UnitState:
    unit: str = DEFAULT_UNIT
    """The unit's name in the store (main, second, splinter, ...)."""
    last_sync: str | None = None
    """UTC time of the last sync the store acknowledged."""
    store_seq: int = 0
    """The store's head for this ledger after that sync."""
    witnessed_seq: int = 0
    """The last head a studio witness cosigned (brought home)."""
    witnessed_head: bool = False
    """Whether that cosigned head is the chain's head at the last sync (only cosignatures after it)."""
    unreachable_since: str | None = None
    """UTC time of the first failed sync since the last one that worked (None: reachable)."""
    unreachable_why: str | None = None
    """Why the last sync failed, when someone can fix it ("refuses this laptop's password"); None: not reached."""
    problem: str | None = None
    """The last sync's refusal (a fork, another ledger claiming the unit), in a few words."""


def state_path(ledger_path: Path) -> Path:
    return Path(ledger_path).with_name(Path(ledger_path).name + ".studio.json")


def read_state(ledger_path: Path) -> UnitState | None:
    """The unit's sync state, or None when it never synced (or the file is unreadable)."""
    try:
        data = json.loads(state_path(ledger_path).read_text())
        known = {f.name for f in fields(UnitState)}
        return UnitState(**{key: value for key, value in data.items() if key in known})
    except (OSError, ValueError, TypeError):
        return None


def write_state(ledger_path: Path, state: UnitState) -> None:
    """Write the unit's sync state whole or not at all."""
    write_json_atomically(state_path(ledger_path), asdict(state))


def write_json_atomically(path: Path, data: dict) -> None:
    """Write ``data`` as JSON whole or not at all, durable before it returns (a temporary file, fsynced and
    renamed over ``path``). OSError when the folder cannot take the temporary file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def failure_words(message: str, *, connection: bool = True) -> str | None:
    """A failed sync's reason in the first screen's words, when it is not simply an unreachable server.

    ``connection`` False: the store was reached and the sync failed there (a full disk, a damaged ledger):
    the screen says so with the reason's first words, never "unreachable"."""
    if "password" in message:
        return "refuses this laptop's password (see ~/.pgpass)"
    if "permission denied" in message:
        return "refuses this login (it lacks the armory_writer role)"
    if "no armory schema" in message:
        return "has no armory schema yet (studio init)"
    if not connection:
        reason = message.rsplit(" failed: ", 1)[-1].strip().splitlines()[0] if message.strip() else "no reason given"
        return f"sync failed ({reason[:60].rstrip()}{'...' if len(reason) > 60 else ''}; armory sync says more)"
    return None


def now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sync_words(state: UnitState | None, now: datetime | None = None, tz=None) -> str:
    """The first screen's words: "synced 12 min ago, witnessed", "never synced", "store unreachable since 09:40"."""
    now = now or datetime.now(timezone.utc)
    if state is not None and state.problem:  # before "never synced": a restored copy's first sync is refused
        return f"sync REFUSED, {state.problem} (armory sync says more)"
    if state is None or (state.last_sync is None and state.unreachable_since is None):
        return "never synced to the studio store"
    if state.unreachable_since:
        since = _parse(state.unreachable_since).astimezone(tz) if tz else _parse(state.unreachable_since)
        return f"store {state.unreachable_why or 'unreachable'} since {since:%H:%M}: working offline"
    ago = now - _parse(state.last_sync)
    minutes = max(0, int(ago.total_seconds() // 60))
    when = ("just now" if minutes < 1 else f"{minutes} min ago" if minutes < 120
            else f"{minutes // 60} h ago" if minutes < 48 * 60 else f"{minutes // (60 * 24)} days ago")
    witnessed = ("witnessed" if state.witnessed_head
                 else f"witnessed to #{state.witnessed_seq}" if state.witnessed_seq else "not yet witnessed")
    return f"synced {when}, {witnessed}"


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
