"""The device secret: what checking a PIN and signing a checkpoint need that a copy of the ledger does not carry.

One random 32-byte secret per device (per user account on the laptop), made
on first use and kept

- in the operating system's keyring (the ``keyring`` package: macOS Keychain,
  Windows Credential Locker, the Secret Service on a Linux desktop) where a
  usable one answers; else
- in ``device.secret`` (mode 0600) in the user's config folder (mode 0700):
  ``~/.config/armory`` on Linux, never the data folder that holds the ledgers,
  so a copy of that folder (a backup, a ledger handed over for checking)
  carries neither the secret nor anything it protects.

``ARMORY_SECRET_DIR`` names another folder for the file; ``ARMORY_KEYRING=off``
keeps the keyring out (the tests do: they never touch a real keyring).

Two keys are derived from it with HKDF-SHA256, one per use:

- PIN hashes are argon2id as before, then **encrypted** with AES-256-GCM
  under the "pin hashes" key before they are stored: the OWASP Password
  Storage Cheat Sheet's pepper, in its "encrypt the hashes with a symmetric
  key kept apart from the database" form. The associated data names the
  ledger and the crew member, so a sealed hash moved onto another row or
  into another ledger no longer opens. A copy of the ledger file alone
  holds only ciphertext: no PIN can be tried against it.
- The ledger's Ed25519 signing key is a PKCS#8 PEM encrypted under the
  "signing key" key (``BestAvailableEncryption``), so a copy of the ledger's
  folder cannot sign checkpoints as the unit.

Each sealed value names the secret it was sealed under by a short id (a hash
derived from it, not the secret), so a ledger moved to another laptop says
which secret it needs instead of "wrong PIN".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from armory.problems import InputError

SECRET_BYTES = 32
SEALED_PREFIX = "armory-sealed-1$"
KEYRING_SERVICE = "armory"
KEYRING_USER = "device-secret"
#: How long a keyring gets to answer before armory goes on without it (a locked desktop keyring may
#: wait for a password prompt nobody sees on a headless machine).
KEYRING_TIMEOUT_SECONDS = 5.0

Store = Literal["keyring", "file"]


class SecretMissing(InputError):
    """The device secret that sealed something is not on this computer (or the keyring did not answer)."""


def secret_dir() -> Path:
    """Where the secret file lives: ``ARMORY_SECRET_DIR``, else the user's config folder for armory.

    Where the OS puts config and data in one folder (macOS, Windows), a sibling ``armory-device`` folder is
    used, so a copy of the ledgers' folder never carries the secret.
    """
    env = os.environ.get("ARMORY_SECRET_DIR")
    if env:
        return Path(env)
    from platformdirs import user_config_path

    from armory.paths import data_dir

    config = user_config_path("armory", appauthor=False)
    if config == data_dir():
        return config.with_name("armory-device")
    return config


def secret_file() -> Path:
    return secret_dir() / "device.secret"


def _hkdf(secret: bytes, purpose: str, length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) with no salt: one key per purpose from one uniformly random secret."""
    prk = hmac.new(b"\x00" * 32, secret, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + f"armory {purpose}".encode() + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


@dataclass(frozen=True)
class DeviceSecret:
    """The device secret, where it is kept, and what it derives."""

    raw: bytes
    store: Store
    where: str
    """Where it is kept, for messages: the file's path, or "the operating system's keyring"."""

    @property
    def secret_id(self) -> str:
        """A short name for this secret (derived from it one way: it reveals nothing of it)."""
        return _hkdf(self.raw, "secret id", 6).hex()

    def signing_key_password(self) -> bytes:
        return base64.b64encode(_hkdf(self.raw, "signing key"))

    def seal_pin_hash(self, pin_hash: str, *, ledger_id: str, crew_id: str) -> str:
        """``pin_hash`` encrypted for storage in ``ledger_id``'s credentials row of ``crew_id``."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        sealed = AESGCM(_hkdf(self.raw, "pin hashes")).encrypt(
            nonce, pin_hash.encode(), _pin_context(ledger_id, crew_id))
        return f"{SEALED_PREFIX}{self.secret_id}${base64.b64encode(nonce + sealed).decode()}"

    def open_pin_hash(self, stored: str, *, ledger_id: str, crew_id: str) -> str:
        """The argon2 hash inside ``stored``; ValueError when it does not open with this secret."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        _, blob_text = _split_sealed(stored)
        try:
            blob = base64.b64decode(blob_text, validate=True)
            return AESGCM(_hkdf(self.raw, "pin hashes")).decrypt(
                blob[:12], blob[12:], _pin_context(ledger_id, crew_id)).decode()
        except (InvalidTag, ValueError, UnicodeDecodeError):
            raise ValueError("the stored PIN hash does not open with this device's secret (it was sealed for "
                             "another ledger or person, or changed outside armory)") from None


def _pin_context(ledger_id: str, crew_id: str) -> bytes:
    return f"armory pin hash\nledger {ledger_id}\ncrew {crew_id}".encode()


def is_sealed(stored: str) -> bool:
    return stored.startswith(SEALED_PREFIX)


def _split_sealed(stored: str) -> tuple[str, str]:
    """(secret id, base64 blob) of a sealed value."""
    secret_id, _, blob = stored[len(SEALED_PREFIX):].partition("$")
    return secret_id, blob


def sealed_by(stored: str) -> str:
    """The id of the secret a sealed value needs."""
    return _split_sealed(stored)[0]


# -- finding and making the secret --------------------------------------------------------------------------


def _keyring_enabled() -> bool:
    return os.environ.get("ARMORY_KEYRING", "").strip().lower() not in ("off", "0", "no", "false")


def _with_timeout(call, *args):
    """``call(*args)`` in a thread, given ``KEYRING_TIMEOUT_SECONDS``; (ok, value or exception)."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, call(*args)))
        except Exception as err:  # any backend failure means "no usable keyring", never a crash
            outcome.append((False, err))

    thread = threading.Thread(target=run, name="armory-keyring", daemon=True)
    thread.start()
    thread.join(KEYRING_TIMEOUT_SECONDS)
    return outcome[0] if outcome else (False, TimeoutError("the keyring did not answer"))


# What the keyring answered, kept for the life of the process: asking costs a thread and a call to the backend
# on every PIN check (D-Bus on Linux, the Keychain on macOS), the first time ~0.4 s of importing and finding the
# backend, and a keyring that does not answer would cost KEYRING_TIMEOUT_SECONDS on every sign-in.
# A lock, so that a sign-in during the warm-up waits for its answer instead of asking a second time.
_backend_found: dict[str, object] = {}
_keyring_said: dict[str, object] = {}
"""``{"backend": the backend asked, "secret": DeviceSecret or None, "answered": bool}`` once asked."""
_asking = threading.RLock()


def forget_keyring() -> None:
    """Ask the keyring again next time (after it was unlocked, or in tests)."""
    with _asking:
        _backend_found.clear()
        _keyring_said.clear()


def warm_up() -> None:
    """Find the keyring, read the secret and import what opens a sealed hash now (the app calls it in a worker
    thread as it opens), so the first sign-in does not wait for them (~0.4 s with a keyring, ~30 ms without)."""
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401

        if (backend := _usable_keyring()) is not None:
            _from_keyring(backend)
    except Exception:  # a sign-in asks again and says what is wrong
        pass


def _usable_keyring():
    """The keyring backend when one is usable here (not keyring's "fail" or "null" one), else None."""
    if not _keyring_enabled():
        return None
    with _asking:
        if "backend" not in _backend_found:
            _backend_found["backend"] = _find_backend()
        return _backend_found["backend"]


def _find_backend():
    def find():
        import keyring

        backend = keyring.get_keyring()
        priority = getattr(backend, "priority", 0)
        name = type(backend).__module__
        if not isinstance(priority, (int, float)) or priority <= 0 or name.endswith((".fail", ".null")):
            return None
        return backend

    ok, backend = _with_timeout(find)
    return backend if ok else None


def _from_keyring(backend) -> DeviceSecret | None:
    """The secret in ``backend`` (asked once per process)."""
    with _asking:
        if _keyring_said.get("backend") is not backend:
            _keyring_said.update(backend=backend, **_read_keyring(backend))
        return _keyring_said["secret"]  # type: ignore[return-value]


def _keyring_answered() -> bool:
    return bool(_keyring_said.get("answered", True))


def _read_keyring(backend) -> dict:
    ok, value = _with_timeout(backend.get_password, KEYRING_SERVICE, KEYRING_USER)
    answered = ok or not isinstance(value, TimeoutError)
    if not ok or not value:
        return {"secret": None, "answered": answered}
    return {"secret": _decode_keyring_value(value), "answered": True}


def _decode_keyring_value(value: str) -> DeviceSecret | None:
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    if len(raw) != SECRET_BYTES:
        return None
    return DeviceSecret(raw, "keyring", "the operating system's keyring")


def _from_file(path: Path) -> DeviceSecret | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the device secret {path}: {getattr(err, 'strerror', None) or err}") from None
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != SECRET_BYTES:
        raise InputError(f"{path}: not an armory device secret (expected {SECRET_BYTES} bytes, base64)")
    return DeviceSecret(raw, "file", str(path))


def _write_file(path: Path) -> DeviceSecret:
    """A new secret in ``path`` (0600 in a 0700 folder), or the one another process wrote first."""
    from armory.ledger.permissions import private_dir, sync_folder

    raw = os.urandom(SECRET_BYTES)
    try:
        private_dir(path.parent)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise InputError(f"cannot create the device secret {path}: {err.strerror or err}") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(raw).decode() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp_name, path)  # whole or not at all; fails if another process made it first
        sync_folder(path.parent)  # on disk before anything is sealed under it
    except FileExistsError:
        found = _from_file(path)
        assert found is not None
        return found
    except OSError as err:
        raise InputError(f"cannot create the device secret {path}: {err.strerror or err}") from None
    finally:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
    return DeviceSecret(raw, "file", str(path))


def candidates() -> list[DeviceSecret]:
    """Every device secret found here: the file's, then the keyring's (usually one of the two)."""
    found = []
    from_file = _from_file(secret_file())
    if from_file is not None:
        found.append(from_file)
    backend = _usable_keyring()
    if backend is not None:
        from_keyring = _from_keyring(backend)
        if from_keyring is not None:
            found.append(from_keyring)
    return found


def current(*, create: bool) -> DeviceSecret | None:
    """The secret new things are sealed under: the file's or the keyring's, or (``create``) a new one, kept in
    the keyring where a usable one answers, else in the file."""
    found = candidates()
    if found:
        return found[0]
    if not create:
        return None
    with _creating():
        with _asking:
            _keyring_said.clear()  # what this process read may be old: never write over a secret stored since
        found = candidates()
        if found:
            return found[0]
        backend = _usable_keyring()
        if backend is not None:
            raw = os.urandom(SECRET_BYTES)
            ok, _ = _with_timeout(backend.set_password, KEYRING_SERVICE, KEYRING_USER,
                                  base64.b64encode(raw).decode())
            if ok:
                _keyring_said.clear()
                stored = _from_keyring(backend)
                if stored is not None:
                    return stored
        return _write_file(secret_file())


@contextmanager
def _creating() -> Iterator[None]:
    """Only one process on this account makes the secret at a time.

    A keyring has no "store unless one is there": two armory processes starting on a new laptop (the app and
    ``armory crew enroll``) could each find none and each store its own, and whatever the first sealed under
    its secret would never open again. An exclusive lock on a file beside the secret file makes the second
    wait, then find the first's. Where the system has no ``fcntl`` (Windows), the file store's link-or-fail
    still keeps one secret, and a keyring's race stays as narrow as two processes' first seconds."""
    from armory.ledger.permissions import private_dir

    try:
        import fcntl
    except ImportError:
        yield
        return
    path = secret_dir() / "device.secret.lock"
    try:
        private_dir(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as err:
        raise InputError(f"cannot create the device secret's lock {path}: {err.strerror or err}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def missing(secret_ids: set[str]) -> SecretMissing | None:
    """Why one of ``secret_ids`` (those a ledger's PINs are sealed under) cannot be found here, or None."""
    for secret_id in sorted(secret_ids):
        try:
            find(secret_id)
        except SecretMissing as err:
            return err
    return None


def find(secret_id: str) -> DeviceSecret:
    """The secret named ``secret_id``; SecretMissing says where it was looked for."""
    found = candidates()
    for secret in found:
        if secret.secret_id == secret_id:
            return secret
    looked = str(secret_file()) + (" nor in the operating system's keyring" if _keyring_enabled() else "")
    if not _keyring_answered():
        raise SecretMissing(
            f"the device secret {secret_id} that protects this ledger's PINs and signing key is not in "
            f"{secret_file()}, and the operating system's keyring did not answer within "
            f"{KEYRING_TIMEOUT_SECONDS:g} s (locked, or waiting for a password prompt on another screen?): unlock "
            "it and start armory again"
        )
    raise SecretMissing(
        f"the device secret {secret_id} that protects this ledger's PINs and signing key is not on this "
        f"computer (not in {looked}): restore it from the laptop the ledger was made on"
    )
