"""Linting: every problem in any number of rule files, productions and drills.

Each file is loaded by its kind (see :func:`armory.rulebook.loader.register_kind`);
a production's packs are found and checked with it; rule ids are checked
across every pack linted together. Problems come out in file order, then line
order, each once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from armory import paths
from armory.problems import InputError, Problem
from armory.production.models import PackRef
from armory.rulebook.checks import duplicate_rule_problems_raw
from armory.rulebook.loader import (
    LoadedProduction,
    _load_path,
    _packs_for_refs,
    _unique,
    packs_for,
    toml_files,
)
from armory.source import SourceFile


def default_lint_paths() -> list[Path]:
    return [paths.BUNDLED_RULES, paths.SAMPLE_PRODUCTIONS]


def lint_paths(paths_to_lint: Sequence[Path], extra_rules: Sequence[Path] = ()) -> list[Problem]:
    """Every problem in the files (``*.toml`` under directories); none given: the bundled ones."""
    return lint_report(paths_to_lint, extra_rules)[1]


def lint_report(paths_to_lint: Sequence[Path], extra_rules: Sequence[Path] = ()) -> tuple[int, list[Problem]]:
    """How many files were linted, and every problem in them."""
    files, problems = toml_files(paths_to_lint or default_lint_paths())
    pack_sources: list[SourceFile] = []
    for path in files:
        loaded = _load_path(path, extra_rules)
        problems.extend(loaded.problems)
        if loaded.kind is not None and loaded.source is not None:
            problems.extend(schema_line_problems(loaded.source, loaded.kind.top_table))
        if loaded.kind is not None and loaded.kind.top_table == "pack" and loaded.source is not None:
            pack_sources.append(loaded.source)  # valid or not: its rule ids still count
        if loaded.value is None and loaded.kind is not None and loaded.kind.top_table == "production":
            problems.extend(_pack_ref_problems(loaded.source, extra_rules))
        if loaded.value is None or loaded.problems or loaded.kind is None or loaded.source is None:
            continue
        source = loaded.source
        if loaded.kind.top_table == "production":
            production = LoadedProduction(loaded.value, source.path, source.text, source.sha256)
            try:
                packs_for(production, extra_rules)
            except InputError as err:
                problems.extend(err.problems)
    problems.extend(duplicate_rule_problems_raw(pack_sources))
    problems.extend(_bundled_clash_problems(pack_sources))
    order: dict[str, int] = {}
    for problem in problems:
        order.setdefault(problem.file, len(order))
    return len(files), sorted(_unique(problems), key=lambda p: (order[p.file], p.line or 0))


def lint_notes(paths_to_lint: Sequence[Path], extra_rules: Sequence[Path] = ()) -> list[str]:
    """What lint says besides problems (these never fail it): options that name a hazard nothing binds, and
    the rules each production switched off, with the reason."""
    from armory.rulebook.checks import hazard_warnings
    from armory.rulebook.production_rules import override_notes

    files, _ = toml_files(paths_to_lint or default_lint_paths())
    notes: list[str] = []
    for path in files:
        loaded = _load_path(path, extra_rules)
        if loaded.value is None or loaded.kind is None or loaded.source is None:
            continue
        if loaded.kind.top_table == "pack":
            notes.extend(str(p) for p in hazard_warnings(loaded.source, loaded.value))
        elif loaded.kind.top_table == "production":
            notes.extend(override_notes(loaded.value, loaded.source))
    return notes


def _bundled_clash_problems(pack_sources: Sequence[SourceFile]) -> list[Problem]:
    """Rule ids of packs linted without the bundled rules that a bundled pack already uses.

    A production naming both would not load; the clash is said when the pack is linted alone, not only
    once a production names it. A pack with a bundled pack's own id is a replacement of it (found first
    with ``--rules``), so its ids are not a clash.
    """
    from armory.source import read_source

    linted = {source.path.resolve() for source in pack_sources}
    bundled_files, _ = toml_files([paths.BUNDLED_RULES])
    bundled: list[SourceFile] = []
    for path in bundled_files:
        if path.resolve() in linted:
            continue
        source, _problems = read_source(path)
        if source is not None and isinstance(source.data.get("pack"), dict):
            bundled.append(source)
    if not bundled:
        return []
    bundled_ids = {s.data["pack"].get("id") for s in bundled}
    own = [s for s in pack_sources
           if not (isinstance(s.data.get("pack"), dict) and s.data["pack"].get("id") in bundled_ids)]
    if not own:
        return []
    bundled_paths = {s.path for s in bundled}
    return [p for p in duplicate_rule_problems_raw([*bundled, *own])
            if p.file not in {s.display for s in bundled} and p.file not in map(str, bundled_paths)]


#: The committed schema of each file kind, as a ``#:schema`` line names it.
_SCHEMA_NAMES = {"pack": "pack.schema.json", "production": "production.schema.json",
                 "drill": "drill.schema.json", "failure": "failures.schema.json"}


def schema_line_problems(source: SourceFile, kind: str) -> list[Problem]:
    """A ``#:schema`` line that names a missing file or another kind's schema: the editor would check
    the file against the wrong rules, or none, without a word. (A file without the line is fine.)"""
    first = source.text.split("\n", 1)[0].strip()
    if not first.startswith("#:schema"):
        return []
    target = first[len("#:schema"):].strip()
    wanted = _SCHEMA_NAMES.get(kind)
    file = str(source.path)
    if not target:
        return [Problem(file, 1, "#:schema", "names no schema; write the path of the committed schema, "
                                             f"e.g. #:schema armory/schemas/{wanted}")]
    if "://" in target:
        return []  # a URL: the editor fetches it; nothing to check offline
    name = Path(target).name
    if wanted and name != wanted:
        return [Problem(file, 1, "#:schema", f"names {name}, the schema of another kind of file; this is a "
                                             f"{kind} file: use {wanted}")]
    if not (source.path.parent / target).is_file():
        return [Problem(file, 1, "#:schema", f"{target} does not exist (paths are relative to this file); "
                                             f"the committed schema is armory/schemas/{wanted}")]
    return []


def _pack_ref_problems(source: SourceFile | None, extra: Sequence[Path]) -> list[Problem]:
    """The pack references of a production that did not validate, checked if they themselves are valid."""
    info = source.data.get("production") if source is not None else None
    if not isinstance(info, dict) or "packs" not in info:
        return []
    try:
        refs = TypeAdapter(list[PackRef]).validate_python(info["packs"])
    except ValidationError:
        return []
    return _packs_for_refs(refs, source, extra)[1]
