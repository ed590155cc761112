"""The signing modal, the problems screen and the help screen, on a bare host app."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Button, Input, Select, Static

from armory.problems import InputError, Problem
from armory.tui.screens.problems import ProblemsScreen
from armory.tui.screens.sign import SignModal, Signed, Signer

CREW = [("Ann Armorer (armorer)", "ann"), ("Sam Safety (safety officer)", "sam")]
PINS = {"ann": "1111", "sam": "2222"}


def check_pin(crew_id: str, pin: str, purpose: str) -> None:
    if PINS.get(crew_id) != pin:
        raise InputError(f"wrong PIN for {crew_id}")


class Host(App):
    def __init__(self, screen) -> None:
        super().__init__()
        self.modal = screen
        self.result = "unset"

    def on_mount(self) -> None:
        self.push_screen(self.modal, self._done)

    def _done(self, result) -> None:
        self.result = result


def modal(reason: bool = False, signers=None) -> SignModal:
    return SignModal(
        "Clear a stop",
        ["Stop #4"],
        signers or [Signer("Safety officer", CREW)],
        purpose="test",
        authenticate=check_pin,
        reason_label="Why" if reason else None,
    )


async def test_focus_starts_on_the_pin_never_on_the_confirming_button():
    app = Host(modal())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.query_one("#pin-0", Input)
        assert app.screen.query_one("#who-0", Select).value == "ann"
        # Enter on an empty PIN signs nothing: it says what is missing and stays in the field.
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#pin-0", Input)
        assert "type the PIN" in str(app.screen.query_one("#msg-0", Static).content)
        assert app.result == "unset"


async def test_enter_in_the_last_pin_field_signs_once_every_field_is_filled():
    signers = [Signer("Armorer", CREW, crew_id="ann"), Signer("Officer", CREW, crew_id="sam")]
    app = Host(modal(signers=signers))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"1111", "enter")  # the first PIN: Enter goes on to the next field, signs nothing
        await pilot.pause()
        assert app.result == "unset"
        assert app.focused is app.screen.query_one("#pin-1", Input)
        await pilot.press(*"2222", "enter")
        await pilot.pause()
        assert app.result == Signed(["ann", "sam"])


async def test_enter_in_the_last_field_with_an_earlier_pin_empty_names_it_and_signs_nothing():
    signers = [Signer("Armorer", CREW, crew_id="ann"), Signer("Officer", CREW, crew_id="sam")]
    app = Host(modal(signers=signers))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#pin-1", Input).focus()
        await pilot.press(*"2222", "enter")
        await pilot.pause()
        assert app.result == "unset"
        assert app.focused is app.screen.query_one("#pin-0", Input)
        assert "type the PIN" in str(app.screen.query_one("#msg-0", Static).content)
        await pilot.press(*"1111", "enter")  # now every field is filled, but this is not the last field
        await pilot.pause()
        assert app.result == "unset"


async def test_escape_cancels_and_records_nothing():
    app = Host(modal())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None


async def test_wrong_pin_is_told_beside_the_field_and_the_pin_cleared():
    app = Host(modal(reason=True, signers=[Signer("Safety officer", CREW, crew_id="sam")]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.query_one("#pin-0", Input)
        await pilot.press(*"9999", "enter")
        await pilot.press(*"checked the gun", "enter")  # the last field, every one filled: it tries to sign
        await pilot.pause()
        assert app.result == "unset"
        assert "wrong PIN" in str(app.screen.query_one("#msg-0", Static).content)
        assert app.screen.query_one("#pin-0", Input).value == ""
        assert app.focused is app.screen.query_one("#pin-0", Input)
        await pilot.press(*"2222", "enter")  # not the last field: on to the button, which then signs
        assert app.focused is app.screen.query_one("#confirm", Button)
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == Signed(["sam"], "checked the gun")


async def test_missing_pin_and_missing_reason_are_told_beside_their_fields():
    app = Host(modal(reason=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#confirm", Button).press()
        await pilot.pause()
        assert "type the PIN" in str(app.screen.query_one("#msg-0", Static).content)
        app.screen.query_one("#who-0", Select).value = "sam"
        app.screen.query_one("#pin-0", Input).value = "2222"
        app.screen.query_one("#confirm", Button).press()
        await pilot.pause()
        assert "reason" in str(app.screen.query_one("#msg-reason", Static).content)
        assert app.result == "unset"


async def test_one_person_cannot_sign_twice():
    signers = [Signer("Armorer", CREW, crew_id="ann"), Signer("Actor", CREW, crew_id="ann")]
    app = Host(modal(signers=signers))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#pin-0", Input).value = "1111"
        app.screen.query_one("#pin-1", Input).value = "1111"
        app.screen.query_one("#confirm", Button).press()
        await pilot.pause()
        assert "cannot sign twice" in str(app.screen.query_one("#msg-1", Static).content)
        assert app.result == "unset"


async def test_problems_screen_lists_file_line_key_message():
    problems = [Problem("p.toml", 3, "weapon[1].kind", "unknown kind 'pistl'"), Problem("r.toml", None, "pack", "missing")]
    app = Host(ProblemsScreen("the production has problems", problems))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#problems-list", Static).content)
        assert "p.toml:3: weapon[1].kind: unknown kind 'pistl'" in text
        assert "r.toml: pack: missing" in text


async def test_the_theme_chosen_is_kept_for_next_time(tmp_path):
    from armory.paths import SAMPLE_PRODUCTION
    from armory.tui.app import ArmoryApp
    from armory.tui.launch import load_theme, save_theme

    settings = tmp_path / "tui-settings.toml"
    app = ArmoryApp(SAMPLE_PRODUCTION, tmp_path / "t.sqlite", theme=load_theme(settings),
                    on_theme=lambda theme: save_theme(settings, theme))
    async with app.run_test() as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        chosen = app.theme
    assert load_theme(settings) == chosen
    again = ArmoryApp(SAMPLE_PRODUCTION, tmp_path / "t.sqlite", theme=load_theme(settings))
    assert again.theme == chosen


async def test_the_incident_dialog_starts_with_no_kind_chosen_and_names_the_weapon(tmp_path):
    """A misfire stops every firearm: it is never a default; the weapon taken from the board is said in words."""
    from textual.widgets import Input, OptionList, Select, Static

    from armory.tui.screens.board import BoardScreen
    from armory.tui.screens.incident import IncidentModal
    from test_tui_day import make_app

    app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.session.open_day("day-1", armorer="ana-reyes")
        app.push_screen(BoardScreen("day-1"))
        await pilot.pause()
        await pilot.press("down", "i")  # the board's second row: replica-1
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, IncidentModal)
        assert modal.query_one("#incident-kind", OptionList).highlighted is None
        chosen = str(modal.query_one("#incident-chosen", Static).content)
        assert "What: not chosen yet" in chosen and "Weapon: replica-1 (" in chosen and "from the board's row" in chosen
        modal.query_one("#incident-by", Select).value = "ana-reyes"
        modal.query_one("#incident-text", Input).value = "prop dropped"
        modal.query_one("#confirm").focus()
        await pilot.press("enter")
        await pilot.pause()
        # Nothing recorded, nothing stopped: the person must say what happened.
        assert app.screen is modal and not app.session.state.incidents and not app.session.state.open_stops
        assert "choose what happened" in str(modal.query_one("#msg-incident", Static).content)
        modal.query_one("#incident-weapon", Select).clear()
        await pilot.pause()
        assert "Weapon: none named" in str(modal.query_one("#incident-chosen", Static).content)


async def test_a_wrapped_error_in_a_tall_dialog_is_seen_whole_at_80x24(tmp_path):
    """The wrong-PIN line wraps to two lines under the last field: both stay inside the dialog's view."""
    from textual.containers import VerticalScroll

    from test_tui_day import make_app

    app = make_app(tmp_path / "l.sqlite")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")  # the crew; Enter on the first row changes Ana's PIN, Carla authorizes
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"5290", "enter", *"5290", "enter", *"9999", "enter")  # Enter in the last PIN signs
        await pilot.pause()
        dialog = app.screen
        message = dialog.query_one("#msg-0", Static)
        assert "wrong PIN" in str(message.content) and message.size.height >= 2
        body = dialog.query_one("#dialog-body", VerticalScroll).region
        assert body.y <= message.region.y and message.region.bottom <= body.bottom, (message.region, body)
