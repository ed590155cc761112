"""Write a file so that it is either whole or absent, never half written.

The content goes to a temporary file beside the target, is flushed to disk,
and then renamed over the target (``os.replace`` is atomic on one file
system). A failure anywhere leaves the target as it was and removes the
temporary file.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from armory.problems import InputError


def check_writable(path: Path) -> None:
    """Raise InputError unless a file can be created at ``path`` (its directory exists and takes files)."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a directory; give a file name")
    if not parent.is_dir():
        raise InputError(f"cannot write {path}: the directory {parent} does not exist")
    try:
        fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".probe")
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from None
    os.close(fd)
    os.unlink(probe)


@contextmanager
def atomic_open(path: Path, mode: str = "w", *, encoding: str | None = "utf-8", newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path``.

    OSError (a full disk, a read-only directory) becomes InputError naming the
    file, and the target is left untouched.
    """
    path = Path(path)
    check_writable(path)
    binary = "b" in mode
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if binary:
            handle = os.fdopen(fd, mode)
        else:
            handle = os.fdopen(fd, mode, encoding=encoding, newline=newline)
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except OSError as err:
        _discard(tmp_name)
        raise InputError(f"cannot write {path}: {err.strerror or err}") from None
    except BaseException:
        _discard(tmp_name)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _discard(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass
