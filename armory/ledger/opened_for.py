"""Which production a ledger was opened for, and the production file to read it with.

A ledger's first entry records the title of the production it was opened for.
Reading the ledger with another production's file would put the wrong names
and local times on every line, so a production given for a ledger is checked
against that title; without one, the bundled sample of that title is used,
else none (crew ids and UTC).
"""

from __future__ import annotations

from pathlib import Path

from armory.problems import InputError

UTC_NOTE = "times in UTC; pass --production for names and local time"


def load_production_model(path: Path):
    """The production model of the file at ``path`` (InputError with every problem when it does not load)."""
    from armory.rulebook.loader import load_production

    return load_production(path).production


def recorded_title(ledger) -> str | None:
    """The production title the ledger's first entry records, or None (none recorded, or unreadable)."""
    try:
        first = ledger.get(1)
    except (InputError, ValueError, KeyError, TypeError):
        return None
    if first is None or first.kind != "ledger_opened" or not isinstance(first.payload, dict):
        return None
    return first.payload.get("production_title") or None


def check_title(production, title: str | None, path: Path, *, given: bool = True) -> None:
    """Refuse a production file whose title is not the one the ledger was opened for."""
    if title and production.production.title != title:
        if not given:  # the bundled sample, taken by default: the user named no production at all
            raise InputError(
                f"this ledger was opened for {title!r} (its first entry says so), not for the bundled sample "
                f"{production.production.title!r} used when --production is left out: give --production with "
                f"the production file of {title!r}; nothing was done")
        raise InputError(
            f"--production {path} is {production.production.title!r}, but this ledger was opened for {title!r} "
            "(its first entry says so): give that production's file, or leave out --production; nothing was done")


def bundled_sample_titled(title: str | None):
    """The bundled sample production whose title is ``title`` (the default Western first), else None."""
    import tomllib

    from armory import paths

    if not title:
        return None
    candidates = [paths.SAMPLE_PRODUCTION, *sorted(paths.SAMPLE_PRODUCTIONS.glob("*/production.toml"))]
    for path in dict.fromkeys(candidates):
        try:  # the title alone first: loading a production costs more than reading its table
            with open(path, "rb") as handle:
                found = (tomllib.load(handle).get("production") or {}).get("title")
        except (OSError, tomllib.TOMLDecodeError, AttributeError):
            continue
        if found != title:
            continue
        try:
            production = load_production_model(path)
        except (InputError, OSError):
            return None
        return production if production.production.title == title else None
    return None


def production_for_ledger(path: Path | None, title: str | None):
    """(production, note) for reading a ledger whose first entry records ``title``.

    ``--production`` is used when given, and refused when its title is not the
    ledger's; without it, the bundled sample whose title matches; otherwise no
    production (crew ids and UTC) and a one-line note saying so.
    """
    if path is not None:
        production = load_production_model(Path(path))
        check_title(production, title, Path(path))
        return production, None
    production = bundled_sample_titled(title)
    if production is not None:
        return production, None
    return None, UTC_NOTE
