"""What every main screen shares: header, the open-stop banner, the footer, a refresh hook."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from armory.tui.widgets.banner import StopBanner


class ArmoryScreen(Screen[None]):
    """A main screen. Subclasses yield their body from :meth:`body` and fill it in :meth:`refresh_state`."""

    _enabled: tuple = ()
    SHOW_PALETTE_KEY = False
    """Whether the footer shows ^p; only the first screen has room for it at 80 columns (f1 names it too)."""

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield StopBanner(id="stop-banner")
        yield from self.body()
        yield Footer(compact=True, show_command_palette=self.SHOW_PALETTE_KEY)

    def body(self) -> ComposeResult:
        yield from ()

    @property
    def session(self):
        return self.app.session

    def on_mount(self) -> None:
        self.refresh_state()

    def on_screen_resume(self) -> None:
        self.refresh_state()

    def refresh_state(self) -> None:
        """Show the session's current state. Called on mount, on resume, after every action."""
        self.query_one(StopBanner).show_stops(self.session.state.open_stops)
        # The footer redraws on every refresh_bindings(): only ask when an answer changed.
        enabled = tuple(self.check_action(binding.action, ()) for binding in self.BINDINGS)
        if enabled != self._enabled:
            self._enabled = enabled
            self.refresh_bindings()
