"""Regenerate the export golden files, on purpose.

    .venv/bin/python -m tests.golden.regenerate

Builds the fixed ledger of ``ledger_fixture`` (fixed clock, key and ledger
id) once per export, exports it and writes the results here. Review the diff
(``git diff tests/golden``) before committing: every change in it is a change
a producer will see.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from armory.cli.export import export_file, load
from armory.rulebook.loader import load_production

from . import ledger_fixture

HERE = Path(__file__).resolve().parent

#: golden file name -> (format, --day)
GOLDEN = {
    "report.jsonl": ("jsonl", None),
    "report.csv": ("csv", None),
    "report.html": ("html", None),
    "report-day-1.html": ("html", "day-1"),
}


def export_fixture(fmt: str, out: Path, *, day: str | None = None, workdir: Path) -> str:
    """Export a freshly built fixture ledger to ``out``; return what the command printed."""
    ledger_path = workdir / f"{out.name}.ledger.sqlite"
    ledger_fixture.build(ledger_path)
    clock = ledger_fixture.FixedClock()
    clock.at("19:00", day=3)
    production = load_production(ledger_fixture.PRODUCTION).production
    ledger = ledger_fixture.open_fixed(ledger_path, clock)
    stderr = io.StringIO()
    try:
        export_file(load(ledger, production), fmt, out, day=day, stderr=stderr)
    finally:
        ledger.close()
    return stderr.getvalue()


#: files of the evidence bundle for the misfire (incident #28) kept as golden files, as bundle-<name>
BUNDLE_GOLDEN = ("index.json", "README.txt")
MISFIRE = 28


def export_fixture_bundle(out: Path, *, workdir: Path) -> str:
    """Export the evidence bundle of the fixture's misfire into the new directory ``out``."""
    from armory.cli.export import export_bundle

    ledger_path = workdir / f"{out.name}.ledger.sqlite"
    ledger_fixture.build(ledger_path)
    clock = ledger_fixture.FixedClock()
    clock.at("19:00", day=3)
    production = load_production(ledger_fixture.PRODUCTION).production
    ledger = ledger_fixture.open_fixed(ledger_path, clock)
    stderr = io.StringIO()
    try:
        export_bundle(load(ledger, production), MISFIRE, out, stderr=stderr)
    finally:
        ledger.close()
    return stderr.getvalue()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, (fmt, day) in GOLDEN.items():
            export_fixture(fmt, HERE / name, day=day, workdir=Path(tmp))
            print(f"wrote {HERE / name}")
        bundle = Path(tmp) / "bundle"
        export_fixture_bundle(bundle, workdir=Path(tmp))
        for name in BUNDLE_GOLDEN:
            (HERE / f"bundle-{name}").write_bytes((bundle / name).read_bytes())
            print(f"wrote {HERE / f'bundle-{name}'}")


if __name__ == "__main__":
    main()
