"""Ledgers to push in the studio store tests."""

from __future__ import annotations

from pathlib import Path

import psycopg

from armory.ledger.store import Ledger


def make_ledger(path: Path, title: str = "Dust Creek", notes: int = 5, *, checkpoint: bool = True) -> Path:
    """A ledger of ``notes`` note entries (one transaction), ending in a signed checkpoint."""
    with Ledger.open(path, production_title=title) as ledger:
        add_notes(ledger, notes, checkpoint=checkpoint)
    return path


def add_notes(ledger: Ledger, count: int, *, text: str = "note", checkpoint: bool = False) -> None:
    if count:
        ledger._append_many([("note", None, {"text": f"{text} {i}"}, "") for i in range(count)])
    if checkpoint:
        ledger.checkpoint()


def append(path: Path, count: int = 1, *, text: str = "later", checkpoint: bool = False) -> None:
    with Ledger.open(path, create=False) as ledger:
        for i in range(count):
            ledger.append("note", None, {"text": f"{text} {i}"})
        if checkpoint:
            ledger.checkpoint()


def query(url: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def ledger_id(path: Path) -> str:
    with Ledger.open(path, readonly=True) as ledger:
        return ledger.opened().payload["ledger_id"]


def local_rows(path: Path) -> list[tuple]:
    with Ledger.open(path, readonly=True) as ledger:
        return [(seq, hash_hex, bytes(body)) for seq, _t, _k, _w, _s, hash_hex, body in ledger.rows()]
