"""Credentials that survive a copied ledger: PIN hashes and the signing key sealed under the device secret,
private files, no guessable PINs, and the one-time upgrade of a ledger written before all that."""

from __future__ import annotations

import os
import shutil
import stat
import warnings
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError

from armory.cli import main
from armory.export.jsonl import write_jsonl
from armory.ledger import device_secret, permissions, signing
from armory.ledger.describe import describe
from armory.ledger.identity import AuthError, Credentials
from armory.ledger.pins import COMMON_PINS, weak_pin_reason
from armory.ledger.store import Ledger
from armory.ledger.verify import verify_rows
from armory.production.models import Production

BEFORE_SEALING = Path(__file__).parent / "fixtures" / "before_sealing"

PRODUCTION = Production.model_validate({
    "production": {"title": "Dry Gulch", "company": "Mesa Pictures", "timezone": "America/Denver",
                   "packs": [{"id": "core", "version": "1"}]},
    "crew": [{"id": "sam", "name": "Sam Ortiz", "roles": ["safety_officer"]},
             {"id": "ann", "name": "Ann Reyes", "roles": ["armorer"]}],
})


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def enrolled_ledger(path: Path) -> Ledger:
    ledger = Ledger.open(path, production_title="Dry Gulch")
    creds = Credentials(ledger, production=PRODUCTION)
    creds.enroll("sam", "4471", authorized_by="sam", authorizer_pin=None, production=PRODUCTION)
    creds.enroll("ann", "86420135", authorized_by="sam", authorizer_pin="4471", production=PRODUCTION)
    return ledger


def elsewhere(monkeypatch, tmp_path: Path) -> None:
    """As on another computer (or for whoever copied the ledger's folder): no device secret here."""
    monkeypatch.setenv("ARMORY_SECRET_DIR", str(tmp_path / "another-laptop"))


# -- the ledger file alone reveals no PIN ------------------------------------------------------------


def test_with_the_ledger_alone_no_pin_can_be_checked_with_the_secret_it_can(tmp_path, monkeypatch):
    with enrolled_ledger(tmp_path / "set" / "l.sqlite"):
        pass
    copy = tmp_path / "copy" / "l.sqlite"
    copy.parent.mkdir()
    shutil.copy(tmp_path / "set" / "l.sqlite", copy)
    with Ledger.open(copy, readonly=True) as stolen:
        stored = dict(stolen._conn.execute("SELECT crew_id, pin_hash FROM credentials"))
        # No argon2 hash to run a guess against: each is sealed ciphertext.
        assert all(value.startswith("armory-sealed-1$") and "$argon2" not in value for value in stored.values())
        with pytest.raises(InvalidHashError):
            PasswordHasher().verify(stored["ann"], "86420135")
        elsewhere(monkeypatch, tmp_path)
        with pytest.raises(AuthError, match="cannot be checked on this computer.*device secret .* not on this"):
            Credentials(stolen, production=PRODUCTION).authenticate("ann", "86420135", purpose="guess")
        monkeypatch.delenv("ARMORY_SECRET_DIR")
        Credentials(stolen, production=PRODUCTION).authenticate("ann", "86420135", purpose="sign")


def test_a_sealed_hash_copied_onto_another_persons_row_does_not_open(tmp_path):
    with enrolled_ledger(tmp_path / "l.sqlite") as ledger:
        creds = Credentials(ledger, production=PRODUCTION)
        ledger._conn.execute("UPDATE credentials SET pin_hash = (SELECT pin_hash FROM credentials WHERE crew_id = "
                             "'ann') WHERE crew_id = 'sam'")
        with pytest.raises(AuthError, match="Sam Ortiz \\(sam\\)'s PIN cannot be checked"):
            creds.authenticate("sam", "86420135", purpose="sign as sam with ann's PIN")


def test_no_secret_hash_or_key_reaches_an_export(tmp_path):
    with enrolled_ledger(tmp_path / "l.sqlite") as ledger:
        ledger.checkpoint()
        out = tmp_path / "e.jsonl"
        write_jsonl(ledger, out)
        text = out.read_text()
        stored = [row[0] for row in ledger._conn.execute("SELECT pin_hash FROM credentials")]
        secret = device_secret.current(create=False)
        key_pem = ledger.key_path.read_text()
    for value in [*stored, "armory-sealed", "$argon2", secret.secret_id, key_pem.splitlines()[1],
                  Path(secret.where).read_text().strip()]:
        assert value not in text


# -- files only their owner reads --------------------------------------------------------------------


def test_ledger_wal_shm_key_and_secret_are_0600_in_0700_folders(tmp_path):
    folder = tmp_path / "data" / "armory"
    with enrolled_ledger(folder / "l.sqlite") as ledger:
        assert mode(folder) == 0o700
        for name in ("l.sqlite", "l.sqlite-wal", "l.sqlite-shm", "l.sqlite.key"):
            assert mode(folder / name) == 0o600, name
        secret = Path(device_secret.current(create=False).where)
        assert mode(secret) == 0o600 and mode(secret.parent) == 0o700
        assert not secret.is_relative_to(folder)  # a copy of the ledger's folder does not carry it
        assert ledger.key_path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")


def test_a_ledger_others_can_read_is_said_with_the_fix_and_fixed_with_consent(tmp_path, capsys):
    path = tmp_path / "l.sqlite"
    enrolled_ledger(path).close()
    path.chmod(0o644)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Ledger.open(path).close()
    said = [str(w.message) for w in caught if w.category is permissions.ExposedFileWarning]
    assert "l.sqlite (the ledger) has mode 0644" in said[0]
    # The fix names this ledger: `armory log fix-permissions` alone would look at the default one.
    assert f"armory log fix-permissions --ledger {path}`" in said[0]
    path.with_name("l.sqlite.key").chmod(0o644)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Ledger.open(path).close()
    said = [str(w.message) for w in caught if w.category is permissions.ExposedFileWarning]
    assert len(said) == 1 and "l.sqlite.key (the ledger's signing key) has mode 0644" in said[0]
    assert "can read them. Make them private" in said[0]
    assert main(["log", "fix-permissions", "--ledger", str(path)]) == 2  # no terminal to ask, no --yes
    assert "nothing was changed" in capsys.readouterr().err and mode(path) == 0o644
    assert main(["log", "show", "--ledger", str(path)]) == 0
    assert "armory: warning: " in capsys.readouterr().err
    import io
    import sys

    import tomli_w

    production = tmp_path / "production.toml"
    production.write_text(tomli_w.dumps(PRODUCTION.model_dump(mode="json", exclude_none=True)))
    sys_stdin, sys.stdin = sys.stdin, io.StringIO("5318008\n4471\n")
    try:  # reads the ledger, then opens it to write: said once
        assert main(["crew", "enroll", "ann", "--by", "sam", "--pin-stdin", "--ledger", str(path), "--production",
                     str(production)]) == 0, capsys.readouterr().err
    finally:
        sys.stdin = sys_stdin
    assert capsys.readouterr().err.count("armory: warning: ") == 1
    assert main(["log", "fix-permissions", "--ledger", str(path), "--yes"]) == 0
    assert "made private" in capsys.readouterr().out and mode(path) == 0o600
    with warnings.catch_warnings():
        warnings.simplefilter("error", permissions.ExposedFileWarning)
        Ledger.open(path).close()


async def test_the_app_offers_to_make_an_exposed_ledger_private(tmp_path):
    from armory.paths import SAMPLE_PRODUCTION
    from armory.tui.app import ArmoryApp
    from armory.tui.screens.pick import PickModal

    path = tmp_path / "l.sqlite"
    app = ArmoryApp(SAMPLE_PRODUCTION, path, [])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    path.chmod(0o644)
    app = ArmoryApp(SAMPLE_PRODUCTION, path, [])
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):  # the session opens once the first screen is painted: a busy machine takes longer
            if isinstance(app.screen, PickModal):
                break
            await pilot.pause()
        assert isinstance(app.screen, PickModal) and "l.sqlite" in app.screen.title_text
        await pilot.press("enter")  # "Make them private"
        await pilot.pause()
    assert mode(path) == 0o600


# -- no guessable PINs -------------------------------------------------------------------------------


@pytest.mark.parametrize(("pin", "why"), [
    ("1234", "straight run of digits up"),
    ("98765", "straight run of digits down"),
    ("7777", "one digit repeated"),
    ("00000000", "one digit repeated"),
    ("8901", "wraps round"),
    ("121212", "12 repeated"),
    ("123123", "123 repeated"),
    ("19851985", "1985 repeated"),
    ("4747", "47 repeated"),
    ("2580", "one of the 100 most common PINs (number 22"),
    ("6969", "one of the 100 most common PINs"),
])
def test_guessable_pins_are_refused_with_the_reason(tmp_path, pin, why):
    assert why in weak_pin_reason(pin)
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        with pytest.raises(AuthError, match=f"too easy to guess: .*{why[:20]}.*6 to 8 digits"):
            Credentials(ledger).enroll("sam", pin, authorized_by="sam", authorizer_pin=None, production=PRODUCTION)


@pytest.mark.parametrize("pin", ["4471", "8642", "1873", "860251", "86420135"])
def test_other_pins_are_taken(pin):
    assert weak_pin_reason(pin) is None


def test_the_common_list_is_the_top_100_of_the_study_with_its_first_twenty_as_published():
    assert len(set(COMMON_PINS)) == 100 and all(len(pin) == 4 and pin.isdigit() for pin in COMMON_PINS)
    assert COMMON_PINS[:10] == ("1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969")


def test_the_cli_refuses_a_guessable_pin_before_creating_anything(tmp_path, monkeypatch, capsys):
    import io
    import sys

    production = tmp_path / "production.toml"
    production.write_text((Path(__file__).parent / "fixtures" / "engine" / "production.toml").read_text())
    ledger = tmp_path / "new.sqlite"
    officer = next(m.id for m in __import__("armory.rulebook.loader", fromlist=["x"]).load_production(
        production).production.crew if "safety_officer" in m.roles)
    monkeypatch.setattr(sys, "stdin", io.StringIO("2000\n"))
    code = main(["crew", "enroll", officer, "--production", str(production), "--ledger", str(ledger), "--pin-stdin"])
    err = capsys.readouterr().err
    assert code == 2 and "too easy to guess: 2000 is one of the 100 most common PINs" in err
    assert not ledger.exists()


# -- the signing key at rest -------------------------------------------------------------------------


def test_a_copy_of_the_folder_cannot_sign_the_laptop_can(tmp_path, monkeypatch):
    with enrolled_ledger(tmp_path / "l.sqlite") as ledger:
        elsewhere(monkeypatch, tmp_path)
        with pytest.raises(device_secret.SecretMissing, match="signing key is encrypted"):
            ledger.checkpoint()
        monkeypatch.delenv("ARMORY_SECRET_DIR")
        entry = ledger.checkpoint()
        assert entry.payload["key_fingerprint"] == ledger.key_fingerprint()
        assert verify_rows(ledger.rows()).ok


# -- the upgrade of a ledger written before sealing --------------------------------------------------


def old_ledger(tmp_path: Path) -> Path:
    """The ledger armory wrote before this change (tests/fixtures/before_sealing), copied to work on."""
    folder = tmp_path / "old"
    shutil.copytree(BEFORE_SEALING, folder)
    (folder / "ledger.sqlite").chmod(0o600)  # as its owner keeps it (git checks files out 0644)
    return folder / "ledger.sqlite"


def test_a_ledger_of_an_earlier_armory_is_sealed_once_on_open_and_loses_nothing(tmp_path):
    path = old_ledger(tmp_path)
    key_path = signing.default_key_path(path)
    with Ledger.open(path, readonly=True) as before:
        fingerprint = before.key_fingerprint()
        count = len(before)
        assert count == 5  # ledger_opened, 2 crew_enrolled, auth_failed, checkpoint
    with Ledger.open(path) as ledger:
        entries = list(ledger.entries())
        assert len(entries) == count + 1
        sealed = entries[-1]
        assert sealed.kind == "credentials_sealed" and sealed.who is None
        assert sealed.payload == {"crew_ids": ["ann", "sam"], "key_sealed": True, "key_fingerprint": fingerprint,
                                  "secret_store": "file", "scheme": sealed.payload["scheme"]}
        assert "AES-256-GCM" in sealed.payload["scheme"] and "OWASP" in sealed.payload["scheme"]
        assert describe(sealed).endswith(
            "credentials moved off the ledger file: 2 PIN hashes sealed (ann and sam), signing key "
            f"{fingerprint} encrypted, under the device secret kept in its own file")
        assert all(device_secret.is_sealed(row[0]) for row in ledger._conn.execute("SELECT pin_hash FROM credentials"))
        assert key_path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        # Every PIN works as before, and ann's earlier wrong PIN still counts toward her lockout.
        creds = Credentials(ledger, production=PRODUCTION)
        creds.authenticate("sam", "4471", purpose="sign")
        with pytest.raises(AuthError, match=r"\(3 tries left"):
            creds.authenticate("ann", "0000", purpose="handoff")
        creds.authenticate("ann", "8461", purpose="handoff")
        # The same key signs on: old and new checkpoints verify with the key of the first entry.
        ledger.checkpoint()
        result = verify_rows(ledger.rows())
        assert result.ok, result
    with Ledger.open(path) as again:  # once: nothing left to seal, nothing recorded
        assert sum(1 for e in again.entries() if e.kind == "credentials_sealed") == 1


class Killed(BaseException):
    """The process dying at that instant (nothing after it runs)."""


@pytest.mark.parametrize("with_pins", [True, False], ids=["with-pins", "no-pins-yet"])
def test_an_upgrade_killed_between_sealing_the_key_and_recording_it_is_finished_at_the_next_open(
        tmp_path, monkeypatch, with_pins):
    path = old_ledger(tmp_path)
    if not with_pins:
        import sqlite3

        with sqlite3.connect(path) as conn:
            conn.execute("DELETE FROM credentials")
    append = Ledger._append

    def dies_before_the_entry(self, kind, *args, **kwargs):
        if kind == "credentials_sealed":
            raise Killed
        return append(self, kind, *args, **kwargs)

    monkeypatch.setattr(Ledger, "_append", dies_before_the_entry)
    with pytest.raises(Killed):
        Ledger.open(path)
    monkeypatch.setattr(Ledger, "_append", append)
    assert signing.default_key_path(path).read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with Ledger.open(path) as ledger:
        sealed = [e for e in ledger.entries() if e.kind == "credentials_sealed"]
        assert len(sealed) == 1 and sealed[0].payload["key_sealed"] is True
        assert sealed[0].payload["crew_ids"] == (["ann", "sam"] if with_pins else [])
        if with_pins:
            Credentials(ledger, production=PRODUCTION).authenticate("sam", "4471", purpose="sign")
        ledger.checkpoint()
        assert verify_rows(ledger.rows()).ok
    assert not signing.default_key_path(path).with_name("ledger.sqlite.key.sealing").exists()
    with Ledger.open(path) as again:
        assert sum(1 for e in again.entries() if e.kind == "credentials_sealed") == 1


def test_an_upgrade_killed_after_recording_it_is_not_recorded_twice(tmp_path):
    path = old_ledger(tmp_path)
    Ledger.open(path).close()
    marker = signing.default_key_path(path).with_name("ledger.sqlite.key.sealing")
    marker.touch()  # as left by a process that died just after the entry
    with Ledger.open(path) as ledger:
        assert sum(1 for e in ledger.entries() if e.kind == "credentials_sealed") == 1
    assert not marker.exists()


def test_a_read_only_open_of_an_old_ledger_changes_nothing_and_still_checks_pins(tmp_path):
    path = old_ledger(tmp_path)
    before = path.read_bytes(), signing.default_key_path(path).read_bytes()
    with Ledger.open(path, readonly=True) as reader:
        Credentials(reader, production=PRODUCTION).authenticate("sam", "4471", purpose="look")
        assert verify_rows(reader.rows()).ok
    assert (path.read_bytes(), signing.default_key_path(path).read_bytes()) == before


def test_log_show_and_the_exports_describe_the_upgrade(tmp_path, capsys):
    path = old_ledger(tmp_path)
    Ledger.open(path).close()
    assert main(["log", "show", "--ledger", str(path), "--kind", "credentials_sealed"]) == 0
    assert "credentials moved off the ledger file: 2 PIN hashes sealed" in capsys.readouterr().out
    out = tmp_path / "report.csv"
    assert main(["export", "--ledger", str(path), "--out", str(out)]) == 0
    assert "Credentials moved off the ledger file: 2 PIN hashes sealed and the signing key encrypted" in \
        out.read_text()


# -- argon2 parameters upgraded at the next correct PIN ---------------------------------------------


def test_a_hash_made_with_other_parameters_is_made_again_at_the_next_correct_pin(tmp_path):
    path = tmp_path / "l.sqlite"
    enrolled_ledger(path).close()
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    with Ledger.open(path) as ledger:
        creds = Credentials(ledger, production=PRODUCTION, hasher=stronger)
        with pytest.raises(AuthError):
            creds.authenticate("ann", "11112222", purpose="x")  # a wrong PIN changes no hash
        creds.authenticate("ann", "86420135", purpose="x")
    with Ledger.open(path, readonly=True) as reread:  # durable: read back by another connection
        creds = Credentials(reread, production=PRODUCTION)
        (stored,) = reread._conn.execute("SELECT pin_hash FROM credentials WHERE crew_id = 'ann'").fetchone()
        inner = creds._open("ann", stored)
        assert device_secret.is_sealed(stored) and "m=16,t=2,p=1" in inner
        assert not stronger.check_needs_rehash(inner)
        creds.authenticate("ann", "86420135", purpose="x")


# -- the keyring, where there is one -----------------------------------------------------------------


class MemoryKeyring:
    """A keyring backend of the test's own: nothing leaves the process."""

    priority = 1

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service, user):
        return self.values.get((service, user))

    def set_password(self, service, user, value):
        self.values[(service, user)] = value


@pytest.fixture(autouse=True)
def _keyring_asked_afresh():
    device_secret.forget_keyring()
    yield
    device_secret.forget_keyring()


def test_the_secret_goes_to_a_usable_keyring_and_no_file_is_written(tmp_path, monkeypatch):
    memory = MemoryKeyring()
    monkeypatch.setattr(device_secret, "_usable_keyring", lambda: memory)
    with enrolled_ledger(tmp_path / "l.sqlite") as ledger:
        assert list(memory.values) == [("armory", "device-secret")]
        assert not device_secret.secret_file().exists()
        Credentials(ledger, production=PRODUCTION).authenticate("ann", "86420135", purpose="x")
        ledger.checkpoint()


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service, user):
        raise RuntimeError("no D-Bus session")


class HangingKeyring(MemoryKeyring):
    def get_password(self, service, user):
        import time

        time.sleep(5)


@pytest.mark.parametrize("backend", [BrokenKeyring(), HangingKeyring()], ids=["failing", "hanging"])
def test_a_keyring_that_fails_or_hangs_falls_back_to_the_file(tmp_path, monkeypatch, backend):
    monkeypatch.setattr(device_secret, "KEYRING_TIMEOUT_SECONDS", 0.05)
    monkeypatch.setattr(device_secret, "_usable_keyring", lambda: backend)
    with enrolled_ledger(tmp_path / "l.sqlite") as ledger:
        Credentials(ledger, production=PRODUCTION).authenticate("ann", "86420135", purpose="x")
    assert device_secret.secret_file().exists()


def test_keyrings_fail_backend_counts_as_no_keyring(monkeypatch):
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv("ARMORY_KEYRING")
    device_secret.forget_keyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert device_secret._usable_keyring() is None
    finally:
        keyring.set_keyring(previous)


def test_no_plain_hash_is_left_in_the_ledgers_free_space_once_sealed(tmp_path, monkeypatch):
    """SQLite leaves a replaced cell's bytes in the page unless secure_delete is on, and not every build turns it
    on: an upgraded ledger must not keep the plain hashes a copy of it could be cracked with."""
    import sqlite3

    connect = Ledger._connect

    def without_secure_delete(path, *, readonly):  # as SQLite's own default, whatever this build's is
        conn = connect(path, readonly=readonly)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(Ledger, "_connect", staticmethod(without_secure_delete))
    path = tmp_path / "l.sqlite"
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    Ledger.open(path, production_title="Dry Gulch").close()
    plain = sqlite3.connect(path)  # as an earlier armory stored them: plain argon2id in the ledger file
    plain.execute("PRAGMA secure_delete = OFF")
    with plain:
        plain.executemany("INSERT INTO credentials (crew_id, pin_hash) VALUES (?, ?)",
                          [(f"crew-{n:02}", hasher.hash(f"86{n:04}")) for n in range(30)])
    plain.close()
    assert path.read_bytes().count(b"$argon2id$") == 30
    with Ledger.open(path) as ledger:
        assert [e.kind for e in ledger.entries()][-1] == "credentials_sealed"
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or b"$argon2id$" not in wal.read_bytes()
    assert b"$argon2id$" not in path.read_bytes()


def test_a_ledger_moved_to_another_laptop_still_exports_to_its_last_checkpoint(tmp_path, monkeypatch, capsys):
    """Without the device secret nothing can be signed, but the record is the producer's: show, verify and
    export still work (to the last checkpoint signed on the laptop it came from), and say why it stops there."""
    path = tmp_path / "l.sqlite"
    with enrolled_ledger(path) as ledger:
        ledger.checkpoint()
        Credentials(ledger, production=PRODUCTION).authenticate("ann", "86420135", purpose="x")
        ledger.append("note", "sam", {"text": "after the last checkpoint"})
    elsewhere(monkeypatch, tmp_path)
    assert main(["log", "verify", "--ledger", str(path)]) == 0
    assert main(["log", "show", "--ledger", str(path)]) == 0
    capsys.readouterr()
    for fmt in ("jsonl", "csv", "html"):
        out = tmp_path / f"moved.{fmt}"
        assert main(["export", "--ledger", str(path), "--out", str(out)]) == 0, capsys.readouterr().err
        err = capsys.readouterr().err
        assert "left out (#5)" in err and "device secret of the laptop it was made on" in err, err
        assert "export was not recorded" in err
        if fmt == "jsonl":
            assert main(["log", "verify", str(out)]) == 0
            capsys.readouterr()
    with Ledger.open(path, readonly=True) as reread:  # nothing was signed or recorded here
        assert [e.kind for e in reread.entries()][-2:] == ["checkpoint", "note"]
    monkeypatch.delenv("ARMORY_SECRET_DIR")
    with Ledger.open(path) as ledger:
        incident = ledger.append("incident", "sam", {"incident": "drop", "description": "dropped in the dust",
                                                     "reported_by": "sam"})
    elsewhere(monkeypatch, tmp_path)
    assert main(["export", "--ledger", str(path), "--incident", str(incident.seq), "--out",
                 str(tmp_path / "bundle")]) == 2
    assert "signing key is encrypted under the device secret of the laptop it was made on, which is not on this " \
        "computer and no checkpoint follows" in capsys.readouterr().err
    never_signed = tmp_path / "never.sqlite"
    monkeypatch.delenv("ARMORY_SECRET_DIR")
    enrolled_ledger(never_signed).close()
    elsewhere(monkeypatch, tmp_path)
    assert main(["export", "--ledger", str(never_signed), "--out", str(tmp_path / "n.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "no checkpoint can be signed here (the ledger's signing key is encrypted under the device secret" in err
    assert "restore its device secret here. Nothing written" in err and not (tmp_path / "n.jsonl").exists()


class CountingKeyring(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def get_password(self, service, user):
        self.asked += 1
        return super().get_password(service, user)


def test_the_keyring_is_asked_once_per_process_not_at_every_pin_check(tmp_path, monkeypatch):
    """Each question to a keyring is a thread and a call over D-Bus or to the Keychain (and up to 5 s when it
    hangs): a sign-in must not pay it every time."""
    counting = CountingKeyring()
    monkeypatch.setattr(device_secret, "_usable_keyring", lambda: counting)
    with enrolled_ledger(tmp_path / "l.sqlite") as ledger:
        asked = counting.asked
        creds = Credentials(ledger, production=PRODUCTION)
        for _ in range(5):
            creds.authenticate("ann", "86420135", purpose="x")
        ledger.checkpoint()
        assert counting.asked == asked


def test_a_secret_another_process_stored_in_the_keyring_meanwhile_is_never_written_over(tmp_path, monkeypatch):
    memory = MemoryKeyring()
    monkeypatch.setattr(device_secret, "_usable_keyring", lambda: memory)
    assert device_secret.candidates() == []  # this process has asked: nothing yet
    other = device_secret.DeviceSecret(b"\x07" * 32, "keyring", "the operating system's keyring")
    memory.set_password("armory", "device-secret", __import__("base64").b64encode(other.raw).decode())
    assert device_secret.current(create=True).raw == other.raw
    assert memory.get_password("armory", "device-secret") == __import__("base64").b64encode(other.raw).decode()


def test_a_keyring_that_does_not_answer_is_named_when_a_pin_cannot_be_checked(tmp_path, monkeypatch):
    memory = MemoryKeyring()
    monkeypatch.setattr(device_secret, "_usable_keyring", lambda: memory)
    with enrolled_ledger(tmp_path / "l.sqlite") as ledger:  # sealed under the keyring's secret
        device_secret.forget_keyring()
        monkeypatch.setattr(device_secret, "KEYRING_TIMEOUT_SECONDS", 0.05)
        hanging = HangingKeyring()
        monkeypatch.setattr(device_secret, "_usable_keyring", lambda: hanging)
        with pytest.raises(AuthError, match="keyring did not answer within 0.05 s .*unlock it and start armory"):
            Credentials(ledger, production=PRODUCTION).authenticate("ann", "86420135", purpose="x")


async def test_every_file_the_app_keeps_beside_the_ledger_is_its_owners_only(tmp_path, monkeypatch):
    """The first screen's picture and the step in progress show what the ledger holds (names, weapons, round
    answers): in a folder others may enter (a ledger given with --ledger), they are as private as the ledger."""
    import os

    from armory.paths import SAMPLE_PRODUCTION
    from armory.tui.app import ArmoryApp

    os.umask(0o022)
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    (folder / "l.sqlite.screen.json.tmp").write_text("{}")  # left by an earlier armory, 0644
    app = ArmoryApp(SAMPLE_PRODUCTION, folder / "l.sqlite", [])
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            if app.session is not None:
                break
            await pilot.pause()
        await pilot.press("o")  # a screen of its own: the position file is written
        await pilot.pause()
    made = {path.name: mode(path) for path in folder.iterdir()}
    assert "l.sqlite.first-screen.json" in made and "l.sqlite.screen.json" in made, made
    assert {name: m for name, m in made.items() if m != 0o600} == {}


def test_the_app_asks_the_keyring_before_the_first_sign_in_needs_it(monkeypatch):
    counting = CountingKeyring()
    monkeypatch.setattr(device_secret, "_usable_keyring", lambda: counting)
    device_secret.warm_up()  # the app runs it in a worker thread as it opens
    assert counting.asked == 1
    device_secret.candidates()  # what a sign-in does: answered already
    assert counting.asked == 1


def test_a_witness_key_encrypted_at_rest_still_names_the_witness_for_log_verify(tmp_path, monkeypatch):
    """``log verify --store --witness KEYFILE`` reads the witness's public key from its key file, which armory
    writes encrypted like every signing key."""
    from armory.studio.verify_store import witness_fingerprints

    path = tmp_path / "witness.key"
    key = signing.load_or_create_key(path, create=True)
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert witness_fingerprints([str(path)]) == {signing.fingerprint(signing.public_raw(key))}
    elsewhere(monkeypatch, tmp_path)
    with pytest.raises(device_secret.SecretMissing, match="device secret"):
        witness_fingerprints([str(path)])


async def test_the_app_says_at_once_when_this_computer_lacks_the_secret_its_pins_need(tmp_path, monkeypatch):
    from armory.paths import SAMPLE_PRODUCTION
    from armory.tui.app import ArmoryApp

    path = tmp_path / "l.sqlite"
    app = ArmoryApp(SAMPLE_PRODUCTION, path, [])  # the sample's demo PINs are sealed on this laptop
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    elsewhere(monkeypatch, tmp_path)  # the ledger moved to another laptop
    app = ArmoryApp(SAMPLE_PRODUCTION, path, [])
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            said = [n.message for n in app._notifications]
            if said:
                break
            await pilot.pause()
        assert any("Nobody can sign on this computer" in m and "restore it from the laptop" in m for m in said), said


_RACING_PROCESS = r"""
import json, sys, time
from pathlib import Path

from armory.ledger import device_secret

store = Path(sys.argv[1])


class SlowFileKeyring:
    '''A keyring two processes share, as the OS's is: asking it finds nothing only slowly, so both look first.'''

    priority = 1

    def get_password(self, service, user):
        value = json.loads(store.read_text()).get(user) if store.exists() else None
        if value is None:
            time.sleep(0.4)
        return value

    def set_password(self, service, user, value):
        store.write_text(json.dumps({user: value}))


backend = SlowFileKeyring()
device_secret._usable_keyring = lambda: backend
print(device_secret.current(create=True).secret_id)
"""


def test_two_processes_making_the_first_secret_at_once_end_with_one(tmp_path):
    """A keyring has no "store unless one is there": without a lock, two processes starting on a new laptop each
    stored a secret of their own, and what the first sealed would never open again."""
    import subprocess
    import sys

    env = {**os.environ, "ARMORY_SECRET_DIR": str(tmp_path / "secret")}
    store = tmp_path / "keyring.json"
    runs = [subprocess.Popen([sys.executable, "-c", _RACING_PROCESS, str(store)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    ids = {out.strip() for out, _err in outputs}
    assert len(ids) == 1, ids
    assert not (tmp_path / "secret" / "device.secret").exists()  # kept in the keyring, not the file
