"""armory's installed version, looked up only when asked (importlib.metadata is slow to import)."""

from __future__ import annotations


def armory_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("armory")
    except PackageNotFoundError:
        return "unknown"
