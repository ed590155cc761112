"""How engine state reads on screen: a symbol and words for every state, never colour alone."""

from __future__ import annotations

# Symbols carry the state for anyone who cannot tell the colours apart (or on
# a monochrome terminal); the words carry it for everyone else.
PASSED = "✓"
FAILED = "✗"
PENDING = "·"
STOPPED = "■"
SENSED = "⚙"


def weapon_status(app, weapon_id: str) -> tuple[str, str]:
    """(css class, words) for where a weapon is and whether it may move."""
    state = app.session.state
    weapon = state.weapons.get(weapon_id)
    if weapon is None:
        return "state-unknown", f"{PENDING} unknown"
    if getattr(weapon, "sealed", None):
        if getattr(weapon, "investigator", None):
            return "state-stopped", f"{STOPPED} with investigator"
        return "state-stopped", f"{STOPPED} sealed ({weapon.sealed})"
    stops = state.stops_on(weapon_id)
    where = "in the armory" if weapon.holder is None else f"with {app.crew_name(weapon.holder)}"
    if stops:
        return "state-stopped", f"{STOPPED} STOPPED" + (f", with {app.crew_name(weapon.holder)}" if weapon.holder else "")
    if weapon.holder is not None:
        return "state-out", f"→ {where}"  # not how many rounds: take-back counts them blind
    return "state-ok", f"○ {where}"


def item_mark(status: str) -> str:
    return {
        "passed": PASSED,
        "failed": FAILED,
        "overridden": "!",
        "corrected": "✎",
    }.get(status, PENDING)


def status_words(status: str) -> str:
    return {
        "passed": "passed",
        "failed": "FAILED",
        "overridden": "failed, overridden (signed)",
        "corrected": "corrected",
        "pending": "to ask",
    }.get(status, status)
