"""``armory studio init``: roles, schema and grants, idempotent; append-only in the database itself."""

import psycopg
import pytest

from armory.studio import schema
from tests.studio_pg import READER_PASSWORD, READER_USER, WRITER_PASSWORD, WRITER_USER


def test_init_twice_changes_nothing_the_second_time(pg_cluster):
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE init_twice")
    with psycopg.connect(pg_cluster.url("init_twice")) as conn:
        first = schema.init(conn)
        second = schema.init(conn)
    assert any("applied version 1" in line for line in first)
    assert any(f"applied version {schema.VERSION}" in line for line in first)
    assert second[-1] == f"schema armory: already at version {schema.VERSION}, nothing to change"
    assert "already there" in second[0]


def test_writer_may_insert_and_read_but_never_update_or_delete(pg_cluster, pg_db):
    url = pg_cluster.url(pg_db, WRITER_USER, WRITER_PASSWORD)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO armory.units (ledger_id, production_title, unit, key_fingerprint, public_key) "
                     "VALUES ('l1', 'P', 'main', 'f', 'k')")
        assert conn.execute("SELECT count(*) FROM armory.units").fetchone()[0] == 1
        for sql in ("UPDATE armory.units SET unit = 'x'", "DELETE FROM armory.units", "TRUNCATE armory.units"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)


def test_the_owner_is_refused_too_by_trigger(pg_cluster, pg_db):
    with psycopg.connect(pg_cluster.url(pg_db), autocommit=True) as conn:  # a superuser
        conn.execute("INSERT INTO armory.units (ledger_id, production_title, unit, key_fingerprint, public_key) "
                     "VALUES ('l1', 'P', 'main', 'f', 'k')")
        for sql in ("UPDATE armory.units SET unit = 'x'", "DELETE FROM armory.units", "TRUNCATE armory.units"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(sql)


def test_reader_reads_only(pg_cluster, pg_db):
    with psycopg.connect(pg_cluster.url(pg_db, READER_USER, READER_PASSWORD), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM armory.entries").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO armory.conflicts (ledger_id, production_title, unit, first_seq, store_hash, "
                         "pushed_hash, host, found_by, reason) VALUES ('l', 'p', 'u', 1, '', '', '', '', '')")


def test_the_command_says_what_it_did_and_never_the_password(pg_cluster, capsys):
    from armory.cli import main
    from tests.studio_pg import SUPER_PASSWORD

    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE init_cli")
    url = pg_cluster.url("init_cli")
    assert main(["studio", "init", "--store", url]) == 0
    first = capsys.readouterr().out
    assert "applied version 1" in first and SUPER_PASSWORD not in first
    assert f"postgresql://armory_super@127.0.0.1:{pg_cluster.port}/init_cli" in first
    assert main(["studio", "init", "--store", url]) == 0
    assert f"already at version {schema.VERSION}, nothing to change" in capsys.readouterr().out


def test_a_push_to_a_database_without_the_schema_names_the_fix(pg_cluster, tmp_path, capsys):
    from armory.cli import main
    from tests.studio_helpers import make_ledger

    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE no_schema")
    ledger = make_ledger(tmp_path / "a.sqlite")
    assert main(["sync", "--ledger", str(ledger), "--store", pg_cluster.url("no_schema")]) == 2
    assert "run `armory studio init --store URL`" in capsys.readouterr().err
    from armory.studio.state import read_state, sync_words

    assert sync_words(read_state(ledger)).startswith("store has no armory schema yet (studio init) since")


def test_a_version_1_store_takes_pushes_then_migrates_in_place(pg_cluster, tmp_path, capsys, monkeypatch):
    """A store made by the first armory keeps working (every refusal its own row) until its owner runs init,
    which applies only what is missing and keeps every row."""
    from armory.cli import main
    from tests.studio_helpers import make_ledger, query

    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE at_v1")
    with psycopg.connect(pg_cluster.url("at_v1")) as conn, monkeypatch.context() as patched:
        patched.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        patched.setattr(schema, "VERSION", 1)
        schema.init(conn)
    url = pg_cluster.url("at_v1")
    first, other = make_ledger(tmp_path / "a.sqlite"), make_ledger(tmp_path / "b.sqlite")
    assert main(["sync", "--ledger", str(first), "--store", url]) == 0
    for _ in range(2):
        assert main(["sync", "--ledger", str(other), "--store", url]) == 1  # claims the unit first held
    assert query(url, "SELECT count(*) FROM armory.conflicts") == [(2,)]
    capsys.readouterr()
    assert main(["studio", "status", "--store", url]) == 0
    out = capsys.readouterr().out
    assert out.count("claimed: another ledger") == 2 and "schema is at version 1; its owner brings it" in out
    assert main(["studio", "init", "--store", url]) == 0
    out = capsys.readouterr().out
    assert f"applied version {schema.VERSION}" in out and "applied version 1" not in out
    assert main(["sync", "--ledger", str(other), "--store", url]) == 1
    assert query(url, "SELECT count(*) FROM armory.conflicts") == [(2,)]
    assert query(url, "SELECT times FROM armory.conflict_repeats") == [(1,)]
