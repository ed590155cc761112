"""The head of a ledger file, read without opening it as a Ledger (standard library only).

For the app's first screen: whether anything was recorded since it last drew
that screen, known before pydantic and the models are imported. It proves
nothing about the chain; the ledger itself is opened, replayed and checked
right after.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def head_of(path: Path) -> tuple[int, str] | None:
    """(sequence number, hash) of the last entry; None when the file is missing or is not a ledger."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if row is None or not isinstance(row[0], int) or not isinstance(row[1], str):
        return None
    return row[0], row[1]
