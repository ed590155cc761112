"""Where we were: rebuild the screen stack on start from the ledger (and a tiny position file).

:mod:`armory.tui.position` decides which step a start opens on; this module
opens the screens that step needs, the board beneath the checks or rounds of
the weapon that was being worked on.
"""

from __future__ import annotations

from armory.tui.position import SETUP_PHASES, any_pending, first_step, last_setup_answered, read_position


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
        last = last_setup_answered(session, day)
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
    elif any_pending(session, day, SETUP_PHASES, scene, setup, weapon) or position.get("screen") == "checks":
        checks = ChecksScreen(day, SETUP_PHASES, scene, setup, weapon)
        rounds = position.get("rounds")
        if position.get("item") and isinstance(rounds, list) and all(isinstance(r, str) for r in rounds):
            checks.restored_rounds = {position["item"]: rounds}
        app.push_screen(checks)
