"""Benchmark: lint a generated pack of 2,000 rules; start-up of `armory --help` against bare Python.

Run:  .venv/bin/python bench/lint.py [--rules 2000] [--runs 7]

Targets: 2,000 rules linted in under 1 s; `armory --help` under 3x `python -c pass`.
Prints the figures and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULE = """
[[rule]]
id = "bench.rule-{n}"
title = "Generated rule {n}"
phase = "{phase}"
severity = "{severity}"
ask = "How many chambers did you look into for check {n}?"
answer = "count"
expect = {{ {expect} }}
when = {{ weapon_kind = ["revolver"], load = ["dummies", "blanks"] }}
why = "Generated to measure lint speed; every chamber, every time."
sources = ["domain"]
failures = ["F2", "F3"]
"""


def make_pack(count: int) -> str:
    schema = Path(__file__).resolve().parent.parent / "armory" / "schemas" / "pack.schema.json"
    head = (f'#:schema {schema.as_posix()}\n[pack]\nid = "bench"\ntitle = "Benchmark"\n'
            'version = "1.0.0"\nbased_on = "generated"\n\n[[source]]\nid = "domain"\ntitle = "DOMAIN.md"\n')
    phases = ["before_setup", "before_handoff", "on_return", "after_firing"]
    body = []
    for n in range(count):
        expect = 'equals_fact = "weapon.capacity"' if n % 2 else "at_most = 0"
        body.append(RULE.format(n=n, phase=phases[n % 4], severity=["stop", "hold", "note"][n % 3], expect=expect))
    return head + "".join(body)


def time_lint(count: int, runs: int) -> tuple[float, int]:
    from armory.rulebook.lint import lint_paths

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.toml"
        path.write_text(make_pack(count), encoding="utf-8")
        lint_paths([path])  # warm: imports, the failure catalogue, pydantic's validators
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            problems = lint_paths([path])
            times.append(time.perf_counter() - start)
        # A broken copy: every rule wrong once, so locating problems is measured too.
        path.write_text(make_pack(count).replace('severity = "stop"', 'severity = "stpo"'), encoding="utf-8")
        start = time.perf_counter()
        broken = lint_paths([path])
        broken_time = time.perf_counter() - start
    assert not problems, problems[:3]
    return statistics.median(times), broken_time, len(broken)


def time_process(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    clean, broken_time, broken_count = time_lint(args.rules, args.runs)
    armory = str(Path(sys.executable).parent / "armory")
    bare = time_process([sys.executable, "-c", "pass"], args.runs)
    help_time = time_process([armory, "--help"], args.runs)
    ratio = help_time / bare

    print(f"lint {args.rules} rules (clean):         {clean * 1000:7.1f} ms  median of {args.runs}  (target < 1000 ms)")
    print(f"lint {args.rules} rules ({broken_count} problems): {broken_time * 1000:7.1f} ms")
    print(f"python -c pass:                   {bare * 1000:7.1f} ms  median of {args.runs}")
    print(f"armory --help:                    {help_time * 1000:7.1f} ms  median of {args.runs}")
    print(f"ratio armory --help / python:     {ratio:7.2f} x     (target < 3x)")
    return 0 if clean < 1.0 and ratio < 3.0 else 1


if __name__ == "__main__":
    sys.exit(main())
