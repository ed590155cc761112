"""The line scanner: where each key and array element starts, in TOML that tries to fool it."""

from __future__ import annotations

import tomllib

from armory.source_lines import format_key, key_lines, line_of

TRICKY = '''\
# a comment with [[rule]] in it
[pack]
id = "p"   # trailing comment
"quoted key" = 'literal [[rule]]'
dotted.key = 1
text = """
[[rule]]
id = "not a rule"
"""

[[rule]]
id = "first"
expect = { equals = 0 }
choices = [
  "a",
  # a comment between elements
  "b, with a comma",
]

[[rule]]
id = "second"
when.load = ["blanks"]

[[day]]
id = "d"
[[day.scene]]
id = "s1"
[[day.scene]]
id = "s2"
[[day.scene.setup]]
id = "x"
[[day]]
id = "e"
[[day.scene]]
id = "t1"
packs = [{ id = "a", version = "1" },
         { id = "b", version = "2" }]
'''


def test_the_tricky_text_is_valid_toml():
    data = tomllib.loads(TRICKY)
    assert len(data["rule"]) == 2 and data["day"][0]["scene"][1]["setup"][0]["id"] == "x"


def test_key_lines_follow_the_structure():
    lines = key_lines(TRICKY)
    assert lines[("pack",)] == 2
    assert lines[("pack", "quoted key")] == 4
    assert lines[("pack", "dotted", "key")] == 5
    assert lines[("rule", 0)] == 11
    assert lines[("rule", 0, "id")] == 12
    assert lines[("rule", 0, "expect", "equals")] == 13
    assert lines[("rule", 0, "choices", 1)] == 17
    assert lines[("rule", 1, "id")] == 21
    assert lines[("rule", 1, "when", "load", 0)] == 22
    assert lines[("day", 0, "scene", 1, "id")] == 29
    assert lines[("day", 0, "scene", 1, "setup", 0, "id")] == 31
    assert lines[("day", 1, "scene", 0, "id")] == 35
    assert lines[("day", 1, "scene", 0, "packs", 1, "version")] == 37
    assert ("rule", 2) not in lines, "a [[rule]] inside a string is not a table"


def test_line_of_falls_back_to_the_enclosing_table():
    lines = key_lines(TRICKY)
    assert line_of(lines, ("rule", 1, "severity")) == 20
    assert line_of(lines, ("nothing",)) is None


def test_scanner_never_raises_on_broken_text():
    for text in ["[pack", 'id = "open', "x = [1, 2", "a = {", "[[", "= 1", "\x00", '"""', "k = '''"]:
        key_lines(text)


def test_format_key_counts_from_one():
    assert format_key(("rule", 2, "severity")) == "rule[3].severity"
    assert format_key(("day", 0, "scene", 1, "setup")) == "day[1].scene[2].setup"
    assert format_key(("pack", "quoted key")) == 'pack."quoted key"'


def test_windows_line_endings_keep_the_same_lines():
    assert key_lines(TRICKY.replace("\n", "\r\n")) == key_lines(TRICKY)
