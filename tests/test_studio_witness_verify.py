"""The witness, ``log verify --store`` and ``studio status`` against a real PostgreSQL."""

import json
import shutil
import sqlite3

import psycopg

from armory.cli import main
from armory.ledger.store import Ledger
from armory.ledger.verify import verify_file
from armory.studio.state import read_state
from tests.studio_helpers import append, ledger_id, make_ledger, query


def _witness(tmp_path, *extra):
    return main(["studio", "witness", "--key", str(tmp_path / "witness.key"), "--state",
                 str(tmp_path / "witness.json"), *extra])


def test_witness_cosigns_and_sync_brings_it_home(tmp_path, store, capsys):
    ledger = make_ledger(tmp_path / "main.sqlite", notes=4)
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert _witness(tmp_path) == 0
    out = capsys.readouterr().out
    assert "made a new witness key" in out and "cosigned Dust Creek / main: head #6" in out
    assert json.loads((tmp_path / "witness.json").read_text())["units"][ledger_id(ledger)]["seq"] == 6
    assert _witness(tmp_path) == 0
    assert "unchanged Dust Creek / main: head #6 already cosigned" in capsys.readouterr().out
    assert main(["sync", "--ledger", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert "brought home a cosignature" in out and "entries 1-6" in out and "1 new entry" in out
    with Ledger.open(ledger, readonly=True) as opened:
        assert opened.head().kind == "cosignature"
    result, _ = verify_file(ledger)
    assert result.ok and [size for _fp, size, _h in result.cosigned] == [6]
    state = read_state(ledger)
    assert state.witnessed_seq == 6 and state.witnessed_head
    assert main(["sync", "--ledger", str(ledger)]) == 0  # nothing brought twice
    with Ledger.open(ledger, readonly=True) as opened:
        assert len(opened) == 7
    capsys.readouterr()
    assert _witness(tmp_path) == 0  # the new head is only its own cosignature: not cosigned in turn
    assert "unchanged Dust Creek / main: head #6 already cosigned" in capsys.readouterr().out
    assert main(["sync", "--ledger", str(ledger)]) == 0
    with Ledger.open(ledger, readonly=True) as opened:
        assert len(opened) == 7  # no entry a run for ever
    assert query(store, "SELECT count(*) FROM armory.cosignatures") == [(1,)]
    append(ledger, 1)
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert _witness(tmp_path) == 0
    assert "cosigned Dust Creek / main: head #8" in capsys.readouterr().out
    capsys.readouterr()
    assert main(["log", "verify", "--store", "--witness", str(tmp_path / "witness.key")]) == 0
    out = capsys.readouterr().out
    assert "intact: Dust Creek / main" in out and "witnessed to #8" in out


def test_a_witnessed_head_catches_a_laptop_rewrite(tmp_path, store, capsys):
    """The armorer's laptop rewrites an entry before the witnessed head and re-hashes and re-signs everything
    after it with the device key it holds: the chain is caught by the cosignature it carries, with no export."""
    ledger = make_ledger(tmp_path / "main.sqlite", notes=4)
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert _witness(tmp_path) == 0
    assert main(["sync", "--ledger", str(ledger)]) == 0
    append(ledger, 2, checkpoint=True)
    rewritten = tmp_path / "rewritten.sqlite"
    _rewrite(ledger, rewritten, seq=3, old="note 1", new="note X")
    result, _ = verify_file(rewritten)
    assert not result.ok
    # the device key re-signed the checkpoints, so only the witness's cosignature (#7) can tell
    assert result.first_bad[:2] == (7, "cosignature")
    assert "not this chain's entry: the entries up to it were rewritten after the witness saw them" in result.first_bad[2]
    capsys.readouterr()
    assert main(["sync", "--ledger", str(rewritten)]) == 1  # and the store refuses it as a fork at #3
    assert "at entry #3" in capsys.readouterr().out


def _rewrite(source, target, *, seq, old, new):
    """Copy a ledger, change one entry's bytes and re-hash (and re-sign the checkpoints of) every entry after it,
    as someone holding the laptop and its device key could."""
    from armory.ledger import signing
    from armory.ledger.canonical import canonical_bytes, sha256_hex

    shutil.copy(source, target)
    key = signing.load_or_create_key(source.with_name(source.name + ".key"), create=False)
    conn = sqlite3.connect(target)
    conn.execute("DROP TRIGGER entries_no_update")
    rows = conn.execute("SELECT seq, body FROM entries ORDER BY seq").fetchall()
    prev = None
    for number, body in rows:
        fields = json.loads(body)
        if number == seq:
            fields["payload"]["text"] = fields["payload"]["text"].replace(old.split()[-1], new.split()[-1])
        if prev is not None and number > seq:
            fields["prev"] = prev
            if fields["kind"] == "checkpoint":
                p = fields["payload"]
                p["head_hash"] = prev
                text = signing.note_text(p["origin"], p["size"], prev, fields["time"])
                p["note"] = signing.sign_note(text, p["origin"], key)
        data = canonical_bytes(fields)
        prev = sha256_hex(data)
        conn.execute("UPDATE entries SET body = ?, hash = ? WHERE seq = ?", (data, prev, number))
    conn.commit()
    conn.close()
    shutil.copy(source.with_name(source.name + ".key"), target.with_name(target.name + ".key"))


def test_witness_refuses_a_store_rewritten_under_it(tmp_path, pg_cluster, pg_db, store, capsys):
    ledger = make_ledger(tmp_path / "main.sqlite", notes=4)
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert _witness(tmp_path) == 0
    lid = ledger_id(ledger)
    with psycopg.connect(pg_cluster.url(pg_db), autocommit=True) as conn:  # a superuser removes the last entries
        conn.execute("ALTER TABLE armory.entries DISABLE TRIGGER entries_append_only")
        conn.execute("DELETE FROM armory.entries WHERE ledger_id = %s AND seq >= 5", (lid,))
    capsys.readouterr()
    assert _witness(tmp_path) == 1
    assert "no longer holds the head #6" in capsys.readouterr().out
    assert ("inconsistent", "witness", 6) in query(store, "SELECT reason, found_by, first_seq FROM armory.conflicts")
    assert _witness(tmp_path) == 1  # cron runs it again: refused again, counted, not written again
    assert query(store, "SELECT count(*) FROM armory.conflicts") == [(1,)]
    assert query(store, "SELECT times FROM armory.conflict_repeats") == [(1,)]


def test_verify_store_names_a_superuser_edit(tmp_path, pg_cluster, pg_db, store, capsys):
    first = make_ledger(tmp_path / "a.sqlite", notes=6)
    second = make_ledger(tmp_path / "b.sqlite", notes=3)
    assert main(["sync", "--ledger", str(first)]) == 0
    assert main(["sync", "--ledger", str(second), "--unit", "second"]) == 0
    capsys.readouterr()
    assert main(["log", "verify", "--store", "--production", "Dust Creek"]) == 0
    assert "2 of 2 unit chains" in capsys.readouterr().out
    lid = ledger_id(first)
    with psycopg.connect(pg_cluster.url(pg_db), autocommit=True) as conn:
        conn.execute("ALTER TABLE armory.entries DISABLE TRIGGER entries_append_only")
        conn.execute("UPDATE armory.entries SET body = convert_to(replace(convert_from(body, 'UTF8'), 'note 2', "
                     "'note 7'), 'UTF8') WHERE ledger_id = %s AND seq = 4", (lid,))
    assert main(["log", "verify", "--store"]) == 1
    out = capsys.readouterr().out
    assert "TAMPERED: Dust Creek / main" in out and "first bad entry: #4 (note)" in out
    assert "intact: Dust Creek / second" in out and "1 of 2 unit chains" in out


def test_verify_store_names_json_that_says_something_else(tmp_path, pg_cluster, pg_db, store, capsys):
    ledger = make_ledger(tmp_path / "a.sqlite", notes=3)
    assert main(["sync", "--ledger", str(ledger)]) == 0
    with psycopg.connect(pg_cluster.url(pg_db), autocommit=True) as conn:
        conn.execute("ALTER TABLE armory.entries DISABLE TRIGGER entries_append_only")
        conn.execute("UPDATE armory.entries SET doc = jsonb_set(doc, '{payload,text}', '\"edited\"') WHERE seq = 3")
    capsys.readouterr()
    assert main(["log", "verify", "--store"]) == 1
    assert "entry #3 (note): the JSON stored beside its bytes says something else" in capsys.readouterr().out


def test_status_shows_units_and_what_is_open_most_serious_first(tmp_path, store, capsys):
    ledger = make_ledger(tmp_path / "a.sqlite", notes=2)
    other = make_ledger(tmp_path / "b.sqlite", "Precinct", notes=1)
    with Ledger.open(ledger, create=False) as opened:
        weapon = opened.append("stop", None, {"scope": "weapon", "weapons": ["saa-1"], "cause": "rule.x",
                                              "failures": [], "reason": "chamber count short"})
        opened.append("stop", None, {"scope": "production", "weapons": [], "cause": "invariant.live-round",
                                     "failures": ["F1"], "reason": "a live round"})
        opened.append("clearance", "carla-diaz", {"stop_seq": weapon.seq, "reason": "recounted",
                                                  "signed_by": ["carla-diaz"]})
        opened.append("incident", None, {"incident": "misfire", "description": "click, no bang",
                                         "reported_by": "ana-reyes"})
        opened.append("seal", None, {"item_kind": "lot", "item": "blank-a", "seal_id": "S-1",
                                     "signed_by": ["ana-reyes"]})
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert main(["sync", "--ledger", str(other)]) == 0
    capsys.readouterr()
    assert main(["studio", "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("2 productions, 2 units")
    open_lines = [line for line in lines if line.startswith("  Dust Creek / main #")]
    assert "OPEN production-wide stop: a live round" in open_lines[0]
    assert "UNREVIEWED incident (misfire)" in open_lines[1]
    assert "SEALED lot blank-a (seal S-1): held by the armorer" in open_lines[2]
    assert not any("chamber count short" in line for line in lines)
    assert any(line.startswith("  Precinct / main: last entry #3 checkpoint") and "never witnessed" in line
               for line in lines)
    assert main(["sync", "--ledger", str(make_ledger(tmp_path / "c.sqlite", "Precinct"))]) == 1  # a claim
    capsys.readouterr()
    assert main(["studio", "status", "--production", "Dust Creek"]) == 0
    only = capsys.readouterr().out
    assert only.splitlines()[0].endswith(", Dust Creek: 1 unit") and "Precinct" not in only
    assert "UNREVIEWED incident (misfire)" in only and "CONFLICTS" not in only
    assert main(["studio", "status", "--production", "Precinct"]) == 0
    only = capsys.readouterr().out
    assert "claimed: another ledger" in only and "Dust Creek" not in only and "OPEN ACROSS" not in only
    assert main(["studio", "status", "--production", "Nope"]) == 2
    assert "no unit of 'Nope'" in capsys.readouterr().err


def test_local_verify_checks_cosignatures_against_the_studio_key(tmp_path, store, capsys):
    from armory.ledger import signing

    ledger = make_ledger(tmp_path / "main.sqlite", notes=2)
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert _witness(tmp_path) == 0
    assert main(["sync", "--ledger", str(ledger)]) == 0
    capsys.readouterr()
    assert main(["log", "verify", "--ledger", str(ledger), "--witness", str(tmp_path / "witness.key")]) == 0
    # the public half, written beside the key, is what the studio hands a producer who has no device secret
    assert b"PRIVATE" not in (tmp_path / "witness.key.pub").read_bytes()
    assert main(["log", "verify", "--ledger", str(ledger), "--witness", str(tmp_path / "witness.key.pub")]) == 0
    assert "ok: cosigned by the studio witness" in capsys.readouterr().out
    other = signing.load_or_create_key(tmp_path / "other.key", create=True)
    other_fp = signing.fingerprint(signing.public_raw(other))
    assert main(["log", "verify", "--ledger", str(ledger), "--witness", other_fp]) == 1
    assert "not the studio witness key given" in capsys.readouterr().out


def test_a_witness_cosigns_nothing_it_could_not_remember_nor_with_a_unit_s_own_key(tmp_path, store, capsys):
    ledger = make_ledger(tmp_path / "main.sqlite", notes=2)
    assert main(["sync", "--ledger", str(ledger)]) == 0
    capsys.readouterr()
    assert main(["studio", "witness", "--key", str(tmp_path / "witness.key"), "--state",
                 str(tmp_path / "no-such-dir" / "witness.json")]) == 2
    err = capsys.readouterr().err
    assert "the witness state cannot be written" in err and "Traceback" not in err
    assert query(store, "SELECT count(*) FROM armory.cosignatures") == [(0,)]
    assert main(["studio", "witness", "--key", str(tmp_path / "main.sqlite.key"), "--state",
                 str(tmp_path / "witness.json")]) == 2
    assert "is the signing key of Dust Creek / main itself" in capsys.readouterr().err
    assert query(store, "SELECT count(*) FROM armory.cosignatures") == [(0,)]


def test_verify_store_names_a_cosignature_made_with_the_unit_s_own_key(tmp_path, store, capsys):
    import base64

    from armory.ledger import signing

    ledger = make_ledger(tmp_path / "main.sqlite", notes=2)
    assert main(["sync", "--ledger", str(ledger)]) == 0
    key = signing.load_or_create_key(tmp_path / "main.sqlite.key", create=False)
    raw = signing.public_raw(key)
    lid = ledger_id(ledger)
    (seq, head), = query(store, "SELECT seq, hash FROM armory.entries WHERE ledger_id = %s ORDER BY seq DESC "
                                "LIMIT 1", (lid,))
    note = signing.sign_note(signing.note_text(f"armory.ledger/{lid}", seq, head, "2026-01-01T00:00:00Z"),
                             "self", key)
    query(store, "INSERT INTO armory.cosignatures (ledger_id, seq, hash, witness_name, witness_fingerprint, "
                 "witness_public_key, note) VALUES (%s, %s, %s, 'self', %s, %s, %s) RETURNING 1",
          (lid, seq, head, signing.fingerprint(raw), base64.b64encode(raw).decode(), note))
    capsys.readouterr()
    assert main(["log", "verify", "--store"]) == 1
    assert "made with the unit's own key" in capsys.readouterr().out
    assert main(["sync", "--ledger", str(ledger)]) == 0
    assert "brought home" not in capsys.readouterr().out  # nor is it appended to the ledger as a witness's
    assert read_state(ledger).witnessed_seq == 0
