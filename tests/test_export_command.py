"""``armory export`` from the command line: what it records, and every way it refuses or warns."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from armory.cli import main
from armory.ledger.store import Ledger
from tests.golden import ledger_fixture

PRODUCTION = str(ledger_fixture.PRODUCTION)


@pytest.fixture
def ledger(tmp_path) -> Path:
    return ledger_fixture.build(tmp_path / "dry-creek.sqlite")


def _kinds(path: Path) -> list[str]:
    with Ledger.open(path, readonly=True) as opened:
        return [e.kind for e in opened.entries(scope=None)]


def run(*argv: str) -> int:
    return main(["export", *argv])


def test_export_signs_a_checkpoint_first_and_records_the_export(ledger, tmp_path, capsys):
    before = _kinds(ledger)
    out = tmp_path / "report.html"
    assert run("--ledger", str(ledger), "--production", PRODUCTION, "--format", "html", "--out", str(out)) == 0
    after = _kinds(ledger)
    assert after[: len(before)] == before
    assert after[len(before):] == ["checkpoint", "export_recorded"]
    with Ledger.open(ledger, readonly=True) as opened:
        recorded = opened.head().payload
    assert recorded["format"] == "html" and recorded["entries"] == len(before) + 1
    err = capsys.readouterr().err
    assert "wrote" in err and "1 stop is still open (#29)" in err


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "html"])
def test_unknown_day_is_refused_and_nothing_changes(ledger, tmp_path, capsys, fmt):
    out = tmp_path / f"out.{fmt}"
    out.write_text("an earlier export\n")
    before = _kinds(ledger)
    code = run("--ledger", str(ledger), "--production", PRODUCTION, "--format", fmt, "--out", str(out),
               "--day", "day-9")
    assert code == 2
    err = capsys.readouterr().err
    assert "--day day-9: no such day" in err and "day-1, day-2" in err and "Traceback" not in err
    assert out.read_text() == "an earlier export\n"
    assert _kinds(ledger) == before


def test_a_day_of_the_production_with_nothing_recorded_is_named_as_such(ledger, tmp_path, capsys):
    out = tmp_path / "day-3.csv"
    assert run("--ledger", str(ledger), "--production", PRODUCTION, "--format", "csv", "--out", str(out),
               "--day", "day-3") == 2
    assert "nothing was recorded on day-3" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("where", ["missing-dir", "a-directory"])
def test_unwritable_output_is_refused_before_anything_is_signed(ledger, tmp_path, capsys, where):
    out = tmp_path / "nowhere" / "report.html" if where == "missing-dir" else tmp_path
    before = _kinds(ledger)
    assert run("--ledger", str(ledger), "--format", "html", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert f"cannot write {out}" in err and "Traceback" not in err
    assert _kinds(ledger) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_missing_ledger_is_a_clear_message(tmp_path, capsys):
    assert run("--ledger", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "x.jsonl")) == 2
    assert "no ledger there" in capsys.readouterr().err


def test_a_failure_while_writing_leaves_the_earlier_file_whole(ledger, tmp_path, monkeypatch):
    import armory.export.atomic as atomic

    out = tmp_path / "report.html"
    out.write_text("the earlier report")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    assert run("--ledger", str(ledger), "--format", "html", "--out", str(out)) == 2
    assert out.read_text() == "the earlier report"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["report.html", ledger.name, ledger.name + ".key",
                                                                 *[p.name for p in tmp_path.glob("*-wal")],
                                                                 *[p.name for p in tmp_path.glob("*-shm")]])


def test_atomic_open_replaces_only_on_success(tmp_path):
    from armory.export.atomic import atomic_open

    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as handle:
            handle.write("half of the new")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_open(target) as handle:
        handle.write("new")
    assert target.read_text() == "new"


def _tamper(ledger: Path, seq: int, old: bytes, new: bytes) -> None:
    """Change an entry's bytes in place, as someone with the file and sqlite3 could."""
    conn = sqlite3.connect(ledger)
    conn.execute("DROP TRIGGER entries_no_update")
    body = conn.execute("SELECT body FROM entries WHERE seq = ?", (seq,)).fetchone()[0]
    assert old in body
    conn.execute("UPDATE entries SET body = ? WHERE seq = ?", (body.replace(old, new), seq))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("fmt", ["html", "csv", "jsonl"])
def test_a_ledger_that_fails_verification_is_exported_saying_so_and_never_signed(ledger, tmp_path, capsys, fmt):
    _tamper(ledger, 20, b"Camera moved back to 25 ft", b"Camera moved back to 45 ft")
    before = _kinds(ledger)
    out = tmp_path / f"report.{fmt}"
    assert run("--ledger", str(ledger), "--production", PRODUCTION, "--format", fmt, "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert "does not verify: entry #20 (override)" in err
    assert _kinds(ledger) == before  # no checkpoint over a broken chain, no export record
    assert out.exists()
    if fmt == "html":
        html = out.read_text()
        top = html.split('id="summary"')[0]
        assert "NOT INTACT" in top and "#20" in top and 'class="verdict bad"' in top


def test_the_report_puts_the_open_stop_and_the_serious_entries_first(ledger, tmp_path):
    out = tmp_path / "report.html"
    assert run("--ledger", str(ledger), "--production", PRODUCTION, "--format", "html", "--out", str(out)) == 0
    html = out.read_text()
    order = [html.index(marker) for marker in (
        'id="verification"', "Stop still open", "What went wrong", "INCIDENT: misfire", 'id="timeline"',
        'id="entries"', 'id="packs"', 'id="armory-ledger"')]
    assert order == sorted(order)


def test_progress_is_shown_on_a_terminal_and_never_to_a_pipe():
    from armory.export.progress import LONG_EXPORT, Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    progress = Progress("writing r.html", 10, stream=tty)
    progress(10)
    assert tty.getvalue().endswith("armory: writing r.html: 10 of 10 entries (100%)")
    progress.done()
    assert tty.getvalue().endswith("\r\033[K")  # wiped: what follows starts on a clean line

    pipe = io.StringIO()
    for total in (10, LONG_EXPORT * 10):  # a season's export to a log file says nothing either
        quiet = Progress("writing r.html", total, stream=pipe)
        for done in range(0, total + 1, 1000):
            quiet(done)
        quiet.done()
    assert pipe.getvalue() == ""


def test_an_entry_appended_by_another_process_during_the_export_is_carried_and_verified(ledger, tmp_path):
    from armory.cli.export import export_file, load
    from armory.ledger.entries import Note
    from armory.ledger.verify import read_export, verify_file

    opened = ledger_fixture.open_fixed(ledger)
    real_checkpoint = opened.checkpoint

    def racing_checkpoint():
        with ledger_fixture.open_fixed(ledger) as other:
            other.append("note", "reyes", Note(text="written by the TUI while the export ran"))
        return real_checkpoint()

    opened.checkpoint = racing_checkpoint
    out = tmp_path / "raced.jsonl"
    try:
        assert export_file(load(opened, None), "jsonl", out, day=None, stderr=io.StringIO()) == 0
    finally:
        opened.close()
    chain = read_export(out)
    assert [e["kind"] for e in chain[-2:]] == ["note", "checkpoint"]
    assert verify_file(out)[0].ok


def test_day_and_incident_together_are_refused(ledger, tmp_path, capsys):
    assert run("--ledger", str(ledger), "--incident", "28", "--day", "day-1", "--out", str(tmp_path / "b")) == 2
    assert "--day does not apply to --incident" in capsys.readouterr().err


def test_an_entry_whose_bytes_are_not_json_is_named_and_the_rest_exported(ledger, tmp_path, capsys):
    conn = sqlite3.connect(ledger)
    conn.execute("DROP TRIGGER entries_no_update")
    conn.execute("UPDATE entries SET body = ? WHERE seq = 12", (b"\x00 not json",))
    conn.commit()
    conn.close()
    out = tmp_path / "report.html"
    assert run("--ledger", str(ledger), "--format", "html", "--out", str(out)) == 1
    assert "does not verify: entry #12" in capsys.readouterr().err
    html = out.read_text()
    assert "NOT INTACT" in html and 'id="e11"' in html and 'id="e13"' in html


def _special(tmp_path: Path, what: str) -> Path:
    """A target that is no regular file: a fifo (as /dev/full is a device), or a symlink (as /dev/stdout is)."""
    import os

    if what == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    elif what == "symlink-to-fifo":
        os.mkfifo(tmp_path / "pipe")
        target = tmp_path / "stdout"
        target.symlink_to(tmp_path / "pipe")
    else:
        (tmp_path / "real.html").write_text("the file the link points at")
        target = tmp_path / "latest.html"
        target.symlink_to(tmp_path / "real.html")
    return target


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "html"])
@pytest.mark.parametrize("what, message", [("fifo", "it is a named pipe (fifo), not a regular file"),
                                           ("symlink-to-fifo", "it is a symbolic link"),
                                           ("symlink-to-file", "it is a symbolic link")])
def test_a_target_that_is_no_regular_file_is_refused_never_replaced(ledger, tmp_path, capsys, fmt, what, message):
    import os
    import stat

    target = _special(tmp_path, what)
    before_mode = os.lstat(target).st_mode
    before = _kinds(ledger)
    assert run("--ledger", str(ledger), "--format", fmt, "--out", str(target)) == 2
    err = capsys.readouterr().err
    assert f"cannot write {target}: {message}" in err and "Traceback" not in err
    assert os.lstat(target).st_mode == before_mode and not stat.S_ISREG(before_mode)
    assert _kinds(ledger) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    if what == "symlink-to-file":
        assert (tmp_path / "real.html").read_text() == "the file the link points at"


@pytest.mark.parametrize("exists", [False, True])
def test_an_out_name_ending_in_a_slash_is_a_directory_not_a_file(ledger, tmp_path, capsys, exists):
    sub = tmp_path / "sub"
    if exists:
        sub.mkdir()
    before = _kinds(ledger)
    assert run("--ledger", str(ledger), "--format", "html", "--out", f"{sub}/") == 2
    err = capsys.readouterr().err
    assert "ends with '/', so it names a directory" in err and "Traceback" not in err
    assert sub.is_dir() == exists and (not exists or not any(sub.iterdir()))
    assert _kinds(ledger) == before


def test_atomic_open_refuses_a_target_that_changed_into_a_special_file_while_writing(tmp_path):
    import os

    from armory.export.atomic import atomic_open
    from armory.problems import InputError

    target = tmp_path / "f.txt"
    with pytest.raises(InputError, match="named pipe"):
        with atomic_open(target) as handle:
            handle.write("new")
            os.mkfifo(target)
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


@pytest.mark.parametrize("name, fmt", [("x.html", "html"), ("x.csv", "csv"), ("x.jsonl", "jsonl"),
                                       ("X.HTM", "html"), ("x", "jsonl"), ("x.txt", "jsonl")])
def test_without_format_the_out_suffix_chooses_it(ledger, tmp_path, capsys, name, fmt):
    from armory.ledger.verify import verify_file

    out = tmp_path / name
    assert run("--ledger", str(ledger), "--out", str(out)) == 0
    assert f"({fmt})" in capsys.readouterr().err
    with Ledger.open(ledger, readonly=True) as opened:
        assert opened.head().payload["format"] == fmt
    if fmt != "csv":
        assert verify_file(out)[0].ok


def test_a_format_that_contradicts_the_out_suffix_is_refused(ledger, tmp_path, capsys):
    before = _kinds(ledger)
    assert run("--ledger", str(ledger), "--format", "jsonl", "--out", str(tmp_path / "x.html")) == 2
    err = capsys.readouterr().err
    assert "--format jsonl but --out" in err and "name it x.jsonl, or leave out --format" in err
    assert _kinds(ledger) == before and not (tmp_path / "x.html").exists()
    assert run("--ledger", str(ledger), "--format", "jsonl", "--out", str(tmp_path / "x.txt")) == 0


def test_format_with_incident_is_refused(ledger, tmp_path, capsys):
    before = _kinds(ledger)
    assert run("--ledger", str(ledger), "--incident", "28", "--format", "html", "--out", str(tmp_path / "r.html")) == 2
    assert "--format html does not apply to --incident" in capsys.readouterr().err
    assert _kinds(ledger) == before and not (tmp_path / "r.html").exists()


# -- which production names the export ------------------------------------------------


def test_a_production_the_ledger_was_not_opened_for_is_refused(ledger, tmp_path, capsys):
    # a producer must never get a Rust record titled "Dust Creek"
    from armory import paths

    before = _kinds(ledger)
    out = tmp_path / "report.html"
    assert run("--ledger", str(ledger), "--production", str(paths.SAMPLE_PRODUCTION), "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "'Dust Creek (sample)'" in err and "'Dry Creek'" in err and "Traceback" not in err
    assert _kinds(ledger) == before and not out.exists()


def test_without_production_a_bundled_sample_is_found_by_the_ledgers_title(tmp_path, capsys):
    path = tmp_path / "precinct.sqlite"
    with Ledger.open(path, production_title="Precinct Nine (sample)") as opened:
        opened.append("note", "lena-fischer", {"text": "briefing held"})
    out = tmp_path / "precinct.csv"
    assert run("--ledger", str(path), "--out", str(out)) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "America/Los_Angeles" in text and "Lena Fischer" in text and "Dust Creek" not in text
    assert "times in UTC" not in capsys.readouterr().err


def test_without_production_an_unknown_title_is_exported_in_utc_saying_so(tmp_path, capsys):
    path = tmp_path / "other.sqlite"
    with Ledger.open(path, production_title="Some Other Show") as opened:
        opened.append("note", "zed", {"text": "hello"})
    out = tmp_path / "other.html"
    assert run("--ledger", str(path), "--out", str(out)) == 0
    err = capsys.readouterr().err
    assert "armory: note: times in UTC; pass --production for names and local time\n" in err
    page = out.read_text(encoding="utf-8")
    assert "Some Other Show" in page and "Dust Creek" not in page


# -- a read-only ledger that was exported before ---------------------------------------


def _read_only(monkeypatch):
    """As on read-only media: os.access says no to writing (root writes anyway, so fake it as the store tests do)."""
    import os

    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK else real_access(p, mode, **kw))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "html"])
def test_a_read_only_ledger_exported_before_is_exported_to_its_last_checkpoint(ledger, tmp_path, capsys,
                                                                              monkeypatch, fmt):
    import json

    from armory.ledger.verify import verify_file

    assert run("--ledger", str(ledger), "--out", str(tmp_path / "first.jsonl")) == 0  # leaves "exported" last
    before = _kinds(ledger)
    assert before[-2:] == ["checkpoint", "export_recorded"]
    capsys.readouterr()
    _read_only(monkeypatch)
    out = tmp_path / f"again.{fmt}"
    assert run("--ledger", str(ledger), "--out", str(out)) == 0
    err = capsys.readouterr().err
    last_checkpoint = len(before) - 1
    assert (f"WARNING: 1 entry after the last signed checkpoint (#{last_checkpoint}) left out (#{len(before)}): "
            "the ledger is read-only") in err
    assert _kinds(ledger) == before
    if fmt == "jsonl":
        lines = out.read_text().splitlines()
        assert len(lines) == last_checkpoint and json.loads(lines[-1])["kind"] == "checkpoint"
    if fmt != "csv":
        result = verify_file(out)[0]
        assert result.ok and result.entries == last_checkpoint and not result.problems


def test_a_read_only_ledger_with_no_checkpoint_is_still_refused(tmp_path, capsys, monkeypatch):
    path = tmp_path / "new.sqlite"
    with Ledger.open(path, production_title="Dry Creek") as opened:
        opened.append("note", "ann", {"text": "nothing signed yet"})
    before = _kinds(path)
    _read_only(monkeypatch)
    out = tmp_path / "x.jsonl"
    assert run("--ledger", str(path), "--production", PRODUCTION, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "read-only and holds no signed checkpoint" in err and "Nothing written" in err
    assert not out.exists() and _kinds(path) == before


@pytest.mark.parametrize("name", ["day.csv", "renamed.txt"])
def test_verifying_a_csv_export_says_it_proves_nothing_and_how_to_check_its_rows(ledger, tmp_path, capsys, name):
    out = tmp_path / "day.csv"
    assert run("--ledger", str(ledger), "--production", PRODUCTION, "--out", str(out)) == 0
    target = tmp_path / name
    if target != out:
        target.write_bytes(out.read_bytes())
    capsys.readouterr()
    assert main(["log", "verify", str(target)]) == 2
    err = capsys.readouterr().err
    assert "carries no hashes" not in err  # every row has a hash column: the message must not deny it
    assert "proves nothing on its own" in err and "armory log verify --rows" in err and "jsonl" in err


def test_exports_of_one_moment_share_one_head_and_the_csv_names_it(ledger, tmp_path, capsys):
    """html, jsonl and csv exported a minute apart: one signed head, the one a later --head check expects."""
    import csv as csv_module

    from armory.ledger.verify import verify_file

    outs = [tmp_path / name for name in ("day.html", "day.jsonl", "day.csv")]
    for out in outs:
        assert run("--ledger", str(ledger), "--production", PRODUCTION, "--out", str(out)) == 0
    heads = {verify_file(out)[0].head for out in outs[:2]}
    assert len(heads) == 1
    kinds = _kinds(ledger)
    assert kinds[-4:] == ["checkpoint", "export_recorded", "export_recorded", "export_recorded"]
    with open(outs[2], encoding="utf-8-sig", newline="") as handle:
        note = next(csv_module.reader(handle))[0]
    head = heads.pop()
    assert f"head #{len(kinds) - 3} {head[:16]}" in note
    capsys.readouterr()
    assert main(["log", "verify", str(outs[0]), "--head", f"#{len(kinds) - 3} {head[:16]}"]) == 0


def test_a_csv_is_checked_row_by_row_against_the_jsonl(ledger, tmp_path, capsys):
    csv_file, jsonl = tmp_path / "day.csv", tmp_path / "day.jsonl"
    for out in (csv_file, jsonl):
        assert run("--ledger", str(ledger), "--production", PRODUCTION, "--out", str(out)) == 0
    capsys.readouterr()
    assert main(["log", "verify", "--rows", str(csv_file), str(jsonl)]) == 0
    out = capsys.readouterr().out
    assert "intact" in out and "is a verified entry of this chain, field for field and hash for hash" in out

    text = csv_file.read_bytes().decode("utf-8-sig")
    edited = tmp_path / "edited.csv"
    edited.write_bytes(text.replace("Jo Marlow (marlow)", "Eli Stone (stone)", 1).encode("utf-8-sig"))
    assert main(["log", "verify", "--rows", str(edited), str(jsonl)]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "reads 'Eli Stone (stone)" not in out and "the cell was changed" in out

    lines = text.split("\r\n")
    dropped_hash = lines[5].rsplit(",", 1)[0] + "," + "0" * 64
    (tmp_path / "hash.csv").write_bytes("\r\n".join([*lines[:5], dropped_hash, *lines[6:]]).encode("utf-8-sig"))
    assert main(["log", "verify", "--rows", str(tmp_path / "hash.csv"), str(jsonl)]) == 1
    assert "the row was changed" in capsys.readouterr().out

    assert main(["log", "verify", "--rows", str(csv_file)]) == 2
    assert "give the jsonl" in capsys.readouterr().err


def test_a_csv_whose_first_row_names_another_head_is_caught(ledger, tmp_path, capsys):
    csv_file, jsonl = tmp_path / "day.csv", tmp_path / "day.jsonl"
    for out in (csv_file, jsonl):
        assert run("--ledger", str(ledger), "--production", PRODUCTION, "--out", str(out)) == 0
    text = csv_file.read_bytes().decode("utf-8-sig")
    head = text.split("head #", 1)[1].split(" ", 2)
    forged = text.replace(f"head #{head[0]} {head[1]}", f"head #{head[0]} {'0' * 16}", 1)
    (tmp_path / "forged.csv").write_bytes(forged.encode("utf-8-sig"))
    capsys.readouterr()
    assert main(["log", "verify", "--rows", str(tmp_path / "forged.csv"), str(jsonl)]) == 1
    assert "which is not in this chain" in capsys.readouterr().out
    (tmp_path / "note.csv").write_bytes(text.replace("proves nothing", "proves everything", 1).encode("utf-8-sig"))
    assert main(["log", "verify", "--rows", str(tmp_path / "note.csv"), str(jsonl)]) == 1
    assert "row 1 is not what armory writes" in capsys.readouterr().out
