"""A throwaway PostgreSQL cluster for the studio store tests (and bench/studio.py).

One cluster per test session, in a temporary directory on a free loopback
port, made with the server's own ``initdb`` and ``pg_ctl`` (Debian's
``postgresql`` package puts them in ``/usr/lib/postgresql/<N>/bin``), and
removed afterwards. ``initdb`` refuses to run as root, so as root the
cluster runs as the unprivileged ``nobody`` (through ``runuser``), in a
directory handed to it. Each test gets a fresh database copied from a
template that ``armory studio init`` has already prepared
(``CREATE DATABASE ... TEMPLATE``: a few milliseconds).

Where the binaries are absent the store tests skip, saying how to install
them; with ``CI=1`` or ``ARMORY_REQUIRE_PG=1`` they fail instead, so CI
never passes without having run them.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install them to run the studio store "
                "tests (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@15)")
SUPERUSER, SUPER_PASSWORD = "armory_super", "super-Secret-pw-7"
WRITER_USER, WRITER_PASSWORD = "unit_writer", "writer-Secret-pw-3"
READER_USER, READER_PASSWORD = "office_reader", "reader-Secret-pw-5"
TEMPLATE = "armory_template"


def required() -> bool:
    """Whether the store tests must run here (CI), so that a missing server fails instead of skipping."""
    return os.environ.get("CI", "") not in ("", "0", "false") or bool(os.environ.get("ARMORY_REQUIRE_PG"))


def find_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: PATH first, then Debian's versioned directories."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    bin_dir: Path
    root: Path
    port: int
    as_user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [*(["runuser", "-u", self.as_user, "--"] if self.as_user else []), *args]
        return subprocess.run(command, check=check, capture_output=True, text=True, cwd=self.root)

    def url(self, dbname: str = "postgres", user: str = SUPERUSER, password: str | None = SUPER_PASSWORD) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    @classmethod
    def start(cls, bin_dir: Path, *, fsync: bool = False) -> "Cluster":
        as_user = "nobody" if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="armory-pg-"))
        if as_user:
            shutil.chown(root, user=as_user)
        cluster = cls(bin_dir, root, _free_port(), as_user)
        pwfile = root / "pw"
        pwfile.write_text(SUPER_PASSWORD + "\n")
        if as_user:
            shutil.chown(pwfile, user=as_user)
        cluster._run(str(bin_dir / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER, f"--pwfile={pwfile}",
                     "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync",
                     "--locale=C.UTF-8" if os.path.exists("/usr/lib/locale/C.utf8") else "--no-locale")
        pwfile.unlink()
        options = f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=60"
        if not fsync:  # a throwaway cluster: durability is not what the tests measure
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        started = cluster._run(str(bin_dir / "pg_ctl"), "-D", str(cluster.data), "-o", options,
                               "-l", str(root / "log"), "-w", "-t", "30", "start", check=False)
        if started.returncode != 0:
            log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
            cluster.remove()
            raise RuntimeError(f"pg_ctl start failed: {started.stderr}{log[-2000:]}")
        return cluster

    def prepare_template(self) -> None:
        """A database the studio schema is in, and the login roles the tests push and read as."""
        import psycopg

        from armory.studio import schema

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(self.url(TEMPLATE)) as conn:
            schema.init(conn)
            for user, password, role in ((WRITER_USER, WRITER_PASSWORD, schema.WRITER),
                                         (READER_USER, READER_PASSWORD, schema.READER)):
                conn.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}' IN ROLE {role}")
            conn.commit()

    _counter = itertools.count(1)

    def new_database(self, *, template: str = TEMPLATE) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def stop(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def restart(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=60 -c fsync=off"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "30", "start")

    def remove(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


# -- pytest fixtures (imported by conftest.py) ------------------------------------

try:
    import pytest
except ImportError:  # bench/studio.py uses Cluster without pytest
    pytest = None

if pytest is not None:

    @pytest.fixture(scope="session")
    def pg_cluster():
        bin_dir = find_bin()
        if bin_dir is None:
            if required():
                pytest.fail(INSTALL_HINT + " (CI=1 or ARMORY_REQUIRE_PG=1: these tests must run here)")
            pytest.skip(INSTALL_HINT)
        cluster = Cluster.start(bin_dir)
        try:
            cluster.prepare_template()
            yield cluster
        finally:
            cluster.remove()

    @pytest.fixture
    def pg_db(pg_cluster):
        """A fresh database holding the studio schema; yields its name."""
        return pg_cluster.new_database()

    @pytest.fixture
    def store(pg_cluster, pg_db, monkeypatch):
        """The URL a unit pushes with (the writer role), also set as ARMORY_STORE."""
        url = pg_cluster.url(pg_db, WRITER_USER, WRITER_PASSWORD)
        monkeypatch.setenv("ARMORY_STORE", url)
        return url
