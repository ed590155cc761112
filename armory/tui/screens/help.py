"""The keys of the screen underneath, with what each does and its id for ``keymap.toml``."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static

from armory.tui.userfiles import keymap_path


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
            yield Static(id="help-why", markup=False)
            yield Static(
                "Ctrl+P opens the command palette (the same actions, by name). Text fields and lists "
                "have the usual editing and arrow keys.\n"
                f"Remap a key in {keymap_path()}: \"id\" = \"key\", e.g. \"home.open_day\" = \"f6\".\n"
                "Signing, overriding and clearing always ask for a person and PIN.",
                classes="hint",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Three short columns fit 80 columns; why and when, which no column at that width holds, is the
        # whole text under the table for the highlighted key (the first one at the start).
        table.add_columns("key", "does", "id (keymap.toml)")
        self.whys: list[str] = []
        seen: set[tuple[str, str]] = set()
        # armory's own keys (each has an id, remappable) first, then the few general ones; a text
        # field's or list's editing and cursor keys are the usual ones and are not listed.
        ordered = sorted((a for a in self.beneath.active_bindings.values() if isinstance(a.node, (Screen, App))),
                         key=lambda active: not active.binding.id)
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
                binding.id or "",
            )
            self.whys.append(binding.tooltip or "")
        if table.row_count:
            self.show_why(0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_why(event.cursor_row)

    def show_why(self, row_index: int) -> None:
        """The highlighted key's why and when, whole and wrapped (↑↓ moves through the keys)."""
        row = self.query_one(DataTable).get_row_at(row_index)
        why = self.whys[row_index] if row_index < len(self.whys) else ""
        self.query_one("#help-why", Static).update(f"{row[0]} {row[1]}: {why}" if why else "")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
