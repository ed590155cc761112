"""For a notice or dialog that opens by itself: keys typed as it appeared are not its keys.

The armorer types ahead: the next answer, the next field. A stop notice or a
PIN dialog that opens on its own in that moment would take those keys (an
Enter that dismisses the notice unread, digits that land in a PIN field). A
screen using :class:`OpensByItself` records when it appeared; the app drops
keys created before that moment or within ``ArmoryApp.key_guard`` seconds
after it, and the screen says how many it ignored.
"""

from __future__ import annotations

from textual import _time, events
from textual.widgets import Input


class OpensByItself:
    """Mixin for a Screen: ``appeared_at`` set on mount, and a line that tells of ignored keys."""

    appeared_at: float | None = None
    ignored_keys: int = 0

    def note_appeared(self) -> None:
        self.appeared_at = _time.get_time()

    def keys_ignored(self, key: str) -> None:
        self.ignored_keys += 1
        self.show_ignored(f"{self.ignored_keys} key(s) typed as this appeared were ignored; read it, then "
                          "press the key you mean.")

    def show_ignored(self, message: str) -> None:
        """Where the screen says it (subclasses put it beside their own text)."""
        self.app.notify(message, title="Keys ignored", timeout=4)  # type: ignore[attr-defined]


class AnswerInput(Input):
    """An answer field that takes no keys between its Enter and the next question.

    Textual runs Enter's binding once the key has bubbled up to the app, so in a burst of keys (typed
    ahead, or pasted by a terminal) the characters after it reach the field first and are submitted with
    it: "9999⏎0930" recorded 99990930 as a serial. Here Enter submits at once, in order, and the field then
    drops every key until the screen shows the next question (:meth:`rearm`), which says how many it dropped.
    """

    armed = True
    dropped = 0

    async def _on_key(self, event: events.Key) -> None:
        if not self.armed and (event.is_printable or event.key == "enter"):
            event.stop()
            event.prevent_default()
            self.dropped += 1
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.armed = False
            await self.action_submit()
            return
        await super()._on_key(event)

    def rearm(self) -> int:
        """Take keys again; returns how many were dropped since the last Enter."""
        dropped, self.dropped, self.armed = self.dropped, 0, True
        return dropped
