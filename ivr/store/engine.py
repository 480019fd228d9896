"""Connections to the call records: a SQLite file by default, PostgreSQL for several servers."""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

#: The SQLite file in the instance folder when no database is named.
SQLITE_FILE = "calls.sqlite3"


def database_url(setting: str, folder: str | Path) -> str:
    """The SQLAlchemy URL for a DATABASE_URL setting; empty means a SQLite file in ``folder``."""
    if not setting:
        return f"sqlite:///{Path(folder) / SQLITE_FILE}"
    url = make_url(setting)
    if url.drivername in ("postgres", "postgresql"):  # what hosting services write: use psycopg 3
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def make_engine(url: str, timeout: float) -> Engine:
    """An engine whose every wait (connecting, locks, a pool slot) gives up after about ``timeout`` seconds.

    Values bound to statements are never shown in errors, so a log never holds what a caller said.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, hide_parameters=True, connect_args={"timeout": timeout})
        # At each connection, not now: a folder that cannot be reached at start-up may be there later.
        event.listen(engine, "do_connect", lambda *_: _private_file(parsed.database))
        event.listen(engine, "connect", _sqlite_pragmas(timeout))
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            url,
            hide_parameters=True,
            pool_pre_ping=True,
            pool_size=2,
            max_overflow=4,
            pool_timeout=timeout,
            # libpq takes whole seconds and treats less than 2 as 2.
            connect_args={"connect_timeout": max(2, math.ceil(timeout)), "application_name": "ivr"},
        )
    raise ValueError(f"call records are kept in SQLite or PostgreSQL, not {parsed.get_backend_name()}")


def _private_file(database: str | None) -> None:
    """Make a new SQLite file readable by its owner only; SQLite gives its -wal and -shm files the same mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    # Any other error (no such folder, no permission) is SQLite's to report as it connects.
    with contextlib.suppress(OSError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(timeout: float) -> Any:
    def on_connect(connection: sqlite3.Connection, _record: object) -> None:
        cursor = connection.cursor()
        # WAL: the dashboard reads while the webhooks' writer writes; NORMAL is safe with WAL.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect
