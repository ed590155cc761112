"""The ledger's SQLite file: its schema, opening it, and SQLite's errors as messages a person can act on.

The table stores each entry's canonical bytes beside a few index columns
(seq, time, kind, who, scope, hash) that ``verify`` checks against the bytes.
Triggers refuse UPDATE and DELETE on entries. PIN hashes live in a table of
their own beside the entries, never in them. :class:`armory.ledger.store.Ledger`
is the only writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from time import monotonic, sleep

from armory.problems import InputError

#: Entry format (and SQLite ``user_version``) this armory writes and reads.
FORMAT = 1
#: SQLite ``application_id``: "ARMY". Tells an armory ledger from other SQLite files.
APPLICATION_ID = 0x41524D59
#: One entry: its index columns and its canonical bytes.
INSERT_ENTRY = "INSERT INTO entries (seq, time, kind, who, scope, hash, body) VALUES (?, ?, ?, ?, ?, ?, ?)"
SCHEMA = (
    """CREATE TABLE entries (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        kind TEXT NOT NULL,
        who TEXT,
        scope TEXT NOT NULL,
        hash TEXT NOT NULL,
        body BLOB NOT NULL
    )""",
    # No index on scope: each one would cost every durable append a second page written and
    # synced, and folding a scope reads the table once anyway.
    """CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a correction instead'); END""",
    """CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: nothing is deleted'); END""",
    # PIN hashes live beside the entries, never in them (and never in an export).
    """CREATE TABLE credentials (
        crew_id TEXT PRIMARY KEY,
        pin_hash TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT
    )""",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {FORMAT}",
)


def damaged(path: Path, hash_hex: object, what: str) -> InputError:
    """An entry that armory did not write as it is (found while replaying): no traceback, a way on."""
    return InputError(f"{path}: the entry with hash {str(hash_hex)[:16]}… is damaged: {what}. Nothing was changed; "
                      f"`armory log verify {path}` names the first entry that differs")


def sqlite_problem(path: Path, err: sqlite3.Error, doing: str) -> InputError:
    """Turn an SQLite error into a message a person can act on."""
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL or "full" in str(err):
        return InputError(f"{path}: the disk is full; {doing} failed and nothing was written. Free some space and try again")
    if primary == sqlite3.SQLITE_READONLY or "readonly" in str(err):
        return InputError(f"{path}: the ledger is read-only; {doing} failed and nothing was written")
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or "not a database" in str(err):
        return InputError(f"{path}: not an armory ledger (not an SQLite database, or a damaged one)")
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return InputError(f"{path}: the ledger is locked by another armory process; {doing} failed, try again")
    if primary == sqlite3.SQLITE_CANTOPEN:
        return InputError(f"{path}: cannot open the ledger ({err})")
    return InputError(f"{path}: {doing} failed: {err}")


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """A connection in autocommit mode; read-only opens a WAL ledger in a read-only directory too, when it can."""
    try:
        if readonly:
            uri = path.resolve().as_uri()
            try:
                conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                # A WAL ledger in a read-only directory cannot get its -shm. Reading it as
                # immutable is right only when no write-ahead log holds entries not yet in it.
                wal = path.with_name(path.name + "-wal")
                if wal.exists() and wal.stat().st_size > 0:
                    raise InputError(
                        f"{path}: its newest entries are in {wal.name}, which cannot be read from a read-only "
                        "directory; copy the ledger and its -wal file to a writable directory and try again"
                    ) from None
                conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        else:
            conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    except sqlite3.Error as err:
        raise sqlite_problem(path, err, "opening") from None
    return conn


def read_header(conn: sqlite3.Connection, path: Path) -> tuple[int, int, set[str]]:
    """(application id, format, table names) of the file, read in one snapshot."""
    try:
        conn.execute("BEGIN")  # one snapshot: another process may be creating the ledger right now
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.execute("COMMIT")
    except sqlite3.Error as err:
        raise sqlite_problem(path, err, "opening") from None
    return app_id, version, tables


def set_pragmas(conn: sqlite3.Connection, path: Path) -> None:
    """WAL and ``synchronous=FULL``: an entry is on disk when its transaction commits."""
    # Switching a new file to WAL needs it to itself and does not wait on the busy
    # handler, so a second process creating the same ledger retries for a while.
    deadline = monotonic() + 10.0
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = FULL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or monotonic() > deadline:
                raise sqlite_problem(path, err, "opening") from None
            sleep(0.01)
        except sqlite3.Error as err:
            raise sqlite_problem(path, err, "opening") from None
