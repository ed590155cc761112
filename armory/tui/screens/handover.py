"""Hand over: giver, receiver, weapon, stated load, rounds and witnesses; both sign with their PIN.

"Hand over" stays greyed out (``check_action`` returning None) until the
engine's ``may_hand_over`` allows it, and the reasons it does not are shown.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from armory.problems import InputError
from armory.tui.screens.sign import SignModal, Signer


class HandoverScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="handover.cancel", tooltip="Close; the weapon stays where it is"),
        Binding("f5", "hand_over", "Hand over…", id="handover.hand_over",
                tooltip="Both people sign with their PIN; greyed out until every check allows it"),
    ]

    def __init__(self, day: str, scene: str, setup: str, weapon: str) -> None:
        super().__init__()
        self.day, self.scene, self.setup, self.weapon = day, scene, setup, weapon
        self.decision = None

    @property
    def session(self):
        return self.app.session

    def compose(self) -> ComposeResult:
        app = self.app
        issue = self.session.issue_of(self.day, self.scene, self.setup, self.weapon)
        crew = app.crew_choices(self.day)
        giver = app.operator or next(iter(c for _, c in app.crew_choices(self.day, {"armorer"})), None)
        with Vertical(id="dialog"):
            yield Label(f"Hand over {self.weapon}", id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                yield Static(id="handover-summary", markup=False)
                yield Label("Who gives it / who receives it")
                with Horizontal(classes="signer-row"):
                    plain = [(Content(text), crew_id) for text, crew_id in crew]  # names are not markup
                    yield Select(plain, prompt="giver", value=giver or Select.NULL, id="giver", compact=True)
                    yield Select(plain, prompt="receiver", value=issue.actor or Select.NULL, id="receiver",
                                 compact=True)
                # Why it is refused comes before the long witness list, so it is seen at 80x24.
                yield Static(id="handover-reasons", markup=False)
                yield Label("Witnesses (space ticks ✓ a name; neither the giver nor the receiver)")
                yield SelectionList[str](id="witnesses")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Hand over…", id="confirm", variant="warning")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#giver", Select).focus()
        self.refresh_witnesses()
        self.refresh_decision()

    def refresh_witnesses(self) -> None:
        """Everyone but the giver and the receiver, each marked ✓ (ticked) or ○ (not): never colour alone.

        A witness watches the handoff; the two people signing it cannot also witness it."""
        listing = self.query_one("#witnesses", SelectionList)
        giver, receiver = self.people()
        chosen = set(listing.selected) - {giver, receiver}
        crew = [(text, crew_id) for text, crew_id in self.app.crew_choices(self.day)
                if crew_id not in (giver, receiver)]
        shown = [listing.get_option_at_index(i).value for i in range(listing.option_count)]
        if shown != [crew_id for _, crew_id in crew]:
            highlighted = listing.highlighted
            listing.clear_options()
            listing.add_options([Selection(witness_prompt(text, crew_id in chosen), crew_id, crew_id in chosen)
                                 for text, crew_id in crew])
            if highlighted is not None and listing.option_count:
                listing.highlighted = min(highlighted, listing.option_count - 1)
        else:
            for index, (text, crew_id) in enumerate(crew):
                listing.replace_option_prompt_at_index(index, witness_prompt(text, crew_id in chosen))

    def people(self) -> tuple[str | None, str | None]:
        giver = self.query_one("#giver", Select).value
        receiver = self.query_one("#receiver", Select).value
        return (None if giver is Select.NULL else str(giver), None if receiver is Select.NULL else str(receiver))

    def refresh_decision(self) -> None:
        app = self.app
        issue = self.session.issue_of(self.day, self.scene, self.setup, self.weapon)
        model = self.session.production.weapon_by_id(self.weapon)
        witnesses = self.query_one("#witnesses", SelectionList).selected
        self.query_one("#handover-summary", Static).update(
            f"Weapon: {self.weapon}, {model.make} {model.model}, serial …{model.serial[-4:]}\n"
            f"Scene {self.scene}, setup {self.setup}. Stated load: {issue.load}, {issue.rounds} round(s)"
            f"{' from lot ' + issue.lot if issue.lot else ''}.\n"
            f"Witnesses: {', '.join(app.crew_name(w) for w in witnesses) or 'none yet'}")
        giver, receiver = self.people()
        reasons = self.query_one("#handover-reasons", Static)
        if giver is None or receiver is None:
            self.decision = None
            reasons.update("✗ choose who gives and who receives")
        else:
            self.decision = self.session.may_hand_over(day=self.day, scene=self.scene, setup=self.setup,
                                                       weapon=self.weapon, giver=giver, receiver=receiver)
            if self.decision.allowed:
                reasons.update(f"✓ Allowed: every check for {self.weapon} is complete and clear.")
            else:
                reasons.update("✗ REFUSED, hand over is off until:\n"
                               + "\n".join(f"  ✗ {reason}" for reason in self.decision.reasons))
        allowed = bool(self.decision and self.decision.allowed)
        self.query_one("#confirm", Button).disabled = not allowed
        self.refresh_bindings()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.refresh_witnesses()
        self.refresh_decision()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        # A ticked name says so by a symbol and a word too: the list's own box differs only by colour.
        self.refresh_witnesses()
        self.refresh_decision()

    def on_key(self, event) -> None:
        if event.key == "f5" and not (self.decision and self.decision.allowed):
            # Greyed out in the footer, yet pressed: say why here rather than nothing at all.
            event.stop()
            self.app.bell()
            reasons = self.query_one("#handover-reasons", Static)
            why = "; ".join(str(r) for r in self.decision.reasons) if self.decision else \
                "choose who gives and who receives"
            reasons.update(f"✗ f5 does nothing yet: not handed over, because {why}")
            reasons.scroll_visible(animate=False)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "hand_over":
            return True if self.decision is not None and self.decision.allowed else None
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(False)
        elif event.button.id == "confirm":
            self.action_hand_over()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_hand_over(self) -> None:
        if not (self.decision and self.decision.allowed):
            return
        app = self.app
        giver, receiver = self.people()
        witnesses = list(self.query_one("#witnesses", SelectionList).selected)
        issue = self.session.issue_of(self.day, self.scene, self.setup, self.weapon)
        summary = [
            f"{app.crew_name(giver)} hands {self.weapon} to {app.crew_name(receiver)}",
            f"Stated load: {issue.load}, {issue.rounds} round(s). Scene {self.scene}, setup {self.setup}.",
            f"Witnesses: {', '.join(app.crew_name(w) for w in witnesses) or 'none'}",
        ]
        crew = app.crew_choices(self.day)

        def signed(result) -> None:
            if result is None:
                return
            try:
                self.session.hand_over(day=self.day, scene=self.scene, setup=self.setup, weapon=self.weapon,
                                       giver=giver, receiver=receiver, witnesses=witnesses,
                                       signed_by=result.signed_by)
            except InputError as err:
                app.report(err)
                app.after_action()
                self.refresh_decision()
                return
            app.notify(f"{self.weapon} handed to {app.crew_name(receiver)}.", title="Handed over")
            self.dismiss(True)
            app.after_action()

        app.push_screen(SignModal(
            "Both sign the handoff", summary,
            [Signer("Giver", [c for c in crew if c[1] == giver], crew_id=giver),
             Signer("Receiver", [c for c in crew if c[1] == receiver], crew_id=receiver)],
            purpose="handoff", authenticate=app.authenticate, confirm_label="Sign the handoff"), signed)


def witness_prompt(text: str, ticked: bool) -> Content:
    """A witness's line: ticked or not by a symbol and a word, names as plain text."""
    return Content(f"✓ witness: {text}" if ticked else f"○ {text}")
