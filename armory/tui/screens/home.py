"""The first screen: the production, today's day, who is on duty, the weapons and any stop."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from armory.tui.screens.base import ArmoryScreen
from armory.tui.widgets.banner import StopBanner, banner_text
from armory.tui.words import weapon_status

DUTY_ROLES = ("armorer", "assistant_armorer", "safety_officer", "first_assistant_director")


class HomeScreen(ArmoryScreen):
    BINDINGS = [
        Binding("o", "open_day", "Open the day", id="home.open_day",
                tooltip="The armorer signs in; the rule packs in force are recorded; day-start checks follow"),
        Binding("b", "board", "Setup board", id="home.board",
                tooltip="Scenes, setups and each weapon's state and what is missing"),
        Binding("i", "incident", "Incident", id="home.incident",
                tooltip="Record a misfire, a discharge, a complaint..."),
        Binding("x", "clear_stop", "Clear stop", id="home.clear_stop",
                tooltip="A safety officer signs a clearance with a reason"),
        Binding("w", "review", "Review", id="home.review",
                tooltip="A safety officer reviews an incident with findings (unreviewed, it fails the next day's start)"),
        Binding("r", "record", "Record", id="home.record",
                tooltip="The day's ledger in plain language, whether it verifies, export"),
        # In the footer only while something is sealed (check_action hides it otherwise): then it is the
        # key the stop screen and the board point to.
        Binding("e", "evidence", "Evidence", id="home.evidence",
                tooltip="Hand a sealed item to a named investigator, with a receipt"),
        Binding("c", "crew", "Crew", id="home.crew", show=False,
                tooltip="Crew and PINs: enroll someone or change a PIN (a safety officer authorizes it)"),
        Binding("s", "rules", "Rules", id="home.rules", show=False,
                tooltip="The safety officer's side: packs in force, each rule's question, why and sources, "
                        "the overview of every rule against every setup, the bundled drills"),
        Binding("ctrl+q", "app.quit", "Quit", id="home.quit", show=False,
                tooltip="Leave armory; everything recorded is already on disk"),
    ]

    SHOW_PALETTE_KEY = True
    """Shown while the keys that apply leave room for it (see :meth:`show_palette_key`)."""
    PALETTE_KEY_WIDTH = 12
    """What the footer's ``^p palette`` takes on the right, its border and gap included."""

    def __init__(self, view: dict | None = None) -> None:
        super().__init__()
        self.view = view
        """What the screen shows; drawn from the session whenever one is open (see armory.tui.firstscreen)."""

    def body(self) -> ComposeResult:
        # The texts are there from the first frame: filled only on mount, they would appear a frame late.
        view = self.current_view()
        with VerticalScroll(id="home"):
            yield Static(view["day_line"], id="day-line", markup=False)
            yield Static(view["duty_line"], id="duty-line", markup=False)
            yield DataTable(id="weapons", cursor_type="row", zebra_stripes=True)
            yield Static(view["sample"], id="sample-pins", markup=False)
            if self.app.store_url:
                yield Static(self.app.sync_text(), id="sync-line", markup=False)

    def on_screen_resume(self) -> None:
        if self.app.screen is self and self.is_attached:
            self.app.note_position({"screen": "home"})
        super().on_screen_resume()

    @property
    def day(self):
        return self.session.today()

    def current_view(self) -> dict:
        """The view drawn from the session when one is open, else the one this screen was given."""
        if self.app.session is not None:
            self.view = home_view(self)
        return self.view

    def day_texts(self) -> tuple[str, str]:
        """The day line and who is on duty."""
        production = self.session.production
        state = self.session.state
        day = self.day
        if day is None:
            return "No shooting day left to open: every day is closed.", "On duty: nobody named"
        if day.id in state.days_closed:
            opened = "closed"
        elif day.id in state.days_opened:
            opened = "OPEN"
        else:
            opened = "not opened yet (o)"
        where = f" at {day.location}" if day.location else ""
        today = self.session.local_now().date()
        # "Today" only when it is: a production planned for other dates must not read as today's.
        if day.date == today:
            which, aside = "Today", ""
        elif opened == "OPEN":
            which, aside = "Open day", f" (today is {today.isoformat()})"
        elif opened == "closed":
            which, aside = "Last shooting day", f" (today is {today.isoformat()})"
        else:
            which, aside = "Next shooting day", f" (today is {today.isoformat()})"
        day_text = (f"{which}: {day.id}, {day.date.isoformat()}{aside}{where}. Day {opened}. "
                    f"{len(day.scene)} scene(s).")
        duty = []
        for role in DUTY_ROLES:
            names = [m.name for m in production.crew if role in production.roles_on(m.id, day.id)]
            if names:
                duty.append(f"{role.replace('_', ' ')}: {', '.join(names)}")
        return day_text, "On duty: " + ("; ".join(duty) or "nobody named")

    def sample_text(self) -> str:
        """The demo PINs of a sample production, marked as a sample; empty for a real one."""
        production = self.session.production
        pins = [f"{m.id} {m.demo_pin}" for m in production.crew if m.demo_pin]
        if production.production.sample and pins:
            # A sample has no props to look at: what a real armorer reads off the weapon and the box.
            plates = ", ".join(f"{w.id} serial {w.serial}" for w in production.weapon)
            labels = ", ".join(f"{lot.id} ({lot.kind})" for lot in production.lot)
            return ("SAMPLE production, demo PINs (never on a real set): " + " · ".join(pins)
                    + f"\nOn the sample props: {plates}. Box labels: {labels}.")
        return ""

    def weapon_rows(self) -> list[list[str]]:
        rows = []
        for weapon in self.session.production.weapon:
            _, words = weapon_status(self.app, weapon.id)
            what = f"{weapon.make} {weapon.model}"
            if not weapon.firing and not any(w in what.lower() for w in ("replica", "non-firing", "rubber", "prop")):
                what += " (does not fire)"
            rows.append([weapon.id, words, what])
        return rows

    def refresh_state(self) -> None:
        view = self.current_view()
        self.query_one(StopBanner).show_text(view["banner"])
        enabled = tuple(self.check_action(binding.action, ()) for binding in self.BINDINGS)
        if enabled != self._enabled:
            self._enabled = enabled
            self.show_palette_key()
            self.refresh_bindings()
        self.query_one("#day-line", Static).update(view["day_line"])
        self.query_one("#duty-line", Static).update(view["duty_line"])
        table = self.query_one("#weapons", DataTable)
        table.clear()
        if not table.columns:
            table.add_columns("weapon", "state", "what")
        for weapon_id, words, what in view["weapons"]:
            table.add_row(weapon_id, words, what, key=weapon_id)
        sample = self.query_one("#sample-pins", Static)
        sample.update(view["sample"])
        sample.display = bool(view["sample"])
        if self.app.session is not None and self.app.screen is self:
            self.app.save_first_screen(view)

    def footer_width(self) -> int:
        """Columns the footer's keys take (compact: ``key description``, one space between)."""
        shown = [active.binding for active in self.active_bindings.values()
                 if active.binding.show and active.binding.description]
        return sum(len(self.app.get_key_display(b)) + 1 + len(b.description) for b in shown) + len(shown) - 1

    def show_palette_key(self) -> None:
        """``^p palette`` in the footer only while it fits beside the keys that apply (f1 names it too)."""
        width = self.size.width or self.app.size.width
        self.query_one(Footer).show_command_palette = self.footer_width() + self.PALETTE_KEY_WIDTH <= width

    def on_resize(self) -> None:
        self.show_palette_key()
        self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        if self.app.session is None:
            # Painted from the first-screen file while the session opens: the keys it last offered.
            return bool((self.view or {}).get("enabled", {}).get(action, True))
        state = self.session.state
        day = self.day
        # An action that cannot apply now is hidden (False), so the footer keeps room at 80 columns.
        if action == "open_day":
            return day is not None and day.id not in state.days_opened
        if action == "board":
            return bool(state.current_day)
        if action == "clear_stop":
            return bool(state.open_stops)
        if action == "review":
            return bool(state.unreviewed_incidents)
        if action == "evidence":
            return True if self.session.sealed_items() else False
        return True

    def action_open_day(self) -> None:
        from armory.tui.screens.open_day import OpenDayScreen

        if self.day is not None:
            self.app.push_screen(OpenDayScreen(self.day.id))

    def action_board(self) -> None:
        from armory.tui.screens.board import BoardScreen

        if self.session.state.current_day:
            self.app.push_screen(BoardScreen(self.session.state.current_day))

    def action_incident(self) -> None:
        from armory.tui.screens.incident import record_incident

        record_incident(self.app, weapon=None)

    def action_clear_stop(self) -> None:
        from armory.tui.screens.clear import choose_and_clear

        choose_and_clear(self.app)

    def action_review(self) -> None:
        from armory.tui.screens.incident import review_incident

        review_incident(self.app)

    def action_evidence(self) -> None:
        from armory.tui.screens.seal import hand_to_investigator

        hand_to_investigator(self.app)

    def action_crew(self) -> None:
        from armory.tui.screens.crew import CrewScreen

        self.app.push_screen(CrewScreen())

    def action_record(self) -> None:
        from armory.tui.screens.record import RecordScreen

        self.app.push_screen(RecordScreen())

    def action_rules(self) -> None:
        from armory.tui.screens.rules import RulesScreen

        self.app.push_screen(RulesScreen())


def home_view(screen: HomeScreen) -> dict:
    """Everything the first screen shows, as plain data (what armory.tui.firstscreen keeps)."""
    session = screen.session
    day_line, duty_line = screen.day_texts()
    view = {
        "title": session.production.production.title,
        "tz": str(session.tz),
        "date": session.local_now().date().isoformat(),
        "day_line": day_line,
        "duty_line": duty_line,
        "weapons": screen.weapon_rows(),
        "sample": screen.sample_text(),
        "banner": banner_text(session.state.open_stops),
    }
    view["enabled"] = {binding.action: bool(screen.check_action(binding.action, ())) for binding in screen.BINDINGS}
    return view
