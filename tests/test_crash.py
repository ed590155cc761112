"""Nothing is lost: writers killed with SIGKILL at random moments lose no acknowledged entry.

Writers are forked from this already-imported process, so each costs a fork,
not an interpreter start. A writer reports an entry's sequence number and
hash on a pipe only after ``append`` returned; after each kill the ledger
must verify and hold every reported entry unchanged. Two writers run at once
in each round, so kills also land while one waits for the other's lock.
"""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from armory.ledger.store import Ledger
from armory.ledger.verify import verify_rows

ROUNDS = 110  # two writers killed per round: 220 kills


def _writer(path, name: str, report_fd: int) -> None:
    """Child process: append until killed, reporting each entry once it is durable."""
    try:
        ledger = Ledger.open(path, create=False)
        count = 0
        while True:
            if count % 9 == 8:
                entry = ledger.checkpoint()
            else:
                entry = ledger.append("note", name, {"text": f"{name} {count}", "day": "day-1"})
            os.write(report_fd, f"{entry.seq} {entry.hash}\n".encode())
            count += 1
    except BaseException:
        os._exit(3)
    os._exit(0)


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkilled_writers_lose_no_acknowledged_entry(tmp_path):
    path = tmp_path / "crash.ledger"
    Ledger.open(path, production_title="Crash test").close()
    rng = random.Random(20211021)
    acknowledged: dict[int, str] = {}
    kills = 0
    started = time.monotonic()
    for round_no in range(ROUNDS):
        children = []
        for name in ("ann", "bob"):
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child never returns
                os.close(read_fd)
                _writer(path, f"{name}{round_no}", write_fd)
            os.close(write_fd)
            children.append((pid, read_fd))
        for pid, _ in children:
            time.sleep(rng.uniform(0, 0.012))
            os.kill(pid, signal.SIGKILL)
        for pid, read_fd in children:
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status), "a writer stopped before it was killed"
            kills += 1
            for line in _read_all(read_fd).splitlines():
                seq, digest = line.split()
                acknowledged[int(seq)] = digest

        with Ledger.open(path, create=False) as ledger:  # writable: recovers the WAL like the next run would
            result = verify_rows(ledger.rows())
            assert result.ok, f"round {round_no}: {result.first_bad}"
            for seq, digest in acknowledged.items():
                assert result.hashes[seq - 1] == digest, f"round {round_no}: acknowledged entry #{seq} changed or lost"
    assert kills >= 200
    assert len(acknowledged) >= 20  # the writers did write between kills (how much depends on the disk)
    assert time.monotonic() - started < 60


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_ledger_killed_while_being_created_opens_cleanly(tmp_path):
    rng = random.Random(7)
    for attempt in range(25):
        path = tmp_path / f"new{attempt}.ledger"
        pid = os.fork()
        if pid == 0:  # pragma: no cover
            try:
                Ledger.open(path, production_title="New").close()
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, 0.01))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with Ledger.open(path, production_title="New") as ledger:
            assert ledger.get(1).kind == "ledger_opened"
            ledger.checkpoint()
            assert verify_rows(ledger.rows()).ok


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_processes_creating_one_ledger_at_once_write_one_first_entry(tmp_path):
    for attempt in range(8):
        path = tmp_path / f"race{attempt}.ledger"
        pids = []
        for _ in range(3):
            pid = os.fork()
            if pid == 0:  # pragma: no cover
                code = 0
                try:
                    with Ledger.open(path, production_title="Race") as ledger:
                        ledger.append("note", None, {"text": "hello"})
                except BaseException as err:
                    os.write(2, f"child failed: {type(err).__name__}: {err}\n".encode())
                    code = 3
                os._exit(code)
            pids.append(pid)
        for pid in pids:
            _, status = os.waitpid(pid, 0)
            assert os.WEXITSTATUS(status) == 0
        with Ledger.open(path, readonly=True) as ledger:
            kinds = [e.kind for e in ledger.entries()]
            result = verify_rows(ledger.rows())
        assert kinds == ["ledger_opened", "note", "note", "note"] and result.ok
