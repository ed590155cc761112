"""The setup board: the day's scenes and setups, each weapon's state and what is still missing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from armory.tui.screens.base import ArmoryScreen
from armory.tui.words import weapon_status

SETUP_PHASES = ("before_setup", "before_handoff")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)].rstrip(";,:") + " …"


class BoardScreen(ArmoryScreen):
    BINDINGS = [
        # Esc is named in the line above the table: the footer keeps its room for what acts on the row.
        Binding("escape", "back", "Home", id="board.back", show=False, tooltip="Back to the first screen"),
        Binding("c", "checks", "Checks", id="board.checks",
                tooltip="Ask the checks of the highlighted weapon in its setup, one at a time"),
        Binding("v", "rounds", "Rounds", id="board.rounds",
                tooltip="Verify every round that goes into the weapon, one by one"),
        Binding("h", "hand_over", "Hand over", id="board.hand_over",
                tooltip="Hand the weapon to its actor; both sign; refused until every check allows it"),
        Binding("t", "take_back", "Take back", id="board.take_back",
                tooltip="Take the weapon back and reconcile rounds fired and returned"),
        Binding("p", "spare", "Spare", id="board.spare",
                tooltip="Put a spare weapon or lot on this setup for the day, with a signed reason (when the one "
                        "the production names is sealed or stopped)"),
        Binding("i", "incident", "Incident", id="board.incident", tooltip="Record a misfire, discharge, complaint..."),
        Binding("x", "clear_stop", "Clear stop", id="board.clear_stop",
                tooltip="A safety officer signs a clearance with a reason"),
        Binding("r", "record", "Record", id="board.record", show=False,
                tooltip="The day's ledger in plain language (also on the first screen)"),
        Binding("e", "close_day", "Close day", id="board.close_day",
                tooltip="End-of-day checks, then the armorer signs; prints the head for the call sheet"),
        Binding("d", "day_checks", "Day-start checks", id="board.day_checks", show=False,
                tooltip="Back to the day-start checks: answer what is left, override a failed hold (f3)"),
        Binding("f6", "sign_checks", "Sign day start", id="board.sign", show=False,
                tooltip="The armorer signs the day-start checks, once every one is answered: no firearm goes to "
                        "an actor before"),
    ]

    def __init__(self, day: str) -> None:
        super().__init__()
        self.day = day
        self.rows: dict[str, tuple] = {}

    def body(self) -> ComposeResult:
        with Vertical(id="board-body"):
            yield Static(id="board-title", markup=False)
            yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
            yield Static(id="board-missing", markup=False)

    def on_mount(self) -> None:
        self.app.note_position({"screen": "board", "day": self.day})
        super().on_mount()

    def selected(self):
        table = self.query_one("#board", DataTable)
        if not self.rows or table.cursor_row is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.rows.get(key)

    def refresh_state(self) -> None:
        super().refresh_state()
        from armory.checklist.round_checks import rounds_verified

        session, app = self.session, self.app
        day = session.production.day_by_id(self.day)
        self.query_one("#board-title", Static).update(
            f"{day.id}, {day.date.isoformat()}: scenes, setups and weapons. "
            "↑↓ choose a row; the keys below act on it; Esc: home.")
        table = self.query_one("#board", DataTable)
        cursor = table.cursor_row
        table.clear()
        if not table.columns:
            table.add_columns("setup", "weapon", "load", "actor", "state", "checks", "rounds")
        self.rows = {}
        for scene in day.scene:
            for setup in scene.setup:
                for issue in setup.weapon:
                    key = f"{scene.id}|{setup.id}|{issue.weapon}"
                    self.rows[key] = (scene, setup, issue)
                    asked = [i for phase in SETUP_PHASES for i in session.checklist(
                        day=self.day, phase=phase, scene=scene.id, setup=setup.id, weapon=issue.weapon)
                        if not i.sensed]
                    done = sum(1 for i in asked if i.status != "pending")
                    failed = sum(1 for i in asked if i.status == "failed")
                    verified = sum(1 for r in rounds_verified(session, self.day, scene.id, setup.id, issue.weapon)
                                   .values() if r.verdict == "pass")
                    checks = f"{done}/{len(asked)}" + (f" ✗{failed}" if failed else (" ✓" if done == len(asked) else ""))
                    rounds = f"{verified}/{issue.rounds}" if issue.rounds else "-"
                    _, state_words = weapon_status(app, issue.weapon, short=True)
                    load = issue.load + (f" ×{issue.rounds}" if issue.rounds else "")
                    table.add_row(f"{scene.id}/{setup.id}", issue.weapon, load,
                                  app.crew_name(issue.actor) if issue.actor else "-", state_words, checks, rounds,
                                  key=key)
        if cursor is not None and table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self.show_missing()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_missing()
        self.refresh_bindings()

    def decision(self, row):
        scene, setup, issue = row
        if not issue.actor:
            return None
        giver = self.app.operator or next(iter(c for _, c in self.app.crew_choices(self.day, {"armorer"})), None)
        if giver is None:
            return None
        # The counts of those shown the load are given as the handover is signed: not missing before it.
        return self.session.may_hand_over(day=self.day, scene=scene.id, setup=setup.id, weapon=issue.weapon,
                                          giver=giver, receiver=issue.actor, counts_at_handover=True)

    def show_missing(self) -> None:
        row = self.selected()
        missing = self.query_one("#board-missing", Static)
        if row is None:
            missing.update("No weapons in today's setups.")
            return
        scene, setup, issue = row
        weapon_state = self.session.state.weapons[issue.weapon]
        holder = weapon_state.holder
        if getattr(weapon_state, "sealed", None):
            # The state column says only "sealed": the seal's number is here, with where it may go.
            if getattr(weapon_state, "investigator", None):
                missing.update(f"{issue.weapon} is evidence (seal {weapon_state.sealed}), in an investigator's "
                               "custody: it is not used again.")
            else:
                missing.update(f"{issue.weapon} is sealed as evidence (seal {weapon_state.sealed}): it moves only to "
                               "a named investigator (e on the first screen).")
            return
        if holder is not None:
            missing.update(f"{issue.weapon} is out with {self.app.crew_name(holder)}: t takes it back.")
            return
        decision = self.decision(row)
        from armory.tui.position import day_start_unfinished

        from armory.tui.screens.sign_checks import ready_to_sign

        day_note = ("\n  d: the day-start checks are not finished (an answer or a hold's override is missing)"
                    if day_start_unfinished(self.session, self.day) else
                    "\n  f6: the armorer signs the day-start checks (every one is answered)"
                    if ready_to_sign(self.session, self.day) else "")
        if decision is None:
            missing.update(f"{issue.weapon} stays with the armorer in this setup (no actor).{day_note}")
        elif decision.allowed:
            missing.update(f"✓ {issue.weapon} may go to {self.app.crew_name(issue.actor)}: h hands it over.")
        else:
            lines = [f"Still missing before {issue.weapon} can go to {self.app.crew_name(issue.actor)}:"]
            # Two lines a reason at most, so the rows above stay on an 80x24 screen; h shows them whole.
            lines += [f"  ✗ {_clip(reason.message, 150)}" for reason in decision.reasons[:4]]
            if len(decision.reasons) > 4:
                lines.append(f"  … and {len(decision.reasons) - 4} more")
            missing.update("\n".join(lines) + day_note)

    def check_action(self, action: str, parameters) -> bool | None:
        if self.app.session is None:
            return True
        row = self.selected()
        # What cannot apply to this row is hidden (False), so the footer keeps room at 80 columns;
        # the lines under the table say in words what is missing.
        if action in ("checks", "rounds", "hand_over", "take_back", "spare") and row is None:
            return False
        if action in ("checks", "rounds", "hand_over") and self.day in self.session.state.days_closed:
            return False  # a closed day's record is final
        if row is not None:
            _scene, _setup, issue = row
            weapon_state = self.session.state.weapons[issue.weapon]
            holder = weapon_state.holder
            if action == "spare":
                # Shown when what the row names cannot go on: its weapon or lot sealed, or the weapon stopped.
                sealed = self.session.sealed_items()
                return bool(holder is None and (issue.weapon in sealed or (issue.lot and issue.lot in sealed)
                                                or self.session.state.stops_on(issue.weapon)))
            if action in ("checks", "rounds", "hand_over") and getattr(weapon_state, "sealed", None):
                return False  # evidence: it moves only to an investigator (the line under the table says so)
            if action == "rounds":
                return bool(issue.rounds)
            if action == "hand_over":
                # Opens the handover, where the giver is chosen and "hand over" stays greyed until allowed;
                # greyed here while the day-start checks are unsigned, whoever gives (the line below says so).
                if not (issue.actor and holder is None):
                    return False
                return None if self.unsigned_day(issue.weapon) else True
            if action == "take_back":
                return holder is not None
        if action == "sign_checks":
            from armory.tui.screens.sign_checks import ready_to_sign

            return ready_to_sign(self.session, self.day)
        if action == "clear_stop":
            return bool(self.session.state.open_stops)
        if action == "close_day":
            return self.day not in self.session.state.days_closed
        return True

    def unsigned_day(self, weapon: str) -> bool:
        """The day's start is not signed, and ``weapon`` is a firearm: it goes to no actor yet."""
        from armory.checklist.handoff import signature_reasons

        return bool(self.session.weapon(weapon).firing and signature_reasons(self.session, self.day))

    # -- actions -------------------------------------------------------------
    def on_screen_resume(self) -> None:
        if self.app.screen is self:  # back on top (not merely passed while a restart rebuilds the stack)
            self.app.note_position({"screen": "board", "day": self.day})
        super().on_screen_resume()

    def action_back(self) -> None:
        self.app.note_position({"screen": "home"})
        self.dismiss()

    def action_checks(self) -> None:
        from armory.tui.screens.checks import ChecksScreen

        row = self.selected()
        if row:
            scene, setup, issue = row
            from armory.checklist.moments import due_phases

            # A check a rule requires before the weapon goes out again (the bore after its last firing) comes first,
            # and the checks of its return from this setup while one is still to answer.
            owed = due_phases(self.app.session, issue.weapon)
            from armory.tui.screens.take_back import on_return_owed

            weapon_state = self.session.state.weapons[issue.weapon]
            if ("on_return" not in owed and weapon_state.holder is None
                    and weapon_state.out_for == (self.day, scene.id, setup.id)
                    and on_return_owed(self.session, self.day, scene.id, setup.id, issue.weapon)):
                owed = ("on_return", *owed)
            self.app.push_screen(ChecksScreen(self.day, owed + SETUP_PHASES, scene.id, setup.id, issue.weapon))

    def action_rounds(self) -> None:
        from armory.tui.screens.rounds import RoundsScreen

        row = self.selected()
        if row:
            scene, setup, issue = row
            self.app.push_screen(RoundsScreen(self.day, scene.id, setup.id, issue.weapon))

    def action_hand_over(self) -> None:
        from armory.tui.screens.handover import HandoverScreen

        row = self.selected()
        if row:
            scene, setup, issue = row
            self.app.push_screen(HandoverScreen(self.day, scene.id, setup.id, issue.weapon))

    def action_take_back(self) -> None:
        from armory.tui.screens.take_back import take_back

        row = self.selected()
        if row:
            take_back(self.app, self.day, row[2].weapon)

    def action_spare(self) -> None:
        from armory.tui.screens.spare import put_spare

        row = self.selected()
        if row:
            scene, setup, issue = row
            put_spare(self.app, self.day, scene.id, setup.id, issue.weapon)

    def action_incident(self) -> None:
        from armory.tui.screens.incident import record_incident

        row = self.selected()
        record_incident(self.app, weapon=row[2].weapon if row else None)

    def action_clear_stop(self) -> None:
        from armory.tui.screens.clear import choose_and_clear

        choose_and_clear(self.app)

    def action_record(self) -> None:
        from armory.tui.screens.record import RecordScreen

        self.app.push_screen(RecordScreen())

    def action_day_checks(self) -> None:
        from armory.tui.screens.checks import ChecksScreen

        self.app.push_screen(ChecksScreen(self.day, ("day_start",)))

    def action_sign_checks(self) -> None:
        from armory.tui.screens.sign_checks import ready_to_sign, sign_day_start

        if ready_to_sign(self.session, self.day):
            sign_day_start(self.app, self.day)

    def action_close_day(self) -> None:
        from armory.tui.screens.close_day import close_day

        close_day(self.app, self.day)
