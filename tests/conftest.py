"""Suite-wide settings: cheap PIN hashing, no user data directory, no stray Textual settings."""

import os

import pytest

# argon2 at library defaults costs ~50 ms a hash; tests hash hundreds of PINs.
os.environ["ARMORY_ARGON2"] = "fast"
os.environ["ARMORY_KEYRING"] = "off"  # never a real keyring, even in a subprocess
# Pilot presses keys the instant a screen is up; a person needs a moment to see it. The guard that drops keys
# typed as a notice appeared is tested with its own value (test_tui_set_speed.py).
os.environ["ARMORY_KEY_GUARD"] = "0"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory, monkeypatch):
    data = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    # The device secret goes to a folder of the test's own, never to a real keyring.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    monkeypatch.delenv("ARMORY_SECRET_DIR", raising=False)
    monkeypatch.setenv("ARMORY_KEYRING", "off")
    monkeypatch.delenv("ARMORY_LEDGER", raising=False)
    for name in list(os.environ):
        if name.startswith("TEXTUAL_") and not name.startswith("TEXTUAL_SNAPSHOT"):  # pytest-textual-snapshot sets its own
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARMORY_ARGON2", "fast")
    monkeypatch.setenv("ARMORY_KEY_GUARD", "0")


# The studio store's throwaway PostgreSQL cluster: one a session, a fresh database a test.
from tests.studio_pg import pg_cluster, pg_db, store  # noqa: E402,F401
