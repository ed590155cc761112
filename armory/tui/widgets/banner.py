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
        # One line a stop and at most two, so the work below still fits an 80x24 screen;
        # the stop screen and the record carry the whole text.
        for stop in stops[:2]:
            where = "EVERY FIREARM" if stop.scope == "production" else ", ".join(stop.weapons)
            lines.append(f"■ STOP #{stop.seq} {where}: {stop.reason}")
        more = f"{len(stops) - 2} more stop(s); " if len(stops) > 2 else ""
        lines.append(f"  {more}nothing goes out until a safety officer clears it (x on the board)")
        text = "\n".join(lines)
        if text != self.shown:
            self.shown = text
            self.update(text)
            self.display = True
