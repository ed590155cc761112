"""The app's background sync with the studio store (when ``ARMORY_STORE`` names one).

A thread worker runs :func:`armory.studio.sync.sync_ledger` every few minutes
and on "Sync now" from the palette; the ledger is written first and never
waits on it, so an answer is never held up by the network. The worker posts
:class:`SyncFinished` with the first screen's words ("synced 12 min ago,
witnessed", "store unreachable since 09:40: working offline"); it never
touches a widget. A failed sync loses nothing: the next one starts from the
store's head.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

SYNC_SECONDS = 300.0
"""How often the app pushes to the store on its own."""
CONNECT_SECONDS = 3
"""How long one attempt waits for a store that does not answer."""


class SyncFinished(Message):
    """A background sync ended (pushed, refused, or the store unreachable); ``words`` are for the first screen."""

    def __init__(self, words: str) -> None:
        super().__init__()
        self.words = words


def sync_words(ledger_path: Path, timezone_name: str | None = None) -> str:
    """What the first screen says about the studio store, from the unit's state file."""
    from armory.studio.state import read_state, sync_words as words

    tz = None
    if timezone_name:
        try:
            from zoneinfo import ZoneInfo

            tz = ZoneInfo(timezone_name)
        except Exception:  # an unknown zone: times in UTC
            tz = None
    return "studio store: " + words(read_state(ledger_path), tz=tz)


class BackgroundSync:
    """Runs syncs on a worker thread for one app and one ledger."""

    def __init__(self, app, store_url: str, ledger_path: Path, timezone_name: str | None = None) -> None:
        self.app = app
        self.store_url = store_url
        self.ledger_path = Path(ledger_path)
        self.timezone_name = timezone_name

    def start(self) -> None:
        self.app.set_interval(SYNC_SECONDS, self.run, name="studio-sync")
        self.run()

    def run(self) -> None:
        """Start one sync unless one is running (its result comes as a SyncFinished message)."""
        if any(worker.group == "studio-sync" and worker.is_running for worker in self.app.workers):
            return
        self.app.run_worker(self._work, thread=True, group="studio-sync", exit_on_error=False,
                            description="sync with the studio store")

    def _work(self) -> None:
        from armory.problems import InputError
        from armory.studio.sync import sync_ledger

        try:
            sync_ledger(self.ledger_path, self.store_url, timeout=CONNECT_SECONDS)
        except InputError:
            pass  # unreachable or unusable: the state file says since when, and the next sync tries again
        except Exception as err:  # nothing a sync meets may take the app down: the ledger is the record
            self.app.post_message(SyncFinished(f"studio store: sync failed ({type(err).__name__}: {err}); "
                                               "working offline"))
            return
        self.app.post_message(SyncFinished(sync_words(self.ledger_path, self.timezone_name)))
