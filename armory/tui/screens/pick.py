"""A small chooser: a titled list, Enter picks, Escape cancels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option


class PickModal(ModalScreen[Any]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel", tooltip="Close without choosing")]

    def __init__(self, title: str, choices: Sequence[tuple[str, Any]], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Content(self.title_text), id="dialog-title")
            # Plain text: choices quote what people typed (a description with "[/b]" is not markup).
            yield OptionList(*[Option(Content(text), id=str(i)) for i, (text, _) in enumerate(self.choices)],
                             id="pick")
            yield Static(self.hint or "↑↓ choose · Enter picks · Esc cancels", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
