"""For a notice or dialog that opens by itself: keys typed as it appeared are not its keys.

The armorer types ahead: the next answer, the next field. A stop notice or a
PIN dialog that opens on its own in that moment would take those keys (an
Enter that dismisses the notice unread, digits that land in a PIN field). A
screen using :class:`OpensByItself` records when it appeared; the app drops
keys created before that moment or within ``ArmoryApp.key_guard`` seconds
after it, and the screen says how many it ignored.
"""

from __future__ import annotations

from textual import _time


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
