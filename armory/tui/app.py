"""The armorer's terminal app: a thin face on the engine (:mod:`armory.checklist`).

The app opens a :class:`~armory.checklist.session.Session`, shows its state
and calls its methods; it decides nothing about safety itself. Screens live
in :mod:`armory.tui.screens`, one per job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from armory.problems import InputError
from armory.tui.commands import ScreenCommands
from armory.tui.heap import FoldKeeper
from armory.tui.words import ROLE_WORDS


FOLLOW_SECONDS = 2.0
"""How often the app looks for entries another process appended to its ledger."""

KEY_GUARD_SECONDS = 0.6
"""How long a notice or dialog that opened by itself (a stop, a PIN asked of the actor) ignores keys: keys
typed in that moment were meant for the screen before it (the next answer, typed ahead), not for it.
``ARMORY_KEY_GUARD`` sets it (the tests set 0, and test the guard with their own value)."""


CHECKING = ("the record is still being checked (every entry's hash, a second or two on a season's ledger); "
            "nothing was recorded: try again in a moment")
"""Why nothing is recorded while the chain is checked behind a saved fold."""


def key_guard_seconds() -> float:
    import os

    try:
        return max(0.0, float(os.environ.get("ARMORY_KEY_GUARD", KEY_GUARD_SECONDS)))
    except ValueError:
        return KEY_GUARD_SECONDS


def check_chain(ledger) -> None:
    """Refuse to work on a ledger whose chain does not verify: nothing recorded on it could be trusted.

    The same check as ``armory log verify`` (a few microseconds an entry); the state the screens show is a
    fold over these entries, so an edited one would change what the armorer is told without a word."""
    from armory.ledger.verify import verify_ledger

    refuse_unverified(ledger.path, verify_ledger(ledger))


def refuse_unverified(path: Path, result) -> None:
    """The InputError that names the first entry of ``path`` that does not verify (nothing when all do)."""
    if not result.ok and result.first_bad is not None:
        seq, kind, what = result.first_bad
        raise InputError(
            f"{path} does not verify at entry #{seq} ({kind}): {what}. Nothing was recorded. "
            f"`armory log verify {path}` says more; keep this file as evidence, and to go on working "
            "start armory with a new ledger (--ledger NEW.sqlite)")


class ArmoryApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "armory"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        Binding("f1", "help", "Keys", id="app.help", tooltip="List every key on this screen"),
        Binding("question_mark", "help", "Keys", id="app.help_question", show=False,
                tooltip="List every key on this screen"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", id="app.theme", show=False,
                tooltip="Switch between the light and the dark theme"),
        # Shown in the footer of the first screen only (HomeScreen), so busy screens keep room at 80x24.
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False,
                tooltip="Leave armory; everything recorded is already on disk"),
    ]

    def __init__(
        self,
        production_path: Path,
        ledger_path: Path,
        rules_paths: Sequence[Path] = (),
        *,
        clock: Callable | None = None,
        keymap: dict[str, str] | None = None,
        theme: str | None = None,
        on_theme: Callable[[str], None] | None = None,
        fast_start: bool = True,
        key_guard: float | None = None,
        store_url: str | None = None,
    ) -> None:
        super().__init__()
        self.key_guard = key_guard_seconds() if key_guard is None else key_guard
        """Seconds a screen that opened by itself ignores keys (see :data:`KEY_GUARD_SECONDS`)."""
        self.on_theme = None
        if theme in self.available_themes:
            self.theme = theme
        self.on_theme = on_theme
        """Called with the theme's name when the user changes it (the launcher saves it for next time)."""
        self.production_path = Path(production_path)
        self.ledger_path = Path(ledger_path)
        self.rules_paths = [Path(p) for p in rules_paths]
        self.clock = clock
        self.keymap = dict(keymap or {})
        self.session = None
        self._session_pending = False
        self._session_failed = False
        self.fast_start = fast_start
        """Paint the first screen from last time's picture while the session opens (armory.tui.firstscreen)."""
        self.store_url = store_url or None
        """The studio store to sync with in the background (armory.tui.studio_sync); None: no store."""
        self.studio_sync = None
        self.seen_stops: set[int] = set()
        self.folds = FoldKeeper()
        """Keeps the session's folded state out of the garbage collector's full passes (armory.tui.heap)."""
        self.operator: str | None = None
        """The crew id who signed in on this device (the armorer who opened the day, or who signed in since)."""

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.fast_start:
            from armory.tui.firstscreen import read_view

            view = read_view(self.production_path, self.rules_paths, self.ledger_path, self.position_path,
                             self.clock)
            if view is not None:
                # The first screen exactly as last drawn from these same files and ledger head; the
                # session opens once it is painted, and the screen is drawn again from the ledger.
                from armory.tui.screens.home import HomeScreen

                self.sub_title = view["title"]
                self._session_pending = True
                self.push_screen(HomeScreen(view))
                self.call_after_refresh(self.open_after_paint)
                return
        self.open_session()

    def open_session(self) -> None:
        """Open the production, its packs and the ledger, then go where the ledger says work was."""
        if self.session is not None or self._session_failed:
            return
        self._session_pending = False
        from armory.checklist.session import Session

        from armory.tui.private_files import check_device_secret, opening_quietly, offer_to_make_private

        from armory.checklist.saved_fold import fold_path

        try:
            with opening_quietly():  # files others can read are offered a fix below, not printed
                session = Session.open(self.production_path, self.ledger_path, self.rules_paths, clock=self.clock,
                                       saved_fold=fold_path(self.ledger_path) if self.fast_start else None)
            if session.fold_loaded:
                # A season's state came from the fold saved beside the ledger: the screens are drawn from it
                # now, while the chain is checked in a worker; nothing is recorded until that is done.
                session.records_held = CHECKING
            else:
                try:
                    check_chain(session.ledger)
                except InputError:
                    session.close()
                    raise
            self.session = session
            self.folds.keep(session)
        except (InputError, OSError) as err:
            self.show_problems(err)
            return
        production = self.session.production
        self.sub_title = production.production.title
        if self.session.records_held is None:
            self.chain_checked()
        else:
            self.sub_title = f"{production.production.title} · checking the record…"
            from armory.ledger.verify import verify_ledger_apart

            path = self.session.ledger.path

            def check_apart() -> None:
                try:
                    refuse_unverified(path, verify_ledger_apart(path))
                    error = None
                except InputError as err:
                    error = err
                except Exception as err:  # noqa: BLE001 - said on the problems screen, never a traceback
                    error = InputError(f"{path}: the record could not be checked ({err})")
                self.call_from_thread(self.chain_checked, error)

            self.run_worker(check_apart, thread=True, group="chain-check", exit_on_error=False)
        self.seen_stops = {stop.seq for stop in self.session.state.open_stops}
        from armory.tui.resume import resume

        resume(self)
        # A stop of every firearm takes the whole screen when recorded; a restart (after a crash on that
        # screen, say) shows it again on top of where work was, so it cannot be missed.
        from armory.tui.screens.stop import StopScreen

        for stop in self.session.state.open_stops:
            if stop.scope == "production":
                self.push_screen(StopScreen(stop))
        # Another armory (or a command) may record on this ledger while this one sits on a screen: a stop
        # recorded there must show here without anyone pressing a key.
        self.set_interval(FOLLOW_SECONDS, self.follow_ledger, name="follow-ledger")
        offer_to_make_private(self, self.session.ledger)
        self.run_worker(partial(check_device_secret, self, self.session.credentials.sealed_under()),
                        thread=True, group="device-secret", exit_on_error=False)

    def show_problems(self, err: InputError | OSError, *, on_top: bool = False) -> None:
        """Why the session cannot be worked on, on the whole screen; ``on_top`` of the screens already drawn
        (it only quits: nothing beneath it is reached again)."""
        from armory.tui.screens.problems import ProblemsScreen

        self._session_failed = True
        message = getattr(err, "message", None) or str(err)
        screen = ProblemsScreen(message, getattr(err, "problems", []))
        if on_top:
            self.push_screen(screen)
        elif len(self.screen_stack) > 1:
            self.switch_screen(screen)  # not the first screen drawn from last time
        else:
            self.push_screen(screen)

    def chain_checked(self, error: InputError | None = None) -> None:
        """The ledger's chain is checked: refuse it, or let work be recorded and start what writes."""
        session = self.session
        if session is None:
            return
        if error is not None:
            # The screens drawn from the saved fold stay beneath the problems, which only quit; the session
            # stays for them, and records nothing more.
            session.records_held = str(error)
            self.show_problems(error, on_top=True)
            return
        if session.records_held is not None:
            session.records_held = None
            self.sub_title = session.production.production.title
            self.notify("The record is checked: work can be recorded.", timeout=3)
        production = session.production
        credentials = session.credentials
        if production.production.sample and credentials is not None:
            # The bundled sample works with no setup: its demo PINs are enrolled on first use.
            if any(m.demo_pin and not credentials.is_enrolled(m.id) for m in production.crew):
                credentials.enroll_demo(production)
        if self.store_url and self.studio_sync is None:
            from armory.tui.studio_sync import BackgroundSync

            self.studio_sync = BackgroundSync(self, self.store_url, self.ledger_path,
                                              production.production.timezone)
            self.studio_sync.start()
        from armory.checklist.saved_fold import SAVE_AFTER

        if self.fast_start and session.fold_replayed >= SAVE_AFTER and not getattr(session.ledger, "readonly", False):
            self.call_after_refresh(self.save_fold)

    def save_fold(self) -> None:
        """Keep the state just replayed (its chain checked) for the next start: see armory.checklist.saved_fold."""
        from armory.checklist.saved_fold import fold_path, save

        if self.session is not None and self.session.records_held is None:
            save(self.session, fold_path(self.ledger_path))

    def follow_ledger(self) -> None:
        """If another process appended to the ledger, replay it and show what changed (a new stop takes the
        whole screen, as if recorded here). One indexed SELECT when nothing changed."""
        session = self.session
        if session is None or self._session_failed:
            return
        self.folds.keep(session)  # a fold made since the last look (an action replayed the ledger)
        self.folds.collect_due()  # a full pass due while screens were browsed, no action taken
        try:
            if not session.behind():
                self._follow_error = None
                return
            session.resync()
            self.folds.keep(session)
        except InputError as err:
            if str(err) != getattr(self, "_follow_error", None):  # said once, not every 2 s
                self._follow_error = str(err)
                self.report(err)
            return
        self._follow_error = None
        self.after_action()

    def open_after_paint(self) -> None:
        import time

        # The painted frame is queued for Textual's writer thread; loading a season's saved fold holds the
        # interpreter for a few hundred ms in one call (marshal), so let the writer put it on the terminal first.
        time.sleep(0.01)
        self.open_session()

    async def on_event(self, event) -> None:
        from textual import events

        if isinstance(event, events.Key) and not event.is_forwarded and self.typed_before_seen(event):
            return
        await super().on_event(event)

    def typed_before_seen(self, event) -> bool:
        """A key typed before (or in the moment after) a screen that opened by itself appeared: it was meant
        for what was there before, so it is dropped, and the screen says so (it never answers, signs or
        dismisses anything)."""
        screen = self.screen
        appeared = getattr(screen, "appeared_at", None)
        if appeared is None or event.time >= appeared + self.key_guard:
            return False
        told = getattr(screen, "keys_ignored", None)
        if told is not None:
            told(event.key)
        return True

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        # A key pressed while the first screen is painted from last time, before the session is open:
        # open it now, then act (nothing acts on the picture). If it cannot open, the key is spent on
        # the problems screen that replaced the picture, never on the picture.
        if self._session_pending:
            picture = self.screen
            self.open_session()
            if self.session is None or self.screen is not picture:
                # It could not open, or opening put a screen above the picture (a stop of every firearm, the
                # step a crash left): the key was meant for the picture, and is spent.
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def save_first_screen(self, view: dict) -> None:
        """Keep what the first screen shows for the next start, when the next start would open on it."""
        from armory.tui.firstscreen import save_view
        from armory.tui.position import lands_on_home, read_position

        session = self.session
        if not self.fast_start or session is None or getattr(session.ledger, "readonly", False):
            return
        if not lands_on_home(session, read_position(self.position_path)):
            return
        # Keyed by the head the state was drawn from, and only while no other process has appended
        # (its entries are not in this session's state): else no picture, and the next start opens first.
        save_view(self.production_path, self.rules_paths, self.ledger_path, self.position_path,
                  session.picture_head(), view)

    def reopen(self) -> None:
        """Replay the ledger afresh (after another writer, such as an export, appended to it)."""
        from armory.checklist.session import Session

        self.session.close()
        self.session = Session.open(self.production_path, self.ledger_path, self.rules_paths, clock=self.clock)
        self.folds.keep(self.session)

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()
        self.folds.release()

    # -- shared by the screens ------------------------------------------
    def crew_choices(self, day: str | None = None, roles: set[str] | None = None) -> list[tuple[str, str]]:
        """(shown text, crew id) for the crew, optionally only those holding one of ``roles`` on ``day``."""
        production = self.session.production
        choices = []
        for member in production.crew:
            held = production.roles_on(member.id, day) if day else frozenset(member.roles)
            if roles and not (held & roles):
                continue
            role_words = ", ".join(ROLE_WORDS.get(role, role.replace("_", " ")) for role in sorted(held))
            choices.append((f"{member.name} ({role_words})", member.id))
        return choices

    def crew_name(self, crew_id: str | None) -> str:
        if not crew_id:
            return "nobody"
        member = self.session.production.crew_member(crew_id)
        return member.name if member else crew_id

    def authenticate(self, crew_id: str, pin: str, purpose: str) -> None:
        """For the signing modal: raises InputError (wrong PIN, locked out) with a message to show."""
        self.session.authenticate(crew_id, pin, purpose=purpose)

    @property
    def position_path(self) -> Path:
        """The tiny UI-position file, beside the ledger (the ledger is the truth; this only says which screen)."""
        return self.ledger_path.with_name(self.ledger_path.name + ".screen.json")

    def note_position(self, position: dict | None) -> None:
        """Remember which screen is open, atomically, so a restart reopens it."""
        from armory.tui.position import write_position

        write_position(self.position_path, position)

    def after_action(self) -> None:
        """Refresh what is shown; a new production-wide stop takes the whole screen."""
        from armory.tui.screens.stop import StopScreen

        stops = self.session.state.open_stops
        new = [stop for stop in stops if stop.seq not in self.seen_stops]
        self.seen_stops = {stop.seq for stop in stops}
        refresh = getattr(self.screen, "refresh_state", None)
        if refresh is not None and self.screen.is_mounted:  # a screen just pushed fills itself in on mount
            refresh()
        self.call_after_refresh(self.folds.collect_due)  # once the next question is painted, not before
        for stop in new:
            self.push_screen(StopScreen(stop))

    def attempt(self, action: Callable[[], object], *, done: str, title: str,
                on_done: Callable[[bool], None] | None = None) -> bool:
        """Run an engine action a signing modal asked for: a refusal is told, what was done is said, and the
        screens are refreshed either way (a refusal is on record too)."""
        try:
            action()
        except InputError as err:
            self.report(err)
            self.after_action()
            if on_done:
                on_done(False)
            return False
        self.notify(done, title=title)
        self.after_action()
        if on_done:
            on_done(True)
        return True

    def report(self, err: InputError) -> None:
        """An engine refusal or bad input, told in words beside the work."""
        self.notify(str(err), title="Not done", severity="error", timeout=8)

    def get_system_commands(self, screen):
        """The palette's own commands, armory's way: Textual's theme picker (two dozen themes, some unreadable
        here) and its keys panel go round armory's light/dark and key list, and a screenshot writes files
        nobody on set asked for."""
        from textual.app import SystemCommand

        yield SystemCommand("Keys", "List every key on this screen, with its id for keymap.toml", self.action_help)
        yield SystemCommand("Light/dark", "Switch between the light and dark themes (kept for next time)",
                            self.action_toggle_theme)
        yield SystemCommand("Quit", "Leave armory; everything recorded is already on disk", self.action_quit)
        if self.studio_sync is not None:
            yield SystemCommand("Sync now", "Push this unit's new entries to the studio store now (in the "
                                "background; nothing waits on it)", self.action_sync_now)

    def action_sync_now(self) -> None:
        if self.studio_sync is not None:
            self.studio_sync.run()
            self.notify("Syncing with the studio store in the background.", timeout=3)

    def sync_text(self) -> str:
        """The first screen's line about the studio store (empty when none is configured)."""
        if not self.store_url:
            return ""
        from armory.tui.studio_sync import sync_words

        zone = self.session.production.production.timezone if self.session is not None else None
        return sync_words(self.ledger_path, zone)

    def on_sync_finished(self, message) -> None:
        from textual.widgets import Static

        for screen in self.screen_stack:
            for line in screen.query("#sync-line"):
                if isinstance(line, Static):
                    line.update(message.words)

    # -- actions ----------------------------------------------------------
    def action_help(self) -> None:
        from armory.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def watch_theme(self, theme: str) -> None:
        if self.on_theme is not None:
            self.on_theme(theme)
