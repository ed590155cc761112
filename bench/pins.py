"""PIN check benchmark: a sign-in with the sealed hash against plain argon2id verify.

Run: ``.venv/bin/python bench/pins.py [--rounds N] [--dir DIR]``

A PIN check (``Credentials.authenticate``, the default argon2id parameters, as
in use) reads the row, finds the device secret (the file: the keyring where
there is one), opens the AES-256-GCM seal, verifies argon2id and resets the
failure count. It is timed against ``PasswordHasher().verify`` of the same
hash alone, the two alternating one check at a time so that machine noise
falls on both alike; medians are compared.

Targets: a PIN check under 150 ms, and at most 1.1x plain argon2 verify
(the sign-in feels the same: argon2 is the cost, by design).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 150.0
TARGET_RATIO = 1.1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary ledger and secret go")
    args = parser.parse_args()
    os.environ.pop("ARMORY_ARGON2", None)  # the library's defaults, as in use
    workdir = Path(tempfile.mkdtemp(dir=args.dir, prefix="armory-bench-pins-"))
    os.environ["ARMORY_SECRET_DIR"] = str(workdir / "secret")
    os.environ.setdefault("ARMORY_KEYRING", "off")

    from argon2 import PasswordHasher

    from armory.ledger import device_secret
    from armory.ledger.identity import Credentials
    from armory.ledger.store import Ledger
    from armory.production.models import Production

    production = Production.model_validate({
        "production": {"title": "Bench", "company": "Bench", "timezone": "UTC",
                       "packs": [{"id": "core", "version": "1"}]},
        "crew": [{"id": "sam", "name": "Sam Ortiz", "roles": ["safety_officer"]}],
    })
    hasher = PasswordHasher()
    with Ledger.open(workdir / "bench.sqlite", production_title="Bench") as ledger:
        creds = Credentials(ledger, production=production)
        creds.enroll("sam", "860251", authorized_by="sam", authorizer_pin=None, production=production)
        stored = ledger._conn.execute("SELECT pin_hash FROM credentials").fetchone()[0]
        plain_hash = creds._open("sam", stored)
        creds.authenticate("sam", "860251", purpose="warm up")
        hasher.verify(plain_hash, "860251")
        sealed_ms, plain_ms = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            creds.authenticate("sam", "860251", purpose="bench")
            sealed_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            hasher.verify(plain_hash, "860251")
            plain_ms.append((time.perf_counter() - start) * 1000)
        open_ms = []
        for _ in range(args.rounds * 10):
            start = time.perf_counter()
            creds._open("sam", stored)
            open_ms.append((time.perf_counter() - start) * 1000)
        where = device_secret.current(create=False).store
    sealed, plain = statistics.median(sealed_ms), statistics.median(plain_ms)
    ratio = sealed / plain
    print(f"argon2id parameters: m={hasher.memory_cost} KiB, t={hasher.time_cost}, p={hasher.parallelism}; "
          f"device secret in: {where}; {args.rounds} rounds each, alternating")
    print(f"PIN check (Credentials.authenticate, sealed hash): median {sealed:7.1f} ms  "
          f"(p90 {statistics.quantiles(sealed_ms, n=10)[-1]:.1f} ms)  target < {TARGET_MS:.0f} ms")
    print(f"plain argon2 PasswordHasher.verify:                median {plain:7.1f} ms  "
          f"(p90 {statistics.quantiles(plain_ms, n=10)[-1]:.1f} ms)")
    print(f"ratio: {ratio:.3f}x plain verify  target <= {TARGET_RATIO}x  (+{sealed - plain:.2f} ms)")
    print(f"of which finding the secret and opening the seal: median {statistics.median(open_ms):.3f} ms")
    ok = ratio <= TARGET_RATIO and sealed < TARGET_MS
    if not ok and ratio <= TARGET_RATIO and plain >= TARGET_MS:
        print(f"note: plain argon2 verify alone takes {plain:.0f} ms on this machine (busy, or fewer cores than "
              f"argon2's parallelism of {hasher.parallelism}): the {TARGET_MS:.0f} ms target is out of reach here "
              "for any argon2 check at these parameters, whatever armory adds")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
