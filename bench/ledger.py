"""Ledger benchmark: durable appends against plain SQLite, and verify against a plain hash chain.

Run: ``.venv/bin/python bench/ledger.py [--appends N] [--entries N] [--dir DIR]``

1. Durable appends per second through ``Ledger.append`` against plain SQLite
   inserts of the same bytes, with the same pragmas (WAL, synchronous=FULL)
   and one transaction each, on the same temporary disk. The two alternate
   one append at a time so that disk noise falls on both alike, and the
   medians are compared. Target: the ledger at least 0.8x plain SQLite.
2. ``log verify`` (``verify_file``) of a 100,000-entry ledger against a plain
   hashlib SHA-256 chain over the same stored bytes, read from the same
   file. Target: at most 8x, and under 1 s.

The 100,000 entries are written through ``Ledger._append_many`` (one
transaction; the same chain as ``append``), then verified to be a valid
ledger before timing.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from armory.ledger.store import Ledger  # noqa: E402
from armory.ledger.verify import verify_file  # noqa: E402

ANSWER = {
    "day": "day-1", "scene": "14", "setup": "14A", "weapon": "colt-1", "phase": "before_handoff",
    "rule_id": "chamber-count", "pack_id": "rounds", "pack_hash": "ab" * 32,
    "question": "How many chambers did you look into?", "answer_kind": "count",
    "expected": "equals weapon.capacity (6)", "observed": ["6"], "verdict": "pass", "severity": "stop",
    "signed_by": ["mara-okafor"],
}


def _answer(n: int) -> dict:
    return {**ANSWER, "observed": [str(n % 7)]}


def bench_appends(directory: Path, total: int) -> tuple[float, float]:
    """Median durable appends per second of each, timed one append after the other.

    Each ledger append is followed at once by the plain insert of the same
    bytes, so both meet the same disk at nearly the same moment; a burst of
    other fsyncs on the machine slows both, not one.
    """
    ledger = Ledger.open(directory / "append.ledger", production_title="Bench")
    plain = sqlite3.connect(directory / "plain.sqlite", isolation_level=None)
    plain.execute("PRAGMA journal_mode = WAL").fetchone()
    plain.execute("PRAGMA synchronous = FULL")
    plain.execute("CREATE TABLE entries (seq INTEGER PRIMARY KEY, time TEXT, kind TEXT, who TEXT, "
                  "scope TEXT, hash TEXT, body BLOB)")
    ledger_times, plain_times = [], []
    clock = time.perf_counter
    for n in range(total):
        payload = _answer(n)
        start = clock()
        entry = ledger.append("answer", "mara-okafor", payload)
        middle = clock()
        # The same bytes, one durable transaction (autocommit, as the ledger does).
        plain.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (entry.seq, entry.time, entry.kind, entry.who, entry.scope, entry.hash, entry.body))
        end = clock()
        ledger_times.append(middle - start)
        plain_times.append(end - middle)
    ledger.close()
    plain.close()
    return 1 / statistics.median(ledger_times), 1 / statistics.median(plain_times)


def cpu_cost(directory: Path, total: int) -> tuple[float, float]:
    """Microseconds per append with the disk out of the way (synchronous=OFF): the CPU each side spends."""
    ledger = Ledger.open(directory / "cpu.ledger", production_title="Bench")
    ledger._conn.execute("PRAGMA synchronous = OFF")
    plain = sqlite3.connect(directory / "cpu-plain.sqlite", isolation_level=None)
    plain.execute("PRAGMA journal_mode = WAL").fetchone()
    plain.execute("PRAGMA synchronous = OFF")
    plain.execute("CREATE TABLE entries (seq INTEGER PRIMARY KEY, time TEXT, kind TEXT, who TEXT, "
                  "scope TEXT, hash TEXT, body BLOB)")
    payloads = [_answer(n) for n in range(total)]
    start = time.perf_counter()
    entries = [ledger.append("answer", "mara-okafor", payload) for payload in payloads]
    ledger_us = (time.perf_counter() - start) / total * 1e6
    start = time.perf_counter()
    for e in entries:
        plain.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (e.seq, e.time, e.kind, e.who, e.scope, e.hash, e.body))
    plain_us = (time.perf_counter() - start) / total * 1e6
    ledger.close()
    plain.close()
    return ledger_us, plain_us


def build_big(path: Path, entries: int) -> None:
    with Ledger.open(path, production_title="Bench") as ledger:
        batch = 10_000
        for start in range(0, entries - 1, batch):
            count = min(batch, entries - 1 - start)
            ledger._append_many([("answer", "mara-okafor", _answer(start + i), "") for i in range(count)])


def plain_chain(path: Path) -> str:
    conn = sqlite3.connect(path)
    digest = b""
    for (body,) in conn.execute("SELECT body FROM entries ORDER BY seq"):
        digest = hashlib.sha256(digest + body).digest()
    conn.close()
    return digest.hex()


def best_of(runs: int, fn):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, help="where to put the temporary files (default: the system's)")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="armory-bench-", dir=args.dir))
    try:
        print(f"temporary directory: {directory}")
        ledger_rate, plain_rate = bench_appends(directory, args.appends)
        ratio = ledger_rate / plain_rate
        print(f"durable appends/s: ledger {ledger_rate:,.0f}, plain SQLite {plain_rate:,.0f}: "
              f"{ratio:.2f}x (target >= 0.8x) {'ok' if ratio >= 0.8 else 'MISSED'}")
        ledger_us, plain_us = cpu_cost(directory, 2000)
        print(f"  of which CPU per append (synchronous=OFF): ledger {ledger_us:.0f} us, plain {plain_us:.0f} us "
              "(validating, canonical JSON, SHA-256, time)")

        big = directory / "big.ledger"
        start = time.perf_counter()
        build_big(big, args.entries)
        print(f"built a {args.entries:,}-entry ledger in {time.perf_counter() - start:.1f} s (not timed below)")
        result, _ = verify_file(big)
        if not result.ok or result.entries != args.entries:
            print(f"the built ledger does not verify: {result.first_bad}", file=sys.stderr)
            return 1
        verify_s, result = best_of(3, lambda: verify_file(big)[0])
        plain_s, _ = best_of(3, lambda: plain_chain(big))
        ratio = verify_s / plain_s
        ok = ratio <= 8 and verify_s < 1
        print(f"verify {result.entries:,} entries: {verify_s:.3f} s; plain hashlib chain over the same bytes "
              f"{plain_s:.3f} s: {ratio:.1f}x (target <= 8x and < 1 s) {'ok' if ok else 'MISSED'}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
