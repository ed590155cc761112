"""The screen shown when a production or rule file cannot be used: every problem, one a line."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from armory.problems import Problem


class ProblemsScreen(Screen[None]):
    """``file:line: key: message`` for each problem, and a way out. Nothing was changed."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="problems.quit", tooltip="Leave armory; fix the files and start again"),
    ]

    def __init__(self, message: str, problems: Sequence[Problem]) -> None:
        super().__init__()
        self.message = message
        self.problems = list(problems)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="problems"):
            yield Static(f"✗ {self.message}", id="problems-title", markup=False)
            yield Static("Nothing was recorded. Fix these and start armory again:", classes="hint")
            lines = [str(problem) for problem in self.problems] or ["(no details)"]
            yield Static("\n".join(lines), id="problems-list", markup=False)
        yield Footer()
