"""The ledger: an append-only, hash-chained SQLite file, one per production.

:class:`Ledger` opens the file, appends entries after the head as it stands
on disk (another process may have appended meanwhile), signs checkpoints and
reads entries back. What an entry is, and how its bytes and hash are made, is
:mod:`armory.ledger.chain`; the file's schema and SQLite's errors are
:mod:`armory.ledger.sqlite_file`.

Durability: WAL with ``synchronous=FULL`` and one transaction per entry, so
``append`` returns only after the entry is on disk. Triggers refuse UPDATE
and DELETE on entries; no code path issues either.
"""

from __future__ import annotations

import base64
import math
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from armory.ledger import signing
from armory.ledger.canonical import sha256_hex
from armory.ledger.chain import (
    GENESIS,
    HASHED_FIELDS,
    Entry,
    entry_bytes,
    format_time,
    parse_time,
    stored_payload,
)
from armory.ledger.entries import Payload
from armory.ledger.sqlite_file import (
    APPLICATION_ID,
    FORMAT,
    INSERT_ENTRY,
    SCHEMA,
    connect,
    damaged,
    read_header,
    set_pragmas,
    sqlite_problem,
)
from armory.problems import InputError
from armory.version import armory_version

# Names other modules import from here, wherever they are defined now.
_sqlite_problem = sqlite_problem
__all__ = ["APPLICATION_ID", "FORMAT", "GENESIS", "HASHED_FIELDS", "Entry", "Ledger", "format_time",
           "parse_time", "short_head"]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Ledger:
    """An open ledger file. Use ``Ledger.open``; close it (or use ``with``) when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool,
                 clock: Callable[[], datetime], key_path: Path) -> None:
        self.path = path
        self.readonly = readonly
        self.key_path = key_path
        self._conn = conn
        self._clock = clock
        self._opened: Entry | None = None
        self._head: tuple[int, str, str] | None = None
        """(seq, hash, time) of the last entry this connection knows of."""
        self.on_append: Callable[[int, str], None] | None = None
        """Called with (seq, hash) after each entry this connection appends (a session follows its head)."""

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, production_title: str | None = None, create: bool = True,
             readonly: bool = False, clock: Callable[[], datetime] | None = None,
             key_path: Path | None = None) -> "Ledger":
        path = Path(path)
        clock = clock or _utc_now
        key_path = Path(key_path) if key_path is not None else signing.default_key_path(path)
        exists = path.exists()
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not a ledger file")
        if not exists and (readonly or not create):
            raise InputError(f"{path}: no ledger there (give --ledger PATH or set ARMORY_LEDGER)")
        if exists and not readonly:
            if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
                raise InputError(
                    f"{path}: the ledger is read-only (the file or its directory cannot be written); "
                    "nothing was changed"
                )
        from armory.ledger import device_secret, permissions, sealing

        if not exists:
            try:  # only its owner reads it: 0600 (SQLite gives -wal and -shm the same) in a 0700 folder
                permissions.private_dir(path.parent)
                permissions.create_private_file(path)
            except OSError as err:
                raise InputError(f"{path}: cannot create the ledger: {err.strerror or err}") from None
        conn = cls._connect(path, readonly=readonly)
        ledger = cls(path, conn, readonly=readonly, clock=clock, key_path=key_path)
        try:
            ledger._prepare(production_title)
            sealing.seal_ledger(ledger)  # a ledger of an earlier armory: once, recorded
        except BaseException:
            conn.close()
            raise
        permissions.warn_exposed(path, ledger.key_path, secret=device_secret.secret_file())
        return ledger

    @staticmethod
    def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
        return connect(path, readonly=readonly)

    def _prepare(self, production_title: str | None) -> None:
        app_id, version, tables = read_header(self._conn, self.path)
        if app_id == 0 and not tables:
            if self.readonly:
                raise InputError(f"{self.path}: an empty file, not an armory ledger")
            self._create(production_title)
            return
        if app_id != APPLICATION_ID:
            raise InputError(f"{self.path}: not an armory ledger (an SQLite database of another program)")
        if version > FORMAT:
            raise InputError(
                f"{self.path}: the ledger was written by a newer armory (format {version}; this armory "
                f"reads format {FORMAT} and older). Upgrade armory to open it; nothing was changed"
            )
        if "entries" not in tables:
            raise InputError(f"{self.path}: not an armory ledger (it has no entries table)")
        if not self.readonly:
            self._set_pragmas()
            if self.head() is None:  # created by a process that died before its first entry
                self._append_opened(production_title)

    def _set_pragmas(self) -> None:
        set_pragmas(self._conn, self.path)

    def _create(self, production_title: str | None) -> None:
        self._set_pragmas()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            # Another process may have created it while we waited for the lock.
            if self._conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                for statement in SCHEMA:
                    self._conn.execute(statement)
            self._conn.execute("COMMIT")
        except sqlite3.Error as err:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise sqlite_problem(self.path, err, "creating the ledger") from None
        if self.head() is None:
            self._append_opened(production_title)

    def _append_opened(self, production_title: str | None) -> None:
        key = signing.load_or_create_key(self.key_path, create=True)
        raw = signing.public_raw(key)
        data = self._payload("ledger_opened", {
            "ledger_id": secrets.token_hex(8),
            "production_title": production_title or "",
            "public_key": base64.b64encode(raw).decode(),
            "key_fingerprint": signing.fingerprint(raw),
            "armory_version": armory_version(),
            "format": FORMAT,
        })
        # Two processes may create the ledger at once: only one first entry is written.
        self._append("ledger_opened", None, "", lambda *_: data, only_as_seq=1)

    # -- writing ------------------------------------------------------------

    def append(self, kind: str, who: str | None, payload: Payload | dict, *, scope: str = "") -> Entry:
        """Validate ``payload`` by ``kind`` and append it; the entry is on disk when this returns."""
        data = self._payload(kind, payload)
        return self._append(kind, who, scope, lambda seq, prev, time: data)

    def _payload_dict(self, kind: str, payload: Payload | dict) -> dict:
        """``payload`` validated by its kind's model, as the ledger stores it (its domain is checked with the
        whole entry's bytes when ``make_payload`` of ``_append`` returns it alone)."""
        return self._payload(kind, payload)[0]

    def _payload(self, kind: str, payload: Payload | dict) -> tuple[dict, bool]:
        """``payload`` validated by its kind's model, as the ledger stores it (see :func:`chain.stored_payload`)."""
        return stored_payload(kind, payload)

    def _append(self, kind: str, who: str | None, scope: str,
                make_payload: Callable[[int, str, str], dict | tuple[dict, bool]],
                extra_sql: Iterable[tuple[str, tuple]] = (), only_as_seq: int | None = None) -> Entry | None:
        """Append one entry in one durable transaction, after the head as it stands on disk.

        The head is cached; when another process appended meanwhile, the insert
        meets an existing sequence number (entries are never deleted, so a
        stale head always does), the transaction rolls back and the entry is
        built again on the real head. With ``only_as_seq``, the entry is written
        only if it gets that sequence number (else None is returned).

        ``make_payload`` returns the payload, or what ``_payload`` returns for it
        (with whether it is proven ready for the fast writer); a payload alone is
        walked with the whole entry.
        """
        if self.readonly:
            raise InputError(f"{self.path}: opened read-only; cannot record {kind}")
        if who is not None and not isinstance(who, str):
            raise InputError(f"{kind} entry: who must be a crew id or None (got {who!r})")
        conn = self._conn
        extra_sql = list(extra_sql)
        while True:
            try:
                if self._head is None:
                    row = conn.execute("SELECT seq, hash, time FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
                    self._head = (row[0], row[1], row[2]) if row else (0, GENESIS, "")
                last_seq, prev, prev_time = self._head
                seq = last_seq + 1
                if only_as_seq is not None and seq != only_as_seq:
                    return None  # someone else wrote that entry first
                time, skew_ms = self._now(prev_time)
                made = make_payload(seq, prev, time)
                payload, presorted = made if type(made) is tuple else (made, False)
                body = entry_bytes(seq, time, kind, who, scope, payload, presorted, prev, skew_ms)
                digest = sha256_hex(body)
                row_values = (seq, time, kind, who, scope, digest, body)
                if extra_sql:
                    conn.execute("BEGIN IMMEDIATE")
                    for sql, params in extra_sql:
                        conn.execute(sql, params)
                    conn.execute(INSERT_ENTRY, row_values)
                    conn.execute("COMMIT")
                else:  # one statement in autocommit mode: one durable transaction
                    conn.execute(INSERT_ENTRY, row_values)
            except sqlite3.IntegrityError as err:
                self._rollback()
                self._head = None
                if "entries.seq" in str(err):
                    continue  # another process appended first: rebuild on the real head
                raise sqlite_problem(self.path, err, f"recording {kind}") from None
            except BaseException as err:
                self._rollback()
                self._head = None
                if isinstance(err, sqlite3.Error):
                    raise sqlite_problem(self.path, err, f"recording {kind}") from None
                raise
            self._head = (seq, digest, time)
            if self.on_append is not None:
                self.on_append(seq, digest)
            return Entry(seq, time, kind, who, scope, payload, prev, digest, body, skew_ms)

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _now(self, prev_time: str) -> tuple[str, int]:
        """This entry's time: the clock's, or the previous entry's when the clock ran backwards."""
        now = self._clock()
        text = format_time(now)
        if text >= prev_time:
            return text, 0
        behind = parse_time(prev_time) - now.astimezone(timezone.utc)
        return prev_time, max(1, math.ceil(behind.total_seconds() * 1000))

    def _append_many(self, items: Iterable[tuple[str, str | None, dict, str]]) -> int:
        """Append many ``(kind, who, payload, scope)`` in ONE transaction (bench and fixtures only).

        The chain is the same as with ``append``; only durability per entry is
        given up, so nothing that records real events may use it.
        """
        conn = self._conn
        rows = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT seq, hash, time FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev, prev_time = row if row else (0, GENESIS, "")
            for kind, who, payload, scope in items:
                if who is not None and not isinstance(who, str):
                    raise InputError(f"{kind} entry: who must be a crew id or None (got {who!r})")
                data, presorted = self._payload(kind, payload)
                seq += 1
                time, skew_ms = self._now(prev_time)
                body = entry_bytes(seq, time, kind, who, scope, data, presorted, prev, skew_ms)
                prev, prev_time = sha256_hex(body), time
                rows.append((seq, time, kind, who, scope, prev, body))
            conn.executemany(INSERT_ENTRY, rows)
            conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        finally:
            self._head = None
        return len(rows)

    def checkpoint(self, *, scope: str = "") -> Entry:
        """Append a signed ``checkpoint`` over the head as it stands just before it."""
        opened = self.opened()
        key = signing.load_or_create_key(self.key_path, create=False)
        if key is None:
            raise InputError(f"{self.key_path}: the ledger's signing key is missing; cannot sign a checkpoint")
        if base64.b64encode(signing.public_raw(key)).decode() != opened.payload["public_key"]:
            raise InputError(f"{self.key_path}: this key is not the one the ledger was opened with; cannot sign")
        origin = f"armory.ledger/{opened.payload['ledger_id']}"
        fingerprint = opened.payload["key_fingerprint"]

        def make(seq: int, prev: str, time: str) -> tuple[dict, bool]:
            note = signing.sign_note(signing.note_text(origin, seq - 1, prev, time), origin, key)
            return self._payload("checkpoint", {"origin": origin, "size": seq - 1, "head_hash": prev,
                                                "key_fingerprint": fingerprint, "note": note})

        return self._append("checkpoint", None, scope, make)

    # -- reading ------------------------------------------------------------

    def entries(self, *, scope: str | None = "", since: int = 0) -> Iterator[Entry]:
        """Entries after ``since`` in order; ``scope=None`` gives every scope."""
        if scope is None:
            sql, params = "SELECT body, hash FROM entries WHERE seq > ? ORDER BY seq", (since,)
        else:
            sql, params = "SELECT body, hash FROM entries WHERE scope = ? AND seq > ? ORDER BY seq", (scope, since)
        try:
            cursor = self._conn.execute(sql, params)
            while batch := cursor.fetchmany(512):
                for body, hash_hex in batch:
                    yield self._decode(body, hash_hex)
        except sqlite3.Error as err:
            raise sqlite_problem(self.path, err, "reading") from None

    def rows(self) -> Iterator[tuple]:
        """Raw rows ``(seq, time, kind, who, scope, hash, body)`` in order, for verify."""
        try:
            cursor = self._conn.execute("SELECT seq, time, kind, who, scope, hash, body FROM entries ORDER BY seq")
            while batch := cursor.fetchmany(2048):
                yield from batch
        except sqlite3.Error as err:
            raise sqlite_problem(self.path, err, "reading") from None

    def get(self, seq: int) -> Entry | None:
        row = self._query_one("SELECT body, hash FROM entries WHERE seq = ?", (seq,))
        return self._decode(*row) if row else None

    def head(self) -> Entry | None:
        row = self._query_one("SELECT body, hash FROM entries ORDER BY seq DESC LIMIT 1", ())
        return self._decode(*row) if row else None

    def hash_at(self, seq: int) -> str:
        """The stored hash of entry ``seq`` ("" when there is none)."""
        row = self._query_one("SELECT hash FROM entries WHERE seq = ?", (seq,))
        return row[0] if row and isinstance(row[0], str) else ""

    def head_key(self) -> tuple[int, str] | None:
        """(seq, hash) of the last entry on disk now; None for an empty ledger."""
        row = self._query_one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1", ())
        return (row[0], row[1]) if row else None

    def _decode(self, body: object, hash_hex: object) -> Entry:
        """An Entry from a stored row; a body armory did not write as it is raises InputError, not a traceback."""
        if type(body) is not bytes:
            raise damaged(self.path, hash_hex, f"its body is stored as {type(body).__name__}, not as the "
                           "bytes armory writes: it was edited outside armory")
        try:
            entry = Entry.from_body(body, hash_hex if isinstance(hash_hex, str) else None)
        except (ValueError, KeyError, TypeError) as err:
            raise damaged(self.path, hash_hex, f"its body cannot be read ({err!r})") from None
        if not (type(entry.seq) is int and type(entry.clock_skew_ms) is int and type(entry.payload) is dict
                and all(type(v) is str for v in (entry.time, entry.kind, entry.scope, entry.prev))
                and (entry.who is None or type(entry.who) is str)):
            raise damaged(self.path, hash_hex, "its fields do not have the types armory writes")
        return entry

    def opened(self) -> Entry:
        """The ``ledger_opened`` entry (seq 1)."""
        if self._opened is None:
            first = self.get(1)
            if first is None or first.kind != "ledger_opened":
                raise InputError(f"{self.path}: the ledger has no ledger_opened first entry")
            self._opened = first
        return self._opened

    def key_fingerprint(self) -> str:
        return self.opened().payload["key_fingerprint"]

    def __len__(self) -> int:
        row = self._query_one("SELECT max(seq) FROM entries", ())
        return row[0] or 0

    def _query_one(self, sql: str, params: tuple):
        try:
            return self._conn.execute(sql, params).fetchone()
        except sqlite3.Error as err:
            raise sqlite_problem(self.path, err, "reading") from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def short_head(ledger: Ledger) -> str:
    """The key fingerprint and head for a call sheet: ``key 1a2b… head #57 9f86d081884c7d65``."""
    head = ledger.head()
    if head is None:
        return f"key {ledger.key_fingerprint()} (empty ledger)"
    from armory.ledger.head import call_sheet_line

    return call_sheet_line(ledger.key_fingerprint(), head.seq, head.hash)

