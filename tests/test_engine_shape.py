"""The engine's modules stay small enough to read apart (STYLE: no module over ~400 lines without a reason).

Import circles, the engine's included, are caught for the whole package by ``test_import_cycles.py``.
"""

from __future__ import annotations

from pathlib import Path

import armory.checklist

ENGINE = Path(armory.checklist.__file__).parent

#: The most lines a module of the engine may have.
MAX_LINES = 400


def test_no_engine_module_is_too_long():
    lines = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in ENGINE.glob("*.py")}
    assert {name: n for name, n in lines.items() if n > MAX_LINES} == {}
