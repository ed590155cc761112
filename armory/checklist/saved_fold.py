"""The engine's state saved beside its ledger, so that opening a season's ledger replays only what came after.

Replaying a season (100,000 entries and more) into :class:`~armory.checklist.state.State` takes seconds. After
such a replay the app saves the fold in ``<ledger>.fold`` (0600, as private as the ledger), keyed by what it was
folded from: the ledger's head when it was saved (sequence number and hash), the scope, the production's and
every pack's bytes hash, armory's version, the shape of the fold and this file's format. On the next open a
fold whose key still holds (that head is still that entry of the ledger) is loaded and only the entries after
it are replayed.

The fold decides what the app allows (open stops, seals, custody), so it is authenticated: an HMAC-SHA256
under a key derived from the device secret, as the signing key is. A file that is missing, damaged, stale,
written by anyone else or on another computer is ignored without a word: the ledger is replayed whole.
It is never trusted more than the ledger it came from: the app still checks the whole chain on opening, and
saves a fold only from a state whose chain was checked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import marshal
import os
import sys
from dataclasses import fields
from pathlib import Path

from armory.checklist.folded import AnswerState, HoldState, IncidentState, RoundState, StopState, WeaponState
from armory.checklist.state import State

FORMAT = 1
"""Bumped whenever what is saved, or how it is read back, changes."""

SAVE_AFTER = 2000
"""Entries replayed on opening past which a fold is worth saving (a shooting day is a few hundred)."""

MAGIC = b"armory saved fold\n"

#: State fields holding folded records by key; each record is saved as the tuple of its fields.
_RECORDS = {"weapons": WeaponState, "answers": AnswerState, "stops": StopState, "incidents": IncidentState,
            "holds": HoldState}
#: State fields holding some of another field's records (the same objects): saved as their keys.
_VIEWS = {"_open_stops": "stops", "_unreviewed": "incidents"}


def fold_path(ledger_path: Path) -> Path:
    return Path(ledger_path).with_name(Path(ledger_path).name + ".fold")


def _shape() -> list:
    """The names of everything saved: a fold of another shape (another armory) never loads into this one."""
    return [[f.name for f in fields(State)],
            *[[cls.__name__, *cls.__slots__] for cls in (*_RECORDS.values(), RoundState)]]


def _key(session, head: tuple[int, str]) -> bytes:
    """What the fold was folded from, as the bytes the MAC covers."""
    from armory.version import armory_version

    return json.dumps({
        "format": FORMAT, "armory": armory_version(), "python": list(sys.version_info[:2]),
        "marshal": marshal.version, "shape": _shape(), "head": list(head), "scope": session.scope,
        "production": session.loaded_production.sha256,
        "packs": sorted(pack.sha256 for pack in session.packs),
    }, sort_keys=True).encode()


def _mac(secret, key: bytes, body: bytes | memoryview) -> bytes:
    mac = hmac.new(secret.saved_fold_key(), key + b"\n", hashlib.sha256)
    mac.update(body)
    return mac.hexdigest().encode()


def _records(state: State) -> dict:
    """The fold as plain data (dicts, lists, tuples, text, numbers) for ``marshal``."""
    out = {}
    for f in fields(State):
        value = getattr(state, f.name)
        if f.name in _RECORDS:
            value = {k: _fields(v) for k, v in value.items()}
        elif f.name == "rounds":
            value = {k: {n: _fields(r) for n, r in rounds.items()} for k, rounds in value.items()}
        elif f.name in _VIEWS:
            value = list(value)
        out[f.name] = value
    return out


def _fields(record) -> tuple:
    return tuple(getattr(record, name) for name in type(record).__slots__)


def _state(data: dict) -> State:
    state = State()
    for f in fields(State):
        value = data.pop(f.name)  # each part let go once rebuilt: a season holds one copy at a time
        if f.name in _RECORDS:
            cls = _RECORDS[f.name]
            value = {k: cls(*v) for k, v in value.items()}
        elif f.name == "rounds":
            value = {k: {n: RoundState(*r) for n, r in rounds.items()} for k, rounds in value.items()}
        elif f.name in _VIEWS:
            whole = getattr(state, _VIEWS[f.name])
            value = {k: whole[k] for k in value}
        setattr(state, f.name, value)
    return state


def load(session, path: Path) -> tuple[State, int] | None:
    """The saved fold and the ledger head it was folded to, if its key and MAC hold; else None."""
    from armory.ledger import device_secret

    try:
        data = Path(path).read_bytes()
        if not data.startswith(MAGIC):
            return None
        header_end = data.index(b"\n", len(MAGIC))
        header = json.loads(data[len(MAGIC):header_end])
        view = memoryview(data)  # a season's fold is megabytes: read in place, not copied
        mac, body = data[header_end + 1:header_end + 65], view[header_end + 66:]
        seq, digest = header["head"]
        if type(seq) is not int or type(digest) is not str or session.ledger.hash_at(seq) != digest:
            return None  # saved at a head this ledger does not hold (another ledger, or rewritten)
        key = _key(session, (seq, digest))
        secrets = [s for s in device_secret.candidates() if s.secret_id == header.get("secret")]
        if not secrets or not hmac.compare_digest(_mac(secrets[0], key, body), mac):
            return None
        records = marshal.loads(body)
        del view, body, data
        state = _state(records)
    except Exception:  # noqa: BLE001 - unreadable, damaged or of another shape: the ledger is replayed whole
        return None
    return state, seq


def open_fold(session, path: Path) -> tuple[State, int, bool]:
    """The session's state: from the saved fold at ``path`` and the entries after it, else from the whole
    ledger. Returns the state, how many entries were replayed, and whether the saved fold was used."""
    saved = load(session, path)
    if saved is None:
        state, since, used = State(weapons={w.id: WeaponState(w.id) for w in session.production.weapon}), 0, False
    else:
        (state, since), used = saved, True
    replayed = 0
    for entry in session.ledger.entries(scope=session.scope, since=since):
        state.apply(entry)
        replayed += 1
    return state, replayed, used


def save(session, path: Path) -> bool:
    """Save the session's fold, keyed by the head it was drawn from; False when there is nothing sure to save
    (another process appended since, no device secret, a field marshal cannot write) or it cannot be written.
    The caller saves only a state whose chain was checked."""
    from armory.ledger import device_secret
    from armory.ledger.permissions import PRIVATE_FILE

    head = session.picture_head()
    if head is None:
        return False
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    try:
        secret = device_secret.current(create=True)
        body = marshal.dumps(_records(session.state))
        if secret is None:
            return False
        header = json.dumps({"head": list(head), "secret": secret.secret_id}).encode()
        blob = MAGIC + header + b"\n" + _mac(secret, _key(session, head), body) + b"\n" + body
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)
        except (OSError, AttributeError):
            pass
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - a hint for the next start, never a record: the next start replays
        try:
            tmp.unlink()  # nothing half-written left beside the ledger
        except OSError:
            pass
        return False
    return True
