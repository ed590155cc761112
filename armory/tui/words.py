"""How engine state reads on screen: a symbol and words for every state, never colour alone."""

from __future__ import annotations

# Symbols carry the state for anyone who cannot tell the colours apart (or on
# a monochrome terminal); the words carry it for everyone else.
PASSED = "✓"
FAILED = "✗"
PENDING = "·"
STOPPED = "■"
SENSED = "⚙"

#: Short role words for pickers, so a name and its roles fit one line at 80 columns.
ROLE_WORDS = {"first_assistant_director": "1st AD", "assistant_armorer": "asst. armorer",
              "property_master": "props", "safety_officer": "safety officer"}


def weapon_status(app, weapon_id: str, *, short: bool = False) -> tuple[str, str]:
    """(css class, words) for where a weapon is and whether it may move.

    ``short`` words fit the setup board's state column at 80 columns: the seal's id and the holder's
    name are left to the line under the board (and to the first screen, which has the room).
    """
    state = app.session.state
    weapon = state.weapons.get(weapon_id)
    if weapon is None:
        return "state-unknown", f"{PENDING} unknown"
    if getattr(weapon, "sealed", None):
        if getattr(weapon, "investigator", None):
            return "state-stopped", f"{STOPPED} " + ("investigator" if short else "with investigator")
        return "state-stopped", f"{STOPPED} sealed" + ("" if short else f" ({weapon.sealed})")
    stops = state.stops_on(weapon_id)
    holder = app.crew_name(weapon.holder) if weapon.holder is not None else None
    if stops:
        if holder is None:
            return "state-stopped", f"{STOPPED} STOPPED"
        return "state-stopped", f"{STOPPED} STOPPED, " + ("out" if short else f"with {holder}")
    if holder is not None:
        # Not how many rounds: take-back counts them blind.
        return "state-out", f"→ out" if short else f"→ with {holder}"
    return "state-ok", f"○ in {'' if short else 'the '}armory"


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
