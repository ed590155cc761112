"""Engine speed: replay a 100,000-entry ledger into state; plan a day of 50 setups.

Run: .venv/bin/python bench/engine.py [--entries N]

Prints, in one run on the same machine:
- replay: reading and folding N entries into engine state (Session.open's
  work), against plain ``json.loads`` of the same stored bytes as a baseline;
- planning: the before_setup and before_handoff checklists of every weapon in
  a generated day of 50 setups with the bundled rule packs.
Target (issue 5): replay under 2 s.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from armory.checklist.plan import plan_checks  # noqa: E402
from armory.checklist.state import State  # noqa: E402
from armory.ledger.store import Ledger  # noqa: E402
from armory.paths import SAMPLE_PRODUCTION  # noqa: E402
from armory.rulebook.loader import load_context  # noqa: E402


def cycle(i: int) -> list[tuple[str, str, dict, str]]:
    """One weapon's turn through a setup: answers, rounds, handoff, return (13 entries)."""
    day, scene, setup, weapon = f"day-{i // 500}", "12", "12a", f"w{i % 7}"
    out = []
    for n, rule in enumerate(["handling.serial", "handling.chamber-count", "rounds.ammo-segregation",
                              "rounds.dummy-rattle", "rounds.lot-label", "handoff.show-the-load"]):
        out.append(("answer", "ana-reyes", {
            "day": day, "scene": scene, "setup": setup, "weapon": weapon, "phase": "before_setup",
            "rule_id": rule, "pack_id": "rounds", "pack_hash": "0" * 64, "question": "How many chambers?",
            "answer_kind": "count", "expected": "equals weapon.capacity (6)", "observed": ["6"],
            "verdict": "pass", "severity": "stop", "sensed": False, "failures": ["F2"],
            "signed_by": ["ana-reyes"]}, ""))
    for r in range(1, 6):
        out.append(("round_verified", "ana-reyes", {"day": day, "scene": scene, "setup": setup, "weapon": weapon,
                                                   "lot": "d45-a", "round_no": r, "method": "rattle",
                                                   "verdict": "pass"}, ""))
    out.append(("handoff", "ana-reyes", {"day": day, "scene": scene, "setup": setup, "weapon": weapon,
                                         "giver": "ana-reyes", "receiver": "eli-stone", "load": "dummies",
                                         "rounds": 5, "witnesses": ["carla-diaz"],
                                         "signed_by": ["ana-reyes", "eli-stone"]}, ""))
    out.append(("return", "eli-stone", {"day": day, "scene": scene, "setup": setup, "weapon": weapon,
                                        "giver": "eli-stone", "receiver": "ana-reyes", "rounds_out": 5,
                                        "rounds_fired": 0, "rounds_returned": 5, "reconciled": True,
                                        "signed_by": ["eli-stone", "ana-reyes"]}, ""))
    return out


def best_of(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_replay(n_entries: int, tmp: Path) -> None:
    path = tmp / "bench.sqlite"
    with Ledger.open(path, production_title="bench", key_path=tmp / "key") as ledger:
        items = []
        i = 0
        while len(items) < n_entries - 1:
            items.extend(cycle(i))
            i += 1
        ledger._append_many(items[: n_entries - 1])
        total = len(ledger)
    weapons = [f"w{k}" for k in range(7)]

    def replay() -> State:
        with Ledger.open(path, create=False, readonly=True) as ledger:
            return State.from_entries(weapons, ledger.entries(scope=""))

    def baseline() -> int:
        conn = sqlite3.connect(path)
        count = sum(1 for (body,) in conn.execute("SELECT body FROM entries ORDER BY seq") if json.loads(body))
        conn.close()
        return count

    state = replay()
    assert state.last_seq == total, (state.last_seq, total)
    t_replay, t_base = best_of(replay), best_of(baseline)
    print(f"replay {total:,} entries into engine state: {t_replay:.3f} s "
          f"({total / t_replay:,.0f} entries/s); target < 2 s: {'OK' if t_replay < 2 else 'MISSED'}")
    print(f"  baseline, sqlite read + json.loads of the same bytes: {t_base:.3f} s; ratio {t_replay / t_base:.2f}x")


def bench_plan(tmp: Path) -> None:
    """A generated Western day with 50 setups of two weapons each."""
    text = SAMPLE_PRODUCTION.read_text()
    head = text.split("[[day]]", 1)[0]
    day = ['[[day]]\nid = "big"\ndate = 2000-02-01\n']
    for n in range(50):
        day.append(f'[[day.scene]]\nid = "s{n}"\nfacts = ["pointed_toward_camera"]\n'
                   f'[[day.scene.setup]]\nid = "x{n}"\n'
                   '[[day.scene.setup.weapon]]\nweapon = "saa-1"\nactor = "eli-stone"\nload = "dummies"\n'
                   'rounds = 6\nlot = "d45-a"\n'
                   '[[day.scene.setup.weapon]]\nweapon = "rifle-1"\nactor = "faye-moreno"\nload = "blanks"\n'
                   'rounds = 8\nlot = "b4440-a"\n')
    path = tmp / "big" / "production.toml"
    path.parent.mkdir()
    path.write_text(head + "\n".join(day))
    loaded, packs = load_context(path)
    production = loaded.production
    setups = [(s.id, su.id, issue.weapon) for s in production.day_by_id("big").scene for su in s.setup
              for issue in su.weapon]

    def plan_day() -> int:
        return sum(len(plan_checks(production, packs, day="big", phase=phase, scene=scene, setup=setup,
                                   weapon=weapon))
                   for scene, setup, weapon in setups for phase in ("before_setup", "before_handoff"))

    checks = plan_day()
    t = best_of(plan_day, 5)
    print(f"plan a day of 50 setups ({len(setups)} weapon-setups, {checks} checks): {t * 1000:.1f} ms "
          f"({t / len(setups) * 1e6:.0f} us per weapon-setup)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="armory-bench-") as tmp:
        bench_replay(args.entries, Path(tmp))
        bench_plan(Path(tmp))


if __name__ == "__main__":
    main()
