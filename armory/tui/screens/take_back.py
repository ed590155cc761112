"""Take back: rounds fired and rounds returned, reconciled by the engine; a mismatch is a stop."""

from __future__ import annotations

from armory.problems import InputError
from armory.tui.screens.sign import SignModal, Signer


def take_back(app, day: str, weapon: str) -> None:
    session = app.session
    state = session.state.weapons[weapon]
    holder = state.holder
    if holder is None:
        app.notify(f"{weapon} is already in the armory.", title="Nothing to take back")
        return
    crew = app.crew_choices(day)
    armorers = app.crew_choices(day, {"armorer", "assistant_armorer"}) or crew
    # Blind: how many went out is not shown before the count, or "returned" would be a subtraction.
    summary = [
        f"{app.crew_name(holder)} returns {weapon}"
        + (f"; {state.rounds_fired} round(s) already recorded fired." if state.rounds_fired else "."),
        "Count the rounds that come back, one by one. Out = back + fired, or it is a stop (F1, F8);",
        "the count that went out is shown once you have signed.",
    ]

    def signed(result) -> None:
        if result is None:
            return
        fired, returned = result.fields["fired"], result.fields["returned"]
        try:
            entry = session.take_back(day=day, weapon=weapon, giver=holder, receiver=result.signed_by[0],
                                      rounds_fired=int(fired), rounds_returned=int(returned),
                                      signed_by=result.signed_by)
        except InputError as err:
            app.report(err)
            app.after_action()
            return
        p = entry.payload
        counts = f"{p.get('rounds_out')} out, {p.get('rounds_returned')} back, {p.get('rounds_fired')} fired"
        if p.get("reconciled"):
            app.notify(f"{weapon} is back ({counts}); every round is accounted for.", title="Taken back")
        else:
            app.notify(f"{weapon} is back ({counts}): NOT reconciled; see the stop.", title="Taken back",
                       severity="error", timeout=10)
        if on_return_owed(session, day, p.get("scene"), p.get("setup"), weapon):
            # Straight on to the checks of the weapon as it came back (a stop it raised still shows first).
            from armory.tui.screens.checks import ChecksScreen

            app.push_screen(ChecksScreen(day, ("on_return",), p["scene"], p["setup"], weapon))
        app.after_action()

    app.push_screen(SignModal(
        f"Take back {weapon}", summary,
        [Signer("Armorer taking it back", armorers, crew_id=app.operator),
         Signer("Returned by", [c for c in crew if c[1] == holder], crew_id=holder)],
        purpose="return", authenticate=app.authenticate, confirm_label="Sign the return",
        extra_fields=[("fired", "Rounds fired"), ("returned", "Rounds returned")],
        validate=whole_numbers), signed)


def on_return_owed(session, day: str, scene: str | None, setup: str | None, weapon: str) -> bool:
    """The weapon's on-return checks in the setup it came back from, some still to answer by a person (those
    the ledger senses, the rounds reconciled, have answered themselves)."""
    if not scene or day in session.state.days_closed:
        return False
    return any(not item.sensed and item.status == "pending"
               for item in session.checklist(day=day, phase="on_return", scene=scene, setup=setup, weapon=weapon))


def whole_numbers(fields: dict[str, str]) -> dict[str, str]:
    """Each count is a whole number of rounds, 0 or more, as typed (never trimmed into one)."""
    return {name: f"a whole number of rounds, like 0 or 6 (not {value!r})"
            for name, value in fields.items() if not (value.isascii() and value.isdigit())}
