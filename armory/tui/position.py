"""Where work was: the position file, and the step a start opens on, as the ledger says.

The ledger is the truth: which day is open, which checks are answered. The
position file only says which screen was open (the board, the checks of one
weapon, its rounds), so that a restart after a crash or a power cut opens at
the same step. It is written atomically after the ledger, and ignored when
the ledger says that step no longer makes sense.

This module decides and imports no screen, so the screens may ask it (is the
day's start unfinished? can anybody sign yet?); :mod:`armory.tui.resume`
acts on its answer by opening the screens.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def nobody_can_authorize(session) -> bool:
    """True while no safety officer has a PIN: nobody can sign anything, nor enroll anyone else."""
    return session.credentials is not None and not session.officers_enrolled()


SETUP_PHASES = ("before_setup", "before_handoff")


def write_position(path: Path, position: dict | None) -> None:
    try:
        if position is None:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_name(path.name + ".tmp")
        # Atomic (write then rename), fsync'd only when it holds round answers: otherwise it is a hint
        # written after the durable ledger entry it follows, and a hint lost to a power cut falls back
        # to the ledger.
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(position, handle)
            if position.get("rounds"):
                # Per-round answers in progress are observations not yet in the ledger: make them durable.
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError:
        pass  # the position is a convenience; the ledger already holds every answer


def read_position(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def any_pending(session, day: str, phases, scene=None, setup=None, weapon=None) -> bool:
    return any(item.status == "pending" and not item.sensed
               for phase in phases
               for item in session.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon))


def day_start_unfinished(session, day: str) -> bool:
    """A day-start check still to answer, or a failed day-start hold nobody has overridden yet."""
    return any(not item.sensed and (item.status == "pending" or (item.status == "failed" and item.severity == "hold"))
               for item in session.checklist(day=day, phase="day_start"))


def last_setup_answered(session, day: str):
    """(scene, setup, weapon) of the latest answer or round of ``day`` about a weapon, from the ledger."""
    latest = None
    for entry in session.ledger.entries(scope=session.scope):
        p = entry.payload
        if entry.kind in ("answer", "round_verified") and p.get("day") == day and p.get("weapon") and p.get("scene"):
            latest = (entry.kind, p["scene"], p["setup"], p["weapon"])
    return latest


def first_step(session, position: dict | None) -> str:
    """Where a start opens, before the board: "crew", "home", "rounds" (typed before a crash),
    "day_start" or "board" (and what the board's position or the ledger says was open on it)."""
    if nobody_can_authorize(session) or (position or {}).get("screen") == "crew":
        return "crew"  # nobody can sign until a safety officer has a PIN: a real production starts here
    day = session.state.current_day
    if day is None:
        return "home"
    # Round answers typed before the crash are not in the ledger yet: their screen comes first.
    rounds_waiting = bool(position and position.get("day") == day and position.get("screen") == "checks"
                          and position.get("rounds") and position.get("weapon"))
    if not rounds_waiting and day_start_unfinished(session, day):
        return "day_start"
    if not rounds_waiting and position is not None and position.get("screen") == "home":
        return "home"  # left on the first screen (a clean quit there too): open there
    return "rounds" if rounds_waiting else "board"


def lands_on_home(session, position: dict | None) -> bool:
    """Whether a start with this ledger and position file opens on the first screen and stays there."""
    return first_step(session, position) == "home"
