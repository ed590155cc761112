"""Close the day: the end-of-day checks, the armorer's signature, then the head for the call sheet.

Closing writes a signed checkpoint over the whole day. The key fingerprint and
head hash it prints are short enough to put on the call sheet or send to the
producer, who can later check any export against them
(``armory log verify --head HEX``).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from armory.problems import InputError

HANDLERS = {"armorer", "assistant_armorer"}


def pending_end_of_day(session, day: str) -> list:
    return [item for item in session.checklist(day=day, phase="end_of_day")
            if item.status == "pending" and not item.sensed]


def close_day(app, day: str) -> None:
    """Ask the end-of-day checks first; once answered, the armorer signs and the day closes."""
    from armory.tui.screens.checks import ChecksScreen
    from armory.tui.screens.sign import SignModal, Signer

    session = app.session
    if pending_end_of_day(session, day):
        app.notify("Answer the end-of-day checks; then press e on the board again to sign and close the day.",
                   title="Before closing", timeout=8)
        app.push_screen(ChecksScreen(day, ("end_of_day",)))
        return
    state = session.state
    out = [f"{weapon} is with {app.crew_name(w.holder)}" for weapon, w in state.weapons.items() if w.holder]
    if out:
        # The engine refuses it too (invariant.day-close): say so before anyone types a PIN.
        app.notify(f"Take every weapon back first (t on the board): {'; '.join(out)}. A day never closes with a "
                   "weapon out.", title="Not closed", severity="warning", timeout=10)
        return
    summary = [f"End of {day}. Closing signs a checkpoint over every entry of the day."]
    if state.open_stops:
        summary.append(f"✗ {len(state.open_stops)} stop(s) still open: they stay open after the day closes.")
    armorers = app.crew_choices(day, HANDLERS)

    def signed(result) -> None:
        if result is None:
            return
        try:
            session.close_day(day, by=result.signed_by[0])
        except InputError as err:
            app.report(err)
            app.after_action()
            return
        from armory.ledger.store import short_head

        app.after_action()
        app.push_screen(DayClosedModal(day, short_head(session.ledger)))

    app.push_screen(SignModal(
        f"Close {day}", summary,
        [Signer("Armorer closing the day", armorers or app.crew_choices(day), crew_id=app.operator)],
        purpose="close_day", authenticate=app.authenticate, confirm_label="Sign and close the day"), signed)


class DayClosedModal(ModalScreen[None]):
    """The day is closed: the short head, to copy onto the call sheet."""

    BINDINGS = [Binding("escape", "dismiss_modal", "Done", id="closed.done", tooltip="Back to the board")]

    def __init__(self, day: str, head_text: str) -> None:
        super().__init__()
        self.day = day
        self.head_text = head_text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"{self.day} is closed", id="dialog-title")
            yield Static(
                "A signed checkpoint now covers the whole day. Write this on the call sheet or send it "
                "to the producer; it is the one head to note:", markup=False)
            yield Static(self.head_text, id="closed-head", markup=False)
            yield Static("Exports made now carry this same head. Any export can be checked against it later: "
                         f"armory log verify FILE --head \"{self.head_text}\"", markup=False)
            yield Button("Done", id="closed-done")

    def on_mount(self) -> None:
        self.query_one("#closed-done", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()

    def action_dismiss_modal(self) -> None:
        self.dismiss()
