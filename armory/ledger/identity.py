"""Who is who: crew PINs, stored only as argon2id hashes sealed under the device secret, beside the entries.

Each hash is argon2id, then encrypted with a key derived from the device
secret, which is kept outside the ledger (the OWASP Password Storage Cheat
Sheet's pepper: see ``device_secret``), so a copy of the ledger file gives
nothing to try PINs against. The sealed hashes live in the ledger file's
``credentials`` table, never in an entry and never in an export. A PIN that
is easy to guess is refused with the reason (``pins``); the sample
productions' demo PINs are the one exception. Enrolling (or changing) a PIN needs a safety
officer's PIN, except for the very first safety officer on a new ledger, who
enrolls themselves; every enrollment is recorded as a ``crew_enrolled`` entry.
A wrong PIN is refused, counted and recorded (``auth_failed``, without the
PIN); after several in a row the person is locked out for a while.

Argon2 parameters are a setting: ``ARMORY_ARGON2=fast`` (tests) makes hashing
cheap; otherwise the library's defaults apply. A hash made with other
parameters is made again, at once and durably, at the person's next correct PIN.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime, timedelta, timezone

from typing import TYPE_CHECKING

from armory.ledger import device_secret
from armory.ledger.pins import SUGGESTION, weak_pin_reason
from armory.ledger.store import Entry, Ledger, _sqlite_problem, format_time, parse_time
from armory.problems import InputError
from armory.production.models import Production

if TYPE_CHECKING:
    from argon2 import PasswordHasher

PIN_PATTERN = re.compile(r"[0-9]{4,8}")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
SAFETY_OFFICER = "safety_officer"


class AuthError(InputError):
    """A refused authentication or enrollment (unknown person, wrong PIN, locked out, ...)."""


def make_hasher() -> PasswordHasher:
    """argon2id with the library's defaults, or tiny costs when ``ARMORY_ARGON2=fast``."""
    from argon2 import PasswordHasher  # ~14 ms to import: only when a PIN is hashed or checked

    if os.environ.get("ARMORY_ARGON2", "").lower() == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def is_safety_officer(production: Production, crew_id: str) -> bool:
    """Whether ``crew_id`` is a safety officer by default or on any day."""
    member = production.crew_member(crew_id)
    if member is None:
        return False
    if SAFETY_OFFICER in member.roles:
        return True
    return any(SAFETY_OFFICER in a.roles for day in production.day for a in day.crew if a.id == crew_id)


class Credentials:
    """PIN enrollment and authentication against one ledger."""

    def __init__(self, ledger: Ledger, *, hasher: PasswordHasher | None = None,
                 production: Production | None = None, max_failures: int = MAX_FAILURES,
                 lockout: timedelta = LOCKOUT) -> None:
        self.ledger = ledger
        self._hasher = hasher
        self.production = production
        self.max_failures = max_failures
        self.lockout = lockout

    @property
    def hasher(self) -> PasswordHasher:
        if self._hasher is None:
            self._hasher = make_hasher()
        return self._hasher

    # -- reading ------------------------------------------------------------

    def is_enrolled(self, crew_id: str) -> bool:
        return self._row(crew_id) is not None

    def enrolled(self) -> set[str]:
        return {row[0] for row in self.ledger._conn.execute("SELECT crew_id FROM credentials")}

    def _row(self, crew_id: str) -> tuple[str, int, str | None] | None:
        return self.ledger._conn.execute(
            "SELECT pin_hash, failures, locked_until FROM credentials WHERE crew_id = ?", (crew_id,)
        ).fetchone()

    # -- enrolling ----------------------------------------------------------

    def enroll(self, crew_id: str, pin: str, *, authorized_by: str, authorizer_pin: str | None,
               production: Production) -> Entry:
        """Set ``crew_id``'s PIN, authorized by a safety officer's PIN; records ``crew_enrolled``."""
        if production.crew_member(crew_id) is None:
            raise AuthError(f"unknown crew id {crew_id!r}: not in the crew of {production.production.title}")
        if production.crew_member(authorized_by) is None:
            raise AuthError(f"unknown crew id {authorized_by!r} (the authorizing safety officer)")
        if not is_safety_officer(production, authorized_by):
            raise AuthError(f"{authorized_by} is not a safety officer; only a safety officer authorizes an enrollment")
        if not PIN_PATTERN.fullmatch(pin or ""):
            raise AuthError("a PIN is 4 to 8 digits")
        weak = weak_pin_reason(pin)
        if weak:
            raise AuthError(f"that PIN is too easy to guess: {weak}. Choose another ({SUGGESTION})")
        officers_enrolled = any(is_safety_officer(production, cid) for cid in self.enrolled())
        if officers_enrolled or crew_id != authorized_by:
            if not officers_enrolled:
                raise AuthError(
                    "no safety officer is enrolled on this ledger yet: the first enrollment is a safety "
                    f"officer enrolling themselves (armory crew enroll {authorized_by} --by {authorized_by})"
                )
            if authorizer_pin is None:
                raise AuthError(f"{authorized_by}'s PIN is needed to authorize the enrollment")
            self.authenticate(authorized_by, authorizer_pin, purpose=f"enroll {crew_id}")
        return self._store(crew_id, pin, authorized_by)

    def enroll_demo(self, production: Production) -> None:
        """Enroll every sample crew member's demo PIN not yet enrolled (sample productions only)."""
        if not production.production.sample:
            raise InputError("demo PINs are for the bundled sample productions only")
        enrolled = self.enrolled()
        for member in production.crew:
            if member.demo_pin and member.id not in enrolled:
                self._store(member.id, member.demo_pin, "demo")

    def _seal(self, crew_id: str, pin: str) -> str:
        """``pin``'s argon2id hash, sealed for ``crew_id``'s row of this ledger."""
        secret = device_secret.current(create=True)
        return secret.seal_pin_hash(self.hasher.hash(pin), ledger_id=self._ledger_id(), crew_id=crew_id)

    def _open(self, crew_id: str, stored: str) -> str:
        """The argon2id hash in ``crew_id``'s row (a hash an earlier armory stored plain is read as it is)."""
        if not device_secret.is_sealed(stored):
            return stored
        try:
            secret = device_secret.find(device_secret.sealed_by(stored))
            return secret.open_pin_hash(stored, ledger_id=self._ledger_id(), crew_id=crew_id)
        except (device_secret.SecretMissing, ValueError) as err:
            raise AuthError(f"{self._who(crew_id)}'s PIN cannot be checked on this computer: {err}") from None

    def _ledger_id(self) -> str:
        return self.ledger.opened().payload["ledger_id"]

    def _store(self, crew_id: str, pin: str, authorized_by: str) -> Entry:
        changed = self.is_enrolled(crew_id)
        pin_hash = self._seal(crew_id, pin)
        sql = ("INSERT INTO credentials (crew_id, pin_hash, failures, locked_until) VALUES (?, ?, 0, NULL) "
               "ON CONFLICT (crew_id) DO UPDATE SET pin_hash = excluded.pin_hash, failures = 0, locked_until = NULL")
        payload = self.ledger._payload_dict(
            "crew_enrolled", {"crew_id": crew_id, "changed": changed, "authorized_by": authorized_by}
        )
        who = None if authorized_by == "demo" else authorized_by
        return self.ledger._append("crew_enrolled", who, "", lambda *_: payload,
                                   extra_sql=[(sql, (crew_id, pin_hash))])

    # -- authenticating -----------------------------------------------------

    def authenticate(self, crew_id: str, pin: str, *, purpose: str, scope: str = "") -> None:
        """Return if ``pin`` is ``crew_id``'s; else record the failure and raise AuthError."""
        if self.production is not None and self.production.crew_member(crew_id) is None:
            raise AuthError(f"unknown crew id {crew_id!r}")
        row = self._row(crew_id)
        if row is None:
            raise AuthError(f"{crew_id} has no PIN on this ledger yet (a safety officer enrolls it: armory crew enroll {crew_id})")
        stored, failures, locked_until = row
        now = self.ledger._clock().astimezone(timezone.utc)
        if locked_until and now < parse_time(locked_until):
            raise AuthError(f"{self._who(crew_id)} is locked out after {self.max_failures} wrong PINs until "
                            f"{self._clock_text(locked_until)}")
        pin_hash = self._open(crew_id, stored)
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            self.hasher.verify(pin_hash, pin)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            self._failed(crew_id, purpose, scope, failures + 1, now)
        if self.ledger.readonly:
            return
        try:
            if failures or locked_until:
                self.ledger._conn.execute(
                    "UPDATE credentials SET failures = 0, locked_until = NULL WHERE crew_id = ?", (crew_id,))
            if self.hasher.check_needs_rehash(pin_hash) or not device_secret.is_sealed(stored):
                # Made with other argon2 parameters (or stored plain by an earlier armory): made again now,
                # in one autocommit statement, durable like every write to the ledger.
                self.ledger._conn.execute("UPDATE credentials SET pin_hash = ? WHERE crew_id = ? AND pin_hash = ?",
                                          (self._seal(crew_id, pin), crew_id, stored))
        except sqlite3.Error as err:
            raise _sqlite_problem(self.ledger.path, err, f"recording {crew_id}'s sign-in") from None

    def _failed(self, crew_id: str, purpose: str, scope: str, attempts: int, now: datetime) -> None:
        if self.ledger.readonly:  # nothing can be counted or recorded; still refuse
            raise AuthError(f"wrong PIN for {self._who(crew_id)}")
        locked_until = format_time(now + self.lockout) if attempts >= self.max_failures else None
        payload = self.ledger._payload_dict("auth_failed", {
            "crew_id": crew_id, "purpose": purpose, "attempts": attempts, "locked_until": locked_until,
        })
        sql = "UPDATE credentials SET failures = ?, locked_until = ? WHERE crew_id = ?"
        stored_failures = 0 if locked_until else attempts  # the count starts again after a lockout
        self.ledger._append("auth_failed", crew_id, scope, lambda *_: payload,
                            extra_sql=[(sql, (stored_failures, locked_until, crew_id))])
        if locked_until:
            raise AuthError(f"wrong PIN for {self._who(crew_id)}: locked out after {attempts} wrong PINs until "
                            f"{self._clock_text(locked_until)}")
        left = self.max_failures - attempts
        raise AuthError(f"wrong PIN for {self._who(crew_id)} ({left} tr{'y' if left == 1 else 'ies'} left before a "
                        f"{int(self.lockout.total_seconds() // 60)}-minute lockout)")

    def _who(self, crew_id: str) -> str:
        """A person as the crew knows them: "Eli Stone (eli-stone)" where the production is known."""
        member = self.production.crew_member(crew_id) if self.production is not None else None
        return f"{member.name} ({crew_id})" if member is not None else crew_id

    def _clock_text(self, utc_text: str) -> str:
        moment = parse_time(utc_text)
        zone_name = self.production.production.timezone if self.production else "UTC"
        try:
            from zoneinfo import ZoneInfo

            return moment.astimezone(ZoneInfo(zone_name)).strftime("%H:%M %Z")
        except Exception:  # an unknown zone still gets a time, in UTC
            return moment.strftime("%H:%M UTC")
