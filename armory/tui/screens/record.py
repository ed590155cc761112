"""The record: the ledger in plain language, whether the chain verifies, and export from here."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from armory.problems import InputError
from armory.tui.screens.base import ArmoryScreen


def describe_entry(entry, production) -> str:
    """What happened, in words, without the ``#seq time`` the table already shows in its own columns."""
    from armory.ledger.describe import describe

    text = describe(entry, production)
    head = f"#{entry.seq} "
    text = text.split("  ", 1)[1] if text.startswith(head) and "  " in text else text
    # The column is cut at 80 columns: what went wrong is said first, where it is never cut.
    if entry.kind == "stop":
        return f"■ STOP: {text}"
    if entry.kind == "refusal":
        return f"✗ REFUSED: {text}"
    if entry.payload.get("verdict") == "fail":
        return f"✗ FAILED: {text}"
    return text


class RecordScreen(ArmoryScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="record.back", tooltip="Back to the previous screen"),
        Binding("a", "toggle_all", "Day / all", id="record.toggle_all",
                tooltip="Show only today's entries, or the whole ledger"),
        Binding("e", "export('html')", "Export HTML", id="record.export_html",
                tooltip="Write a self-contained report for the producer beside the ledger"),
        Binding("j", "export('jsonl')", "Export JSONL", id="record.export_jsonl",
                tooltip="Write the whole chain, verifiable on its own, beside the ledger"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.whole = False

    def body(self) -> ComposeResult:
        with Vertical(id="record-body"):
            yield Static(id="chain", markup=False)
            yield DataTable(id="record-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="entry-detail", markup=False)

    def refresh_state(self) -> None:
        super().refresh_state()
        from armory.ledger.verify import verify_rows

        session = self.session
        result = verify_rows(session.ledger.rows())
        if result.ok:
            signed = (f"signed through #{result.signed_through}" if result.signed_through
                      else "no signed checkpoint yet (closing the day or an export signs one)")
            chain = (f"✓ The chain verifies: {result.entries} entries, head {result.head[:12]}…, "
                     f"key {result.key_fingerprint}, {signed}.")
        else:
            seq, kind, what = result.first_bad
            chain = f"✗ THE CHAIN DOES NOT VERIFY at entry #{seq} ({kind}): {what}"
        day = session.state.current_day
        shown = "the whole ledger" if self.whole or not day else f"{day} (a: whole ledger)"
        self.query_one("#chain", Static).update(f"{chain}\nShowing {shown}.")
        table = self.query_one("#record-table", DataTable)
        table.clear()
        if not table.columns:
            table.add_columns("#", f"time ({session.local_now():%Z})", "what happened")
        production = session.production
        self.texts: dict[str, str] = {}
        from armory.checklist.session import parse_time

        for entry in session.ledger.entries(scope=session.scope):
            entry_day = entry.payload.get("day")
            if not self.whole and day and entry_day not in (None, day):
                continue
            try:
                local = f"{parse_time(entry.time).astimezone(session.tz):%H:%M}"
            except ValueError:
                local = entry.time
            text = describe_entry(entry, production)
            self.texts[str(entry.seq)] = f"#{entry.seq} at {local}: {text}"
            table.add_row(str(entry.seq), local, text, key=str(entry.seq))
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)
        self.show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted entry in full, wrapped: the table cuts long lines at the screen's edge."""
        table = self.query_one("#record-table", DataTable)
        detail = self.query_one("#entry-detail", Static)
        if not table.row_count or table.cursor_row is None:
            detail.update("")
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        detail.update(getattr(self, "texts", {}).get(key, ""))

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_all(self) -> None:
        self.whole = not self.whole
        self.refresh_state()

    def action_export(self, fmt: str) -> None:
        from armory.export.writing import export_ledger

        app = self.app
        out = app.ledger_path.with_name(f"{app.ledger_path.stem}-record.{fmt}")
        try:
            written = export_ledger(app.ledger_path, app.production_path, fmt, out)
        except InputError as err:
            app.report(err)
            return
        app.reopen()
        if written.verification.ok:
            app.notify(f"Written to {out}", title="Exported", timeout=10)
        else:
            app.notify(f"Written to {out}, but the chain does not verify (see the top of the file).",
                       title="Exported with a warning", severity="warning", timeout=10)
        self.refresh_state()
