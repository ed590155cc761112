"""Who may enroll whom, checked before any PIN is asked for or any file is touched.

A safety officer's PIN authorizes every enrollment, except the very first on a
new ledger, which is a safety officer enrolling themselves. On a bundled
sample production (``sample = true``) the crew's demo PINs count as enrolled,
since the app enrolls them on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from armory.problems import InputError


@dataclass(frozen=True)
class EnrollmentPlan:
    """What an enrollment needs, decided from the production and who is enrolled already."""

    crew_id: str
    officer: str
    """The safety officer who authorizes it (``crew_id`` itself for the first enrollment)."""
    first: bool
    """No safety officer is enrolled yet: the officer enrolls themselves and no officer's PIN is asked."""
    demo_missing: frozenset[str]
    """Crew with a sample's demo PIN not yet in the ledger: enrolled first, as the app does."""

    @property
    def why_officer_pin(self) -> str:
        """Why the officer's PIN is asked when the ledger holds no enrollment of theirs yet."""
        return (f" ({self.officer} already has a PIN here: the sample's demo PIN, enrolled on first use)"
                if self.officer in self.demo_missing else "")


def check_pin(pin: str, whose: str) -> str:
    from armory.ledger.identity import PIN_PATTERN

    if not PIN_PATTERN.fullmatch(pin):
        raise InputError(f"{whose}: a PIN is 4 to 8 digits; nothing was changed")
    return pin


def check_new_pin(pin: str, whose: str) -> str:
    """A new PIN of the right form that is not too easy to guess (refused before anything is opened)."""
    from armory.ledger.pins import SUGGESTION, weak_pin_reason

    weak = weak_pin_reason(check_pin(pin, whose))
    if weak:
        raise InputError(f"{whose}: too easy to guess: {weak}. Choose another ({SUGGESTION}); nothing was changed")
    return pin


def demo_ids(production) -> set[str]:
    """The crew with demo PINs when the production is a marked sample (enrolled on first use), else none."""
    if not production.production.sample:
        return set()
    return {member.id for member in production.crew if member.demo_pin}


def enrolled_on(path: Path, production, production_path: Path, *, given: bool) -> set[str]:
    """The crew ids with a PIN in the ledger at ``path`` (none when there is no ledger yet), read only.

    The ledger must have been opened for ``production`` (``given``: the user named its file)."""
    from armory.ledger.identity import Credentials
    from armory.ledger.opened_for import check_title, recorded_title
    from armory.ledger.store import Ledger

    if not path.exists():
        return set()
    with Ledger.open(path, create=False, readonly=True) as ledger:
        check_title(production, recorded_title(ledger), production_path, given=given)
        return Credentials(ledger).enrolled()


def check_crew_ids(production, crew_id: str, by: str | None) -> None:
    """Refuse a crew id (or ``--by``) the production does not have, with a did-you-mean."""
    from armory.source import did_you_mean

    crew_ids = [member.id for member in production.crew]
    if production.crew_member(crew_id) is None:
        raise InputError(f"unknown crew id {crew_id!r}: not in the crew of {production.production.title}"
                         f"{did_you_mean(crew_id, crew_ids)}")
    if by is not None and production.crew_member(by) is None:
        raise InputError(f"--by {by!r}: unknown crew id, not in the crew of {production.production.title}"
                         f"{did_you_mean(by, crew_ids)}")


def plan_enrollment(production, crew_id: str, by: str | None, enrolled: set[str]) -> EnrollmentPlan:
    """Who authorizes enrolling ``crew_id``; InputError when nobody given may."""
    from armory.ledger.identity import is_safety_officer

    officer = by or crew_id
    # A sample production's demo PINs are enrolled on first use, as the app does: count them as enrolled.
    demo_missing = demo_ids(production) - enrolled
    first = not any(is_safety_officer(production, cid) for cid in enrolled | demo_missing)
    if not is_safety_officer(production, officer):
        if by is None:
            hint = (" No safety officer is enrolled yet: the first enrollment is a safety officer enrolling "
                    "themselves (armory crew enroll OFFICER)." if first else "")
            raise InputError(f"{crew_id} is not a safety officer, so a safety officer authorizes this "
                             f"enrollment: give --by OFFICER.{hint}")
        raise InputError(f"{officer} is not a safety officer; only a safety officer authorizes an enrollment")
    if first and officer != crew_id:
        raise InputError("no safety officer is enrolled on this ledger yet: the first enrollment is a safety "
                         f"officer enrolling themselves (armory crew enroll {officer})")
    return EnrollmentPlan(crew_id, officer, first, frozenset(demo_missing))
