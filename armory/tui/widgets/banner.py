"""The open-stop banner: present on every main screen, in words and symbols, never colour alone."""

from __future__ import annotations

from textual.widgets import Static


class StopBanner(Static):
    """Shows every open stop; hidden when there is none."""

    shown: str | None = None

    def show_stops(self, stops) -> None:
        if not stops:
            if self.shown != "":
                self.shown = ""
                self.update("")
                self.display = False
            return
        lines = []
        for stop in stops:
            where = "EVERY FIREARM" if stop.scope == "production" else ", ".join(stop.weapons)
            failures = f" ({', '.join(stop.failures)})" if stop.failures else ""
            lines.append(f"■ STOP #{stop.seq}: {where}: {stop.reason}{failures}")
        lines.append("  Nothing goes out until a safety officer clears it (x: clear a stop).")
        text = "\n".join(lines)
        if text != self.shown:
            self.shown = text
            self.update(text)
            self.display = True
