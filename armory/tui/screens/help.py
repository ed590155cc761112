"""The keys of the screen underneath, with what each does and its id for ``keymap.toml``."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close", id="help.close", tooltip="Back to the screen you were on"),
    ]

    def __init__(self, beneath: Screen) -> None:
        super().__init__()
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Label("Keys on this screen", id="dialog-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Ctrl+P opens the command palette (the same actions, by name).\n"
                "Remap a key in keymap.toml in the data directory: id = \"key\".\n"
                "Signing, overriding and clearing always ask for a person and PIN.",
                classes="hint",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "does", "why / when", "id")
        seen: set[tuple[str, str]] = set()
        # armory's own keys (the screen's and the app's) first; a focused list's cursor keys after.
        ordered = sorted(self.beneath.active_bindings.values(),
                         key=lambda active: not isinstance(active.node, (Screen, App)))
        for active in ordered:
            binding = active.binding
            if not binding.description or binding.system:
                continue
            if (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            state = "" if active.enabled else " (not now)"
            table.add_row(
                self.app.get_key_display(binding),
                binding.description + state,
                binding.tooltip,
                binding.id or "",
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
