"""Cross-check a file whose model did not validate, by setting its broken parts aside.

Every problem is to be reported at once. When a production has a misspelled
role, its model does not validate, and the cross-checks (unknown weapons,
missing lots, a day without an armorer) would wait for the next lint. Here
the broken parts are set aside (a bad list item or an optional key dropped,
a table with a bad required key removed), the rest is validated again, and
the cross-checks run on that. Their problems are mapped back to the original
keys and lines; problems about what was set aside are dropped, since the
validation problems already cover it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from armory.problems import Problem
from armory.source_lines import format_key
from armory.source import CheckContext, SourceFile, _clean_loc, _unwrap, annotation_at

Loc = tuple[str | int, ...]


def _has_default(model: type[BaseModel], loc: Loc) -> bool:
    """Whether the key at ``loc`` may be left out (so dropping it is harmless)."""
    parent = annotation_at(model, loc[:-1])
    for candidate in _unwrap(parent):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            info = candidate.model_fields.get(str(loc[-1]))
            return info is not None and not info.is_required()
    return False


@dataclass
class _Removal:
    loc: Loc
    """Where the removed item was, in the original file's coordinates."""
    item_id: str | None
    """The removed table's ``id``, so problems that name it can be dropped."""


def _plan(model: type[BaseModel], data: dict, err: ValidationError) -> list[_Removal] | None:
    removals: list[_Removal] = []
    for error in err.errors():
        keep_last = error["type"] in ("missing", "extra_forbidden")
        loc = _clean_loc(data, error["loc"], keep_last)
        if not loc:
            return None
        if isinstance(loc[-1], int) or error["type"] == "extra_forbidden" or (
            error["type"] != "missing" and _has_default(model, loc)
        ):
            removals.append(_Removal(loc, None))
            continue
        # A required key is broken: set aside the innermost table in a list that holds it.
        cut = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=None)
        if cut is None:
            return None
        table_loc = loc[: cut + 1]
        item = _get(data, table_loc)
        item_id = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
        removals.append(_Removal(table_loc, item_id))
    return removals


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _apply(data: dict, removals: list[_Removal]) -> tuple[dict, dict[Loc, list[int]]]:
    """A copy without the removed items, and for each shortened list the original index of each item left."""
    patched = copy.deepcopy(data)
    index_maps: dict[Loc, list[int]] = {}
    # Deepest and last first, so earlier removals do not move later ones.
    for removal in sorted({r.loc: r for r in removals}.values(), key=lambda r: (len(r.loc), r.loc), reverse=True):
        loc = removal.loc
        if any(loc[: len(other.loc)] == other.loc and loc != other.loc for other in removals):
            continue  # inside something removed anyway
        try:
            parent = _get(patched, _current(loc[:-1], index_maps))
        except (KeyError, IndexError, TypeError):
            continue
        last = loc[-1]
        if isinstance(last, int) and isinstance(parent, list):
            mapping = index_maps.setdefault(loc[:-1], list(range(len(parent))))
            if last in mapping:
                position = mapping.index(last)
                del parent[position]
                del mapping[position]
        elif isinstance(parent, dict):
            parent.pop(last, None)
    return patched, index_maps


def _current(loc: Loc, index_maps: dict[Loc, list[int]]) -> Loc:
    """Original coordinates -> coordinates in the patched data."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        mapping = index_maps.get(loc[:i])
        out.append(mapping.index(part) if isinstance(part, int) and mapping and part in mapping else part)
    return tuple(out)


def _original(loc: Sequence[str | int], index_maps: dict[Loc, list[int]]) -> Loc:
    """Coordinates in the patched data -> original coordinates."""
    out: list[str | int] = []
    for part in loc:
        mapping = index_maps.get(tuple(out))
        if isinstance(part, int) and mapping is not None and 0 <= part < len(mapping):
            out.append(mapping[part])
        else:
            out.append(part)
    return tuple(out)


class _MappedSource(SourceFile):
    """The original file, reporting locations given in the patched data's coordinates."""

    def __init__(self, source: SourceFile, index_maps: dict[Loc, list[int]], data: dict) -> None:
        super().__init__(path=source.path, text=source.text, sha256=source.sha256, data=data,
                         display=source.display)
        self._original_source = source
        self._index_maps = index_maps

    def line(self, loc: Sequence[str | int]) -> int | None:
        return self._original_source.line(_original(loc, self._index_maps))

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        original = _original(loc, self._index_maps)
        return Problem(self.display, self._original_source.line(original), format_key(original), message)


def cross_check_around_errors(
    source: SourceFile,
    model: type[BaseModel],
    err: ValidationError,
    cross_check: Callable[[Any, CheckContext], Iterable[Problem]],
    extra_rules: Sequence[Path] = (),
) -> list[Problem]:
    """Cross-check problems of ``source`` with its broken parts set aside; [] when that is not possible."""
    removals = _plan(model, source.data, err)
    if not removals:
        return []
    patched, index_maps = _apply(source.data, removals)
    try:
        value = model.model_validate(patched)
    except (ValidationError, ValueError, TypeError):
        return []
    mapped = _MappedSource(source, index_maps, patched)
    try:
        found = list(cross_check(value, CheckContext(mapped, tuple(extra_rules))))
    except Exception:  # noqa: BLE001 - a best effort on a broken file must never be the traceback
        return []
    removed_keys = [format_key(r.loc) for r in removals]
    removed_ids = [f'"{r.item_id}"' for r in removals if r.item_id]
    return [
        p for p in found
        if not any(p.key == k or p.key.startswith((k + ".", k + "[")) for k in removed_keys)
        and not any(i in p.message for i in removed_ids)
    ]

