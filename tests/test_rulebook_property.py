"""Random damage to the bundled files never gives anything but reported problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armory import paths
from armory.problems import InputError, Problem
from armory.rulebook.lint import lint_paths
from armory.rulebook.loader import load_failures, load_pack, load_production

FILES = [
    paths.BUNDLED_RULES / "rounds.toml",
    paths.BUNDLED_RULES / "handoff.toml",
    paths.BUNDLED_RULES / "failures.toml",
    paths.SAMPLE_PRODUCTION,
    paths.SAMPLE_PRODUCTIONS / "precinct" / "production.toml",
]
LOADERS = {"rounds.toml": load_pack, "handoff.toml": load_pack, "failures.toml": load_failures,
           "production.toml": load_production}


@st.composite
def mutated(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["flip", "delete_line", "swap_values", "duplicate_line", "truncate", "insert"]))
        lines = bytes(data).split(b"\n")
        if how == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "delete_line" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = bytearray(b"\n".join(lines))
        elif how == "duplicate_line" and lines:
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(at, lines[at])
            data = bytearray(b"\n".join(lines))
        elif how == "swap_values":
            pairs = [i for i, line in enumerate(lines) if b" = " in line]
            if len(pairs) >= 2:
                a, b = draw(st.sampled_from(pairs)), draw(st.sampled_from(pairs))
                key_a, value_a = lines[a].split(b" = ", 1)
                key_b, value_b = lines[b].split(b" = ", 1)
                lines[a], lines[b] = key_a + b" = " + value_b, key_b + b" = " + value_a
                data = bytearray(b"\n".join(lines))
        elif how == "truncate" and data:
            data = data[: draw(st.integers(0, len(data)))]
        elif how == "insert" and lines:
            at = draw(st.integers(0, len(lines)))
            junk = draw(st.sampled_from([b"[[rule]]", b"[pack]", b'kind = "live"', b"x = [", b'"', b"\xff",
                                         b"[[day.scene.setup.weapon]]", b"rounds = -1", b"id = 1", b"{}"]))
            lines.insert(at, junk)
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@pytest.mark.parametrize("original", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mutations_only_ever_give_problems(tmp_path_factory, original):
    text = original.read_bytes()
    loader = LOADERS[original.name]

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=mutated(text))
    def check(data: bytes) -> None:
        folder = tmp_path_factory.mktemp("mutant")
        target = folder / original.name
        target.write_bytes(data)
        problems = lint_paths([target])
        assert all(isinstance(p, Problem) and p.message for p in problems)
        line_count = data.count(b"\n") + 1
        assert all(p.line is None or 1 <= p.line <= line_count for p in problems), problems
        try:
            loader(target)
        except InputError as err:
            assert err.problems or err.message
        for p in problems:
            str(p)

    check()


def test_a_mutation_that_breaks_the_file_is_reported(tmp_path):
    # Guard against a checker that finds nothing: one known mutation must be caught.
    target = tmp_path / "rounds.toml"
    text = (paths.BUNDLED_RULES / "rounds.toml").read_bytes().replace(b'phase = "day_start"', b"", 1)
    # The copy's #:schema line points where the bundled file's does, from its new folder.
    schema = (paths.BUNDLED_RULES.parent / "armory" / "schemas" / "pack.schema.json").as_posix().encode()
    target.write_bytes(b"#:schema " + schema + b"\n" + text.split(b"\n", 1)[1])
    assert [p.key for p in lint_paths([Path(target)])] == ["rule[1].phase"]
