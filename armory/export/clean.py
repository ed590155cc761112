"""Exported entries made safe to show: every field of the type its kind's model says.

Every export format reads entries in their exported form (the dicts of the
jsonl lines). A chain that verifies was written by armory and is already
well formed; an edited or damaged one may hold anything, and must still be
shown, never crash the export. These helpers are what every other module of
the exporter reads entries through.
"""

from __future__ import annotations

from typing import Any, Iterable


def payload_of(entry: dict) -> dict:
    """The entry's payload when it is a table, else an empty one."""
    payload = entry.get("payload")
    return payload if isinstance(payload, dict) else {}


def as_int(value: Any) -> int:
    """An entry's number (a sequence number, a count) as an int; 0 for anything else, so a damaged
    or edited entry is still shown rather than stopping the export."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return 0


def _field_kinds() -> dict[str, dict[str, str]]:
    """For each entry kind, each payload field's shape: ``int``, ``bool``, ``list``, ``packs`` or ``str``."""
    import types
    import typing

    from armory.ledger.entries import PAYLOADS

    def shape(annotation: Any) -> str:
        options = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) \
            else (annotation,)
        options = tuple(o for o in options if o is not type(None))
        first = options[0] if options else str
        origin = typing.get_origin(first)
        if origin is list:
            inner = typing.get_args(first)
            return "packs" if inner and isinstance(inner[0], type) and issubclass(inner[0], BaseModel) else "list"
        if first is bool:
            return "bool"
        if first is int:
            return "int"
        return "str"

    from pydantic import BaseModel

    return {kind: {name: shape(field.annotation) for name, field in model.model_fields.items()}
            for kind, model in PAYLOADS.items()}


_FIELD_KINDS: dict[str, dict[str, str]] | None = None


def clean(entry: Any) -> dict:
    """An entry with every field of the type its kind's model says, for display only.

    A chain that verifies was written by armory and is already so; an edited or
    damaged one may hold anything, and must still be shown, never crash the
    export. Values of the wrong type become text (or 0, or an empty list).
    """
    global _FIELD_KINDS
    if _FIELD_KINDS is None:
        _FIELD_KINDS = _field_kinds()
    if not isinstance(entry, dict):
        entry = {}
    kind = entry.get("kind")
    kind = kind if isinstance(kind, str) else str(kind)
    who = entry.get("who")
    out = {
        **entry,
        "seq": as_int(entry.get("seq")),
        "time": entry.get("time") if isinstance(entry.get("time"), str) else str(entry.get("time")),
        "kind": kind,
        "who": who if who is None or isinstance(who, str) else str(who),
        "scope": entry.get("scope") if isinstance(entry.get("scope"), str) else "",
        "hash": entry.get("hash") if isinstance(entry.get("hash"), str) else str(entry.get("hash", "")),
    }
    raw = entry.get("payload") if isinstance(entry.get("payload"), dict) else {}
    shapes = _FIELD_KINDS.get(kind, {})
    if all(_fits(value, shapes.get(name, "str")) for name, value in raw.items()):
        out["payload"] = raw  # the usual case: as armory wrote it
        return out
    payload = {}
    for name, value in raw.items():
        shape = shapes.get(name, "str")
        if value is None:
            payload[name] = None
        elif shape == "int":
            payload[name] = as_int(value)
        elif shape == "bool":
            payload[name] = value if isinstance(value, bool) else False
        elif shape == "list":
            payload[name] = [v if isinstance(v, str) else str(v) for v in value] if isinstance(value, list) else []
        elif shape == "packs":
            payload[name] = [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
        else:
            payload[name] = value if isinstance(value, str) else str(value)
    out["payload"] = payload
    return out


_NONE = type(None)
_EXACT = {"int": (int, _NONE), "bool": (bool, _NONE), "str": (str, _NONE)}


def _fits(value: Any, shape: str) -> bool:
    if shape == "list":
        return type(value) is list and all(type(v) is str for v in value)
    if shape == "packs":
        return type(value) is list and all(type(v) is dict for v in value)
    return type(value) in _EXACT[shape]


def clean_all(entries: Iterable[Any]) -> list[dict]:
    return [clean(entry) for entry in entries]
