"""Clear a stop: a safety officer signs a clearance with a reason (the engine decides who may)."""

from __future__ import annotations

from collections.abc import Callable

from armory.tui.screens.pick import PickModal
from armory.tui.screens.sign import SignModal, Signer


def choose_and_clear(app) -> None:
    stops = app.session.state.open_stops
    if not stops:
        app.notify("There is no open stop.", title="Nothing to clear")
        return
    if len(stops) == 1:
        clear_stop(app, stops[0].seq)
        return
    choices = [(f"■ #{s.seq} {'every firearm' if s.scope == 'production' else ', '.join(s.weapons)}: {s.reason}",
                s.seq) for s in stops]
    app.push_screen(PickModal("Which stop is cleared?", choices),
                    lambda seq: clear_stop(app, seq) if seq is not None else None)


def clear_stop(app, stop_seq: int, on_done: Callable[[bool], None] | None = None) -> None:
    stop = next((s for s in app.session.state.open_stops if s.seq == stop_seq), None)
    if stop is None:
        return
    from armory.tui.screens.seal import seal_evidence, unsealed_evidence

    unsealed = unsealed_evidence(app.session, stop_seq)
    if unsealed:
        # The engine refuses the clearance until these are sealed: say so before anyone types a PIN.
        app.notify(f"Seal {', '.join(unsealed)} as evidence first; the clearance follows.", title="Seal first",
                   timeout=8)
        seal_evidence(app, stop_seq, on_done=lambda sealed: clear_stop(app, stop_seq, on_done) if sealed
                      else (on_done(False) if on_done else None))
        return
    day = app.session.state.current_day
    officers = app.crew_choices(day, {"safety_officer"}) or app.crew_choices(day)
    summary = [
        f"Stop #{stop.seq} ({stop.scope}): {stop.reason}",
        f"Cause: {stop.cause}; caused by {app.crew_name(stop.caused_by)}",
        "The officer clearing it must not have caused it and must not be the 1st AD.",
    ]

    def signed(result) -> None:
        if result is None:
            if on_done:
                on_done(False)
            return
        app.attempt(lambda: app.session.clear_stop(stop_seq, reason=result.reason, officer=result.signed_by[0]),
                    done=f"Stop #{stop_seq} cleared by {app.crew_name(result.signed_by[0])}.", title="Cleared",
                    on_done=on_done)

    app.push_screen(
        SignModal(
            "Clear a stop",
            summary,
            [Signer("Safety officer", officers)],
            purpose="clear_stop",
            authenticate=app.authenticate,
            reason_label="Why it is safe to go on (what was found and done)",
            confirm_label="Sign clearance",
        ),
        signed,
    )
