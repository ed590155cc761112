"""Write a file so that it is either whole or absent, never half written.

The content goes to a temporary file beside the target, is flushed to disk,
and then renamed over the target (``os.replace`` is atomic on one file
system). A failure anywhere leaves the target as it was and removes the
temporary file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from armory.problems import InputError


def check_target(path: Path | str) -> Path:
    """Raise InputError unless ``path`` names a file armory may replace: absent, or a regular file.

    The export renames a temporary file over the target, so whatever is there
    is replaced, not written through: a device (``/dev/full``), a fifo, a
    socket or a symbolic link (``/dev/stdout``) would silently become a
    regular file. Those are refused. A name ending in a path separator names
    a directory, never a file. Returns the path as a ``Path``.
    """
    text = os.fspath(path)
    if text.endswith(("/", os.sep)) or (os.altsep and text.endswith(os.altsep)):
        raise InputError(f"cannot write {text}: the name ends with '/', so it names a directory, and this "
                         f"export is one file; give a file name (e.g. {text}report.html)")
    path = Path(text)
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from None
    if stat.S_ISDIR(status.st_mode):
        raise InputError(f"cannot write {path}: it is a directory; give a file name")
    if stat.S_ISLNK(status.st_mode):
        raise InputError(f"cannot write {path}: it is a symbolic link (to {os.readlink(path)}); the export "
                         "would replace the link, not write through it; give the real file's path or a new name")
    if not stat.S_ISREG(status.st_mode):
        raise InputError(f"cannot write {path}: it is {_file_type(status.st_mode)}, not a regular file; the "
                         "export would replace it; give a file name")
    return path


def _file_type(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (fifo)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def check_writable(path: Path | str) -> None:
    """Raise InputError unless a file can be created at ``path`` (see ``check_target``; its directory exists and takes files)."""
    path = check_target(path)
    parent = path.parent if str(path.parent) else Path(".")
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
    check_writable(path)
    path = Path(path)
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
        check_target(path)  # still nothing but a regular file there (it may have changed while writing)
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
