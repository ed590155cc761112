"""The open-stop banner: present on every main screen, in words and symbols, never colour alone."""

from __future__ import annotations

from textual.widgets import Static


def banner_text(stops) -> str:
    """What the banner says of the open stops ("" when there is none)."""
    if not stops:
        return ""
    lines = []
    # One line a stop and at most two, so the work below still fits an 80x24 screen;
    # the stop screen and the record carry the whole text.
    for stop in stops[:2]:
        where = "EVERY FIREARM" if stop.scope == "production" else ", ".join(stop.weapons)
        lines.append(f"■ STOP #{stop.seq} {where}: {stop.reason}")
    more = f"{len(stops) - 2} more stop(s); " if len(stops) > 2 else ""
    lines.append(f"  {more}nothing goes out until a safety officer clears it (x on the board)")
    return "\n".join(lines)


class StopBanner(Static):
    """Shows every open stop; hidden when there is none."""

    shown: str | None = None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)  # stop reasons may quote what people typed

    def show_stops(self, stops) -> None:
        self.show_text(banner_text(stops))

    def show_text(self, text: str) -> None:
        if text != self.shown:
            self.shown = text
            self.update(text)
            self.display = bool(text)
