"""``armory`` with no subcommand: resolve the paths, then start the terminal app.

Textual is imported here, inside :func:`run`, so that ``armory --help`` and
every other subcommand start without it.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path

from armory.problems import InputError, Problem
from armory.tui.userfiles import keymap_path, settings_path

__all__ = ["binding_ids", "keymap_path", "load_keymap", "load_theme", "run", "save_theme", "settings_path"]


def load_keymap(path: Path) -> dict[str, str]:
    """Read a keymap file; a missing file is an empty keymap, a bad one is an InputError."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"cannot read the keymap {path}", [Problem(str(path), None, "", str(err))]) from None
    # `home.open_day = "x"` is a dotted key: TOML reads it as a table {"home": {"open_day": "x"}}.
    flat: dict[str, object] = {}

    def walk(table: dict, prefix: str) -> None:
        for key, value in table.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value

    walk(data, "")
    bad = [Problem(str(path), None, key, f"expected a key name such as \"f5\", got {value!r}")
           for key, value in flat.items() if not isinstance(value, str)]
    known = binding_ids()
    bad += [Problem(str(path), None, key, f"no key has this id{_close(key, known)}; f1 lists each screen's ids")
            for key in flat if key not in known]
    if bad:
        raise InputError(f"the keymap {path} has problems", bad)
    return {key: str(value) for key, value in flat.items()}


def binding_ids() -> set[str]:
    """Every remappable binding id of the app and its screens."""
    import importlib
    import pkgutil

    import armory.tui.screens as screens
    from armory.tui.app import ArmoryApp

    ids = {b.id for b in ArmoryApp.BINDINGS if getattr(b, "id", None)}
    for info in pkgutil.iter_modules(screens.__path__):
        module = importlib.import_module(f"armory.tui.screens.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                ids |= {b.id for b in getattr(value, "BINDINGS", []) if getattr(b, "id", None)}
    return ids


def _close(key: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_theme(path: Path) -> str | None:
    """The theme last chosen, or None (a missing or unreadable file is just the default theme)."""
    try:
        theme = tomllib.loads(path.read_text(encoding="utf-8")).get("theme")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return theme if isinstance(theme, str) else None


def save_theme(path: Path, theme: str) -> None:
    import os

    import tomli_w

    from armory.ledger.permissions import private_dir

    try:
        private_dir(path.parent)  # the data folder also holds the ledgers: only its owner enters it
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(tomli_w.dumps({"theme": theme}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a preference, not a record: the next start simply uses the default theme


def run(args: argparse.Namespace) -> int:
    from armory.paths import SAMPLE_PRODUCTION, default_ledger_path

    production = Path(args.production) if getattr(args, "production", None) else SAMPLE_PRODUCTION
    ledger = Path(args.ledger) if getattr(args, "ledger", None) else default_ledger_path(production)
    rules = [Path(p) for p in (getattr(args, "rules", None) or [])]
    keymap = load_keymap(keymap_path())

    from armory.tui.app import ArmoryApp

    app = ArmoryApp(production, ledger, rules, keymap=keymap, theme=load_theme(settings_path()),
                    store_url=os.environ.get("ARMORY_STORE") or None,
                    on_theme=lambda theme: save_theme(settings_path(), theme))
    app.run()
    return int(app.return_code or 0)
