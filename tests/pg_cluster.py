"""A throwaway PostgreSQL 15 cluster a test starts itself — never a system service, never a mock.

``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/15/bin`` in a temporary folder (as the ``postgres`` user via
``runuser`` when we are root: PostgreSQL refuses to run as root), listening on a unix socket in that folder and a
free TCP port on 127.0.0.1 (trust authentication: nothing but this machine reaches it), stopped and removed when
the test session ends. ``pg_database`` gives each test a fresh database of its own (``CREATE DATABASE``), so tests
never see each other's rows; under pytest-xdist each worker starts its own cluster (a session fixture per worker).

Missing binaries fail the test with what to install (``scripts/test.sh`` installs postgresql-15): nothing is
skipped silently. Also used by ``bench/store_scale.py`` (``Cluster(durable=True)``: fsync on, as in production).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MISSING = (f"PostgreSQL 15 is not installed ({PG_BIN / 'initdb'} is missing): install the Debian package "
           "postgresql-15 (apt-get install postgresql-15; scripts/test.sh does it) to run the PostgreSQL store's tests")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One PostgreSQL server of our own; ``url(database)`` reaches it over TCP as the ``postgres`` superuser."""

    def __init__(self, durable: bool = False):
        self.durable = durable  # fsync and synchronous commit on (a benchmark); off for tests (faster, same SQL)
        self.folder: Path | None = None
        self.port = 0

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def start(self) -> Cluster:
        if not (PG_BIN / "initdb").is_file():
            raise RuntimeError(MISSING)
        self.folder = Path(tempfile.mkdtemp(prefix="pg-cluster-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        self._run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C", *([] if self.durable else ["--no-sync"]))
        self.port = _free_port()
        options = [f"-p {self.port}", f"-k {self.folder}", "-c listen_addresses=127.0.0.1", "-c max_connections=200"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                  "-o", " ".join(options), "start")
        atexit.register(self.stop)
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.folder is None:
            return
        folder, self.folder = self.folder, None
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    """This worker's throwaway cluster (fails, with what to install, when PostgreSQL 15 is missing)."""
    if not (PG_BIN / "initdb").is_file():
        pytest.fail(MISSING, pytrace=False)
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_database(pg_cluster) -> str:
    """The URL of a fresh database on the throwaway cluster."""
    return pg_cluster.new_database()
