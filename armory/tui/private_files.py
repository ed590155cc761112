"""Offering to make the ledger's private files private, when others on this computer can read them.

A ledger made by an earlier armory (or copied by hand) may be readable by every
account on the laptop. The app says so once the session is open and, with the
owner's consent, makes the ledger, its -wal and -shm, its signing key and the
device secret readable by their owner only (what ``armory log fix-permissions``
does).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

from armory.ledger import permissions
from armory.ledger.device_secret import secret_file


@contextlib.contextmanager
def opening_quietly() -> Iterator[None]:
    """Open a ledger without printing its ExposedFileWarning (stderr is not the app's screen)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", permissions.ExposedFileWarning)
        yield


def offer_to_make_private(app, ledger) -> None:
    """Ask (a modal, nothing chosen by default) whether to make the ledger's exposed files private."""
    found = permissions.exposed(permissions.ledger_files(ledger.path, ledger.key_path, secret=secret_file()))
    if not found:
        return
    from armory.tui.screens.pick import PickModal

    names = ", ".join(item.path.name for item in found)

    def chosen(make_private: bool | None) -> None:
        if not make_private:
            app.notify(f"Left as they are: {names}. `armory log fix-permissions` makes them private later.",
                       title="Files others can read", severity="warning", timeout=10)
            return
        failed = permissions.fix(found)
        if failed:
            app.notify("Could not change " + ", ".join(str(item.path) for item in failed) + " (not their owner?)",
                       title="Files others can read", severity="error", timeout=10)
        else:
            app.notify(f"Made private (only you can read them): {names}", title="Files made private")

    app.push_screen(PickModal(
        f"Other accounts on this computer can read {names}",
        [("Make them private: only you can read them", True), ("Leave them as they are", False)],
        hint="The ledger holds everyone's record; its key signs for the unit. ↑↓ choose · Enter · Esc leaves them",
    ), chosen)
