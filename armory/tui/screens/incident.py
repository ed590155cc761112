"""Record an incident in a few keys: what, which weapon, who reports it, what happened."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from armory.problems import InputError

KINDS = [
    ("misfire", "Misfire (STOPS EVERY FIREARM)"),
    ("unintended_discharge", "Unintended discharge (STOPS EVERY FIREARM)"),
    ("live_round", "Live round found (STOPS EVERY FIREARM)"),
    ("injury", "Injury (STOPS EVERY FIREARM; seal evidence)"),
    ("complaint", "Complaint from crew"),
    ("drop", "Weapon dropped"),
    ("other", "Something else"),
]


class IncidentModal(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="incident.cancel", tooltip="Close; nothing is recorded")]

    def __init__(self, weapon: str | None) -> None:
        super().__init__()
        self.weapon = weapon

    def compose(self) -> ComposeResult:
        app = self.app
        # Ids only, so the row stays one line at 80 columns; the line above names the model.
        weapons = [(Content(w.id), w.id) for w in app.session.production.weapon]
        with Vertical(id="dialog"):
            yield Label("Record an incident", id="dialog-title")
            # Nothing chosen at first: a misfire stops every firearm, so it is never a default.
            yield OptionList(*[Option(words, id=kind) for kind, words in KINDS], id="incident-kind")
            yield Static("", id="incident-chosen", markup=False)
            with Horizontal(classes="signer-row"):
                yield Select(weapons, prompt="no weapon named", id="incident-weapon", compact=True,
                             value=self.weapon or Select.NULL)
                yield Select([(Content(text), crew_id) for text, crew_id in app.crew_choices(app.session.state.current_day)],
                             prompt="reported by",
                             id="incident-by", compact=True, value=app.operator or Select.NULL)
            yield Input(placeholder="what happened, in plain words", id="incident-text")
            yield Static("", id="msg-incident", classes="field-error")
            yield Static("↑↓ Enter: what · Tab: weapon, who, words · Enter on Record · Esc: cancel",
                         classes="hint")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Record", id="confirm", variant="warning")

    def on_mount(self) -> None:
        kinds = self.query_one("#incident-kind", OptionList)
        kinds.highlighted = None
        kinds.focus()
        self.show_chosen()

    def chosen_kind(self) -> str | None:
        highlighted = self.query_one("#incident-kind", OptionList).highlighted
        return KINDS[highlighted][0] if highlighted is not None else None

    def show_chosen(self) -> None:
        """What will be recorded, in words (not only by a highlight colour), the weapon included."""
        kind = self.chosen_kind()
        what = dict(KINDS)[kind] if kind else "not chosen yet (↑↓ then Enter above)"
        weapon = self.query_one("#incident-weapon", Select).value
        named = self.app.session.production.weapon_by_id(str(weapon)) if weapon is not Select.NULL else None
        if named is None:
            on = "none named (Tab to the field below to name one)"
        else:
            on = f"{named.id} ({named.model})" + (" from the board's row" if named.id == self.weapon else "")
        self.query_one("#incident-chosen", Static).update(f"What: {what}\nWeapon: {on}")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_chosen()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "incident-weapon":
            self.show_chosen()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.show_chosen()
        self.query_one("#incident-text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(False)
            return
        kind = self.chosen_kind()
        weapon = self.query_one("#incident-weapon", Select).value
        by = self.query_one("#incident-by", Select).value
        text = self.query_one("#incident-text", Input).value
        message = self.query_one("#msg-incident", Static)
        if kind is None:
            message.update("✗ choose what happened (↑↓ then Enter in the list)")
            self.query_one("#incident-kind", OptionList).focus()
            return
        if by is Select.NULL:
            message.update("✗ choose who reports it")
            return
        if not text.strip():
            message.update("✗ say what happened")
            self.query_one("#incident-text", Input).focus()
            return
        session = self.app.session
        named = session.production.weapon_by_id(str(weapon)) if weapon is not Select.NULL else None
        if kind in ("misfire", "unintended_discharge") and named is not None and not named.firing:
            message.update(f"✗ {named.id} does not fire: a {kind.replace('_', ' ')} is of a firearm; choose the "
                           "firearm, or record it as 'Something else'")
            self.query_one("#incident-weapon", Select).focus()
            return
        try:
            session.record_incident(incident=kind, day=session.state.current_day,
                                    weapon=None if weapon is Select.NULL else str(weapon),
                                    description=text, reported_by=str(by))
        except InputError as err:
            message.update(f"✗ {err.message}")
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


def record_incident(app, weapon: str | None) -> None:
    def done(recorded: bool | None) -> None:
        if recorded:
            app.notify("Incident recorded.", title="Recorded")
            app.after_action()

    app.push_screen(IncidentModal(weapon), done)


def review_incident(app) -> None:
    """A safety officer reviews an incident with findings: until then it counts against the next day's start."""
    from armory.tui.screens.pick import PickModal

    waiting = app.session.state.unreviewed_incidents
    if not waiting:
        app.notify("Every incident is reviewed.", title="Nothing to review")
        return
    if len(waiting) == 1:
        _review(app, waiting[0])
        return
    choices = [(f"#{i.seq} {i.incident.replace('_', ' ')}"
                f"{' on ' + i.weapon if i.weapon else ''}: {i.description}", i) for i in waiting]
    app.push_screen(PickModal("Which incident is reviewed?", choices),
                    lambda incident: _review(app, incident) if incident is not None else None)


def _review(app, incident) -> None:
    from armory.tui.screens.sign import SignModal, Signer

    session = app.session
    day = session.state.current_day or incident.day
    summary = [
        f"Incident #{incident.seq} ({incident.incident.replace('_', ' ')})"
        f"{' with ' + incident.weapon if incident.weapon else ''}, reported by {app.crew_name(incident.reported_by)}:",
        f"  {incident.description}",
        "The review says what was found and what changes; misfires left unreviewed were a cause on Rust (F5).",
    ]

    def signed(result) -> None:
        if result is None:
            return
        app.attempt(lambda: session.review_incident(incident.seq, findings=result.reason, signed_by=result.signed_by),
                    done=f"Incident #{incident.seq} reviewed by {app.crew_name(result.signed_by[0])}.",
                    title="Reviewed")

    app.push_screen(SignModal(
        "Review an incident", summary,
        [Signer("Safety officer", app.crew_choices(day, {"safety_officer"}) or app.crew_choices(day))],
        purpose="incident_review", authenticate=app.authenticate,
        reason_label="Findings: what was found, what changes", confirm_label="Sign the review"), signed)
