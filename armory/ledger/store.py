"""The ledger: an append-only, hash-chained SQLite file, one per production.

An entry's canonical bytes (RFC 8785 JSON of every field except its hash) are
the entry. The table stores those bytes beside a few index columns (seq,
time, kind, who, scope, hash) that ``verify`` checks against the bytes; every
``Entry`` the app reads is built from the bytes alone.

Durability: WAL with ``synchronous=FULL`` and one transaction per entry, so
``append`` returns only after the entry is on disk. Triggers refuse UPDATE
and DELETE on entries; no code path issues either.
"""

from __future__ import annotations

import base64
import json
import math
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from time import monotonic, sleep

from pydantic import BaseModel, ValidationError

from armory.ledger import signing
from armory.ledger.canonical import (
    MAX_SAFE_INTEGER,
    check_domain,
    checked_canonical_bytes,
    presorted_canonical_bytes,
    sha256_hex,
)
from armory.ledger.entries import FLAT_LAYOUTS, PAYLOADS, Payload, payload_json
from armory.problems import InputError
from armory.version import armory_version

#: Entry format (and SQLite ``user_version``) this armory writes and reads.
FORMAT = 1
#: SQLite ``application_id``: "ARMY". Tells an armory ledger from other SQLite files.
APPLICATION_ID = 0x41524D59
#: ``prev`` of the first entry.
GENESIS = "0" * 64
_INSERT = "INSERT INTO entries (seq, time, kind, who, scope, hash, body) VALUES (?, ?, ?, ?, ?, ?, ?)"
#: Fields hashed, in the order an export line shows them (the hash itself is sorted in by JCS).
HASHED_FIELDS = ("seq", "time", "kind", "who", "scope", "payload", "prev", "clock_skew_ms")

_SCHEMA = (
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


def format_time(moment: datetime) -> str:
    """UTC RFC 3339 with microseconds and ``Z``; strings of this form sort in time order."""
    tz = moment.tzinfo
    if tz is not timezone.utc:
        if tz is None:
            raise ValueError("the ledger clock must return an aware datetime")
        moment = moment.astimezone(timezone.utc)
    # What isoformat(timespec="microseconds") writes, less "+00:00", in half its time.
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, moment.microsecond)


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _entry_bytes(seq: int, time: str, kind: str, who: str | None, scope: str, payload: dict,
                 presorted: bool, prev: str, skew_ms: int) -> bytes:
    """The canonical bytes of an entry: every hashed field (the payload already validated by its model)."""
    if presorted and type(scope) is str and type(prev) is str and type(time) is str:
        # Keys in sorted order; seq and skew are ints of ours, kind one of PAYLOADS, who None or text
        # (checked by _append), the payload proven in the domain: only text may hold a lone surrogate,
        # which presorted_canonical_bytes refuses.
        return presorted_canonical_bytes({
            "clock_skew_ms": skew_ms, "kind": kind, "payload": payload, "prev": prev, "scope": scope,
            "seq": seq, "time": time, "who": who,
        }, f"{kind} entry")
    return checked_canonical_bytes({
        "seq": seq, "time": time, "kind": kind, "who": who, "scope": scope,
        "payload": payload, "prev": prev, "clock_skew_ms": skew_ms,
    }, f"{kind} entry")


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger entry, as read from its canonical bytes."""

    seq: int
    time: str
    kind: str
    who: str | None
    scope: str
    payload: dict
    prev: str
    hash: str
    body: bytes
    clock_skew_ms: int = 0

    def model(self) -> Payload:
        """The payload parsed with its kind's model."""
        return PAYLOADS[self.kind].model_validate(self.payload)

    def fields(self) -> dict:
        """Every hashed field (all but ``hash``)."""
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def to_json(self) -> dict:
        """Every field including the hash: one line of a jsonl export."""
        return {**self.fields(), "hash": self.hash}

    @classmethod
    def from_body(cls, body: bytes, hash_hex: str | None = None) -> "Entry":
        """Build from stored canonical bytes (``hash_hex`` defaults to their SHA-256)."""
        fields = json.loads(body)
        return cls(
            seq=fields["seq"],
            time=fields["time"],
            kind=fields["kind"],
            who=fields["who"],
            scope=fields["scope"],
            payload=fields["payload"],
            prev=fields["prev"],
            hash=hash_hex if hash_hex is not None else sha256_hex(body),
            body=bytes(body),
            clock_skew_ms=fields["clock_skew_ms"],
        )


def _exactly_flat(data: dict) -> bool:
    """Every value an exact str, bool, None, int within the domain, or list of exact str."""
    for value in data.values():
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                continue
            return False
        if kind is list and all(type(item) is str for item in value):
            continue
        return False
    return True


def _damaged(path: Path, hash_hex: object, what: str) -> InputError:
    """An entry that armory did not write as it is (found while replaying): no traceback, a way on."""
    return InputError(f"{path}: the entry with hash {str(hash_hex)[:16]}… is damaged: {what}. Nothing was changed; "
                      f"`armory log verify {path}` names the first entry that differs")


def _sqlite_problem(path: Path, err: sqlite3.Error, doing: str) -> InputError:
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
        if not exists:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise InputError(f"{path}: cannot create the ledger's directory: {err.strerror or err}") from None
        conn = cls._connect(path, readonly=readonly)
        ledger = cls(path, conn, readonly=readonly, clock=clock, key_path=key_path)
        try:
            ledger._prepare(production_title)
        except BaseException:
            conn.close()
            raise
        return ledger

    @staticmethod
    def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
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
            raise _sqlite_problem(path, err, "opening") from None
        return conn

    def _prepare(self, production_title: str | None) -> None:
        conn = self._conn
        try:
            conn.execute("BEGIN")  # one snapshot: another process may be creating the ledger right now
            try:
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as err:
            raise _sqlite_problem(self.path, err, "opening") from None
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
        # Switching a new file to WAL needs it to itself and does not wait on the busy
        # handler, so a second process creating the same ledger retries for a while.
        deadline = monotonic() + 10.0
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL").fetchone()
                self._conn.execute("PRAGMA synchronous = FULL")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or monotonic() > deadline:
                    raise _sqlite_problem(self.path, err, "opening") from None
                sleep(0.01)
            except sqlite3.Error as err:
                raise _sqlite_problem(self.path, err, "opening") from None

    def _create(self, production_title: str | None) -> None:
        self._set_pragmas()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            # Another process may have created it while we waited for the lock.
            if self._conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                for statement in _SCHEMA:
                    self._conn.execute(statement)
            self._conn.execute("COMMIT")
        except sqlite3.Error as err:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise _sqlite_problem(self.path, err, "creating the ledger") from None
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
        """``payload`` validated by its kind's model, as the ledger stores it.

        Returns the payload and whether it is known to be ready for ``presorted_canonical_bytes``: keys in
        sorted order and inside the canonical domain (see ``entries.FlatLayout``). A payload validated here
        of a flat kind is so by construction, once its ints are within 2**53; a model instance the caller
        made (perhaps without validation, with ``model_construct``) is walked. Any other payload is checked
        with the whole entry's bytes.
        """
        model_type = PAYLOADS.get(kind)
        if model_type is None:
            raise InputError(f"unknown ledger entry kind {kind!r}")
        try:
            if isinstance(payload, model_type):
                model, validated = payload, False
            elif isinstance(payload, BaseModel):
                model, validated = model_type.model_validate(payload.model_dump()), True
            else:
                model, validated = model_type.model_validate(payload), True
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "payload"
            raise InputError(f"{kind} entry: {where}: {first['msg']}") from None
        layout = FLAT_LAYOUTS.get(kind)
        if layout is None or type(model) is not model_type:
            return payload_json(model), False  # its domain is checked with the whole entry's bytes
        try:
            data = layout.payload(model)
        except KeyError as err:  # an instance made without validation (model_construct) lacks a field
            raise InputError(f"{kind} entry: {err.args[0]}: Field required") from None
        if validated:
            for name in layout.ints:
                value = data.get(name)
                if value is not None and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                    check_domain(data, f"{kind} entry.payload")  # raises, naming the field
        else:
            # Not validated here (model_construct, model_copy(update=...)): it may hold anything, so
            # every value must have exactly a flat type for the fast writer, which keeps dict order.
            for name in layout.lists:  # the caller keeps its model: the entry gets lists of its own
                if type(data.get(name)) is list:
                    data[name] = data[name][:]
            if not _exactly_flat(data):
                check_domain(data, f"{kind} entry.payload")  # refuses what is outside the domain, naming it
                return data, False  # inside it but not flat (a dict, say): the sorting writer
        return data, True

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
                body = _entry_bytes(seq, time, kind, who, scope, payload, presorted, prev, skew_ms)
                digest = sha256_hex(body)
                row_values = (seq, time, kind, who, scope, digest, body)
                if extra_sql:
                    conn.execute("BEGIN IMMEDIATE")
                    for sql, params in extra_sql:
                        conn.execute(sql, params)
                    conn.execute(_INSERT, row_values)
                    conn.execute("COMMIT")
                else:  # one statement in autocommit mode: one durable transaction
                    conn.execute(_INSERT, row_values)
            except sqlite3.IntegrityError as err:
                self._rollback()
                self._head = None
                if "entries.seq" in str(err):
                    continue  # another process appended first: rebuild on the real head
                raise _sqlite_problem(self.path, err, f"recording {kind}") from None
            except BaseException as err:
                self._rollback()
                self._head = None
                if isinstance(err, sqlite3.Error):
                    raise _sqlite_problem(self.path, err, f"recording {kind}") from None
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
                body = _entry_bytes(seq, time, kind, who, scope, data, presorted, prev, skew_ms)
                prev, prev_time = sha256_hex(body), time
                rows.append((seq, time, kind, who, scope, prev, body))
            conn.executemany(_INSERT, rows)
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
            raise _sqlite_problem(self.path, err, "reading") from None

    def rows(self) -> Iterator[tuple]:
        """Raw rows ``(seq, time, kind, who, scope, hash, body)`` in order, for verify."""
        try:
            cursor = self._conn.execute("SELECT seq, time, kind, who, scope, hash, body FROM entries ORDER BY seq")
            while batch := cursor.fetchmany(2048):
                yield from batch
        except sqlite3.Error as err:
            raise _sqlite_problem(self.path, err, "reading") from None

    def get(self, seq: int) -> Entry | None:
        row = self._query_one("SELECT body, hash FROM entries WHERE seq = ?", (seq,))
        return self._decode(*row) if row else None

    def head(self) -> Entry | None:
        row = self._query_one("SELECT body, hash FROM entries ORDER BY seq DESC LIMIT 1", ())
        return self._decode(*row) if row else None

    def head_key(self) -> tuple[int, str] | None:
        """(seq, hash) of the last entry on disk now; None for an empty ledger."""
        row = self._query_one("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1", ())
        return (row[0], row[1]) if row else None

    def _decode(self, body: object, hash_hex: object) -> Entry:
        """An Entry from a stored row; a body armory did not write as it is raises InputError, not a traceback."""
        if type(body) is not bytes:
            raise _damaged(self.path, hash_hex, f"its body is stored as {type(body).__name__}, not as the "
                           "bytes armory writes: it was edited outside armory")
        try:
            entry = Entry.from_body(body, hash_hex if isinstance(hash_hex, str) else None)
        except (ValueError, KeyError, TypeError) as err:
            raise _damaged(self.path, hash_hex, f"its body cannot be read ({err!r})") from None
        if not (type(entry.seq) is int and type(entry.clock_skew_ms) is int and type(entry.payload) is dict
                and all(type(v) is str for v in (entry.time, entry.kind, entry.scope, entry.prev))
                and (entry.who is None or type(entry.who) is str)):
            raise _damaged(self.path, hash_hex, "its fields do not have the types armory writes")
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
            raise _sqlite_problem(self.path, err, "reading") from None

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

