"""The bundled rule packs: grounded in DOMAIN.md, covering every row of its rules table."""

from __future__ import annotations

import pytest

from armory import paths
from armory.rulebook.loader import load_failures, load_pack

PACKS = {p.stem: load_pack(p) for p in sorted(paths.BUNDLED_RULES.glob("*.toml")) if p.name != "failures.toml"}
RULES = {rule.id: (name, rule) for name, loaded in PACKS.items() for rule in loaded.pack.rule}

#: DOMAIN.md section 4, "Rules that follow": each family, its failure ids, and the rules that carry it.
#: (no-live-ammunition is also enforced by the production loader, which refuses a live lot.)
FAMILIES = {
    "no-live-ammunition": ({"F1", "S1", "S2"}, ["rounds.no-live-on-set"]),
    "ammo-segregation": ({"F1"}, ["rounds.ammo-segregation"]),
    "lot-records": ({"F1", "F8"}, ["rounds.loose-rounds", "rounds.lot-label"]),
    "dummy-rattle": ({"F2"}, ["rounds.dummy-rattle"]),
    "dummy-primer": ({"F2", "F9"}, ["rounds.dummy-primer"]),
    "dummy-marking": ({"F2"}, ["rounds.dummy-marking"]),
    "chamber-count": ({"F2", "F3"}, ["handling.chamber-count"]),
    "barrel-clear": ({"F9", "S1"}, ["handling.barrel-clear", "handling.barrel-after-firing"]),
    "armorer-handoff": ({"F3", "S2"}, ["handoff.armorer-handoff", "handoff.collected-by"]),
    "show-the-load": ({"F3"}, ["handoff.show-the-load", "handoff.show-the-load-ad"]),
    "cold-call": ({"F3"}, ["handoff.cold-call"]),
    "discharge-stop": ({"F5", "F11"}, ["incidents.discharge-time"]),
    "round-reconciliation": ({"F1", "F8"}, ["rounds.reconciliation", "rounds.reconciliation-day"]),
    "sole-duty": ({"F4", "S2"}, ["handoff.sole-duty"]),
    "muzzle-distance": ({"F7", "F10"}, ["handling.muzzle-distance", "handling.camera-line"]),
    "lockup": ({"F6"}, ["handoff.lockup", "handoff.ammo-apart", "handoff.break-custodian"]),
    "safety-briefing": ({"F5", "S1"}, ["incidents.safety-briefing", "incidents.briefing-attendance"]),
    "incident-review": ({"F5", "F11"}, ["incidents.incident-review"]),
    "evidence-freeze": ({"F8"}, ["incidents.seal-firearms", "incidents.seal-ammunition"]),
    "blank-awareness": ({"F10"}, ["incidents.blank-awareness"]),
}


def test_at_least_thirty_rules_across_four_packs():
    assert set(PACKS) == {"rounds", "handling", "handoff", "incidents"}
    assert len(RULES) >= 30


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_family_of_the_domain_table_has_its_rules(family):
    failures, rule_ids = FAMILIES[family]
    for rule_id in rule_ids:
        assert rule_id in RULES, f"{family}: no rule {rule_id}"
    cited = set().union(*(RULES[r][1].failures for r in rule_ids))
    assert failures & cited, f"{family}: its rules cite none of {sorted(failures)}"


def test_table_severities_are_kept():
    for family, expected in [("dummy-rattle", "stop"), ("sole-duty", "hold"), ("blank-awareness", "note"),
                             ("chamber-count", "stop"), ("show-the-load", "hold"), ("lockup", "hold")]:
        first = FAMILIES[family][1][0]
        assert RULES[first][1].severity == expected, first


def test_rule_ids_are_namespaced_by_their_pack():
    for rule_id, (pack, _rule) in RULES.items():
        assert rule_id.startswith(f"{pack}."), rule_id


def test_every_rule_cites_domain_md():
    known = {f.id for f in load_failures().failure}
    for name, loaded in PACKS.items():
        titles = {s.id: s.title for s in loaded.pack.source}
        assert all(s.url and s.url.startswith("http") for s in loaded.pack.source), name
        for rule in loaded.pack.rule:
            assert set(rule.failures) <= known
            assert any(titles[s].startswith("DOMAIN.md") for s in rule.sources), rule.id


def test_observed_values_over_ticks():
    kinds = [rule.answer for _, rule in RULES.values() if rule.sense is None]
    assert "yes_no" not in kinds
    assert sum(1 for _, rule in RULES.values() if rule.sense is not None) >= 5


def test_the_key_observed_values():
    assert RULES["handling.chamber-count"][1].expect.equals_fact == "weapon.capacity"
    assert RULES["handling.serial"][1].expect.equals_fact == "weapon.serial_last4"
    assert RULES["rounds.rounds-loaded"][1].expect.equals_fact == "setup.rounds"
    assert RULES["handling.muzzle-distance"][1].expect.at_least_fact == "settings.min_blank_distance_feet"
    rattle = RULES["rounds.dummy-rattle"][1]
    assert rattle.per_round and rattle.answer == "choice"
    assert RULES["handoff.sole-duty"][1].sense == "armorer_other_roles"
    assert RULES["rounds.reconciliation"][1].sense == "rounds_unaccounted"


def test_the_example_in_rules_readme_lints_clean(tmp_path):
    import re

    from armory.rulebook.lint import lint_paths

    readme = (paths.BUNDLED_RULES / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S).group(1)
    # As the guide says: in any folder, the schema written beside the pack by `armory rules schema`.
    from armory.cli import main

    schema = tmp_path / "pack.schema.json"
    with open(schema, "w", encoding="utf-8") as out:
        import contextlib

        with contextlib.redirect_stdout(out):
            assert main(["rules", "schema", "--kind", "pack"]) == 0
    target = tmp_path / "our-set.toml"
    target.write_text(example, encoding="utf-8")
    assert lint_paths([target]) == []
