"""Where we were: rebuild the screen stack on start from the ledger (and a tiny position file).

The ledger is the truth: which day is open, which checks are answered. The
position file only says which screen was open (the board, the checks of one
weapon, its rounds), so that a restart after a crash or a power cut opens at
the same step. It is written atomically after the ledger, and ignored when
the ledger says that step no longer makes sense.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

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


def _pending(session, day: str, phases, scene=None, setup=None, weapon=None) -> bool:
    return any(item.status == "pending" and not item.sensed
               for phase in phases
               for item in session.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon))


def day_start_unfinished(session, day: str) -> bool:
    """A day-start check still to answer, or a failed day-start hold nobody has overridden yet."""
    return any(not item.sensed and (item.status == "pending" or (item.status == "failed" and item.severity == "hold"))
               for item in session.checklist(day=day, phase="day_start"))


def _last_setup_answered(session, day: str):
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
    from armory.tui.screens.crew import nobody_can_authorize

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


def resume(app) -> None:
    from armory.tui.screens.board import BoardScreen
    from armory.tui.screens.checks import ChecksScreen
    from armory.tui.screens.home import HomeScreen
    from armory.tui.screens.rounds import RoundsScreen

    session = app.session
    home = app.screen if isinstance(app.screen, HomeScreen) else None
    if home is None:
        app.push_screen(HomeScreen())
    else:
        home.refresh_state()  # painted from last time: drawn again from the ledger now
    position = read_position(app.position_path)
    step = first_step(session, position)
    day = session.state.current_day
    if day is not None:
        # Whoever opened the day answers its checks, wherever the start lands (the Crew screen too).
        opened = session.ledger.get(session.state.days_opened[day])
        app.operator = opened.who if opened is not None else None
    if step == "crew":
        from armory.tui.screens.crew import CrewScreen

        app.push_screen(CrewScreen())
        return
    if day is None:
        return
    if step == "day_start":
        app.push_screen(ChecksScreen(day, ("day_start",)))
        return
    if step == "home":
        return
    app.push_screen(BoardScreen(day))
    position = position or {}
    target = None
    if position.get("day") == day and position.get("screen") in ("checks", "rounds") and position.get("weapon"):
        target = (position["screen"], position["scene"], position["setup"], position["weapon"])
    elif position.get("day") == day and position.get("screen") == "checks" and position.get("phases"):
        # The day's own checks (end of day): no weapon, back to the same list.
        phases = tuple(p for p in position["phases"] if isinstance(p, str))
        if phases:
            app.push_screen(ChecksScreen(day, phases))
        return
    elif position.get("screen") == "board":
        return
    else:
        # No position at all (lost, or never written): the ledger's latest answer says where work was.
        last = _last_setup_answered(session, day)
        if last is not None:
            kind, scene, setup, weapon = last
            target = ("rounds" if kind == "round_verified" else "checks", scene, setup, weapon)
    if target is None:
        return
    screen, scene, setup, weapon = target
    try:
        issue = session.issue_of(day, scene, setup, weapon)
    except Exception:  # the production changed under us: the board is the safe place to start
        return
    if screen == "rounds":
        from armory.checklist.round_checks import rounds_verified

        verified = rounds_verified(session, day, scene, setup, weapon)
        if len(verified) < issue.rounds or position.get("screen") == "rounds":
            app.push_screen(RoundsScreen(day, scene, setup, weapon))
    elif _pending(session, day, SETUP_PHASES, scene, setup, weapon) or position.get("screen") == "checks":
        checks = ChecksScreen(day, SETUP_PHASES, scene, setup, weapon)
        rounds = position.get("rounds")
        if position.get("item") and isinstance(rounds, list) and all(isinstance(r, str) for r in rounds):
            checks.restored_rounds = {position["item"]: rounds}
        app.push_screen(checks)
