"""The device signing key and signed checkpoints.

Each ledger has an Ed25519 key made on first use and kept beside the ledger
(``<ledger>.key``, mode 0600), encrypted under the device secret (see
``device_secret``): a copy of the ledger's folder cannot sign as the unit. A
key written by an earlier armory in plain PEM is still read, and sealed when
its ledger is next opened for writing (``sealing``). Its public key and
fingerprint go into the first entry (``ledger_opened``), so an export carries
what verifies it.

A checkpoint is written in the C2SP ``tlog-checkpoint`` form, as a C2SP
``signed-note``::

    armory.ledger/<ledger id>          origin
    57                                 tree size: entries 1..57 are covered
    <base64 of the 32-byte head hash>  "root hash"
    time 2026-11-25T18:05:38.123456Z   extension line

    — armory.ledger/<ledger id> <base64(key id || Ed25519 signature)>

Unlike a transparency log, the "root hash" here is the hash of entry
``size`` in our linear hash chain, not a Merkle tree root: every entry's hash
covers the one before it, so the head hash commits to the whole prefix. The
key id is the first four bytes of SHA-256(key name || 0x0A || 0x01 || public
key), as the signed-note spec defines for Ed25519 (type 0x01).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from armory.problems import InputError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# cryptography is imported inside the functions that sign or check: it costs ~15 ms, and
# opening the app or reading a ledger needs neither.

SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space open a signed-note signature line
ED25519_TYPE = b"\x01"


def default_key_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".key")


def fingerprint(public_key_raw: bytes) -> str:
    """Hex of the first 8 bytes of the public key's SHA-256 (short enough for a call sheet)."""
    return hashlib.sha256(public_key_raw).hexdigest()[:16]


def public_raw(private_key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_or_create_key(path: Path, *, create: bool) -> Ed25519PrivateKey | None:
    """The key at ``path``; a new one written there (0600, encrypted) when missing and ``create``; else None."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        key = Ed25519PrivateKey.generate()
        try:
            write_key(path, key, replace=False)
        except FileExistsError:
            return load_or_create_key(path, create=False)
        return key
    except OSError as err:
        raise InputError(f"cannot read the signing key {path}: {err.strerror or err}") from None
    return _load_pem(path, data)


def is_plain_key(path: Path) -> bool:
    """Whether ``path`` holds an unencrypted key (as armory wrote before keys were sealed)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(32).startswith(b"-----BEGIN PRIVATE KEY-----")
    except OSError:
        return False


def seal_key(path: Path) -> None:
    """Rewrite the plain key at ``path`` encrypted under the device secret (the same key: its fingerprint and
    every signature made with it stay valid); atomic, so a crash leaves the old file or the new one."""
    write_key(path, _load_pem(path, path.read_bytes()), replace=True)


def write_key(path: Path, key: Ed25519PrivateKey, *, replace: bool) -> None:
    """Write ``key`` encrypted under the device secret, mode 0600; FileExistsError when not ``replace`` and
    another process made the key first."""
    from cryptography.hazmat.primitives import serialization

    from armory.ledger import device_secret
    from armory.ledger.permissions import private_dir

    secret = device_secret.current(create=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(secret.signing_key_password()))
    try:
        private_dir(path.parent)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise InputError(f"cannot write the signing key {path}: {err.strerror or err}") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp_name, path)
        else:
            # A link appears whole or not at all, and fails if another process made the key first.
            os.link(tmp_name, path)
    except FileExistsError:
        raise
    except OSError as err:
        raise InputError(f"cannot write the signing key {path}: {err.strerror or err}") from None
    finally:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass


def _load_pem(path: Path, data: bytes) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from armory.ledger import device_secret

    if b"ENCRYPTED PRIVATE KEY" not in data[:64]:
        passwords = [None]
    else:
        passwords = [secret.signing_key_password() for secret in device_secret.candidates()]
        if not passwords:
            raise device_secret.SecretMissing(
                f"{path}: the signing key is encrypted under this laptop's device secret, which is not here "
                f"(not in {device_secret.secret_file()} nor in the keyring): restore it to sign checkpoints")
    key = None
    for password in passwords:
        try:
            key = serialization.load_pem_private_key(data, password=password)
            break
        except (ValueError, TypeError):
            continue
    if key is None:
        if passwords != [None]:
            raise InputError(f"{path}: the signing key does not open with this laptop's device secret (it was "
                             "encrypted on another computer, or damaged)")
        raise InputError(f"{path}: not an Ed25519 signing key (PEM, PKCS#8)")
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path}: the signing key is not an Ed25519 key")
    return key


def key_id(name: str, public_key_raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_TYPE + public_key_raw).digest()[:4]


def note_text(origin: str, size: int, head_hash_hex: str, time: str) -> str:
    """The checkpoint body (what is signed), each line ending in a newline."""
    root = base64.b64encode(bytes.fromhex(head_hash_hex)).decode()
    return f"{origin}\n{size}\n{root}\ntime {time}\n"


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    signature = key.sign(text.encode())
    blob = base64.b64encode(key_id(name, public_raw(key)) + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{name} {blob}\n"


@dataclass(frozen=True)
class ParsedCheckpoint:
    origin: str
    size: int
    head_hash: str
    time: str | None


def parse_and_verify_note(note: str, public_key_raw: bytes) -> ParsedCheckpoint:
    """Parse a signed checkpoint note and check its signature; ValueError says what is wrong."""
    text, sep, signatures = note.partition("\n\n")
    if not sep:
        raise ValueError("the note has no blank line before its signature")
    text += "\n"
    lines = text.splitlines()
    if len(lines) < 3:
        raise ValueError("the note has fewer than three lines (origin, size, hash)")
    origin, size_text, root = lines[0], lines[1], lines[2]
    if not size_text.isdigit():
        raise ValueError(f"the tree size {size_text!r} is not a number")
    try:
        head = base64.b64decode(root, validate=True)
    except binascii.Error:
        raise ValueError("the head hash is not base64") from None
    if len(head) != 32:
        raise ValueError("the head hash is not 32 bytes")
    time = next((line[5:] for line in lines[3:] if line.startswith("time ")), None)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public_key = Ed25519PublicKey.from_public_bytes(public_key_raw)
    checked = False
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            continue
        name, _, blob_text = line[len(SIGNATURE_PREFIX):].rpartition(" ")
        try:
            blob = base64.b64decode(blob_text, validate=True)
        except binascii.Error:
            raise ValueError("a signature line is not base64") from None
        if len(blob) != 68 or blob[:4] != key_id(name, public_key_raw):
            continue  # a signature by some other key: not ours to check
        try:
            public_key.verify(blob[4:], text.encode())
        except InvalidSignature:
            raise ValueError("the signature does not verify with the ledger's public key") from None
        checked = True
    if not checked:
        raise ValueError("no signature by the ledger's key")
    return ParsedCheckpoint(origin=origin, size=int(size_text), head_hash=head.hex(), time=time)
