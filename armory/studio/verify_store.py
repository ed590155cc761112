"""``armory log verify --store``: nobody trusts the store's own word.

For each unit (of one production, or all): re-hash its chain from the stored
canonical bytes with the same code as ``log verify`` (every link, index
column and checkpoint signature), check that the unit row names the key the
chain's first entry holds, that the JSON beside the bytes says what the bytes
say (``studio status`` reads the JSON) and that the head summary is the
chain's head, and check every witness cosignature the store holds against
the chain. An edit by someone with full rights (a superuser who drops the
triggers) is named by its entry.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from armory.ledger import signing
from armory.ledger.verify import VerifyResult, verify_rows
from armory.studio.schema import SCHEMA


@dataclass
class UnitVerdict:
    production_title: str
    unit: str
    ledger_id: str
    key_fingerprint: str
    result: VerifyResult | None
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok and not self.failures


def units_of(conn, production: str | None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(f"SELECT production_title, unit, ledger_id, key_fingerprint, public_key FROM {SCHEMA}.units "
                    "WHERE %s::text IS NULL OR production_title = %s ORDER BY production_title, unit",
                    (production, production))
        rows = cur.fetchall()
    conn.commit()
    return rows


def stored_rows(conn, ledger_id: str, name: str = "chain"):
    """The unit's rows ``(seq, time, kind, who, scope, hash, body)`` in order, streamed from a server-side cursor."""
    with conn.transaction(), conn.cursor(name=name) as cur:
        cur.itersize = 5000
        cur.execute(f"SELECT seq, time, kind, who, scope, hash, body FROM {SCHEMA}.entries WHERE ledger_id = %s "
                    "ORDER BY seq", (ledger_id,))
        for seq, time, kind, who, scope, hash_hex, body in cur:
            yield seq, time, kind, who, scope, hash_hex, bytes(body) if body is not None else body


def verify_unit(conn, unit_row: tuple, witnesses: set[str] | None = None) -> UnitVerdict:
    import psycopg

    title, unit, ledger_id, fingerprint, public_key = unit_row
    result = verify_rows(stored_rows(conn, ledger_id))
    verdict = UnitVerdict(title, unit, ledger_id, fingerprint, result)
    if result.entries and result.first_bad is None:
        if base64.b64encode(result.public_key).decode() != public_key or result.key_fingerprint != fingerprint:
            verdict.failures.append(f"the unit row names key {fingerprint}, but the chain's first entry holds key "
                                    f"{result.key_fingerprint}: the unit row or the chain was replaced")
    with conn.cursor() as cur:
        try:
            cur.execute(f"SELECT seq, kind FROM {SCHEMA}.entries WHERE ledger_id = %s AND "
                        "doc IS DISTINCT FROM convert_from(body, 'UTF8')::jsonb ORDER BY seq LIMIT 1", (ledger_id,))
            differs = cur.fetchone()
        except psycopg.Error as err:
            conn.rollback()
            differs = (0, f"? ({' '.join(str(err).split())})")
        if differs:
            verdict.failures.append(f"entry #{differs[0]} ({differs[1]}): the JSON stored beside its bytes says "
                                    "something else than the bytes: it was edited in the database")
        cur.execute(f"SELECT head_seq, head_hash FROM {SCHEMA}.heads WHERE ledger_id = %s", (ledger_id,))
        head = cur.fetchone()
        if result.ok and head is not None and (head[0], head[1]) != (result.entries, result.head):
            verdict.failures.append(f"the store's summary gives head #{head[0]} {head[1][:16]}…, but the chain's "
                                    f"head is #{result.entries} {result.head[:16]}…: the summary was edited")
        cur.execute(f"SELECT seq, hash, witness_name, witness_fingerprint, witness_public_key, note "
                    f"FROM {SCHEMA}.cosignatures WHERE ledger_id = %s ORDER BY seq", (ledger_id,))
        cosignatures = cur.fetchall()
    conn.commit()
    origin = f"armory.ledger/{ledger_id}"
    for seq, hash_hex, name, witness_fp, witness_key, note in cosignatures:
        try:
            raw = base64.b64decode(witness_key, validate=True)
            parsed = signing.parse_and_verify_note(note, raw)
            if signing.fingerprint(raw) != witness_fp:
                raise ValueError("the witness key is not the one its fingerprint names")
        except (ValueError, binascii.Error) as err:
            verdict.failures.append(f"the cosignature of #{seq} by {name} does not verify: {err}")
            continue
        if (parsed.origin, parsed.size, parsed.head_hash) != (origin, seq, hash_hex):
            verdict.failures.append(f"the cosignature of #{seq} by {name}: its columns say something other than its "
                                    "signed note")
        elif seq <= len(result.hashes) and result.hashes[seq - 1] != hash_hex:
            verdict.failures.append(f"entry #{seq} is not the one witness {name} (key {witness_fp}) cosigned: the "
                                    "chain was rewritten up to it after it was witnessed")
        elif seq > result.entries and result.first_bad is None:
            verdict.failures.append(f"witness {name} cosigned head #{seq}, but the store's chain ends at "
                                    f"#{result.entries}: entries were removed")
        elif witness_fp == fingerprint:
            verdict.failures.append(f"the cosignature of #{seq} by {name} is made with the unit's own key "
                                    f"{fingerprint}: a unit cannot witness itself")
        elif witnesses is not None and witness_fp not in witnesses:
            verdict.failures.append(f"the cosignature of #{seq} is by key {witness_fp}, not the studio witness "
                                    "key given")
    cosigned = [fp for fp, _size, _hash in result.cosigned]
    if witnesses is not None:
        foreign = sorted({fp for fp in cosigned if fp not in witnesses})
        if foreign:
            verdict.failures.append(f"cosignature entries in the chain by key {', '.join(foreign)}, not the studio "
                                    "witness key given")
    if cosignatures:
        verdict.notes.append(f"witnessed to #{max(row[0] for row in cosignatures)} "
                             f"({len(cosignatures)} cosignature{'s' if len(cosignatures) != 1 else ''} checked)")
    else:
        verdict.notes.append("never witnessed")
    return verdict


def witness_fingerprints(given: list[str]) -> set[str]:
    """``--witness`` values: a key fingerprint, or a file holding the witness's key (private or public PEM)."""
    from pathlib import Path

    from armory.problems import InputError

    found = set()
    for value in given:
        path = Path(value)
        if path.is_file():
            from cryptography.hazmat.primitives import serialization

            data = path.read_bytes()
            try:
                key = serialization.load_pem_public_key(data)
            except ValueError:
                # The witness's own key file, plain or encrypted under the studio machine's device secret.
                try:
                    key = signing.load_or_create_key(path, create=False).public_key()
                except InputError as err:
                    raise InputError(f"--witness {value}: not a PEM key file this computer can open ({err})") \
                        from None
            raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            found.add(signing.fingerprint(raw))
        elif len(value) == 16 and all(c in "0123456789abcdef" for c in value.lower()):
            found.add(value.lower())
        else:
            raise InputError(f"--witness {value!r}: give the witness key's 16-hex-digit fingerprint or its key file")
    return found
