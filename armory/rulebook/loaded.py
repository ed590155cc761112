"""What loading a file gives: its validated model with the path, text and hash it was read from.

Kept apart from :mod:`armory.rulebook.loader` so that the checks and the
engine can name these types without importing the loader (which imports
the checks): the rulebook's modules import each other one way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from armory.production.models import Production
from armory.rulebook.models import Pack


@dataclass(frozen=True)
class LoadedPack:
    pack: Pack
    path: Path
    text: str
    sha256: str
    """SHA-256 of the file's bytes, hex."""


@dataclass(frozen=True)
class LoadedProduction:
    production: Production
    path: Path
    text: str
    sha256: str
    """SHA-256 of the file's bytes, hex."""
