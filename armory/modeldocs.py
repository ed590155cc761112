"""Field descriptions for the JSON Schemas, read from the docstring under each model field.

Every model documents its fields with a docstring under each one: that text is
the single truth an editor shows on hover. pydantic's
``use_attribute_docstrings`` would read them as each class is created, through
``inspect``, which costs tens of milliseconds at every start of the app
(``bench/startup.py``) for text only a JSON Schema shows. So the models name
:func:`add_field_docs` as their ``json_schema_extra`` and the docstrings are
read only when a schema is generated.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache
from typing import Any


@cache
def field_docs(cls: type) -> dict[str, str]:
    """``{field name: docstring}`` for the annotated attributes of ``cls`` itself."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    node = ast.parse(source).body[0]
    if not isinstance(node, ast.ClassDef):
        return {}
    docs = {}
    for statement, following in zip(node.body, node.body[1:]):
        if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


def add_field_docs(schema: dict[str, Any], cls: type) -> None:
    """A model's ``json_schema_extra``: give each property without a description its field's docstring."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):  # a field documented in a base class, overridden below it
        if klass.__module__.startswith("armory."):
            docs.update(field_docs(klass))
    fields = getattr(cls, "model_fields", {})
    for name, prop in schema.get("properties", {}).items():
        field = fields.get(name)
        if field is not None and field.description:
            continue
        if name in docs and isinstance(prop, dict) and "description" not in prop:
            prop["description"] = docs[name]
