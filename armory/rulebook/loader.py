"""Loading rule packs, productions and the failure catalogue, each file by its kind.

Load = tomllib, then the kind's model, then its cross-checks, collecting every
problem rather than stopping at the first. A file says what it is by its top
table (``[pack]``, ``[production]``, ``[drill]``, ``[[failure]]``); lint and
the schema command dispatch through :func:`register_kind`, so another part of
armory (the drills) adds its own kind and checks without this module knowing
its details. Linting many files at once is :mod:`armory.rulebook.lint`, above
this module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from armory import paths
from armory.problems import InputError, Problem
from armory.production.models import PackRef, Production
from armory.rulebook.loaded import LoadedPack, LoadedProduction
from armory.rulebook.models import FailureCatalogue, Pack
from armory.source import (
    CheckContext,
    SourceFile,
    did_you_mean,
    display_path,
    quote,
    read_source,
    validation_problems,
)
from armory.rulebook.patch import cross_check_around_errors

CrossCheck = Callable[[Any, CheckContext], Iterable[Problem]]
PreCheck = Callable[[SourceFile], Iterable[Problem]]
PartialCheck = Callable[[CheckContext], Iterable[Problem]]


@dataclass(frozen=True)
class FileKind:
    top_table: str
    model: type[BaseModel]
    cross_check: CrossCheck | None = None
    precheck: PreCheck | None = None
    """Runs on the raw data before validation; its problems replace validation problems on the same key."""
    partial_check: PartialCheck | None = None
    """Runs on the raw data (``ctx.source.data``) when validation failed, to report what cross-checks can still see."""


_KINDS: dict[str, FileKind] = {}
#: Kinds owned by other parts of armory, imported the first time a file of that kind is met.
#: The module named registers the kind with its checks when imported (else its model alone is used).
_LAZY_KINDS: dict[str, tuple[str, str]] = {"drill": ("armory.drills.lint", "Drill")}
_KIND_WORDS = {"pack": "a rule pack", "production": "a production", "drill": "a drill", "failure": "the failure catalogue"}


def register_kind(
    top_table: str,
    model: type[BaseModel],
    cross_check: CrossCheck | None = None,
    *,
    precheck: PreCheck | None = None,
    partial_check: PartialCheck | None = None,
) -> None:
    """Make files whose top table is ``top_table`` load with ``model``.

    ``cross_check(model_instance, ctx)`` returns the problems the model cannot
    see; report them with ``ctx.problem(("key", 0, "sub"), "message")`` so they
    carry the file, the real line and the key. ``partial_check(ctx)`` does the
    same on the raw data of a file whose model did not validate, so that one
    broken table does not hide the rest; without it, the cross-check is tried
    with the broken parts set aside (:mod:`armory.rulebook.patch`).
    """
    _KINDS[top_table] = FileKind(top_table, model, cross_check, precheck, partial_check)


def _kind(top_table: str) -> FileKind | None:
    if top_table not in _KINDS and top_table in _LAZY_KINDS:
        module_name, attr = _LAZY_KINDS[top_table]
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return None
        if top_table not in _KINDS and hasattr(module, attr):
            register_kind(top_table, getattr(module, attr))
    return _KINDS.get(top_table)


def kind_names() -> list[str]:
    return list(dict.fromkeys([*_KINDS, *_LAZY_KINDS]))


def model_for(top_table: str) -> type[BaseModel] | None:
    kind = _kind(top_table)
    return kind.model if kind else None


# --------------------------------------------------------------------------
# one file


def _detect(source: SourceFile) -> tuple[FileKind | None, list[Problem]]:
    names = kind_names()
    for name in names:
        if name in source.data:
            kind = _kind(name)
            if kind is None:
                return None, [Problem(source.display, source.line((name,)), name,
                                      f"{_KIND_WORDS.get(name, name)} file, but armory cannot read that kind here "
                                      "(its module is not installed)")]
            return kind, []
    expected = "a [pack], [production] or [drill] table, or [[failure]] entries"
    if not source.data:
        return None, [Problem(source.display, None, "", f"empty file: expected {expected}")]
    first = next(iter(source.data))
    hint = did_you_mean(first, names)
    return None, [Problem(source.display, source.line((first,)), "",
                          f"does not say what it is: expected {expected}{hint}")]


@dataclass
class _Loaded:
    source: SourceFile | None
    kind: FileKind | None
    value: Any
    problems: list[Problem]


def _load_source(source: SourceFile, extra_rules: Sequence[Path], want: str | None = None) -> _Loaded:
    kind, problems = _detect(source)
    if kind is None:
        return _Loaded(source, None, None, problems)
    if want is not None and kind.top_table != want:
        return _Loaded(source, kind, None, [Problem(
            source.display, source.line((kind.top_table,)), "",
            f"this is {_KIND_WORDS.get(kind.top_table, kind.top_table)} file, not {_KIND_WORDS.get(want, want)} file")])
    pre = list(kind.precheck(source)) if kind.precheck else []
    try:
        value, problems = kind.model.model_validate(source.data), []
    except ValidationError as err:
        value, problems = None, validation_problems(source, kind.model, err)
        if kind.partial_check is not None:
            problems.extend(_partial(kind.partial_check, source, extra_rules))
        elif kind.cross_check is not None:
            problems.extend(cross_check_around_errors(source, kind.model, err, kind.cross_check, extra_rules))
    pre_keys = {p.key for p in pre}
    problems = pre + [p for p in problems if p.key not in pre_keys]
    if value is not None and kind.cross_check is not None:
        try:
            problems.extend(kind.cross_check(value, CheckContext(source, tuple(extra_rules))))
        except InputError as err:
            problems.extend(err.problems or [Problem(source.display, None, "", err.message)])
        except Exception as err:  # noqa: BLE001 - a bug in a check must not become the user's traceback
            problems.append(Problem(source.display, None, "", f"armory could not finish checking this file "
                                                             f"({type(err).__name__}: {err}); please report this"))
    return _Loaded(source, kind, value, _by_line(problems))


def _partial(check: PartialCheck, source: SourceFile, extra_rules: Sequence[Path]) -> list[Problem]:
    try:
        return list(check(CheckContext(source, tuple(extra_rules))))
    except InputError as err:
        return err.problems or [Problem(source.display, None, "", err.message)]
    except Exception as err:  # noqa: BLE001 - a bug in a check must not become the user's traceback
        return [Problem(source.display, None, "", f"armory could not finish checking this file "
                                                  f"({type(err).__name__}: {err}); please report this")]


def _load_path(path: Path, extra_rules: Sequence[Path] = (), want: str | None = None) -> _Loaded:
    source, problems = read_source(path)
    if source is None:
        return _Loaded(None, None, None, problems)
    return _load_source(source, extra_rules, want)


def _raise(path: Path, what: str, problems: list[Problem]) -> None:
    """Raise InputError counting the file's own problems apart from those of the files it uses.

    A drill whose production does not load carries the production's problems under one line of its own
    ("production.toml does not load"): "drill has 3 problems" over a list whose 2 lines are the
    production's, under a header, read as a miscount.
    """
    problems = _unique(problems)
    shown = display_path(path)
    own = sum(1 for p in problems if p.file == shown)
    others = len(problems) - own

    def count(n: int) -> str:
        return f"{n} problem{'s' if n != 1 else ''}"

    if others and own:
        head = f"{shown}: {what} has {count(own)}, and the files it uses {others} more:"
    elif others:
        head = f"{shown}: {what} cannot be used: the files it uses have {count(others)}:"
    else:
        head = f"{shown}: {what} has {count(own)}:"
    raise InputError(head, problems)


def load_pack(path: Path) -> LoadedPack:
    """Load one rule pack with every check that concerns it alone; raise InputError listing every problem."""
    loaded = _load_path(Path(path), want="pack")
    if loaded.problems:
        _raise(Path(path), "rule pack", loaded.problems)
    source = loaded.source
    assert source is not None
    return LoadedPack(loaded.value, source.path, source.text, source.sha256)


def load_production(path: Path) -> LoadedProduction:
    """Load one production with its cross-checks (not yet its packs); raise InputError listing every problem."""
    loaded = _load_path(Path(path), want="production")
    if loaded.problems:
        _raise(Path(path), "production", loaded.problems)
    source = loaded.source
    assert source is not None
    return LoadedProduction(loaded.value, source.path, source.text, source.sha256)


_FAILURES_CACHE: dict[tuple[str, int, int], FailureCatalogue] = {}


def load_failures(path: Path = paths.FAILURES_FILE) -> FailureCatalogue:
    """The failure catalogue (``rules/failures.toml``); raise InputError listing every problem."""
    path = Path(path)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if key is not None and key in _FAILURES_CACHE:
        return _FAILURES_CACHE[key]
    loaded = _load_path(path, want="failure")
    if loaded.problems:
        _raise(path, "failure catalogue", loaded.problems)
    if key is not None:
        _FAILURES_CACHE[key] = loaded.value
    return loaded.value


# --------------------------------------------------------------------------
# packs a production names


def toml_files(paths_or_dirs: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files as given and every ``*.toml`` under directories, in a stable order."""
    from armory.rulebook.files import find_toml_files

    files, missing = find_toml_files(paths_or_dirs)
    return files, [Problem(display_path(path), None, "", message) for path, message in missing]


def _pack_index(extra: Sequence[Path]) -> tuple[dict[str, list[SourceFile]], list[Problem], list[str]]:
    """Readable pack files by the id they declare: ``extra`` first, then the bundled rules/."""
    files, problems = toml_files([*extra, paths.BUNDLED_RULES])
    by_id: dict[str, list[SourceFile]] = {}
    unreadable: list[str] = []
    for path in files:
        source, read_problems = read_source(path)
        if source is None:
            unreadable.append(display_path(path))
            continue
        info = source.data.get("pack")
        if isinstance(info, dict) and isinstance(info.get("id"), str):
            by_id.setdefault(info["id"], []).append(source)
    return by_id, problems, unreadable


def packs_for(production: LoadedProduction, extra: Sequence[Path] = ()) -> list[LoadedPack]:
    """The packs ``production`` names, in its order, checked alone and together.

    Each is found by id in ``extra`` files or directories first, then in the
    bundled ``rules/``. Raises InputError listing every problem: an unknown
    pack, a version that differs from the one the production expects, a
    problem inside a pack, or a rule id two packs share.
    """
    prod_source = SourceFile(production.path, production.text, production.sha256, {},
                             display=display_path(production.path))
    found, problems = _packs_for_refs(production.production.production.packs, prod_source, extra)
    if not problems:
        from armory.rulebook.production_rules import production_rule_problems

        problems = production_rule_problems(production.production, found, prod_source)
    if problems:
        _raise(production.path, "production's rule packs", problems)
    return found


def _packs_for_refs(refs: Sequence[PackRef], prod_source: SourceFile,
                    extra: Sequence[Path]) -> tuple[list[LoadedPack], list[Problem]]:
    from armory.rulebook.checks import duplicate_rule_problems

    by_id, problems, unreadable = _pack_index(extra)
    found: list[LoadedPack] = []
    for i, ref in enumerate(refs):
        candidates = by_id.get(ref.id)
        if not candidates:
            where = "rules/" + (" or the --rules paths" if extra else " (a pack of your own: --rules PATH)")
            hint = did_you_mean(ref.id, by_id)
            if not hint and by_id:
                hint = f" (available: {', '.join(sorted(by_id))})"
            if unreadable:
                hint += f"; these files could not be read: {', '.join(unreadable)}"
            problems.append(prod_source.problem(("production", "packs", i, "id"),
                                                f"no rule pack with id {quote(ref.id)} in {where}{hint}"))
            continue
        loaded = _load_source(candidates[0], (), want="pack")
        if loaded.problems:
            problems.extend(loaded.problems)
            continue
        pack = loaded.value
        if pack.pack.version != ref.version:
            problems.append(prod_source.problem(
                ("production", "packs", i, "version"),
                f"expects pack {quote(ref.id)} version {quote(ref.version)}, but "
                f"{candidates[0].display} is version {quote(pack.pack.version)}; check what changed, then "
                "update the version here"))
        source = loaded.source
        found.append(LoadedPack(pack, source.path, source.text, source.sha256))
    problems.extend(duplicate_rule_problems(found))
    return found, problems


def load_context(production_path: Path, extra: Sequence[Path] = ()) -> tuple[LoadedProduction, list[LoadedPack]]:
    """A production and its packs, every problem of either reported at once."""
    production = load_production(Path(production_path))
    return production, packs_for(production, extra)


# --------------------------------------------------------------------------
# problems, in order


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _by_line(problems: Iterable[Problem]) -> list[Problem]:
    """One file's problems, unique, in the order of the file (those without a line first)."""
    return sorted(_unique(problems), key=lambda p: p.line or 0)


# --------------------------------------------------------------------------
# the built-in kinds


def _pack_cross_check(pack: Pack, ctx: CheckContext) -> list[Problem]:
    from armory.rulebook.checks import pack_problems

    try:
        failures: FailureCatalogue | None = load_failures()
        extra: list[Problem] = []
    except InputError as err:
        failures, extra = None, err.problems
    return extra + pack_problems(ctx.source, pack, failures)


def _pack_partial_check(ctx: CheckContext) -> list[Problem]:
    from armory.rulebook.checks import pack_partial_problems

    try:
        failure_ids: list[str] | None = [f.id for f in load_failures().failure]
    except InputError:
        failure_ids = None
    return pack_partial_problems(ctx.source, failure_ids)


def _failures_cross_check(catalogue: FailureCatalogue, ctx: CheckContext) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, failure in enumerate(catalogue.failure):
        if failure.id in seen:
            out.append(ctx.problem(("failure", i, "id"), f"failure id {quote(failure.id)} is listed twice"))
        seen.add(failure.id)
    return out


def _production_cross_check(production: Production, ctx: CheckContext) -> Iterable[Problem]:
    from armory.production.loader import production_problems

    return production_problems(production, ctx)


def _production_precheck(source: SourceFile) -> list[Problem]:
    from armory.production.loader import live_lot_problems

    return live_lot_problems(source)


register_kind("pack", Pack, _pack_cross_check, partial_check=_pack_partial_check)
register_kind("production", Production, _production_cross_check, precheck=_production_precheck)
register_kind("failure", FailureCatalogue, _failures_cross_check)

__all__ = [
    "FileKind",
    "LoadedPack",
    "LoadedProduction",
    "kind_names",
    "load_context",
    "load_failures",
    "load_pack",
    "load_production",
    "model_for",
    "packs_for",
    "register_kind",
]
