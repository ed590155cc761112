"""Open the day: the rule packs in force, then the armorer signs in and the day-start checks follow."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from armory.problems import InputError
from armory.tui.screens.base import ArmoryScreen
from armory.tui.screens.sign import SignModal, Signer

HANDLERS = {"armorer", "assistant_armorer"}


class OpenDayScreen(ArmoryScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="open_day.back", tooltip="Back without opening the day"),
        Binding("s", "sign", "Sign in and open", id="open_day.sign",
                tooltip="The armorer signs with their PIN; the packs below are recorded as in force"),
    ]

    def __init__(self, day: str) -> None:
        super().__init__()
        self.day = day

    def body(self) -> ComposeResult:
        with VerticalScroll(id="open-day-body"):
            yield Static(id="open-day-title", markup=False)
            yield Static("Rule packs in force (recorded in the ledger with their hash when you sign):",
                         classes="hint")
            yield DataTable(id="packs", cursor_type="row", show_cursor=False)
            yield Static(id="open-day-next", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#packs", DataTable)
        table.add_columns("pack id", "version", "sha-256", "title")
        for pack in self.session.packs:
            info = pack.pack.pack
            table.add_row(info.id, info.version, pack.sha256[:16] + "…", info.title)
        super().on_mount()

    def refresh_state(self) -> None:
        super().refresh_state()
        day = self.session.production.day_by_id(self.day)
        note = self.off_schedule()
        self.query_one("#open-day-title", Static).update(
            f"Open {day.id}, {day.date.isoformat()}{' at ' + day.location if day.location else ''}"
            + (f"\n⚠ {note}" if note else ""))
        self.query_one("#open-day-next", Static).update(
            "s: the armorer signs in with their PIN. The day-start checks follow\n"
            "(lock-up inventory, safety briefing, no second job today, ...).")

    def off_schedule(self) -> str | None:
        """A day opened on another date than the schedule's is said to be, before anyone signs."""
        from armory.export.openings import off_schedule_note

        day = self.session.production.day_by_id(self.day)
        return off_schedule_note(day.id, day.date, self.session.local_now().date()) if day is not None else None

    def action_back(self) -> None:
        self.dismiss()

    def action_sign(self) -> None:
        app = self.app
        armorers = app.crew_choices(self.day, HANDLERS)
        default = armorers[0][1] if len(armorers) == 1 else None

        def signed(result) -> None:
            if result is None:
                return
            try:
                self.session.open_day(self.day, armorer=result.signed_by[0])
            except InputError as err:
                app.report(err)
                app.after_action()
                return
            app.operator = result.signed_by[0]
            from armory.tui.screens.checks import ChecksScreen

            app.after_action()
            app.switch_screen(ChecksScreen(self.day, ("day_start",)))

        app.push_screen(SignModal(
            f"Open {self.day}",
            [f"Packs in force: {', '.join(p.pack.pack.id + ' ' + p.pack.pack.version for p in self.session.packs)}",
             *([f"⚠ {note}"] if (note := self.off_schedule()) else [])],
            [Signer("Armorer opening the day", armorers or app.crew_choices(self.day), crew_id=default)],
            purpose="open_day", authenticate=app.authenticate, confirm_label="Sign and open the day"), signed)
