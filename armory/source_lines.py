"""Find the source line of a key path in TOML text.

tomllib returns plain data without positions, and pydantic's error ``loc``
(``('rule', 2, 'severity')``) has none either. Only when there is something to
report do we re-scan the text with this small scanner, which knows just
enough TOML (headers, dotted keys, strings, arrays, inline tables) to record
the line where each key and each array element starts. It never raises: on
text it cannot follow it returns what it found so far, and a key it did not
find gets the line of its nearest enclosing table, or no line at all.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

Path = tuple[str | int, ...]

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BLANK = re.compile(r"(?:[ \t\r]+|#[^\n]*)*")
_BLANK_NL = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_BASIC = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_LITERAL = re.compile(r"'([^'\n]*)'")
_SCALAR = re.compile(r"[^,\]}\n#]*")
_SIMPLE_KEY_VALUE = re.compile(
    r"""([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[-+0-9A-Za-z_:.]+)[ \t\r]*(?:#[^\n]*)?(?=\n|$)"""
)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines: dict[Path, int] = {}
        self.array_tables: dict[Path, int] = {}  # concrete path -> number of [[...]] seen

    # -- characters ---------------------------------------------------------
    def peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.text[i] if i < len(self.text) else ""

    @property
    def line(self) -> int:
        return bisect_left(self._newlines, self.pos) + 1

    def advance(self, n: int = 1) -> None:
        self.pos = min(self.pos + n, len(self.text))

    def skip_blank(self, newlines: bool) -> None:
        self.pos = (_BLANK_NL if newlines else _BLANK).match(self.text, self.pos).end()

    def skip_line(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    # -- tokens -------------------------------------------------------------
    def string(self) -> str:
        quote = self.peek()
        if self.text.startswith(quote * 3, self.pos):
            self.advance(3)
            end = self.text.find(quote * 3, self.pos)
            if end < 0:
                raise ValueError("unterminated string")
            # A multi-line string may end with up to two extra quotes.
            while self.text.startswith(quote, end + 3):
                end += 1
            value = self.text[self.pos : end]
            self.advance(end + 3 - self.pos)
            return value
        match = (_BASIC if quote == '"' else _LITERAL).match(self.text, self.pos)
        if match is None:
            raise ValueError("unterminated string")
        self.advance(match.end() - self.pos)
        return match.group(1)

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            ch = self.peek()
            if ch in ('"', "'"):
                parts.append(self.string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if match is None:
                    raise ValueError("expected a key")
                parts.append(match.group())
                self.advance(match.end() - self.pos)
            self.skip_blank(newlines=False)
            if self.peek() == ".":
                self.advance()
                continue
            return parts

    def value(self, path: Path) -> None:
        self.skip_blank(newlines=False)
        self.lines.setdefault(path, self.line)
        ch = self.peek()
        if ch in ('"', "'"):
            self.string()
        elif ch == "[":
            self.advance()
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "]":
                    self.advance()
                    return
                if self.peek() == "":
                    raise ValueError("unterminated array")
                self.value(path + (index,))
                index += 1
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.advance()
        elif ch == "{":
            self.advance()
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "}":
                    self.advance()
                    return
                if self.peek() == "":
                    raise ValueError("unterminated inline table")
                self.key_value(path)
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.advance()
        else:
            match = _SCALAR.match(self.text, self.pos)
            if match:
                self.advance(match.end() - self.pos)

    def key_value(self, table: Path) -> None:
        line = self.line
        parts = self.key()
        for i in range(1, len(parts)):
            self.lines.setdefault(table + tuple(parts[:i]), line)
        if self.peek() != "=":
            raise ValueError("expected '='")
        self.advance()
        self.value(table + tuple(parts))

    def resolve(self, parts: Sequence[str]) -> Path:
        """A header's concrete path: each array-of-tables prefix takes its latest index."""
        path: Path = ()
        for part in parts:
            path = path + (part,)
            count = self.array_tables.get(path)
            if count:
                path = path + (count - 1,)
        return path

    def header(self) -> Path:
        line = self.line
        is_array = self.text.startswith("[[", self.pos)
        self.advance(2 if is_array else 1)
        parts = self.key()
        self.advance(2 if is_array else 1)
        if is_array:
            array = self.resolve(parts[:-1]) + (parts[-1],)
            count = self.array_tables.get(array, 0) + 1
            self.array_tables[array] = count
            self.lines.setdefault(array, line)
            table = array + (count - 1,)
        else:
            table = self.resolve(parts)
        self.lines.setdefault(table, line)
        return table

    def run(self) -> dict[Path, int]:
        table: Path = ()
        try:
            while True:
                self.skip_blank(newlines=True)
                ch = self.peek()
                if ch == "":
                    break
                if ch == "[":
                    table = self.header()
                else:
                    simple = _SIMPLE_KEY_VALUE.match(self.text, self.pos)
                    if simple:  # most lines: one bare key, one scalar; no need to walk it
                        self.lines.setdefault(table + (simple.group(1),), self.line)
                        self.pos = simple.end()
                        continue
                    self.key_value(table)
                self.skip_blank(newlines=False)
                if self.peek() not in ("", "\n"):
                    self.skip_line()
        except (ValueError, IndexError, RecursionError):
            pass
        return self.lines


def key_lines(text: str) -> dict[Path, int]:
    """Map every key path and array element in ``text`` to the line it starts on (1-based)."""
    return _Scanner(text).run()


def line_of(lines: dict[Path, int], loc: Sequence[str | int]) -> int | None:
    """The line of ``loc``, else of its nearest enclosing key or table, else None."""
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def format_key(loc: Sequence[str | int]) -> str:
    """``('rule', 2, 'severity')`` -> ``rule[3].severity``: as people count, from 1."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            name = part if part and set(part) <= _BARE else '"' + part.replace('"', '\\"') + '"'
            out += f".{name}" if out else name
    return out
