"""The engine's own checks: asked whatever the rule packs in force say.

DESIGN 4: the invariants hold with an empty rule pack. These checks are code, not a file, so they carry
no pack hash; their answers are recorded under the pack id :data:`BUILTIN_PACK`.
"""

from __future__ import annotations

from armory.checklist import judge as judging
from armory.checklist.invariants import INVARIANTS

#: Pack id recorded on the answers of the engine's own checks (no pack hash: they are code, not a file).
BUILTIN_PACK = "invariants"


def _builtin_rules() -> dict:
    from armory.rulebook.models import Rule

    inv = INVARIANTS["invariant.sole-duty"]
    return {inv.id: Rule.model_validate({
        "id": inv.id, "title": inv.title, "phase": "day_start", "severity": "hold", "sense": "armorer_other_roles",
        "expect": {"at_most": 0}, "why": inv.why, "sources": ["design"], "failures": list(inv.failures),
    })}


BUILTIN_RULES = _builtin_rules()


class _BuiltinPack:
    """Stands in for a loaded pack in a planned check, for the engine's own checks."""

    class pack:  # noqa: N801 - mirrors LoadedPack.pack.pack.id
        class pack:  # noqa: N801
            id = BUILTIN_PACK


def builtin_checks(planned) -> list:
    """The built-in day-start checks no rule pack in force already asks as a hold or a stop.

    DESIGN 4: the invariants hold with an empty rule pack. A person acting as armorer with a second job
    is flagged at day start (F4) whatever the packs say; when a pack asks the same sensed question as a
    hold or a stop, its rule does the flagging and the built-in is left out, so nothing is asked twice.
    """
    from armory.checklist.plan import PlannedCheck

    covered = {pc.rule.sense for pc in planned if pc.rule.severity in ("hold", "stop")}
    return [PlannedCheck(rule=rule, pack=_BuiltinPack, expected_text=judging.expected_text(rule, {}))
            for rule in BUILTIN_RULES.values() if rule.sense not in covered]
