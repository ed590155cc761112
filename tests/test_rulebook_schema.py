"""The committed JSON Schemas match the models, and real Taplo uses them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from armory import paths
from armory.rulebook.schema import KINDS, SCHEMA_DIR, render, schema_path

TAPLO = Path(sys.executable).parent / "taplo"
BUNDLED = sorted(paths.BUNDLED_RULES.glob("*.toml")) + sorted(paths.SAMPLE_PRODUCTIONS.glob("*/production.toml"))


@pytest.mark.parametrize("kind", list(KINDS))
def test_committed_schema_matches_the_models(kind):
    committed = schema_path(kind).read_text(encoding="utf-8")
    assert committed == render(kind), (
        f"{schema_path(kind)} is out of date: run `python -m armory.rulebook.schema --write` and commit it")


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_files_name_their_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#:schema ")
    target = (path.parent / first.removeprefix("#:schema ").strip()).resolve()
    assert target.parent == SCHEMA_DIR and target.exists()


def _taplo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    if not TAPLO.exists():  # pragma: no cover - taplo is a test dependency
        pytest.fail(f"taplo not installed at {TAPLO}; pip install -e '.[test]'")
    return subprocess.run([str(TAPLO), "check", *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "RUST_LOG": "error"})


def test_taplo_accepts_the_bundled_files_through_their_schema_lines():
    out = _taplo(*(str(p) for p in BUNDLED), cwd=paths.PROJECT_ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize(("source", "kind", "old", "new", "complaint"), [
    (paths.BUNDLED_RULES / "rounds.toml", "pack", 'severity = "stop"', 'severity = "stpo"', '"stpo" is not one of'),
    (paths.BUNDLED_RULES / "rounds.toml", "pack", 'phase = "day_start"', 'phse = "day_start"', "phse"),
    (paths.SAMPLE_PRODUCTION, "production", "capacity = 6", 'capacity = "six"', '"six" is not of type "integer"'),
    (paths.SAMPLE_PRODUCTION, "production", 'kind = "blank"', 'kind = "live"', '"live" is not one of'),
])
def test_taplo_complains_about_a_broken_copy(tmp_path, source, kind, old, new, complaint):
    text = source.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] = f"#:schema {schema_path(kind)}"
    broken = "\n".join(lines).replace(old, new, 1) + "\n"
    assert broken != text
    target = tmp_path / source.name
    target.write_text(broken, encoding="utf-8")
    out = _taplo(str(target), cwd=tmp_path)
    assert out.returncode != 0
    assert complaint in out.stdout + out.stderr

    # The same copy unbroken passes, so the failure above is the edit's.
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _taplo(str(target), cwd=tmp_path).returncode == 0


def test_schema_module_check_mode_reports_drift(tmp_path, monkeypatch):
    from armory.rulebook import schema

    for kind in KINDS:
        shutil.copy(schema_path(kind), tmp_path / schema_path(kind).name)
    monkeypatch.setattr(schema, "SCHEMA_DIR", tmp_path)
    assert schema.main(["--check"]) == 0
    (tmp_path / "pack.schema.json").write_text("{}\n", encoding="utf-8")
    assert schema.main(["--check"]) == 1
    assert schema.main(["--write"]) == 0
    assert schema.main(["--check"]) == 0
