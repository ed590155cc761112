"""Reading a TOML input file into a model, with every problem located.

This is the machinery shared by every file kind (rule packs, productions,
drills, the failure catalogue): read the bytes, decode, parse with tomllib,
validate with the kind's pydantic model, and turn each failure into a
:class:`~armory.problems.Problem` with the file, the real line and the key
as people read it. Nothing here raises on bad input; callers get problems.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import stat
import tomllib
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from armory.problems import Problem
from armory.source_lines import format_key, key_lines, line_of

Loc = tuple[str | int, ...]


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies under it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


@dataclass
class SourceFile:
    """One input file's text and parsed data, able to locate a key path in it."""

    path: Path
    text: str
    sha256: str
    data: dict[str, Any]
    display: str = ""
    _lines: dict | None = field(default=None, repr=False)

    def line(self, loc: Sequence[str | int]) -> int | None:
        if self._lines is None:  # scanned only when there is something to report
            self._lines = key_lines(self.text)
        return line_of(self._lines, loc)

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        return Problem(self.display, self.line(loc), format_key(loc), message)


def quote(value: Any) -> str:
    """A value as it would be written in TOML, for messages."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    return str(value)


#: Words people write for a value of the closed vocabularies, and the value they mean.
SYNONYMS: dict[str, str] = {
    "number": "count", "integer": "count", "int": "count", "rounds": "count",
    "distance": "measurement", "length": "measurement", "feet": "measurement", "metres": "measurement",
    "bool": "yes_no", "boolean": "yes_no", "yes/no": "yes_no", "yesno": "yes_no", "tick": "yes_no",
    "string": "text", "str": "text", "name": "text", "clock": "time", "datetime": "time",
    "serial": "digits", "select": "choice", "enum": "choice",
    "error": "stop", "critical": "stop", "warning": "hold", "warn": "hold", "info": "note",
    "pistol": "semi_automatic_pistol", "handgun": "semi_automatic_pistol", "replica": "non_firing_replica",
    "prop": "rubber_prop", "rubber": "rubber_prop", "dummy": "dummies", "blank": "blanks",
    "empty": "cold", "unloaded": "cold", "ad": "first_assistant_director", "1st_ad": "first_assistant_director",
    "meters": "metres", "ft": "feet", "m": "metres",
}


def did_you_mean(word: Any, candidates: Iterable[str]) -> str:
    """``'; did you mean "x"?'`` when a candidate is close to ``word``, else ``''``."""
    if not isinstance(word, str):
        return ""
    pool = list(candidates)
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        key = word.strip().lower()
        if key in lowered:
            matches = [lowered[key]]
        elif SYNONYMS.get(key.replace(" ", "_")) in pool:
            matches = [SYNONYMS[key.replace(" ", "_")]]
    return f"; did you mean {quote(matches[0])}?" if matches else ""


def one_of(values: Sequence[str]) -> str:
    quoted = [quote(v) for v in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


#: The largest input file read. The biggest bundled pack is a few dozen KB; a
#: file past this is a mistake (a log, a dump, a device), and reading it whole
#: would only make lint slow before it says so.
MAX_SOURCE_BYTES = 10 * 1024 * 1024


def _kind_of_file(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_bytes_capped(path: Path, limit: int | None = None) -> tuple[bytes | None, str | None]:
    """The bytes of the regular file ``path``, or None and why not; never blocks.

    The file is opened without blocking (a FIFO with no writer would wait
    forever) and checked on the open descriptor, so a symbolic link to
    /dev/zero or a pipe is refused before a byte is read, and no more than
    ``limit`` (default :data:`MAX_SOURCE_BYTES`) + 1 bytes are ever read.
    """
    limit = MAX_SOURCE_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None, "no such file"
    except IsADirectoryError:
        return None, "is a directory, not a TOML file"
    except OSError as err:
        return None, f"cannot be read: {err.strerror or err}"
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return None, "is a directory, not a TOML file"
        if not stat.S_ISREG(info.st_mode):
            return None, f"not a regular file ({_kind_of_file(info.st_mode)}); give the path of a TOML file"
        if info.st_size > limit:
            return None, (f"is {_megabytes(info.st_size)}, over the {_megabytes(limit)} an input file may be; "
                          "a rule pack, production or drill is far smaller, so this is likely the wrong file")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        raw = b"".join(chunks)
    except OSError as err:
        return None, f"cannot be read: {err.strerror or err}"
    finally:
        os.close(fd)
    if len(raw) > limit:  # it grew after the size was looked at
        return None, (f"is over the {_megabytes(limit)} an input file may be; "
                      "a rule pack, production or drill is far smaller, so this is likely the wrong file")
    return raw, None


def read_source(path: Path) -> tuple[SourceFile | None, list[Problem]]:
    """Read and parse ``path``; on any failure return no source and the problem."""
    shown = display_path(path)
    raw, why_not = read_bytes_capped(path)
    if raw is None:
        return None, [Problem(shown, None, "", why_not or "cannot be read")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, [
            Problem(shown, line, "", f"is not UTF-8 text (byte 0x{raw[err.start]:02x}); save it as UTF-8")
        ]
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        match = _TOML_POSITION.search(message)
        if match:
            line: int | None = int(match.group(1))
        elif "end of document" in message:
            line = text.count("\n") + 1
        else:
            line = None
        return None, [Problem(shown, line, "", f"not valid TOML: {message}")]
    except (ValueError, RecursionError) as err:  # pragma: no cover - tomllib raises TOMLDecodeError
        return None, [Problem(shown, None, "", f"not valid TOML: {err}")]
    sha = hashlib.sha256(raw).hexdigest()
    return SourceFile(path=path, text=text, sha256=sha, data=data, display=shown), []


# --------------------------------------------------------------------------
# pydantic errors -> problems


def _unwrap(annotation: Any) -> list[Any]:
    """The non-None members of an Optional/Union annotation (or the annotation itself)."""
    origin = get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return [a for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def annotation_at(model: type[BaseModel], loc: Sequence[str | int]) -> Any:
    """The annotation that describes the value at ``loc`` in ``model``, or None."""
    current: Any = model
    for part in loc:
        found = None
        for candidate in _unwrap(current):
            if isinstance(part, int):
                if get_origin(candidate) in (list, tuple, Sequence):
                    found = get_args(candidate)[0]
            elif isinstance(candidate, type) and issubclass(candidate, BaseModel):
                info = candidate.model_fields.get(part)
                if info is not None:
                    found = info.annotation
            if found is not None:
                break
        if found is None:
            return None
        current = found
    return current


def literal_values(annotation: Any) -> tuple[str, ...]:
    for candidate in _unwrap(annotation):
        if get_origin(candidate) is Literal:
            return tuple(str(v) for v in get_args(candidate))
    return ()


def model_keys(annotation: Any) -> list[str]:
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return list(candidate.model_fields)
    return []


def _clean_loc(data: Any, loc: Sequence[str | int], keep_last: bool) -> Loc:
    """Drop the parts of a pydantic ``loc`` that are not keys in the data (union tags)."""
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        elif last and keep_last and isinstance(part, str):
            out.append(part)
        else:
            current = None if isinstance(current, (dict, list)) else current
    return tuple(out)


_TYPE_WORDS = {
    "int": "a whole number",
    "str": "a string",
    "string": "a string",
    "float": "a number",
    "datetime": "a date and time",
    "bool": "true or false",
    "date": "a date (2021-10-21)",
    "list": "an array",
    "dict": "a table",
}


def _describe(error: dict, model: type[BaseModel], loc: Loc) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        keys = model_keys(annotation_at(model, loc[:-1]))
        hint = did_you_mean(loc[-1], keys) if keys else ""
        if not hint and keys:
            hint = f" (known keys: {', '.join(keys)})"
        return f"unknown key{hint}"
    if kind == "literal_error":
        allowed = literal_values(annotation_at(model, loc))
        if not allowed:
            return f"{quote(value)} is not allowed: expected {ctx.get('expected', '?')}"
        hint = did_you_mean(value, allowed)
        if hint:
            return f"{quote(value)} is not allowed{hint} (expected {one_of(allowed)})"
        return f"{quote(value)} is not allowed: expected {one_of(allowed)}"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if "a-z0-9" in pattern:
            return (
                f"{quote(value)} is not a valid id: use lowercase letters, digits, '.', '-'"
                + (" or '_'" if "_" in pattern else "")
                + ", starting with a letter or digit"
            )
        if pattern.startswith("^[0-9]{"):
            return f"{quote(value)} must be digits only ({pattern})"
        return f"{quote(value)} does not match the form {pattern}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind.endswith("_type") or kind.endswith("_parsing") or kind in ("int_from_float",):
        base = kind.split("_")[0]
        wanted = _TYPE_WORDS.get(base, base)
        if kind in ("model_type", "model_attributes_type", "dict_type"):
            wanted = "a table"
        return f"expected {wanted}, not {quote(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = next(iter(ctx.values()), "?")
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        return f"must be {words} {limit}, not {quote(value)}"
    if kind in ("too_short", "string_too_short"):
        if kind == "string_too_short":
            return "must not be empty"
        return f"needs at least {ctx.get('min_length', 1)} entry"
    return f"{error['msg']} (got {quote(value)})"


def validation_problems(
    source: SourceFile, model: type[BaseModel], err: ValidationError
) -> list[Problem]:
    """Every pydantic error as a located problem; errors on one key are merged."""
    by_loc: dict[Loc, list[str]] = {}
    for error in err.errors(include_url=False):
        keep_last = error["type"] in ("missing", "extra_forbidden")
        loc = _clean_loc(source.data, error["loc"], keep_last)
        message = _describe(error, model, loc)
        messages = by_loc.setdefault(loc, [])
        if message not in messages:
            messages.append(message)
    problems = []
    for loc, messages in by_loc.items():
        if len(messages) > 1 and all(m.startswith("expected ") for m in messages):
            wanted = " or ".join(m.split(",")[0].removeprefix("expected ") for m in messages)
            value = messages[0].split(", not ", 1)[-1]
            messages = [f"expected {wanted}, not {value}"]
        problems.append(source.problem(loc, "; ".join(messages)))
    return problems


def validate(source: SourceFile, model: type[BaseModel]) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(source.data), []
    except ValidationError as err:
        return None, validation_problems(source, model, err)
    except (ValueError, TypeError, RecursionError) as err:  # pragma: no cover - defensive
        return None, [Problem(source.display, None, "", f"cannot be read as this kind of file: {err}")]


@dataclass
class CheckContext:
    """What a kind's cross-check gets besides the model: where to report, what else to read."""

    source: SourceFile
    extra_rules: Sequence[Path] = ()
    """Extra rule pack files or directories given with ``--rules``."""

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        return self.source.problem(loc, message)
