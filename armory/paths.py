"""Where bundled files live and where a ledger goes by default."""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_RULES = PROJECT_ROOT / "rules"
SAMPLE_PRODUCTIONS = PROJECT_ROOT / "sample_productions"
SAMPLE_PRODUCTION = SAMPLE_PRODUCTIONS / "western" / "production.toml"
FAILURES_FILE = BUNDLED_RULES / "failures.toml"


def data_dir() -> Path:
    """The user's data directory for armory (platformdirs knows each OS's convention)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("armory", appauthor=False))


def default_ledger_path(production_path: Path) -> Path:
    """``ARMORY_LEDGER`` if set, else one ledger per production in the data directory."""
    env = os.environ.get("ARMORY_LEDGER")
    if env:
        return Path(env)
    stem = production_path.resolve().parent.name or production_path.stem
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem) or "production"
    return data_dir() / f"{safe}.ledger.sqlite"
