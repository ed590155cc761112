"""Where the terminal app keeps a user's own small files: the keymap and the app's settings.

Below the screens and the app, so that a screen can name these files (the
help says where to remap a key) without importing the launcher, which
imports the app, which imports the screens.
"""

from __future__ import annotations

from pathlib import Path


def keymap_path() -> Path:
    """Where a user may remap keys: ``keymap.toml`` in the data directory, ``binding-id = "key"``."""
    from armory.paths import data_dir

    return data_dir() / "keymap.toml"


def settings_path() -> Path:
    """The app's own small settings (the theme last chosen); written by armory, never by hand."""
    from armory.paths import data_dir

    return data_dir() / "tui-settings.toml"
