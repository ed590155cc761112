"""Where the files a command works on are, from its options and the defaults."""

from __future__ import annotations

import argparse
from pathlib import Path


def production_path(args: argparse.Namespace) -> Path:
    """``--production``, else the bundled sample production."""
    from armory import paths

    return Path(args.production) if getattr(args, "production", None) else paths.SAMPLE_PRODUCTION


def ledger_path(args: argparse.Namespace) -> Path:
    """``--ledger`` (or ARMORY_LEDGER), else the production's ledger in the user data directory."""
    from armory import paths

    if getattr(args, "ledger", None):
        return Path(args.ledger)
    return paths.default_ledger_path(production_path(args))
