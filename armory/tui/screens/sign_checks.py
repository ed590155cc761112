"""The armorer's signature over the day-start checks, asked from the day-start checks (f6, or by itself after
their last answer) and from the board (f6), where "hand over" stays greyed out until it is given."""

from __future__ import annotations

from collections.abc import Callable


def ready_to_sign(session, day: str) -> bool:
    """Every day-start check answered and none failed unresolved, on an open day, not yet signed."""
    state = session.state
    if day not in state.days_opened or day in state.days_closed or (day, "day_start") in state.checks_signed:
        return False
    return not session.unsigned_checks(day, "day_start")


def sign_day_start(app, day: str, *, by_itself: bool = False,
                   cancelled: Callable[[], None] | None = None) -> None:
    """Ask the armorer's PIN over the day-start checks and record the signature; a cancel leaves them
    answered and unsigned (``cancelled`` says so where the armorer is)."""
    from armory.tui.screens.sign import SignModal, Signer

    session = app.session
    answered = [i for i in session.checklist(day=day, phase="day_start") if i.answer_seq and not i.sensed]

    def signed(result) -> None:
        if result is None:
            if cancelled is not None:
                cancelled()
            return
        app.attempt(lambda: session.sign_checks(day, by=result.signed_by[0]),
                    done="The day-start checks are signed.", title="Signed")

    armorers = app.crew_choices(day, {"armorer", "assistant_armorer"}) or app.crew_choices(day)
    app.push_screen(SignModal(
        f"Sign the day-start checks of {day}",
        [f"{len(answered)} answers, each on record; your signature says they were done as answered."],
        [Signer("Armorer signing", armorers, crew_id=app.operator)],
        purpose="sign_checks", authenticate=app.authenticate, confirm_label="Sign the checks",
        by_itself=by_itself), signed)
