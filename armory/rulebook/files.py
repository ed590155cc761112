"""Which rule files a set of paths names: the files given, and every ``*.toml`` under directories.

Standard library only: the app's first screen uses it to tell whether any
rule file changed since last time, before pydantic is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def find_toml_files(paths_or_dirs: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files in a stable order, [(path, what is wrong)] for a missing path or an empty directory)."""
    files: list[Path] = []
    missing: list[tuple[Path, str]] = []
    for given in paths_or_dirs:
        given = Path(given)
        if given.is_dir():
            found = sorted(
                p for p in given.rglob("*.toml")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(given).parts)
            )
            if not found:
                missing.append((given, "directory holds no *.toml files"))
            files.extend(found)
        elif given.exists() or given.is_symlink():
            files.append(given)
        else:
            missing.append((given, "no such file or directory"))
    return list(dict.fromkeys(files)), missing
