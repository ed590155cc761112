"""Export 100,000 ledger entries as jsonl, csv and html; compare with plain json.dumps of the same entries.

    .venv/bin/python bench/export.py [--entries N]

Builds a ledger of N entries (a realistic mix: checks, round-by-round
verification, handoffs, returns, stops and clearances over many days) in one
transaction, then times each export as ``armory export`` runs it (verify,
sign a checkpoint, render, write through a temporary file, record the
export) and prints the time and file size of each beside the baseline: one
``json.dumps`` of the same entry dicts written to a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from armory.cli.export import export_file, load  # noqa: E402
from armory.ledger import entries as E  # noqa: E402
from armory.ledger.store import Ledger  # noqa: E402


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=2)
        return self.now


def items(count: int):
    """``count`` (kind, who, payload, scope) tuples: days of checks, rounds, handoffs and returns."""
    produced = 0
    day_no = 0
    while produced < count:
        day_no += 1
        day = f"day-{day_no}"
        batch = [("day_opened", "reyes", E.DayOpened(day=day, production_hash="0" * 64, packs=[E.PackInForce(
            id="core-safety", version="1.0.0", hash="1" * 64, text='[pack]\nid = "core-safety"\n')],
            signed_by=["reyes"]))]
        for take in range(40):
            weapon = f"colt-{take % 4 + 1}"
            scene, setup = str(10 + take // 10), f"{10 + take // 10}a"
            batch.append(("answer", "reyes", E.Answer(
                day=day, scene=scene, setup=setup, weapon=weapon, phase="before_handoff",
                rule_id="rounds.chamber-count", pack_id="core-safety", pack_hash="1" * 64,
                question="How many chambers did you look into?", answer_kind="count",
                expected="equals weapon.capacity (6)", observed=["6"], verdict="pass", severity="stop",
                failures=["F2", "F3"], signed_by=["reyes"])))
            for round_no in range(1, 7):
                batch.append(("round_verified", "reyes", E.RoundVerified(
                    day=day, scene=scene, setup=setup, weapon=weapon, lot="dummy-45", round_no=round_no,
                    method="rattle", verdict="pass")))
            batch.append(("handoff", "reyes", E.Handoff(
                day=day, scene=scene, setup=setup, weapon=weapon, giver="reyes", receiver="marlow",
                load="dummies", rounds=6, witnesses=["okafor"], signed_by=["reyes", "marlow"])))
            reconciled = take % 13 != 0
            batch.append(("return", "reyes", E.Return(
                day=day, scene=scene, setup=setup, weapon=weapon, giver="marlow", receiver="reyes",
                rounds_out=6, rounds_fired=0, rounds_returned=6 if reconciled else 5, reconciled=reconciled,
                signed_by=["reyes", "marlow"])))
            if not reconciled:
                batch.append(("stop", None, E.Stop(
                    scope="weapon", weapons=[weapon], cause="invariant.round-reconciliation", failures=["F1"],
                    reason='1 round unaccounted for, "found" later, in the cart', caused_by="marlow", day=day)))
                batch.append(("clearance", "okafor", None))  # its stop_seq is known once it is numbered
        batch.append(("day_closed", "reyes", E.DayClosed(day=day, head_hash="2" * 64, signed_by=["reyes"])))
        for kind, who, payload in batch:
            if produced >= count:
                return
            seq = produced + 2  # entry 1 is ledger_opened
            if kind == "clearance":
                payload = E.Clearance(stop_seq=seq - 1, reason="found in the cart, inspected: a dummy",
                                      signed_by=["okafor"])
            yield kind, who, payload, ""
            produced += 1


def build(path: Path, count: int) -> Ledger:
    ledger = Ledger.open(path, production_title="Bench", clock=Clock())
    # One transaction for the fixture only; real entries are appended one by one, each durable.
    ledger._append_many(items(count - 1))
    return ledger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        ledger = build(tmp / "bench.sqlite", args.entries)
        print(f"built a ledger of {len(ledger):,} entries in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        loaded = load(ledger, None)
        read_s = time.perf_counter() - started
        entries = loaded.entries
        started = time.perf_counter()
        baseline = tmp / "baseline.json"
        baseline.write_text(json.dumps(entries), encoding="utf-8")
        baseline_s = time.perf_counter() - started
        print(f"read {len(entries):,} entries from the ledger: {read_s:.2f} s")
        print()
        print(f"{'what':<34}{'time':>9}{'size':>12}{'vs json.dumps':>16}")
        print(f"{'json.dumps of the same entries':<34}{baseline_s:>8.2f}s{baseline.stat().st_size / 1e6:>10.1f}MB"
              f"{'1.0x':>16}")
        for fmt in ("jsonl", "csv", "html"):
            out = tmp / f"export.{fmt}"
            started = time.perf_counter()
            export_file(load(ledger, None), fmt, out, day=None, stderr=io.StringIO())
            took = time.perf_counter() - started
            size = out.stat().st_size
            print(f"{'armory export --format ' + fmt:<34}{took:>8.2f}s{size / 1e6:>10.1f}MB"
                  f"{f'{took / baseline_s:.1f}x time, {size / baseline.stat().st_size:.2f}x size':>28}")
        ledger.close()


if __name__ == "__main__":
    main()
