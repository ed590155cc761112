"""Long jobs say how far they are on stderr when it is a terminal, and nothing when it is not.

``armory log verify`` (a ledger, an export, a csv's rows), ``armory export`` and ``armory rules test``
over several drills: on a terminal a line rewritten in place and wiped at the end; to a pipe, silence.
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from armory.cli import main
from armory.paths import SAMPLE_PRODUCTIONS
from tests.golden import ledger_fixture

PRODUCTION = str(ledger_fixture.PRODUCTION)
DRILLS = sorted(SAMPLE_PRODUCTIONS.glob("*/drills/*.toml"))


class Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def ledger(tmp_path) -> Path:
    return ledger_fixture.build(tmp_path / "dry-creek.sqlite")


@pytest.fixture
def exports(ledger, tmp_path) -> tuple[Path, Path]:
    jsonl, csv = tmp_path / "x.jsonl", tmp_path / "x.csv"
    for out in (jsonl, csv):
        assert main(["export", "--ledger", str(ledger), "--production", PRODUCTION, "--out", str(out)]) == 0
    return jsonl, csv


def _lines(text: str) -> list[str]:
    """What a terminal would have shown at some moment: each rewrite of the line, in order."""
    return [part for part in text.replace("\033[K", "").replace("\r", "\n").splitlines() if part.strip()]


def test_log_verify_shows_its_progress_on_a_terminal_and_wipes_it(ledger, exports, monkeypatch, capsys):
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["log", "verify", "--ledger", str(ledger)]) == 0
    shown = _lines(tty.getvalue())
    assert any(line.startswith("armory: verifying: ") and line.endswith("entries (100%)") for line in shown), shown
    assert tty.getvalue().endswith("\r\033[K")

    tty.seek(0), tty.truncate()
    jsonl, csv = exports
    assert main(["log", "verify", "--rows", str(csv), str(jsonl)]) == 0
    shown = _lines(tty.getvalue())
    assert any(line.startswith("armory: verifying: ") for line in shown), shown
    out = capsys.readouterr().out  # the verdicts on stdout, untouched by the progress
    assert "every row of" in out and "\r" not in out


def test_log_verify_of_a_csv_tells_the_rows_checked(exports):
    from armory.export.csv_check import check_rows
    from armory.ledger.verify import read_export

    jsonl, csv = exports
    told: list[tuple[int, int]] = []
    assert check_rows(csv, read_export(jsonl), progress=lambda done, total: told.append((done, total))).ok
    assert told[-1] == (39, 39)


def test_export_and_drills_show_progress_on_a_terminal(ledger, tmp_path, monkeypatch, capsys):
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    out = tmp_path / "r.csv"
    assert main(["export", "--ledger", str(ledger), "--production", PRODUCTION, "--out", str(out)]) == 0
    assert any(line.startswith("armory: writing r.csv: ") for line in _lines(tty.getvalue()))

    tty.seek(0), tty.truncate()
    two = DRILLS[:2]
    main(["rules", "test", "--ledger", str(tmp_path / "drills.sqlite"), *map(str, two)])
    shown = _lines(tty.getvalue())
    assert "armory: running drills: 1 of 2 drills (50%)" in shown, shown
    assert tty.getvalue().endswith("\r\033[K")
    assert "\r" not in capsys.readouterr().out


def test_nothing_is_said_when_stderr_is_not_a_terminal(ledger, exports, tmp_path, capsys):
    jsonl, csv = exports
    capsys.readouterr()
    assert main(["log", "verify", "--ledger", str(ledger)]) == 0
    assert main(["log", "verify", "--rows", str(csv), str(jsonl)]) == 0
    main(["rules", "test", "--ledger", str(tmp_path / "drills.sqlite"), *map(str, DRILLS[:2])])
    assert main(["export", "--ledger", str(ledger), "--production", PRODUCTION, "--out",
                 str(tmp_path / "again.csv")]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "verifying" not in err and "running drills" not in err and "of 2 drills" not in err


def test_a_real_terminal_sees_the_line_and_a_pipe_does_not(ledger):
    """The command as a person runs it: stderr on a pseudo-terminal, then on a pipe."""
    command = [sys.executable, "-c", "import sys; from armory.cli import main; sys.exit(main(sys.argv[1:]))",
               "log", "verify", "--ledger", str(ledger)]
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, timeout=120)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once its other end is and all is read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert b"armory: verifying: " in seen and seen.endswith(b"\r\x1b[K")
    piped = subprocess.run(command, capture_output=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == b""


def test_log_verify_reads_an_export_once_to_check_its_chain_its_page_and_a_csv(ledger, tmp_path, monkeypatch,
                                                                                capsys):
    """A season's html took as long to read twice (chain, then page) as to check: the entries verify_file read
    are handed on."""
    from armory.ledger import export_file

    page, csv_file = tmp_path / "day.html", tmp_path / "day.csv"
    assert main(["export", "--ledger", str(ledger), "--out", str(page)]) == 0
    assert main(["export", "--ledger", str(ledger), "--out", str(csv_file)]) == 0
    reads = []
    parse = export_file._parse_export

    def counted(path):
        reads.append(path)
        return parse(path)

    monkeypatch.setattr(export_file, "_parse_export", counted)
    monkeypatch.setattr("armory.ledger.verify._parse_export", counted)
    capsys.readouterr()
    assert main(["log", "verify", str(page), "--rows", str(csv_file)]) == 0
    assert "exactly what the signed entries draw" in capsys.readouterr().out
    assert reads == [page]
