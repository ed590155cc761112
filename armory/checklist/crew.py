"""Who may act: a crew member's PIN checked before an attesting action, and PINs enrolled.

The faces ask for the person and PIN; the engine checks them against the credential store of the ledger
(:mod:`armory.ledger.identity`). Enrolling a PIN needs a safety officer's authority.
"""

from __future__ import annotations

from armory.checklist.base import SessionBase
from armory.problems import InputError


class CrewActions(SessionBase):
    """Who may act: a person's PIN checked, and the PINs a safety officer enrolls."""

    def authenticate(self, crew_id: str, pin: str, *, purpose: str) -> None:
        self._person(crew_id)
        if self.credentials is None:
            raise InputError("no credential store is open")
        self.credentials.authenticate(crew_id, pin, purpose=purpose, scope=self.scope)

    def enrolled(self) -> set[str]:
        """Crew ids with a PIN on this ledger."""
        return self.credentials.enrolled() if self.credentials is not None else set()

    def officers_enrolled(self) -> list[str]:
        """Safety officers with a PIN here, in crew order: who may authorize an enrollment."""
        from armory.ledger.identity import is_safety_officer

        enrolled = self.enrolled()
        return [m.id for m in self.production.crew if m.id in enrolled and is_safety_officer(self.production, m.id)]

    def may_authorize_enrollment(self, crew_id: str) -> bool:
        from armory.ledger.identity import is_safety_officer

        return is_safety_officer(self.production, crew_id)

    def enroll(self, crew_id: str, pin: str, *, authorized_by: str, authorizer_pin: str | None = None):
        """Set ``crew_id``'s PIN, authorized by a safety officer (see ``Credentials.enroll``); durable on return."""
        if self.credentials is None or getattr(self.ledger, "readonly", False):
            raise InputError("this ledger is open read-only: nobody can be enrolled on it")
        return self.credentials.enroll(crew_id, pin, authorized_by=authorized_by, authorizer_pin=authorizer_pin,
                                       production=self.production)
