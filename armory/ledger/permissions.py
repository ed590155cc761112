"""Files only their owner reads: the ledger (and its -wal and -shm), the signing key, the device secret.

armory creates each of them mode 0600 in a folder it creates 0700. A ledger
made by an earlier armory (or copied by hand) may be readable by every account
on the laptop: opening it says so, with the way to fix it, once per file and
process, as an :class:`ExposedFileWarning` (the CLI prints it, the app asks
whether to fix it). ``armory log fix-permissions`` fixes it with the owner's
consent. Exports are not touched: they are meant to be shared.

Only the mode bits are looked at, so this holds (and is tested) as root too.
"""

from __future__ import annotations

import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class ExposedFileWarning(UserWarning):
    """A ledger, key or secret file that other accounts can read."""


@dataclass(frozen=True)
class Exposed:
    path: Path
    mode: int
    what: str
    """What the file is: "the ledger", "the signing key", ..."""

    @property
    def private_mode(self) -> int:
        return PRIVATE_DIR if stat.S_ISDIR(self.mode) else PRIVATE_FILE

    def message(self) -> str:
        who = "other accounts on this computer can " + ("read" if self.mode & 0o044 else "open")
        return (f"{self.path} ({self.what}) has mode {stat.S_IMODE(self.mode):04o}: {who} it. Make it private "
                f"with `armory log fix-permissions` (or chmod {stat.S_IMODE(self.private_mode):o} {self.path})")


def private_dir(path: Path) -> None:
    """Create ``path`` (and its parents) if missing; a folder armory creates is 0700."""
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (SQLite gives -wal and -shm its mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(fd)


def ledger_files(ledger_path: Path, key_path: Path, *, secret: Path) -> list[tuple[Path, str]]:
    """The files armory keeps private for one ledger, with what each is: the ledger's signing key is
    ``key_path`` (``Ledger.key_path``) and the device secret's file is ``secret`` (``device_secret.secret_file()``);
    both modules make their files private through this one, so it is given their paths rather than asking them."""
    return [
        (ledger_path, "the ledger"),
        (ledger_path.with_name(ledger_path.name + "-wal"), "the ledger's write-ahead log"),
        (ledger_path.with_name(ledger_path.name + "-shm"), "the ledger's shared-memory index"),
        (key_path, "the ledger's signing key"),
        (secret, "the device secret"),
        (secret.parent, "the device secret's folder"),
    ]


def exposed(files: list[tuple[Path, str]]) -> list[Exposed]:
    """Those of ``files`` that exist and that any other account may read, write or enter."""
    found = []
    for path, what in files:
        try:
            mode = path.stat().st_mode
        except OSError:
            continue
        if stat.S_IMODE(mode) & 0o077:
            found.append(Exposed(path, mode, what))
    return found


def warn_exposed(ledger_path: Path, key_path: Path, *, secret: Path) -> list[Exposed]:
    """Warn (ExposedFileWarning) about each of the ledger's private files others can read; return them."""
    found = exposed(ledger_files(ledger_path, key_path, secret=secret))
    for item in found:
        warnings.warn(item.message(), ExposedFileWarning, stacklevel=3)
    return found


def fix(found: list[Exposed]) -> list[Exposed]:
    """Make each file 0600 (each folder 0700); return those that could not be changed."""
    failed = []
    for item in found:
        try:
            os.chmod(item.path, item.private_mode)
        except OSError:
            failed.append(item)
    return failed
