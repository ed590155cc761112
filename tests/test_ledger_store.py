"""The SQLite ledger: appends, reads, the append-only triggers, time, and bad files."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest

from armory.ledger.canonical import canonical_bytes, sha256_hex
from armory.ledger.entries import Note
from armory.ledger.store import FORMAT, GENESIS, HASHED_FIELDS, Ledger, short_head
from armory.ledger.verify import verify_rows
from armory.problems import InputError


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 3, 2, 14, 30, tzinfo=timezone.utc))


@pytest.fixture
def ledger(tmp_path, clock):
    with Ledger.open(tmp_path / "prod.ledger", production_title="Dry Gulch", clock=clock) as opened:
        yield opened


def test_a_new_ledger_starts_with_ledger_opened_and_a_private_key(ledger, tmp_path):
    first = ledger.get(1)
    assert first.kind == "ledger_opened" and first.prev == GENESIS
    assert first.payload["production_title"] == "Dry Gulch"
    assert ledger.key_fingerprint() == first.payload["key_fingerprint"]
    key_file = tmp_path / "prod.ledger.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(ledger) == 1


def test_append_chains_hashes_over_the_canonical_bytes(ledger):
    entry = ledger.append("note", "ann", Note(text="chairs moved", day="day-1"))
    assert entry.seq == 2 and entry.prev == ledger.get(1).hash
    assert entry.body == canonical_bytes(entry.fields())
    assert entry.hash == sha256_hex(entry.body)
    assert set(json.loads(entry.body)) == set(HASHED_FIELDS)
    assert ledger.get(2) == entry and ledger.head() == entry
    assert entry.model() == Note(text="chairs moved", day="day-1")
    assert entry.to_json()["hash"] == entry.hash


def test_entry_time_is_utc_rfc3339_with_microseconds(ledger, clock):
    clock.now = datetime(2026, 3, 2, 7, 35, 1, 42, tzinfo=timezone(timedelta(hours=-7)))
    entry = ledger.append("note", None, {"text": "x"})
    assert entry.time == "2026-03-02T14:35:01.000042Z" and entry.clock_skew_ms == 0


def test_a_clock_that_runs_backwards_never_blocks_and_records_the_skew(ledger, clock):
    ahead = ledger.append("note", None, {"text": "first"})
    clock.now -= timedelta(seconds=3, microseconds=500)
    behind = ledger.append("note", None, {"text": "second"})
    assert behind.time == ahead.time
    assert behind.clock_skew_ms == 3001
    clock.now += timedelta(seconds=10)
    later = ledger.append("note", None, {"text": "third"})
    assert later.clock_skew_ms == 0 and later.time > ahead.time
    assert verify_rows(ledger.rows()).ok


def test_scopes_keep_drills_apart(ledger):
    ledger.append("note", None, {"text": "real"})
    ledger.append("note", None, {"text": "drill"}, scope="drill-1")
    assert [e.kind for e in ledger.entries()] == ["ledger_opened", "note"]
    assert ledger.get(2).payload["text"] == "real"
    assert [e.payload["text"] for e in ledger.entries(scope="drill-1")] == ["drill"]
    assert [e.kind for e in ledger.entries(scope=None)] == ["ledger_opened", "note", "note"]
    assert [e.seq for e in ledger.entries(scope=None, since=2)] == [3]


@pytest.mark.parametrize(
    "kind, payload, fragment",
    [
        ("nonsense", {}, "unknown ledger entry kind"),
        ("note", {"txt": "typo"}, "note entry: text: Field required"),
        ("rounds_fired", {"day": "d", "weapon": "w", "rounds": "six"}, "rounds"),
        ("note", {"text": "x", "extra": 1}, "Extra inputs are not permitted"),
    ],
)
def test_bad_payloads_are_refused_and_nothing_is_written(ledger, kind, payload, fragment):
    before = len(ledger)
    with pytest.raises(InputError, match=fragment):
        ledger.append(kind, "ann", payload)
    assert len(ledger) == before


def test_floats_never_reach_the_ledger(ledger, monkeypatch):
    # A model instance is not validated again; one made without validation is still refused.
    with pytest.raises(InputError, match="floats are not allowed"):
        ledger.append("note", None, Note.model_construct(text="x", weapon=1.5))
    # And so is a model whose dump went wrong (a payload of a kind that is not flat is dumped and walked).
    from armory.ledger.entries import DayOpened

    monkeypatch.setattr(DayOpened, "model_dump", lambda self, **kw: {"day": "d", "production_hash": 1.5})
    with pytest.raises(InputError, match="floats are not allowed"):
        ledger.append("day_opened", None, DayOpened(day="d", production_hash="h", packs=[], signed_by=[]))
    assert len(ledger) == 1


@pytest.mark.parametrize("sql", ["UPDATE entries SET who = 'mallory'", "DELETE FROM entries WHERE seq = 1"])
def test_triggers_refuse_update_and_delete(ledger, sql):
    conn = sqlite3.connect(ledger.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(sql)
    conn.close()


def test_checkpoint_signs_the_head_before_it(ledger):
    ledger.append("note", None, {"text": "x"})
    head = ledger.head()
    checkpoint = ledger.checkpoint()
    assert checkpoint.payload["size"] == head.seq and checkpoint.payload["head_hash"] == head.hash
    assert checkpoint.payload["note"].startswith(checkpoint.payload["origin"] + f"\n{head.seq}\n")
    assert "\n\n\u2014 armory.ledger/" in checkpoint.payload["note"]
    assert verify_rows(ledger.rows()).checkpoints_checked == 1


def test_short_head_names_key_and_head(ledger):
    head = ledger.append("note", None, {"text": "x"})
    text = short_head(ledger)
    assert ledger.key_fingerprint() in text and head.hash[:16] in text and f"#{head.seq}" in text


def test_reopening_keeps_the_chain_and_the_key(tmp_path, clock):
    path = tmp_path / "l.sqlite"
    with Ledger.open(path, clock=clock) as first:
        fingerprint = first.key_fingerprint()
        first.append("note", None, {"text": "x"})
    with Ledger.open(path, create=False, clock=clock) as again:
        assert again.key_fingerprint() == fingerprint and len(again) == 2
        again.checkpoint()
    with Ledger.open(path, readonly=True) as reader:
        assert verify_rows(reader.rows()).ok


def test_a_fixed_key_path_gives_the_same_fingerprint(tmp_path, clock):
    key = tmp_path / "golden.key"
    with Ledger.open(tmp_path / "a.sqlite", clock=clock, key_path=key) as a:
        with Ledger.open(tmp_path / "b.sqlite", clock=clock, key_path=key) as b:
            assert a.key_fingerprint() == b.key_fingerprint()


# -- bad files: a clear message, nothing changed ----------------------------------


def _snapshot(path):
    return path.read_bytes() if path.exists() else None


def test_missing_file_with_create_false(tmp_path):
    with pytest.raises(InputError, match="no ledger there"):
        Ledger.open(tmp_path / "nope.sqlite", create=False)
    assert not (tmp_path / "nope.sqlite").exists()


def test_a_text_file_is_not_a_ledger(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("call sheet\n" * 50)
    before = _snapshot(path)
    with pytest.raises(InputError, match="not an armory ledger"):
        Ledger.open(path)
    assert _snapshot(path) == before


def test_another_programs_sqlite_is_not_a_ledger(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = _snapshot(path)
    with pytest.raises(InputError, match="another program"):
        Ledger.open(path)
    assert _snapshot(path) == before


def test_a_ledger_from_a_newer_armory_is_refused(ledger):
    path = ledger.path
    ledger.close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {FORMAT + 1}")
    conn.close()
    before = _snapshot(path)
    for readonly in (False, True):
        with pytest.raises(InputError, match="newer armory"):
            Ledger.open(path, readonly=readonly)
    assert _snapshot(path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_file_is_refused_for_writing(ledger):  # pragma: no cover - root in CI
    path = ledger.path
    ledger.close()
    path.chmod(0o444)
    with pytest.raises(InputError, match="read-only"):
        Ledger.open(path)


def test_a_read_only_ledger_refuses_writes_without_changing_anything(ledger):
    path = ledger.path
    ledger.append("note", None, {"text": "x"})
    ledger.close()
    with Ledger.open(path, readonly=True) as reader:
        with pytest.raises(InputError, match="read-only"):
            reader.append("note", None, {"text": "y"})
        assert len(reader) == 2


def test_a_read_only_directory_is_refused_for_writing(ledger, monkeypatch):
    path = ledger.path
    ledger.close()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    with pytest.raises(InputError, match="read-only"):
        Ledger.open(path)


def test_a_full_disk_is_a_clear_message_and_writes_nothing(ledger):
    # SQLite reports SQLITE_FULL when the file may not grow: the same path as a full disk.
    page_count = ledger._conn.execute("PRAGMA page_count").fetchone()[0]
    ledger._conn.execute(f"PRAGMA max_page_count = {page_count}")
    before = len(ledger)
    with pytest.raises(InputError, match="disk is full"):
        for _ in range(200):
            ledger.append("note", None, {"text": "x" * 2000})
    written = len(ledger)
    assert written >= before
    assert verify_rows(ledger.rows()).ok
    assert not ledger._conn.in_transaction


def test_two_writers_on_one_file_interleave_into_one_chain(tmp_path, clock):
    path = tmp_path / "shared.ledger"
    with Ledger.open(path, clock=clock) as first, Ledger.open(path, clock=clock) as second:
        for n in range(5):
            a = first.append("note", "ann", {"text": f"a{n}"})  # each time, the other one's head is stale
            b = second.append("note", "bob", {"text": f"b{n}"})
            assert b.seq == a.seq + 1 and b.prev == a.hash
        checkpoint = first.checkpoint()
        assert checkpoint.payload["size"] == checkpoint.seq - 1
        result = verify_rows(first.rows())
    assert result.ok and result.entries == 12 and result.checkpoints_checked == 1


@pytest.mark.parametrize("new_body", ["replace(body, 'ledger', 'LEDGER')", "X'7b6e6f74206a736f6e'"])
def test_an_entry_edited_outside_armory_is_named_when_replayed_not_a_traceback(tmp_path, new_body):
    path = tmp_path / "edited.sqlite"
    with Ledger.open(path, production_title="Edited") as ledger:
        ledger.append("note", None, Note(text="one"))
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER entries_no_update")
    conn.execute(f"UPDATE entries SET body = {new_body} WHERE seq = 1")  # TEXT back; not JSON
    conn.commit()
    conn.close()
    with Ledger.open(path, create=False, readonly=True) as ledger:
        with pytest.raises(InputError, match="damaged.*log verify"):
            list(ledger.entries())
