"""Put a spare weapon or lot on a setup for the day: chosen from what may stand in, with a signed reason."""

from __future__ import annotations

from armory.problems import InputError
from armory.tui.screens.pick import PickModal
from armory.tui.screens.sign import SignModal, Signer

HANDLERS = {"armorer", "assistant_armorer"}


def put_spare(app, day: str, scene: str, setup: str, weapon: str) -> None:
    """Choose the spare (another weapon of the same kind, or another lot), then the armorer signs why."""
    session = app.session
    weapons, lots = session.spare_candidates(day, scene, setup, weapon)
    issue = session.issue_of(day, scene, setup, weapon)
    choices = [(f"{w}: {model.make} {model.model}, serial …{model.serial[-4:]} instead of {weapon}", ("weapon", w))
               for w in weapons if (model := session.production.weapon_by_id(w)) is not None]
    choices += [(f"lot {lot} instead of {issue.lot}", ("lot", lot)) for lot in lots]
    if not choices:
        app.notify(f"No spare can stand in for {weapon} or lot {issue.lot or '-'}: a spare is of the same kind "
                   "(and caliber), not sealed, not out and not already in this setup.", title="No spare",
                   severity="warning", timeout=8)
        return

    def chosen(choice) -> None:
        if choice is None:
            return
        what, spare = choice
        summary = [f"Scene {scene}, setup {setup}: {spare} goes out instead of "
                   f"{weapon if what == 'weapon' else issue.lot}, for the rest of the day.",
                   "Its checks and rounds start from nothing; what it replaces keeps its record (and its seal)."]

        def signed(result) -> None:
            if result is None:
                return
            try:
                session.put_spare(day=day, scene=scene, setup=setup, weapon=weapon,
                                  spare_weapon=spare if what == "weapon" else None,
                                  spare_lot=spare if what == "lot" else None,
                                  reason=result.reason, by=result.signed_by[0])
            except InputError as err:
                app.report(err)
            else:
                app.notify(f"{spare} is on scene {scene}, setup {setup}.", title="Spare recorded")
            app.after_action()

        app.push_screen(SignModal(
            "Put a spare on the setup", summary,
            [Signer("Armorer", app.crew_choices(day, HANDLERS) or app.crew_choices(day), crew_id=app.operator)],
            purpose="spare", authenticate=app.authenticate, reason_label="Why (what happened to the one it replaces)",
            confirm_label="Sign the spare"), signed)

    app.push_screen(PickModal(f"A spare for {weapon} in scene {scene}, setup {setup}", choices), chosen)
