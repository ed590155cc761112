"""The record: the ledger in plain language, whether the chain verifies, and export from here."""

from __future__ import annotations

import argparse

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from armory.problems import InputError
from armory.tui.screens.base import ArmoryScreen


def describe_entry(entry, production) -> str:
    try:
        from armory.ledger.describe import describe
    except ImportError:  # the describer is optional for this screen: fall back to the kind and payload
        return f"{entry.kind}: " + ", ".join(f"{k}={v}" for k, v in entry.payload.items() if k != "text")[:200]
    try:
        return describe(entry, production)
    except TypeError:
        return describe(entry)


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

    def refresh_state(self) -> None:
        super().refresh_state()
        from armory.ledger.verify import verify_rows

        session = self.session
        result = verify_rows(session.ledger.rows())
        if result.ok:
            chain = (f"✓ The chain verifies: {result.entries} entries, head {result.head[:12]}…, "
                     f"key {result.key_fingerprint}, signed through #{result.signed_through}.")
        else:
            seq, kind, what = result.first_bad
            chain = f"✗ THE CHAIN DOES NOT VERIFY at entry #{seq} ({kind}): {what}"
        day = session.state.current_day
        shown = "the whole ledger" if self.whole or not day else f"{day} (a: whole ledger)"
        self.query_one("#chain", Static).update(f"{chain}\nShowing {shown}.")
        table = self.query_one("#record-table", DataTable)
        table.clear()
        if not table.columns:
            table.add_columns("#", "time", "who", "what")
        production = session.production
        for entry in session.ledger.entries(scope=session.scope):
            entry_day = entry.payload.get("day")
            if not self.whole and day and entry_day not in (None, day):
                continue
            local = entry.time[11:16] if len(entry.time) >= 16 else entry.time
            table.add_row(str(entry.seq), local, self.app.crew_name(entry.who) if entry.who else "-",
                          describe_entry(entry, production))
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_all(self) -> None:
        self.whole = not self.whole
        self.refresh_state()

    def action_export(self, fmt: str) -> None:
        from armory.export.commands import export

        app = self.app
        out = app.ledger_path.with_name(f"{app.ledger_path.stem}-record.{fmt}")
        args = argparse.Namespace(production=app.production_path, ledger=app.ledger_path, rules=app.rules_paths,
                                  format=fmt, out=out, day=None, incident=None)
        try:
            code = export(args)
        except InputError as err:
            app.report(err)
            return
        app.reopen()
        if code == 0:
            app.notify(f"Written to {out}", title="Exported", timeout=10)
        else:
            app.notify(f"Written to {out}, but the chain does not verify (see the top of the file).",
                       title="Exported with a warning", severity="warning", timeout=10)
        self.refresh_state()
