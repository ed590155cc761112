"""Studio store benchmark: ingest against plain COPY, push-to-acknowledged latency, studio status at scale.

Run: ``.venv/bin/python bench/studio.py [--entries N] [--units N] [--per-unit N] [--pushes N]``

Starts its own throwaway PostgreSQL cluster (``tests/studio_pg.py``; as root it
runs as ``nobody``) with durability on (fsync, synchronous_commit), on
loopback, and removes it afterwards.

1. **Ingest**: ``push`` of a 100,000-entry ledger (read from the SQLite
   ledger, every entry verified as on arrival, COPY into ``armory.entries``,
   the unit's summary updated, one transaction) against a plain ``COPY`` of
   the same rows, already in memory, into a table of the same shape
   (``LIKE armory.entries INCLUDING ALL``: the same keys and indexes). Each
   is run three times into a fresh database; medians are compared.
   Target: ingest at least 0.5x COPY's rate.
2. **Push to acknowledged**: one new entry appended to the ledger, then
   ``push`` over an open connection until the commit returns. Target: p99
   under 50 ms.
3. **studio status** over 50 units of 20,000 entries each (one million
   entries, with stops, clearances, incidents and seals among them): the
   whole ``read_status`` and its rendering. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from armory.ledger.store import Ledger  # noqa: E402
from armory.studio.push import push  # noqa: E402
from armory.studio.status import read_status, render  # noqa: E402
from tests.studio_pg import Cluster, find_bin  # noqa: E402

ANSWER = {
    "day": "day-1", "scene": "14", "setup": "14A", "weapon": "colt-1", "phase": "before_handoff",
    "rule_id": "chamber-count", "pack_id": "rounds", "pack_hash": "ab" * 32,
    "question": "How many chambers did you look into?", "answer_kind": "count",
    "expected": "equals weapon.capacity (6)", "observed": ["6"], "verdict": "pass", "severity": "stop",
    "signed_by": ["mara-okafor"],
}


def _items(start: int, count: int):
    """Mostly answers, with a stop (cleared), an incident and a seal now and then, as a real day has."""
    for n in range(start, start + count):
        if n % 4000 == 1000:
            yield "stop", None, {"scope": "weapon", "weapons": ["colt-1"], "cause": "chamber-count",
                                 "failures": ["F2"], "reason": f"chamber count short ({n})"}, ""
        elif n % 4000 == 1001:
            yield "incident", None, {"incident": "misfire", "description": f"click, no bang ({n})",
                                     "reported_by": "mara-okafor"}, ""
        elif n % 9000 == 1002:
            yield "seal", None, {"item_kind": "lot", "item": f"blank-{n}", "seal_id": f"S-{n}",
                                 "signed_by": ["mara-okafor"]}, ""
        else:
            yield "answer", "mara-okafor", {**ANSWER, "observed": [str(n % 7)]}, ""


def make_ledger(path: Path, title: str, entries: int, checkpoint_every: int = 5000) -> Path:
    """A ledger of about ``entries`` entries written with the ledger's own code, a signed checkpoint every so often."""
    with Ledger.open(path, production_title=title) as ledger:
        written = 1
        while written < entries:
            chunk = min(checkpoint_every, entries - written - 1)
            if chunk > 0:
                ledger._append_many(_items(written, chunk))
            ledger.checkpoint()
            written += chunk + 1
    return path


def _fresh_db(cluster: Cluster) -> str:
    return cluster.new_database()


def bench_ingest(cluster: Cluster, ledger_path: Path, runs: int = 3) -> tuple[float, float, int]:
    with Ledger.open(ledger_path, readonly=True) as ledger:
        rows = list(ledger.rows())
        ledger_id = ledger.opened().payload["ledger_id"]
    copy_times, push_times = [], []
    for _ in range(runs):
        db = _fresh_db(cluster)
        with psycopg.connect(cluster.url(db)) as conn:
            conn.execute("CREATE TABLE public.plain (LIKE armory.entries INCLUDING ALL)")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cur, cur.copy("COPY public.plain (ledger_id, seq, time, kind, who, scope, hash, "
                                                "body, doc) FROM STDIN") as copy:
                for seq, time_text, kind, who, scope, hash_hex, body in rows:
                    copy.write_row((ledger_id, seq, time_text, kind, who, scope, hash_hex, body, body.decode()))
            conn.commit()
            copy_times.append(time.perf_counter() - started)
        db = _fresh_db(cluster)
        with psycopg.connect(cluster.url(db, "unit_writer", "writer-Secret-pw-3")) as conn, \
                Ledger.open(ledger_path, readonly=True) as ledger:
            started = time.perf_counter()
            result = push(ledger, conn, "main")
            push_times.append(time.perf_counter() - started)
            assert result.refused is None and result.pushed == len(rows), result
    return statistics.median(copy_times), statistics.median(push_times), len(rows)


def bench_push_latency(cluster: Cluster, directory: Path, pushes: int) -> list[float]:
    db = _fresh_db(cluster)
    path = make_ledger(directory / "latency.sqlite", "Latency", 2000)
    url = cluster.url(db, "unit_writer", "writer-Secret-pw-3")
    times = []
    with psycopg.connect(url) as conn, Ledger.open(path, create=False) as ledger:
        push(ledger, conn, "main")
        for n in range(pushes):
            ledger.append("answer", "mara-okafor", {**ANSWER, "observed": [str(n % 7)]})
            started = time.perf_counter()
            result = push(ledger, conn, "main")
            times.append(time.perf_counter() - started)
            assert result.pushed == 1, result
    return times


def bench_status(cluster: Cluster, directory: Path, units: int, per_unit: int) -> tuple[list[float], int, float]:
    db = _fresh_db(cluster)
    url = cluster.url(db, "unit_writer", "writer-Secret-pw-3")
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        for n in range(units):
            path = make_ledger(directory / f"unit-{n}.sqlite", f"Production {n // 3}", per_unit)
            with Ledger.open(path, readonly=True) as ledger:
                result = push(ledger, conn, ("main", "second", "splinter")[n % 3])
            assert result.refused is None
            path.unlink()
    filled = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE armory.entries")
        total = conn.execute("SELECT count(*) FROM armory.entries").fetchone()[0]
    times = []
    with psycopg.connect(cluster.url(db, "office_reader", "reader-Secret-pw-5")) as conn:
        for _ in range(5):
            begun = time.perf_counter()
            lines = render(read_status(conn), "bench")
            times.append(time.perf_counter() - begun)
    print("  status said:", lines[0], f"({len(lines)} lines)")
    return times, total, filled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--per-unit", type=int, default=20_000)
    parser.add_argument("--pushes", type=int, default=300)
    args = parser.parse_args()
    bin_dir = find_bin()
    if bin_dir is None:
        print("PostgreSQL server binaries not found (apt-get install postgresql)", file=sys.stderr)
        return 2
    cluster = Cluster.start(bin_dir, fsync=True)
    try:
        cluster.prepare_template()
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            print(f"PostgreSQL cluster on 127.0.0.1:{cluster.port} (fsync on), ledgers in {directory}")
            ledger_path = make_ledger(directory / "ingest.sqlite", "Ingest", args.entries)
            copy_s, push_s, count = bench_ingest(cluster, ledger_path)
            print(f"1. ingest of {count:,} entries: plain COPY {count / copy_s:,.0f}/s ({copy_s:.2f} s), verified "
                  f"push {count / push_s:,.0f}/s ({push_s:.2f} s): {copy_s / push_s:.2f}x COPY's rate "
                  "(target >= 0.5x)")
            times = sorted(bench_push_latency(cluster, directory, args.pushes))
            median = statistics.median(times) * 1000
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
            print(f"2. one new entry, push to acknowledged over {len(times)} pushes: median {median:.1f} ms, "
                  f"p99 {p99:.1f} ms (target p99 < 50 ms)")
            status_times, total, filled = bench_status(cluster, directory, args.units, args.per_unit)
            print(f"3. studio status over {args.units} units, {total:,} entries (filled in {filled:.0f} s): "
                  f"median {statistics.median(status_times) * 1000:.0f} ms, worst {max(status_times) * 1000:.0f} ms "
                  "(target < 1 s)")
    finally:
        cluster.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
