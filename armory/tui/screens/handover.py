"""Hand over: giver, receiver, weapon, stated load, rounds and witnesses; both sign with their PIN.

"Hand over" stays greyed out (``check_action`` returning None) until the
engine's ``may_hand_over`` allows it, and the reasons it does not are shown.

The people shown the load (the actor, the 1st AD) count it here: each types
their count in the signing dialog, just above their PIN, and that one PIN
signs their count (and, for the actor, the receipt of the weapon). The counts
are blind: while they are still to be given, the round count is not on screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from armory.checklist.handoff import asked_at_handover
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
                yield Label("Witnesses (a letter goes to a name, space ticks ✓ it; neither the giver nor the receiver)")
                yield WitnessList(id="witnesses")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Hand over…", id="confirm", variant="warning")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refresh_witnesses()
        self.refresh_decision()
        # Who gives and who receives are filled in from the setup: once it is allowed, the witnesses are what
        # is left to choose (Shift+Tab goes back to the two people), nothing in the list highlighted or ticked.
        # Refused, the focus stays at the top, where the reasons are read (the list would scroll them away).
        allowed = bool(self.decision and self.decision.allowed)
        self.query_one("#witnesses" if allowed else "#giver").focus()

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

    def asked_here(self) -> list:
        """The checks still to be answered as the handover is signed: the counts of those shown the load."""
        giver, receiver = self.people()
        issue = self.session.issue_of(self.day, self.scene, self.setup, self.weapon)
        if giver is None or receiver is None or receiver != issue.actor:
            return []
        return [item for item in self.session.checklist(day=self.day, phase="before_handoff", scene=self.scene,
                                                        setup=self.setup, weapon=self.weapon)
                if item.status == "pending" and asked_at_handover(item)]

    def stated_load(self, issue, blind: bool) -> str:
        lot = f" from lot {issue.lot}" if issue.lot else ""
        if blind:
            # Blind: whoever still counts the load must not read the number first.
            return f"Stated load: {issue.load}{lot}; the round count is shown once the counts are given"
        return f"Stated load: {issue.load}, {issue.rounds} round(s){lot}"

    def refresh_decision(self) -> None:
        app = self.app
        issue = self.session.issue_of(self.day, self.scene, self.setup, self.weapon)
        model = self.session.production.weapon_by_id(self.weapon)
        witnesses = self.query_one("#witnesses", SelectionList).selected
        asked = self.asked_here()
        self.query_one("#handover-summary", Static).update(
            f"Weapon: {self.weapon}, {model.make} {model.model}, serial …{model.serial[-4:]}\n"
            f"Scene {self.scene}, setup {self.setup}. {self.stated_load(issue, bool(asked))}.\n"
            f"Witnesses: {', '.join(app.crew_name(w) for w in witnesses) or 'none yet'}")
        giver, receiver = self.people()
        reasons = self.query_one("#handover-reasons", Static)
        if giver is None or receiver is None:
            self.decision = None
            reasons.update("✗ choose who gives and who receives")
        else:
            self.decision = self.session.may_hand_over(day=self.day, scene=self.scene, setup=self.setup,
                                                       weapon=self.weapon, giver=giver, receiver=receiver,
                                                       counts_at_handover=True)
            if self.decision.allowed and asked:
                reasons.update(f"✓ Allowed once {counters(asked)} give their count as they sign (f5); every other "
                               f"check for {self.weapon} is complete and clear.")
            elif self.decision.allowed:
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
        asked = self.asked_here()
        summary = [
            f"{app.crew_name(giver)} hands {self.weapon} to {app.crew_name(receiver)}",
            f"{self.stated_load(issue, bool(asked))}. Scene {self.scene}, setup {self.setup}.",
            f"Witnesses: {', '.join(app.crew_name(w) for w in witnesses) or 'none'}",
        ]
        crew = app.crew_choices(self.day)
        signers = [Signer("Giver", [c for c in crew if c[1] == giver], crew_id=giver),
                   Signer("Receiver", [c for c in crew if c[1] == receiver], crew_id=receiver,
                          fields=[(f"count-{n}", item.question) for n, item in enumerate(asked)
                                  if self.session.roles(receiver, self.day) & set(item.asked_of)])]
        # Each other one shown the load (the 1st AD) types their count above their own PIN.
        others: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for n, item in enumerate(asked):
            if not self.session.roles(receiver, self.day) & set(item.asked_of):
                others.setdefault(tuple(sorted(item.asked_of)), []).append((f"count-{n}", item.question))
        for roles, fields in others.items():
            who = " or ".join(r.replace("_", " ") for r in roles)
            signers.append(Signer(f"Shown the load ({who})", app.crew_choices(self.day, set(roles)), fields=fields))
        answerer = {name: index for index, signer in enumerate(signers) for name, _label in signer.fields}

        def counts(fields: dict[str, str]) -> dict[str, str]:
            from armory.checklist.judge import parse

            problems = {}
            for n, item in enumerate(asked):
                try:
                    parse(item.rule, fields.get(f"count-{n}", ""))
                except InputError as err:
                    problems[f"count-{n}"] = err.message
            return problems

        def signed(result) -> None:
            if result is None:
                return
            from armory.checklist.judge import parse

            answers = [(item, [parse(item.rule, result.fields[f"count-{n}"])],
                        result.signed_by[answerer[f"count-{n}"]]) for n, item in enumerate(asked)]
            try:
                self.session.hand_over(day=self.day, scene=self.scene, setup=self.setup, weapon=self.weapon,
                                       giver=giver, receiver=receiver, witnesses=witnesses,
                                       signed_by=result.signed_by[:2], answers=answers)
            except InputError as err:
                app.report(err)
                app.after_action()
                self.refresh_decision()
                return
            app.notify(f"{self.weapon} handed to {app.crew_name(receiver)}.", title="Handed over")
            self.dismiss(True)
            app.after_action()

        app.push_screen(SignModal(
            "Both sign the handoff" + (", with the counts of those shown the load" if asked else ""), summary,
            signers, purpose="handoff", authenticate=app.authenticate, confirm_label="Sign the handoff",
            validate=counts if asked else None), signed)


def counters(items) -> str:
    """'the actor and the first assistant director': who still gives a count at the handover."""
    roles = list(dict.fromkeys(" or ".join(r.replace("_", " ") for r in item.asked_of) for item in items))
    return " and ".join(f"the {role}" for role in roles)


class WitnessList(SelectionList[str]):
    """The witnesses: a letter goes to the next person whose name starts with it, space ticks them."""

    JUMPS_BY_LETTER = True
    """Read by bench/keystrokes.py: a name is reached by its first letter, not by arrows from the top."""

    def on_key(self, event) -> None:
        character = event.character or ""
        if len(character) != 1 or not character.isalpha() or not self.option_count:
            return
        names = [self.app.crew_name(str(self.get_option_at_index(i).value)) for i in range(self.option_count)]
        start = -1 if self.highlighted is None else self.highlighted
        order = [*range(start + 1, self.option_count), *range(0, start + 1)]
        found = next((i for i in order if names[i][:1].lower() == character.lower()), None)
        if found is not None:
            event.stop()
            event.prevent_default()
            self.highlighted = found


def witness_prompt(text: str, ticked: bool) -> Content:
    """A witness's line: ticked or not by a symbol and a word, names as plain text."""
    return Content(f"✓ witness: {text}" if ticked else f"○ {text}")
