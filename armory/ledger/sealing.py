"""Moving a ledger made by an earlier armory to credentials a copy of it does not carry, once, on open.

Earlier ledgers keep plain argon2id hashes in the ledger file and the signing
key as plain PEM beside it. The first time such a ledger is opened for
writing, each hash is sealed under the device secret (encrypted as it is: no
PIN is asked for again, each still works), the key is rewritten encrypted
(the same key: every checkpoint it signed still verifies) and one
``credentials_sealed`` entry records it, in the same transaction as the
sealed hashes. A ledger opened read-only is left as it is (its plain hashes
are still checked as they are).

The key file and the ledger cannot change in one transaction: the key is
sealed first, with a ``<key>.sealing`` marker written (durably) before it and
removed after the entry, so an upgrade killed in between is finished and
recorded, key included, at the next open; nothing is lost either way (a
sealed key opens, and a hash not yet sealed is still checked as it is).
"""

from __future__ import annotations

import os
from pathlib import Path

from armory.ledger import device_secret, signing
from armory.ledger.chain import Entry

SCHEME = "argon2id, the hash encrypted with AES-256-GCM under the device secret (OWASP pepper)"


class _AlreadyDone(Exception):
    """Another process sealed everything this one meant to, just before it."""


def _plain_rows(ledger) -> list[tuple[str, str]]:
    return [(crew_id, pin_hash) for crew_id, pin_hash in ledger._conn.execute(
        "SELECT crew_id, pin_hash FROM credentials ORDER BY crew_id")
        if not device_secret.is_sealed(pin_hash)]


def _marker(ledger) -> Path:
    """``<key>.sealing``: there while an upgrade has sealed the key and not yet recorded it."""
    return ledger.key_path.with_name(ledger.key_path.name + ".sealing")


def needs_sealing(ledger) -> bool:
    """Whether the ledger still has a plain PIN hash or a plain signing key, or an upgrade was cut short (cheap:
    a small table, 32 bytes, one stat)."""
    return bool(_plain_rows(ledger)) or signing.is_plain_key(ledger.key_path) or _marker(ledger).exists()


def _recorded(ledger) -> int:
    """How many ``credentials_sealed`` entries the ledger holds (read only on the rare way of an upgrade)."""
    return ledger._conn.execute("SELECT count(*) FROM entries WHERE kind = 'credentials_sealed'").fetchone()[0]


def seal_ledger(ledger) -> Entry | None:
    """Seal the ledger's plain PIN hashes and signing key and record it; None when there was nothing to do.

    The key is sealed first, then the hashes and the entry in one transaction. A crash between the two leaves
    the marker file beside the key, so the next open still records that this upgrade sealed the key."""
    if ledger.readonly or not needs_sealing(ledger):
        return None
    opened = ledger.opened()
    ledger_id = opened.payload["ledger_id"]
    marker = _marker(ledger)
    recorded_before = _recorded(ledger)
    if marker.exists() and recorded_before and not _plain_rows(ledger) and not signing.is_plain_key(ledger.key_path):
        marker.unlink(missing_ok=True)  # the crash came after the entry: it is recorded already
        return None
    secret = device_secret.current(create=True)
    if signing.is_plain_key(ledger.key_path):
        _write_marker(marker)
        signing.seal_key(ledger.key_path)
    key_sealed = marker.exists()
    rows = _plain_rows(ledger)
    updates = [("UPDATE credentials SET pin_hash = ? WHERE crew_id = ? AND pin_hash = ?",
                (secret.seal_pin_hash(pin_hash, ledger_id=ledger_id, crew_id=crew_id), crew_id, pin_hash))
               for crew_id, pin_hash in rows]
    payload = ledger._payload_dict("credentials_sealed", {
        "crew_ids": [crew_id for crew_id, _ in rows], "key_sealed": key_sealed,
        "key_fingerprint": opened.payload["key_fingerprint"], "secret_store": secret.store, "scheme": SCHEME,
    })

    def make(*_):
        # Built again when another process appended first: it may have been this same upgrade.
        if _recorded(ledger) > recorded_before:
            raise _AlreadyDone
        return payload

    try:
        entry = ledger._append("credentials_sealed", None, "", make, extra_sql=updates)
    except _AlreadyDone:
        entry = None
    marker.unlink(missing_ok=True)
    if entry is not None:
        _forget_plain_pages(ledger)
    return entry


def _write_marker(marker: Path) -> None:
    from armory.ledger.permissions import PRIVATE_FILE, sync_folder

    fd = os.open(marker, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    sync_folder(marker.parent)


def _forget_plain_pages(ledger) -> None:
    """Move the sealed pages into the ledger file and empty its write-ahead log, so neither still holds a page
    with a plain hash (``secure_delete`` zeroed the old cells in the pages written; a -wal left by an earlier
    armory may still hold older copies of them). Best effort: another process reading the ledger right now
    keeps the log in use, and the next upgrade-free checkpoint reuses it from the start."""
    import sqlite3

    try:
        ledger._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.Error:
        pass
