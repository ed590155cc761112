"""JSON Schemas of the file kinds, generated from the models, for editors.

Taplo (and Even Better TOML, which embeds it) validates and completes a TOML
file against the schema its ``#:schema PATH`` first line names. The schemas
are committed under ``armory/schemas/`` so that line works without running
armory; a test fails when they drift from the models. Regenerate with::

    .venv/bin/python -m armory.rulebook.schema --write

Tables list their required keys under ``x-taplo.initKeys``, so completing a
new ``[[rule]]`` in the editor writes them all. The output keeps to draft-07: ``definitions`` rather than ``$defs``, and a
``$ref`` never has siblings (they are ignored before 2019-09, so the field's
description would be lost on hover); such refs are wrapped in ``allOf``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
#: ``--kind`` name -> the top table the loader dispatches on.
KINDS: dict[str, str] = {"pack": "pack", "production": "production", "drill": "drill", "failures": "failure"}
DRAFT = "http://json-schema.org/draft-07/schema#"


def _draft7(node: Any) -> Any:
    if isinstance(node, list):
        return [_draft7(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _draft7(value) for key, value in node.items() if key != "$defs"}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/$defs/", "#/definitions/")
        if len(out) > 1:
            ref = out.pop("$ref")
            out["allOf"] = [{"$ref": ref}]
    return out


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` (pack, production, drill or failures)."""
    from armory.rulebook.loader import model_for

    model = model_for(KINDS[kind])
    if model is None:
        raise LookupError(f"the {kind} model is not available")
    raw = model.model_json_schema(ref_template="#/$defs/{model}")
    schema: dict[str, Any] = {"$schema": DRAFT, "$id": f"https://armory.invalid/schemas/{kind}.schema.json"}
    schema.update(_draft7({k: v for k, v in raw.items() if k != "$defs"}))
    if "$defs" in raw:
        schema["definitions"] = {name: _draft7(d) for name, d in raw["$defs"].items()}
    for table in [schema, *schema.get("definitions", {}).values()]:
        if table.get("required"):
            # Taplo's completion inserts these keys when a new table is started.
            table["x-taplo"] = {"initKeys": list(table["required"])}
    return schema


def render(kind: str) -> str:
    return json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"


def schema_path(kind: str) -> Path:
    return SCHEMA_DIR / f"{kind}.schema.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m armory.rulebook.schema",
        description="Write (or check) the committed JSON Schemas in armory/schemas/.",
    )
    parser.add_argument("--write", action="store_true", help="rewrite the committed schemas")
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed schema is out of date")
    args = parser.parse_args(argv)
    stale = []
    for kind in KINDS:
        text = render(kind)
        path = schema_path(kind)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        else:
            stale.append(path)
    for path in stale:
        print(f"out of date: {path}", file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
