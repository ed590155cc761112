"""The full-screen stop: what happened, which firearms, and who must clear it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static


class StopScreen(Screen[None]):
    """Shown when a stop is recorded. Leaving it clears nothing: the banner stays."""

    BINDINGS = [
        Binding("enter", "acknowledge", "Understood", id="stop.acknowledge",
                tooltip="Back to work; every stopped firearm stays stopped until cleared"),
        Binding("x", "clear", "Clear this stop", id="stop.clear",
                tooltip="A safety officer signs a clearance with a reason"),
    ]

    def __init__(self, stop) -> None:
        super().__init__()
        self.stop = stop

    def compose(self) -> ComposeResult:
        stop = self.stop
        if stop.scope == "production":
            what = "EVERY FIREARM OF THE PRODUCTION IS STOPPED"
        else:
            what = f"STOPPED: {', '.join(stop.weapons)}"
        failures = ", ".join(stop.failures) or "none named"
        caused = self.app.crew_name(stop.caused_by) if stop.caused_by else "not recorded"
        lines = [
            f"■ STOP #{stop.seq}",
            "",
            what,
            "",
            f"What happened: {stop.reason}",
            f"Rule or invariant: {stop.cause}   (DOMAIN failures: {failures})",
            f"Caused by: {caused}",
            "",
            "Every stopped firearm goes back to the armorer and nowhere else.",
            "Who must clear it: a safety officer who did not cause it and is",
            "not the 1st AD, signing with a reason (x).",
        ]
        with Center():
            with Vertical(id="stop-box"):
                yield Static("\n".join(lines), id="stop-text", markup=False)
        yield Footer()

    def action_acknowledge(self) -> None:
        self.dismiss()

    def action_clear(self) -> None:
        from armory.tui.screens.clear import clear_stop

        clear_stop(self.app, self.stop.seq, on_done=lambda cleared: self.dismiss() if cleared else None)
