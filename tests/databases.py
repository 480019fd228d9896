"""Databases for the call-records tests: a SQLite file, and a throwaway PostgreSQL server.

The PostgreSQL server is TEST_DATABASE_URL when set (a server whose user may create
databases); otherwise one started here from Debian's binaries in a temporary folder, on a
free loopback port, and stopped at the end. Tests that need it are skipped, with the
reason printed, only when neither can be had.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from ivr.store import Store


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server whose user may create databases."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    server = _ThrowawayPostgres()
    try:
        server.start()
    except _Unavailable as why:
        server.stop()
        reason = f"PostgreSQL tests skipped: {why}"
        print(f"\n{reason}")
        pytest.skip(reason)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty database on the server, dropped after the test."""
    name = f"ivr_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sqlalchemy.make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that uses it runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on each database."""
    store = Store.open(database_url, timeout=2.0)
    store.migrate()
    yield store
    store.close()


def dump_tables(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table in the store's database, to look for what must not be there."""
    tables: dict[str, list[tuple[object, ...]]] = {}
    with store.engine.connect() as connection:
        for name in sqlalchemy.inspect(connection).get_table_names():
            table = sqlalchemy.Table(name, sqlalchemy.MetaData(), autoload_with=connection)
            tables[name] = [tuple(row) for row in connection.execute(sqlalchemy.select(table))]
    return tables


class _Unavailable(Exception):
    pass


class _ThrowawayPostgres:
    """A PostgreSQL server of Debian's in a temporary folder, run as a user other than root."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ivr-postgres-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = "ivr_test"
        self.url = f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"
        self._started = False

    def start(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
        if not binaries:
            raise _Unavailable(
                "no PostgreSQL server is installed (Debian's postgresql package: "
                "`bash scripts/system-packages test` installs it) and TEST_DATABASE_URL is not set"
            )
        self.bin = Path(binaries[-1]).parent
        self._prefix = self._run_as()
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "--encoding=UTF8",
                  "--no-sync", "--no-instructions")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"),
                  "-w", "-t", "30", "start")
        self._started = True

    def stop(self) -> None:
        try:
            if self._started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run_as(self) -> list[str]:
        """PostgreSQL refuses to run as root: as root, run it as the postgres user."""
        if os.geteuid() != 0:
            return []
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise _Unavailable("running as root and there is no postgres user to run the server as") from None
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        return ["runuser", "-u", "postgres", "--"]

    def _run(self, program: str, *args: str) -> None:
        command = [*self._prefix, str(self.bin / program), *args]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as error:
            output = getattr(error, "stderr", "") or ""
            log = self.folder / "server.log"
            with contextlib.suppress(OSError):
                output += log.read_text()[-2000:]
            raise _Unavailable(f"the throwaway server did not start ({program}: {error}) {output.strip()}") from None


def _version(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in Path(path).parts[-3].split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
