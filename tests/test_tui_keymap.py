"""keymap.toml: ids as the help screen shows them, dotted or quoted; an unknown id or a non-string is refused."""

from __future__ import annotations

import pytest

from armory.problems import InputError
from armory.tui.launch import binding_ids, load_keymap


def test_dotted_and_quoted_ids_both_work(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('home.open_day = "f6"\n"board.checks" = "f7"\n', encoding="utf-8")
    assert load_keymap(path) == {"home.open_day": "f6", "board.checks": "f7"}


def test_an_unknown_id_is_named_with_the_closest_one(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('"home.open_dya" = "f6"\nhome.bogus = 3\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_keymap(path)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "home.open_dya: no key has this id (did you mean 'home.open_day'?)" in text
    assert "home.bogus: expected a key name" in text


def test_every_screen_binding_has_an_id():
    ids = binding_ids()
    assert {"home.open_day", "board.checks", "app.help", "crew.enroll"} <= ids


async def test_the_palette_offers_armorys_theme_switch_not_textuals_picker(tmp_path):
    from armory.paths import SAMPLE_PRODUCTION
    from armory.tui.app import ArmoryApp

    app = ArmoryApp(SAMPLE_PRODUCTION, tmp_path / "l.sqlite", [])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles == ["Keys", "Light/dark", "Quit"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "textual-light"
