"""``armory sync`` against a real PostgreSQL: pushes, forks, claims, retries, concurrency, one-line errors."""

import shutil
import subprocess
import sys
import threading

import pytest

from armory.cli import main
from armory.studio import push as push_module
from armory.studio.state import read_state
from tests.studio_helpers import append, ledger_id, local_rows, make_ledger, query
from tests.studio_pg import SUPER_PASSWORD, WRITER_PASSWORD


def _sync(ledger, *extra):
    return main(["sync", "--ledger", str(ledger), *extra])


def test_sync_pushes_the_exact_bytes_then_nothing_new(tmp_path, store, pg_cluster, capsys):
    ledger = make_ledger(tmp_path / "main.sqlite", notes=5)
    assert _sync(ledger) == 0
    out = capsys.readouterr().out
    assert "7 new entries" in out and "unit 'main' of 'Dust Creek'" in out
    assert WRITER_PASSWORD not in out
    stored = query(store, "SELECT seq, hash, body FROM armory.entries WHERE ledger_id = %s ORDER BY seq",
                   (ledger_id(ledger),))
    assert [(seq, h, bytes(b)) for seq, h, b in stored] == local_rows(ledger)
    assert _sync(ledger) == 0
    assert "nothing new; the store holds #1-#7" in capsys.readouterr().out
    append(ledger, 2)
    assert _sync(ledger) == 0
    assert "2 new entries; the store holds #1-#9" in capsys.readouterr().out
    state = read_state(ledger)
    assert state.unit == "main" and state.store_seq == 9 and state.last_sync and state.unreachable_since is None


def test_a_fork_is_refused_named_recorded_and_the_store_untouched(tmp_path, store, capsys):
    ledger = make_ledger(tmp_path / "main.sqlite", notes=3)
    backup = tmp_path / "backup.sqlite"
    shutil.copy(ledger, backup)
    shutil.copy(ledger.with_name("main.sqlite.key"), backup.with_name("backup.sqlite.key"))
    append(ledger, 2)
    assert _sync(ledger) == 0  # the store holds #1-#7
    before = query(store, "SELECT seq, hash FROM armory.entries ORDER BY seq")
    append(backup, 3, text="after the restore")  # the restored laptop used on: #6-#8 differ
    capsys.readouterr()
    assert _sync(backup) == 1
    out = capsys.readouterr().out
    assert "REFUSED" in out and "differs from the store's at entry #6" in out and "first differing entry #6" in out
    assert query(store, "SELECT seq, hash FROM armory.entries ORDER BY seq") == before
    conflicts = query(store, "SELECT reason, first_seq, found_by FROM armory.conflicts")
    assert conflicts == [("fork", 6, "sync")]
    assert "fork at entry #6" in _status(capsys)
    assert read_state(backup).problem == "fork at entry #6: this ledger differs from the store's"
    from armory.studio.state import sync_words

    words = sync_words(read_state(backup))
    assert len("studio store: " + words) <= 2 * 76  # two lines of the first screen at 80 columns
    assert words.startswith("sync REFUSED, fork at entry #6")


def test_a_refusal_seen_again_is_counted_not_written_again(tmp_path, store, capsys):
    """A laptop left behind syncs every few minutes: one conflict row, a count and when it was last seen."""
    ledger = make_ledger(tmp_path / "main.sqlite", notes=3)
    backup = tmp_path / "backup.sqlite"
    shutil.copy(ledger, backup)
    shutil.copy(ledger.with_name("main.sqlite.key"), backup.with_name("backup.sqlite.key"))
    append(ledger, 2)
    assert _sync(ledger) == 0
    for _ in range(3):
        assert _sync(backup) == 1
    assert "seen 3 times now (still one conflict in the store)" in capsys.readouterr().out
    assert query(store, "SELECT reason, first_seq FROM armory.conflicts") == [("behind", 6)]
    assert query(store, "SELECT times FROM armory.conflict_repeats") == [(2,)]
    status = _status(capsys)
    assert status.count("behind: a laptop lacks entries from #6") == 1 and "seen 3 times, last at" in status
    append(backup, 1, text="recorded on the stale copy")  # a new situation: the copy went on recording
    assert _sync(backup) == 1
    assert query(store, "SELECT count(*) FROM armory.conflicts") == [(2,)]


def test_a_laptop_restored_from_an_old_backup_is_told_it_is_behind(tmp_path, store, capsys):
    ledger = make_ledger(tmp_path / "main.sqlite", notes=3)
    backup = tmp_path / "backup.sqlite"
    shutil.copy(ledger, backup)
    shutil.copy(ledger.with_name("main.sqlite.key"), backup.with_name("backup.sqlite.key"))
    append(ledger, 2)
    assert _sync(ledger) == 0
    capsys.readouterr()
    assert _sync(backup) == 1
    out = capsys.readouterr().out
    assert "ends at #5, but the store holds 7 entries" in out
    assert query(store, "SELECT reason, first_seq FROM armory.conflicts") == [("behind", 6)]


def test_another_ledger_claiming_the_unit_is_refused(tmp_path, store, capsys):
    first = make_ledger(tmp_path / "a.sqlite")
    second = make_ledger(tmp_path / "b.sqlite")  # same production, a new ledger and key
    assert _sync(first) == 0
    assert _sync(second) == 1
    out = capsys.readouterr().out
    assert "held in the store by another ledger" in out and "differing" not in out  # no entry differs: a claim
    # the refusal left its conflict and nothing else: no heads row of a unit the store never registered
    assert query(store, "SELECT count(*) FROM armory.heads h LEFT JOIN armory.units u USING (ledger_id) "
                        "WHERE u.ledger_id IS NULL") == [(0,)]
    assert _sync(second, "--unit", "second") == 0
    assert query(store, "SELECT unit FROM armory.units ORDER BY unit") == [("main",), ("second",)]
    assert read_state(second).unit == "second"
    assert _sync(second) == 0  # the name is remembered
    capsys.readouterr()
    assert _sync(second, "--unit", "splinter") == 0
    assert "this ledger is unit 'second' in the store since its first sync" in capsys.readouterr().out
    assert read_state(second).unit == "second"


def test_new_entries_that_do_not_verify_are_refused(tmp_path, store, capsys):
    import sqlite3

    ledger = make_ledger(tmp_path / "main.sqlite", notes=3)
    conn = sqlite3.connect(ledger)
    conn.execute("DROP TRIGGER entries_no_update")
    conn.execute("UPDATE entries SET body = replace(body, 'note 1', 'note 9') WHERE seq = 3")
    conn.commit()
    conn.close()
    assert _sync(ledger) == 1
    assert "entry #3 (note) of this laptop's ledger does not verify" in capsys.readouterr().out
    assert query(store, "SELECT count(*) FROM armory.entries") == [(0,)]
    assert query(store, "SELECT reason, first_seq FROM armory.conflicts") == [("unverified", 3)]
    # nor does a refused first push claim the unit: a laptop with a sound ledger may still take the name
    assert query(store, "SELECT count(*) FROM armory.units") == [(0,)]
    assert query(store, "SELECT count(*) FROM armory.heads") == [(0,)]
    assert _sync(make_ledger(tmp_path / "sound.sqlite")) == 0


def _status(capsys):
    capsys.readouterr()
    assert main(["studio", "status"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("what", ["password", "database", "server", "port", "garbled"])
def test_an_unusable_store_is_one_line_and_exit_2(tmp_path, pg_cluster, pg_db, capsys, what):
    ledger = make_ledger(tmp_path / "main.sqlite")
    url = {
        "password": pg_cluster.url(pg_db, "unit_writer", "wrong-Pw-x9"),
        "database": pg_cluster.url("no_such_db", "unit_writer", WRITER_PASSWORD),
        "server": f"postgresql://unit_writer:{WRITER_PASSWORD}@127.0.0.1:1/{pg_db}",
        "port": f"postgresql://unit_writer:{WRITER_PASSWORD}@127.0.0.1:notaport/{pg_db}",
        "garbled": f"host=127.0.0.1 password={WRITER_PASSWORD} dbname",
    }[what]
    assert _sync(ledger, "--store", url) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("armory: studio store")
    assert "Traceback" not in captured.err
    for secret in ("wrong-Pw-x9", WRITER_PASSWORD, SUPER_PASSWORD):
        assert secret not in captured.err
    expected = {"password": "password authentication failed for user \"unit_writer\" (check the password in "
                            "~/.pgpass or PGPASSWORD",
                "database": 'database "no_such_db" does not exist',
                "server": "Connection refused; Is the server running", "port": 'invalid integer value "notaport"',
                "garbled": "not a valid libpq URL"}[what]
    assert expected in lines[0]
    if what != "garbled":
        assert read_state(ledger).unreachable_since is not None
    from armory.studio.state import sync_words

    words = sync_words(read_state(ledger))
    if what == "password":  # the app's first screen says what to fix, not just "unreachable"
        assert words.startswith("store refuses this laptop's password (see ~/.pgpass) since")
    elif what in ("server", "database"):
        assert words.startswith("store unreachable since")


def test_a_login_without_the_writer_role_is_told_which_role_it_needs(tmp_path, pg_cluster, pg_db, capsys):
    from tests.studio_pg import READER_PASSWORD, READER_USER

    ledger = make_ledger(tmp_path / "main.sqlite")
    assert _sync(ledger, "--store", pg_cluster.url(pg_db, READER_USER, READER_PASSWORD)) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "permission denied" in err and "need armory_writer" in err
    assert READER_PASSWORD not in err
    from armory.studio.state import sync_words

    assert sync_words(read_state(ledger)).startswith("store refuses this login (it lacks the armory_writer role)")


def test_no_store_named_is_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ARMORY_STORE", raising=False)
    ledger = make_ledger(tmp_path / "main.sqlite")
    assert _sync(ledger) == 2
    assert "give --store URL" in capsys.readouterr().err


def test_units_and_productions_sync_at_once(tmp_path, store):
    ledgers = [(make_ledger(tmp_path / "a.sqlite", "Dust Creek", 300), "main"),
               (make_ledger(tmp_path / "b.sqlite", "Dust Creek", 300), "second"),
               (make_ledger(tmp_path / "c.sqlite", "Precinct", 300), "main")]
    from armory.studio.sync import sync_ledger

    results, errors = [], []

    def run(path, unit):
        try:
            for _ in range(3):
                append(path, 20)
                results.append(sync_ledger(path, store, unit=unit).result)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=item) for item in ledgers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and all(result.refused is None for result in results)
    for path, _unit in ledgers:
        stored = query(store, "SELECT seq, hash, body FROM armory.entries WHERE ledger_id = %s ORDER BY seq",
                       (ledger_id(path),))
        assert [(s, h, bytes(b)) for s, h, b in stored] == local_rows(path)
    assert sorted(query(store, "SELECT production_title, unit FROM armory.units")) == [
        ("Dust Creek", "main"), ("Dust Creek", "second"), ("Precinct", "main")]


def test_one_unit_from_two_processes_duplicates_and_loses_nothing(tmp_path, store):
    ledger = make_ledger(tmp_path / "main.sqlite", notes=2000)
    command = [sys.executable, "-m", "armory.cli", "sync", "--ledger", str(ledger)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    said = sorted(out for out, _err in outputs)
    assert "nothing new" in said[1] or "nothing new" in said[0]
    stored = query(store, "SELECT seq, hash, body FROM armory.entries ORDER BY seq")
    assert [(s, h, bytes(b)) for s, h, b in stored] == local_rows(ledger)


@pytest.mark.parametrize("how", ["terminate", "stop"])
def test_a_connection_killed_mid_push_leaves_nothing_half_written(tmp_path, pg_cluster, store, monkeypatch, capsys,
                                                                  how):
    import psycopg

    from armory.studio import sync as sync_module

    ledger = make_ledger(tmp_path / "main.sqlite", notes=500)
    opened = []
    real_connect, real_check = sync_module.connect, push_module.check_extension

    def capture(url, **options):
        conn = real_connect(url, **options)
        opened.append(conn)
        return conn

    def check_then_kill(*args):
        extension = real_check(*args)
        if how == "terminate":
            with psycopg.connect(pg_cluster.url(), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (opened[-1].info.backend_pid,))
        else:
            pg_cluster.stop()
        return extension

    monkeypatch.setattr(sync_module, "connect", capture)
    monkeypatch.setattr(push_module, "check_extension", check_then_kill)
    try:
        assert _sync(ledger) == 2
    finally:
        if how == "stop":
            pg_cluster.restart()
    err = capsys.readouterr().err
    assert err.startswith("armory: studio store") and "syncing with it failed" in err
    assert query(store, "SELECT count(*) FROM armory.entries") == [(0,)]
    assert query(store, "SELECT count(*) FROM armory.units") == [(0,)]
    monkeypatch.setattr(push_module, "check_extension", real_check)
    assert _sync(ledger) == 0
    assert query(store, "SELECT count(*) FROM armory.entries") == [(502,)]
    assert read_state(ledger).unreachable_since is None


def test_a_sync_that_fails_once_reached_is_not_called_unreachable(tmp_path, store, capsys, monkeypatch):
    """Reaching the store and failing there (a full disk, here) is worth a look, not "working offline"."""
    import psycopg

    from armory.studio.state import sync_words

    ledger = make_ledger(tmp_path / "main.sqlite", notes=2)

    def disk_full(*_args, **_kwargs):
        raise psycopg.errors.DiskFull("could not extend file \"base/16384/16401\": No space left on device")

    monkeypatch.setattr(push_module, "push", disk_full)
    assert _sync(ledger) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "No space left on device" in err and "Traceback" not in err
    words = sync_words(read_state(ledger))
    assert words.startswith('store sync failed (could not extend file "base/16384/16401": No space left on')
    assert "unreachable" not in words and len("studio store: " + words) <= 2 * 76


@pytest.mark.parametrize(("sqlstate", "connection"), [
    (None, True), ("08006", True), ("28P01", True), ("3D000", True), ("57P03", True),
    ("53100", False), ("23505", False), ("XX000", False)])
def test_which_failures_count_as_the_store_out_of_reach(sqlstate, connection):
    from armory.studio.connect import is_connection_failure

    class Failure(Exception):
        pass

    failure = Failure("x")
    failure.sqlstate = sqlstate
    if sqlstate is None:
        Failure.__name__ = "OperationalError"
    assert is_connection_failure(failure) is connection
    assert is_connection_failure(ConnectionRefusedError()) is True
