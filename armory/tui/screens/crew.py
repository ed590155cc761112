"""Crew and PINs: who can sign on this ledger, and enrolling them without leaving the app.

A real production starts here while nobody has a PIN: the first PIN is a
safety officer's, enrolling themselves; after that each person types their
own new PIN and an enrolled safety officer authorizes it with theirs (the
same rules as ``armory crew enroll``, enforced by the credential store).
Every enrollment is a ``crew_enrolled`` entry in the ledger, durable before
the screen moves on; the PIN itself is kept only as an argon2 hash.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from armory.tui.position import nobody_can_authorize
from armory.tui.screens.base import ArmoryScreen
from armory.tui.screens.sign import SignModal, Signer
from armory.tui.words import PASSED, PENDING, ROLE_WORDS


SHORT_ROLE_WORDS = {"assistant_property_master": "asst. props"}
"""Beyond armory.tui.words.ROLE_WORDS: what keeps the crew table's roles column inside 80 columns."""


def role_words(roles) -> str:
    words = {**ROLE_WORDS, **SHORT_ROLE_WORDS}
    return ", ".join(words.get(role, role.replace("_", " ")) for role in sorted(roles)) or "no role"


def crew_roles(production, member) -> str:
    """The member's default roles, then how a day's assignment differs: ``armorer (+ asst. props on day-3)``.

    A day's assignment replaces the defaults on that day (Production.roles_on), so a day may add roles
    or hold different ones; days that differ the same way are named together.
    """
    default = frozenset(member.roles)
    differences: dict[str, list[str]] = {}
    for day in production.day:
        held = next((frozenset(a.roles) for a in day.crew if a.id == member.id), None)
        if held is None or held == default:
            continue
        if default <= held:
            what = f"+ {role_words(held - default)}"
        else:
            what = f"only {role_words(held)}"
        differences.setdefault(what, []).append(day.id)
    notes = [f"{what} on {', '.join(days)}" for what, days in differences.items()]
    if not default:
        return "; ".join(note.removeprefix("+ ").removeprefix("only ") for note in notes) or "no role"
    return role_words(default) + (f" ({'; '.join(notes)})" if notes else "")


class CrewScreen(ArmoryScreen):
    """Everyone in the production's crew, whether they have a PIN here; Enter enrolls or changes one."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="crew.back", tooltip="Back to the previous screen"),
        Binding("n", "enroll", "Set PIN", id="crew.enroll",
                tooltip="Enroll the highlighted person or change their PIN; a safety officer authorizes it"),
    ]

    def body(self) -> ComposeResult:
        with VerticalScroll(id="crew"):
            yield Static(id="crew-intro", markup=False)
            yield DataTable(id="crew-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.app.note_position({"screen": "crew"})
        super().on_mount()
        table = self.query_one("#crew-table", DataTable)
        table.focus()
        if nobody_can_authorize(self.session):
            # The first PIN can only be a safety officer's: start there.
            first = next((m.id for m in self.session.production.crew
                          if self.session.may_authorize_enrollment(m.id)), None)
            if first is not None:
                table.move_cursor(row=table.get_row_index(first))

    def on_screen_resume(self) -> None:
        if self.app.screen is self and self.is_attached:
            self.app.note_position({"screen": "crew"})
        super().on_screen_resume()

    def intro(self) -> str:
        session = self.session
        if session.credentials is None or getattr(session.ledger, "readonly", False):
            return "This ledger is open read-only: PINs cannot be set here."
        enrolled = session.enrolled()
        crew = session.production.crew
        have = sum(1 for m in crew if m.id in enrolled)
        if not any(session.may_authorize_enrollment(m.id) for m in crew):
            return ("Nobody in this production's crew is a safety officer, and only a safety officer "
                    "authorizes a PIN: add one to the production file (a crew member with roles = "
                    "[\"safety_officer\"]), then start armory again.")
        if not session.officers_enrolled():
            return ("Nobody has a PIN on this ledger yet, so nobody can sign. The first PIN is a safety "
                    "officer's, enrolling themselves: highlight a safety officer and press Enter. Then each "
                    "person types their own PIN, and a safety officer authorizes it with theirs.")
        return (f"{have} of {len(crew)} have a PIN. Each person signs with their own PIN: Enter on a row "
                "enrolls them or changes their PIN (they type it; a safety officer authorizes it).")

    def refresh_state(self) -> None:
        super().refresh_state()
        session = self.session
        self.query_one("#crew-intro", Static).update(self.intro())
        table = self.query_one("#crew-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        if not table.columns:
            table.add_columns("name", "crew id", "roles", "PIN")
        enrolled = session.enrolled()
        for member in session.production.crew:
            pin = f"{PASSED} set" if member.id in enrolled else f"{PENDING} none yet"
            table.add_row(member.name, member.id, crew_roles(session.production, member), pin, key=member.id)
        if cursor is not None and table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def selected(self) -> str | None:
        table = self.query_one("#crew-table", DataTable)
        if table.row_count == 0 or table.cursor_row is None:
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            enroll_person(self.app, event.row_key.value)

    def action_enroll(self) -> None:
        crew_id = self.selected()
        if crew_id:
            enroll_person(self.app, crew_id)

    def action_back(self) -> None:
        if nobody_can_authorize(self.session):
            self.app.notify("Until a safety officer has a PIN nobody can open the day or sign anything; "
                            "come back here with c on the first screen.", title="Nobody enrolled yet", timeout=8)
        self.dismiss()


def enroll_person(app, crew_id: str, on_done: Callable[[bool], None] | None = None) -> None:
    """The modal that sets ``crew_id``'s PIN: typed twice by them, authorized by an enrolled safety officer."""
    from armory.ledger.identity import PIN_PATTERN
    from armory.ledger.pins import weak_pin_reason

    session = app.session
    member = session.production.crew_member(crew_id)
    if member is None:
        return
    officers = session.officers_enrolled()
    first = not officers
    if first and not session.may_authorize_enrollment(crew_id):
        app.notify(f"{member.name} is not a safety officer. The first PIN on this ledger is a safety officer's, "
                   "enrolling themselves; then they authorize everyone else's.", title="A safety officer first",
                   severity="warning", timeout=8)
        return
    changing = crew_id in session.enrolled()
    typed: dict[str, str] = {}

    def validate(fields: dict[str, str]) -> dict[str, str]:
        typed.update(fields)
        if not PIN_PATTERN.fullmatch(fields["pin"]):
            return {"pin": "a PIN is 4 to 8 digits"}
        weak = weak_pin_reason(fields["pin"])
        if weak:
            return {"pin": f"too easy to guess: {weak}; choose another"}
        if fields["again"] != fields["pin"]:
            return {"again": "the two PINs differ: type the same PIN again"}
        return {}

    def authorize(officer: str, officer_pin: str, _purpose: str) -> None:
        # The officer's PIN is checked by the enrollment itself (a wrong one is counted, as at any signing).
        session.enroll(crew_id, typed["pin"], authorized_by=officer, authorizer_pin=officer_pin)

    verb = "changed" if changing else "set"
    done = f"{member.name}'s PIN {verb}; recorded in the ledger."

    def signed(result) -> None:
        if result is None:
            if on_done:
                on_done(False)
            return
        if first:
            app.attempt(lambda: session.enroll(crew_id, result.fields["pin"], authorized_by=crew_id),
                        done=done + " Now enroll the crew: each types their own PIN, you authorize it.",
                        title="First safety officer enrolled", on_done=on_done)
            return
        app.notify(done, title="PIN " + verb)
        app.after_action()
        if on_done:
            on_done(True)

    summary = [f"{member.name} ({crew_id}) types their own new PIN; nobody else should see it. "
               "6 to 8 digits that mean nothing to anyone else are best; common PINs, runs and repeats are refused."]
    if first:
        summary.append("The first PIN on this ledger: a safety officer enrolling themselves.")
        signers = []
    else:
        summary.append("A safety officer with a PIN here authorizes it with theirs.")
        choices = [(text, cid) for text, cid in app.crew_choices() if cid in officers]
        signers = [Signer("Safety officer authorizing it", choices,
                          crew_id=crew_id if crew_id in officers else None)]
    app.push_screen(SignModal(
        f"{'Change the PIN of' if changing else 'Enroll'} {member.name}", summary, signers,
        purpose=f"enroll {crew_id}", authenticate=authorize,
        secret_fields=[("pin", f"New PIN for {member.name} (6 to 8 digits best, 4 at least)"),
                       ("again", "The same PIN again")],
        validate=validate, confirm_label="Change PIN" if changing else "Enroll"), signed)
