"""The signing modal: one or more people choose themselves and type their PIN.

Every attesting action (open the day, override, clear, hand over, correct)
goes through here, so no single key signs anything: focus starts on the
first field to type, never on the confirming button; Enter moves from field
to field, and Enter in the dialog's last field signs once every field is
filled (a person chosen and a PIN typed for each signer): the PIN typed is
the deliberate act. An empty field signs nothing; the dialog says what is
missing beside it. Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from armory.problems import InputError
from armory.tui.widgets.guard import OpensByItself

Authenticate = Callable[[str, str, str], None]
"""``authenticate(crew_id, pin, purpose)``; raises InputError on a wrong PIN."""

Validate = Callable[[dict[str, str]], dict[str, str]]
"""``validate(fields)`` -> ``{field name: what is wrong}``; checked before anyone types a PIN."""


@dataclass(frozen=True)
class Signer:
    """One person who must sign: what they are, who may be chosen, who is preselected."""

    label: str
    choices: Sequence[tuple[str, str]]
    """(shown text, crew id) pairs."""
    crew_id: str | None = None
    fields: Sequence[tuple[str, str]] = ()
    """(name, label) of what this person types just above their PIN (the count of the load they were shown):
    their PIN signs it. Returned in :attr:`Signed.fields` with the dialog's own fields."""


@dataclass(frozen=True)
class Signed:
    """What the modal returns: who authenticated, in signer order, and the reason given."""

    signed_by: list[str]
    reason: str = ""
    fields: dict[str, str] = field(default_factory=dict)


class FieldError(Static):
    """A message under its field, wrapped to the dialog's width and kept in sight as it grows."""

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(text, markup=False, **kwargs)  # it quotes names and text people typed
        self.display = bool(text)  # an empty message takes no line: at 80x24 each one pushed a field away

    def update(self, content="", **kwargs) -> None:
        super().update(content, **kwargs)
        self.display = bool(str(content))

    def on_resize(self) -> None:
        # A message that wraps to a second line grows after the scroll that showed its first line:
        # scroll again, or its end stays below the dialog's edge on a short terminal.
        if str(self.content):
            self.scroll_visible(animate=False)


class SignModal(OpensByItself, ModalScreen[Signed | None]):
    """Ask each signer for their PIN (and a reason when one is needed)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="sign.cancel", tooltip="Close without signing; nothing is recorded"),
    ]

    def __init__(
        self,
        title: str,
        summary: Sequence[str],
        signers: Sequence[Signer],
        *,
        purpose: str,
        authenticate: Authenticate,
        reason_label: str | None = None,
        confirm_label: str = "Sign",
        extra_fields: Sequence[tuple[str, str]] = (),
        secret_fields: Sequence[tuple[str, str]] = (),
        validate: Validate | None = None,
        by_itself: bool = False,
    ) -> None:
        super().__init__()
        self.by_itself = by_itself
        """Opened by the app, not by a key (the actor asked to sign the count they gave): keys typed as it
        appeared are ignored, never typed into a PIN field."""
        self.title_text = title
        self.summary = list(summary)
        self.signers = list(signers)
        self.purpose = purpose
        self.authenticate = authenticate
        self.reason_label = reason_label
        self.confirm_label = confirm_label
        self.own_fields = list(extra_fields) + list(secret_fields)
        self.extra_fields = self.own_fields + [f for signer in self.signers for f in signer.fields]
        """Every field typed, the dialog's own first, then each signer's, in the order they are shown."""
        self.secret = {name for name, _ in secret_fields}
        """Fields typed unseen (a new PIN): shown as dots, never trimmed."""
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                if self.summary:
                    yield Static("\n".join(self.summary), id="summary", markup=False)
                for name, label in self.own_fields:
                    yield from self._field(name, label)
                for index, signer in enumerate(self.signers):
                    yield Label(signer.label, classes="signer-label")
                    for name, label in signer.fields:
                        yield from self._field(name, label)
                    with Horizontal(classes="signer-row"):
                        # Preselected (the PIN is what proves who signs); Shift+Tab changes the person.
                        ids = [crew_id for _, crew_id in signer.choices]
                        yield Select(
                            [(Content(text), crew_id) for text, crew_id in signer.choices],  # names: plain text
                            prompt="who signs",
                            value=signer.crew_id if signer.crew_id in ids else (ids[0] if ids else Select.NULL),
                            allow_blank=not ids,
                            id=f"who-{index}",
                            compact=True,
                        )
                        yield Input(placeholder="PIN", password=True, id=f"pin-{index}", max_length=8)
                    yield FieldError("", id=f"msg-{index}", classes="field-error")
                if self.reason_label:
                    yield Label(self.reason_label)
                    yield Input(id="reason", placeholder="in plain words")
                    yield FieldError("", id="msg-reason", classes="field-error")
            yield Static("Tab/Enter: next field · Enter in the last field signs · Esc: cancel", classes="hint",
                         id="sign-hint")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="warning")

    def _field(self, name: str, label: str) -> ComposeResult:
        yield Label(label, markup=False)  # a rule's question, as its pack wrote it
        if name in self.secret:
            yield Input(id=f"field-{name}", password=True, max_length=8, placeholder="PIN")
        else:
            yield Input(id=f"field-{name}")
        yield FieldError("", id=f"msg-field-{name}", classes="field-error")

    def on_mount(self) -> None:
        if self.by_itself:
            self.note_appeared()
        first = self._first_field()
        if first is not None:
            first.focus()

    def show_ignored(self, message: str) -> None:
        self.query_one("#sign-hint", Static).update(f"✗ {message}")

    def _first_field(self):
        if self.own_fields:
            return self.query_one(f"#field-{self.own_fields[0][0]}", Input)
        if self.signers:
            if self.signers[0].fields:
                return self.query_one(f"#field-{self.signers[0].fields[0][0]}", Input)
            if self.signers[0].choices:
                return self.query_one("#pin-0", Input)
            return self.query_one("#who-0", Select)
        if self.reason_label:
            return self.query_one("#reason", Input)
        return None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._refused_at_once(event.input):
            return
        # Enter goes to the next empty field; in the last field it signs, once every field is filled (else
        # the first one missing is named and focused, and nothing is signed).
        inputs = list(self.query(Input))
        if event.input is inputs[-1] and self.signers:
            self._confirm()
            return
        later = inputs[inputs.index(event.input) + 1:]
        empty = next((w for w in later if not w.value), None)
        if empty is not None:
            empty.focus()
        else:
            self.query_one("#confirm", Button).focus()

    def _refused_at_once(self, field: Input) -> bool:
        """Whether the value just typed in one of the dialog's own fields is refused: said beside it at once, the
        focus kept there (a new PIN that is too easy to guess is said before the officer types theirs)."""
        name = (field.id or "").removeprefix("field-")
        if self.validate is None or not field.value or name == field.id:
            return False
        values = {other: self.query_one(f"#field-{other}", Input).value for other, _ in self.extra_fields}
        problem = self.validate(values).get(name)
        self._say(f"field-{name}", f"✗ {problem}" if problem else "")
        return problem is not None

    def on_select_changed(self, event: Select.Changed) -> None:
        index = (event.select.id or "").removeprefix("who-")
        if index.isdigit() and event.value is not Select.NULL and event.select.has_focus_within:
            self.query_one(f"#pin-{index}", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        elif event.button.id == "confirm":
            self._confirm()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _say(self, target: str, message: str) -> None:
        widget = self.query_one(f"#msg-{target}", Static)
        widget.update(message)
        if message:
            # Below its field, which takes the focus: on a short terminal it would stay out of sight.
            self.call_after_refresh(widget.scroll_visible, animate=False)

    def _confirm(self) -> None:
        for widget in self.query(".field-error"):
            widget.update("")  # type: ignore[attr-defined]
        fields: dict[str, str] = {}
        for name, label in self.extra_fields:
            value = self.query_one(f"#field-{name}", Input).value
            value = value if name in self.secret else value.strip()
            if not value:
                self._say(f"field-{name}", f"✗ {label.rstrip(':')} is needed")
                self.query_one(f"#field-{name}", Input).focus()
                return
            fields[name] = value
        if self.validate is not None:
            # Bad values are said beside their field before anyone signs, and nothing typed is lost.
            problems = self.validate(fields)
            for name, _label in self.extra_fields:
                if name in problems:
                    self._say(f"field-{name}", f"✗ {problems[name]}")
            first = next((name for name, _label in self.extra_fields if name in problems), None)
            if first is not None:
                self.query_one(f"#field-{first}", Input).focus()
                return
        chosen: list[tuple[int, str, str]] = []
        for index, _signer in enumerate(self.signers):
            who = self.query_one(f"#who-{index}", Select).value
            pin_input = self.query_one(f"#pin-{index}", Input)
            if who is Select.NULL:
                self._say(str(index), "✗ choose who signs")
                self.query_one(f"#who-{index}", Select).focus()
                return
            if any(who == earlier for _, earlier, _ in chosen):
                self._say(str(index), "✗ one person cannot sign twice")
                self.query_one(f"#who-{index}", Select).focus()
                return
            if not pin_input.value:
                self._say(str(index), "✗ type the PIN")
                pin_input.focus()
                return
            chosen.append((index, str(who), pin_input.value))
        reason = ""
        if self.reason_label:
            reason = self.query_one("#reason", Input).value.strip()
            if len(reason) < 3:
                self._say("reason", "✗ give a reason in a few words")
                self.query_one("#reason", Input).focus()
                return
        for index, crew_id, pin in chosen:
            try:
                self.authenticate(crew_id, pin, self.purpose)
            except InputError as err:
                pin_input = self.query_one(f"#pin-{index}", Input)
                pin_input.value = ""
                self._say(str(index), f"✗ {err.message}")
                pin_input.focus()
                return
        self.dismiss(Signed([crew_id for _, crew_id, _ in chosen], reason, fields))
