"""The full-screen stop: what happened, which firearms, and who must clear it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from armory.tui.widgets.guard import OpensByItself


class StopScreen(OpensByItself, Screen[None]):
    """Shown when a stop is recorded. Leaving it clears nothing: the banner stays.

    It opens by itself, often while the armorer is typing the next answer: keys typed as it appeared are
    ignored (and it says so), so an Enter meant for a field never dismisses it unread."""

    BINDINGS = [
        Binding("enter", "acknowledge", "Understood", id="stop.acknowledge",
                tooltip="Back to work; every stopped firearm stays stopped until cleared"),
        Binding("x", "clear", "Clear this stop", id="stop.clear",
                tooltip="A safety officer signs a clearance with a reason"),
        Binding("s", "seal", "Seal evidence", id="stop.seal",
                tooltip="Record the seal number of each item this stop froze as evidence"),
    ]

    def __init__(self, stop) -> None:
        super().__init__()
        self.stop = stop

    def text(self) -> str:
        stop = self.stop
        if stop.scope == "production":
            what = "EVERY FIREARM OF THE PRODUCTION IS STOPPED"
        else:
            what = f"STOPPED: {', '.join(stop.weapons)}"
        failures = ", ".join(stop.failures) or "none named"
        if stop.caused_by:
            who = f"Recorded by: {self.app.crew_name(stop.caused_by)}, who may not clear it"
        else:
            # A misfire or a live round found has no one who "caused" it: say who recorded what set it off.
            source = self.app.session.ledger.get(stop.from_seq) if stop.from_seq else None
            recorder = source.who if source is not None else None
            if source is not None and source.kind == "return":
                # A take-back is the armorer's record (both sign it; the entry is filed under who returned it).
                recorder = source.payload.get("receiver") or recorder
            who = (f"Recorded by: {self.app.crew_name(recorder)} (entry #{source.seq})"
                   if source is not None and recorder else "Recorded by: the ledger (sensed)")
        lines = [
            f"■ STOP #{stop.seq}",
            "",
            what,
            "",
            f"What happened: {stop.reason}",
            f"Rule or invariant: {stop.cause}   (DOMAIN failures: {failures})",
            who,
            "",
            *self.evidence_lines(),
            "Every stopped firearm goes back to the armorer and nowhere else.",
            "Who must clear it: a safety officer who did not cause it and is",
            "not the 1st AD, signing with a reason (x).",
        ]
        return "\n".join(lines)

    def compose(self) -> ComposeResult:
        with Center():
            with Vertical(id="stop-box"):
                yield Static(self.text(), id="stop-text", markup=False)
                yield Static("", id="stop-ignored", markup=False, classes="field-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#stop-ignored", Static).display = False
        self.note_appeared()

    def show_ignored(self, message: str) -> None:
        line = self.query_one("#stop-ignored", Static)
        line.update(message)
        line.display = True

    def evidence_lines(self) -> list[str]:
        from armory.tui.screens.seal import unsealed_evidence

        evidence = self.app.session.evidence_for(self.stop.seq)
        if not evidence:
            return []
        unsealed = unsealed_evidence(self.app.session, self.stop.seq)
        if unsealed:
            return [f"Frozen as evidence: {', '.join(evidence)}. Seal them first (s); then it can be cleared.", ""]
        return [f"Frozen as evidence and sealed: {', '.join(evidence)}.", ""]

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "seal":
            from armory.tui.screens.seal import unsealed_evidence

            return True if unsealed_evidence(self.app.session, self.stop.seq) else False
        return True

    def action_seal(self) -> None:
        from armory.tui.screens.seal import seal_evidence

        def sealed(done: bool) -> None:
            if done:
                self.query_one("#stop-text", Static).update(self.text())
                self.refresh_bindings()

        seal_evidence(self.app, self.stop.seq, on_done=sealed)

    def action_acknowledge(self) -> None:
        self.dismiss()

    def action_clear(self) -> None:
        from armory.tui.screens.clear import clear_stop

        clear_stop(self.app, self.stop.seq, on_done=lambda cleared: self.dismiss() if cleared else None)
