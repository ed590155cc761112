"""Problems found in input files and the error that carries them to a face.

Every face prints a problem the same way: ``file:line: key: message``, with
the line left out where no parser named one (a made-up line is worse than
none).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class InputError(Exception):
    """Unusable input (a bad file, a wrong id, a wrong PIN): exit 2, nothing changed."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        lines = [self.message, *(str(p) for p in self.problems)]
        return "\n".join(lines)
