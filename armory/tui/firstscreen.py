"""The first screen as it was last drawn, shown while the session opens.

Opening a session means importing pydantic and the models, validating the
production and its packs and replaying the ledger: about 150 ms that the
first screen (title, today's day, who is on duty, weapons, open stops) would
wait for. When the app last drew that screen it wrote what it showed beside
the ledger, keyed by everything the screen is drawn from: the production's
bytes, every rule file's bytes, the ledger's head entry, the position file's
bytes, the local date and this file's format. On the next start, if every one
of those is unchanged, the same screen is painted at once from that file;
the session opens right after (a key pressed meanwhile waits for it) and the
screen is drawn again from the ledger. Any difference, a missing or damaged
file: the app simply opens the session first, as it always did.

It is a picture of the ledger, never a record: nothing is decided from it,
and it is read only with the standard library (no pydantic, no models).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

FORMAT = 1
"""Bumped whenever the view's shape or the way it is drawn changes."""


def snapshot_path(ledger_path: Path) -> Path:
    return Path(ledger_path).with_name(Path(ledger_path).name + ".first-screen.json")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs_key(production_path: Path, rules_paths: Sequence[Path], head: tuple[int, str] | None,
               position_path: Path) -> str | None:
    """A hash of everything the first screen is drawn from (but the date); None when an input is unreadable."""
    from armory.paths import BUNDLED_RULES
    from armory.rulebook.files import find_toml_files

    if head is None:
        return None
    files, _missing = find_toml_files([*rules_paths, BUNDLED_RULES])  # the files the loader would index
    try:
        parts = {
            "format": FORMAT,
            "production": [str(Path(production_path).resolve()), _digest(Path(production_path))],
            "rules": [[str(p.resolve()), _digest(p)] for p in files],
            "head": list(head),
            "position": _digest(position_path) if position_path.exists() else None,
        }
    except OSError:
        return None
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def local_date(tz_name: str, clock: Callable[[], datetime] | None) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    now = clock() if clock is not None else datetime.now(timezone.utc)
    return now.astimezone(tz).date().isoformat()


TEXTS = ("title", "tz", "date", "day_line", "duty_line", "sample", "banner")


def well_formed(view: object) -> bool:
    """The shape home_view() writes; anything else (a damaged or hand-edited file) is not painted."""
    if not isinstance(view, dict) or not all(isinstance(view.get(name), str) for name in TEXTS):
        return False
    weapons, enabled = view.get("weapons"), view.get("enabled")
    return (isinstance(weapons, list)
            and all(isinstance(row, list) and len(row) == 3 and all(isinstance(c, str) for c in row)
                    for row in weapons)
            and isinstance(enabled, dict)
            and all(isinstance(k, str) and isinstance(v, bool) for k, v in enabled.items()))


def read_view(production_path: Path, rules_paths: Sequence[Path], ledger_path: Path, position_path: Path,
              clock: Callable[[], datetime] | None = None) -> dict | None:
    """The view last drawn, if it was drawn from exactly the inputs on disk now; else None."""
    from armory.ledger.peek import head_of

    try:
        data = json.loads(snapshot_path(ledger_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not well_formed(data.get("view")):
        return None
    view = data["view"]
    if data.get("key") != inputs_key(production_path, rules_paths, head_of(ledger_path), position_path):
        return None
    if not isinstance(view.get("tz"), str) or view.get("date") != local_date(view["tz"], clock):
        return None  # another day: "today" may be another shooting day
    return view


def save_view(production_path: Path, rules_paths: Sequence[Path], ledger_path: Path, position_path: Path,
              head: tuple[int, str] | None, view: dict) -> None:
    """Write the view with its key, atomically; a hint only (no fsync: a lost one costs ~0.15 s once)."""
    key = inputs_key(production_path, rules_paths, head, position_path)
    path = snapshot_path(ledger_path)
    try:
        if key is None:
            path.unlink(missing_ok=True)
            return
        from armory.ledger.permissions import open_private  # not on the way to the first paint

        tmp = path.with_name(path.name + ".tmp")
        with open_private(tmp) as handle:  # it shows what the ledger holds: as private as the ledger
            handle.write(json.dumps({"key": key, "view": view}, ensure_ascii=False))
        os.replace(tmp, path)
    except OSError:
        pass
