"""The core never imports Textual or Rich: the one-way flow, proved two ways."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CORE_MODULES = [
    "armory.cli",
    "armory.problems",
    "armory.paths",
    "armory.production.models",
    "armory.rulebook.models",
    "armory.ledger.entries",
]


def test_core_imports_without_textual():
    code = (
        "import sys, importlib\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_core_module_imports_textual_at_module_level():
    offenders = []
    for path in (ROOT / "armory").rglob("*.py"):
        if "tui" in path.relative_to(ROOT / "armory").parts:
            continue
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if not line.startswith((" ", "\t")) and stripped.startswith(
                ("import textual", "from textual", "import rich", "from rich")
            ):
                offenders.append(f"{path}: {stripped}")
    assert offenders == []


def test_import_linter_contract():
    lint = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


CORE_PACKAGES = ["production", "rulebook", "ledger", "checklist", "drills", "export"]
#: The maintainers' own script for regenerating the committed schemas (``python -m armory.rulebook.schema
#: --write``), which test_rulebook_schema names when they drift; not a command of the user's.
MAINTAINER_SCRIPTS = {"armory/rulebook/schema.py"}


def test_the_core_leaves_argument_parsing_to_the_faces():
    """The core exposes functions and types; argparse, exit codes and printing belong to armory.cli."""
    import ast

    offenders = []
    for package in CORE_PACKAGES:
        for path in (ROOT / "armory" / package).rglob("*.py"):
            if path.relative_to(ROOT).as_posix() in MAINTAINER_SCRIPTS:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    if name == "argparse" or name.startswith(("armory.cli", "armory.tui")):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {name}")
    assert offenders == []


def test_layers_contract_fails_when_the_core_imports_a_face(tmp_path):
    """The contract is not a formality: a ledger module importing the CLI breaks it, and it says which import."""
    import shutil

    shutil.copytree(ROOT / "armory", tmp_path / "armory", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    store = tmp_path / "armory" / "ledger" / "store.py"
    store.write_text(store.read_text() + "\n\ndef _upward():\n    from armory.cli import main  # noqa: F401\n")
    lint = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)})
    assert out.returncode == 1, out.stdout + out.stderr
    assert "armory.ledger.store -> armory.cli" in out.stdout
