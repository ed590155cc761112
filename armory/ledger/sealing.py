"""Moving a ledger made by an earlier armory to credentials a copy of it does not carry, once, on open.

Earlier ledgers keep plain argon2id hashes in the ledger file and the signing
key as plain PEM beside it. The first time such a ledger is opened for
writing, each hash is sealed under the device secret (encrypted as it is: no
PIN is asked for again, each still works), the key is rewritten encrypted
(the same key: every checkpoint it signed still verifies) and one
``credentials_sealed`` entry records it, in the same transaction as the
sealed hashes. A ledger opened read-only is left as it is (its plain hashes
are still checked as they are).
"""

from __future__ import annotations

from armory.ledger import device_secret, signing
from armory.ledger.chain import Entry

SCHEME = "argon2id, the hash encrypted with AES-256-GCM under the device secret (OWASP pepper)"


class _AlreadyDone(Exception):
    """Another process sealed everything this one meant to, just before it."""


def _plain_rows(ledger) -> list[tuple[str, str]]:
    return [(crew_id, pin_hash) for crew_id, pin_hash in ledger._conn.execute(
        "SELECT crew_id, pin_hash FROM credentials ORDER BY crew_id")
        if not device_secret.is_sealed(pin_hash)]


def needs_sealing(ledger) -> bool:
    """Whether the ledger still has a plain PIN hash or a plain signing key (cheap: a small table, 32 bytes)."""
    return bool(_plain_rows(ledger)) or signing.is_plain_key(ledger.key_path)


def seal_ledger(ledger) -> Entry | None:
    """Seal the ledger's plain PIN hashes and signing key and record it; None when there was nothing to do."""
    if ledger.readonly or not needs_sealing(ledger):
        return None
    opened = ledger.opened()
    ledger_id = opened.payload["ledger_id"]
    secret = device_secret.current(create=True)
    key_sealed = signing.is_plain_key(ledger.key_path)
    if key_sealed:  # first: a crash after it leaves hashes to seal, and the next open records that
        signing.seal_key(ledger.key_path)
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
        if not key_sealed and not set(_plain_rows(ledger)) & set(rows):
            raise _AlreadyDone
        return payload

    try:
        return ledger._append("credentials_sealed", None, "", make, extra_sql=updates)
    except _AlreadyDone:
        return None
