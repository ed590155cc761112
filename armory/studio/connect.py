"""Reaching the store: a libpq URL or service name, shown without its password, errors in one line.

Credentials are libpq's own: ``--store`` or ``ARMORY_STORE`` holds a URL
(``postgresql://unit@studio-db/armory``) or a service name
(``service=studio``, from ``~/.pg_service.conf``); the password comes from
``~/.pgpass`` or ``PGPASSWORD`` (or, discouraged, the URL). armory never
writes any of it down and never prints a password: :func:`display` is the
only way a store is named in a message.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from armory.problems import InputError

if TYPE_CHECKING:
    import psycopg

ENV = "ARMORY_STORE"
#: Seconds to wait for a server that does not answer (libpq waits forever by default).
CONNECT_TIMEOUT = 5


class StoreUnavailable(InputError):
    """The store cannot be reached or used: wrong URL, password, database, or server down (exit 2).

    ``connection`` is True when the store could not be reached or logged into (the laptop works offline until
    it can), False when it was reached and then failed (a full disk, a constraint, a bug: worth a look)."""

    def __init__(self, message: str, *, connection: bool = True) -> None:
        super().__init__(message)
        self.connection = connection


#: SQLSTATE classes of a failure to reach or log into the store: connection exception (08), invalid
#: authorization (28), no such database (3D), operator intervention such as a shutdown (57).
_CONNECTION_CLASSES = ("08", "28", "3D", "57")


def is_connection_failure(err: BaseException) -> bool:
    """Did ``err`` keep the store from being reached (as opposed to failing once reached)?"""
    if isinstance(err, OSError):
        return True
    state = getattr(err, "sqlstate", None)
    if state is None:  # libpq's own failures (no server, a refused login) carry no SQLSTATE
        return type(err).__name__ in ("OperationalError", "ConnectionTimeout", "InterfaceError")
    return str(state)[:2] in _CONNECTION_CLASSES


def store_url(given: str | None) -> str:
    """``--store`` if given, else ``ARMORY_STORE``; InputError when neither names a store."""
    url = given or os.environ.get(ENV, "")
    if not url.strip():
        raise InputError(f"no studio store named: give --store URL (a libpq URL or service=NAME) or set {ENV}")
    return url.strip()


def _parts(url: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return {key: str(value) for key, value in conninfo_to_dict(url).items() if value is not None}
    except Exception:  # libpq's parser names the bad part, and may quote the password with it
        raise StoreUnavailable("studio store: not a valid libpq URL or connection string "
                               "(postgresql://USER@HOST[:PORT]/DATABASE, or service=NAME)") from None


def display(url: str) -> str:
    """The store as a person may see it: user, host, port and database, never the password."""
    try:
        parts = _parts(url)
    except StoreUnavailable:
        return "(an unreadable store URL)"
    if "service" in parts and "host" not in parts:
        return f"service={parts['service']}"
    user = f"{parts['user']}@" if "user" in parts else ""
    host = parts.get("host") or parts.get("hostaddr") or "localhost"
    if host.startswith("/"):
        host = f"[{host}]"
    port = f":{parts['port']}" if "port" in parts else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"


def _scrub(message: str, url: str) -> str:
    """A server or libpq message in one line, with any password the URL holds blanked out."""
    # libpq's lines ("Connection refused" / "Is the server running ...?") are sentences of their own
    line = "; ".join(" ".join(part.split()) for part in message.splitlines() if part.strip())
    password = _parts(url).get("password") if url else None
    if password:
        line = line.replace(password, "***")
    # libpq prefixes its own "connection to server at ... failed: "; keep only the reason
    if "failed: " in line:
        line = line.rsplit("failed: ", 1)[1]
    return line


#: What to do about the failures a person can fix, by SQLSTATE or by libpq's words (it gives no SQLSTATE).
_HINTS = (
    ("28P01", "password authentication failed",
     "check the password in ~/.pgpass or PGPASSWORD (armory never shows it)"),
    (None, "no password supplied", "put the password in ~/.pgpass or PGPASSWORD"),
    ("42501", "permission denied",
     "this login lacks armory's role for it: a unit's and the witness's login need armory_writer, the "
     "safety office's and producers' armory_reader, and studio init the database's owner"),
)


def _hint(err: BaseException) -> str:
    state = getattr(err, "sqlstate", None)
    text = str(err)
    for sqlstate, words, hint in _HINTS:
        if (sqlstate is not None and state == sqlstate) or words in text:
            return f" ({hint})"
    return ""


def unavailable(url: str, err: BaseException, doing: str = "reaching") -> StoreUnavailable:
    """The one line a person sees when the store cannot be used; never a traceback or a password."""
    reason = _scrub(str(err), url) or type(err).__name__
    return StoreUnavailable(f"studio store {display(url)}: {doing} it failed: {reason}{_hint(err)}",
                            connection=is_connection_failure(err))


def connect(url: str, *, timeout: int = CONNECT_TIMEOUT, autocommit: bool = False,
            application_name: str = "armory") -> psycopg.Connection:
    """An open connection to the store, or StoreUnavailable saying in one line why not."""
    import psycopg

    parts = _parts(url)
    options = {"application_name": application_name}
    if "connect_timeout" not in parts:
        options["connect_timeout"] = str(timeout)
    try:
        return psycopg.connect(url, autocommit=autocommit, **options)
    except psycopg.Error as err:
        raise unavailable(url, err) from None
    except OSError as err:
        raise unavailable(url, err) from None
