"""The call records' database: writing turns and ends of calls, once each however often they arrive."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ivr.store import migrate
from ivr.store.engine import make_engine
from ivr.store.records import CallEnd, TurnRecord
from ivr.store.schema import Call, Event

logger = logging.getLogger(__name__)

#: After a failed migration, how long to wait before a write tries it again.
MIGRATE_RETRY_SECONDS = 30.0
#: The columns of an event, each from the TurnRecord field of the same name.
_EVENT_COLUMNS = ("key", "call_sid", "at", "node", "from_node", "kind", "outcome", "input", "digits", "speech",
                  "transfer_to", "dial_status")


class RecordsUnavailable(RuntimeError):
    """The records cannot be read just now (the database is down, locked or not yet set up)."""


class Store:
    """One database of call records, shared by every server that names it."""

    def __init__(self, engine: Engine, *, timeout: float) -> None:
        self.engine = engine
        self.timeout = timeout
        self._schema_ready = False
        self._schema_tried_at = -MIGRATE_RETRY_SECONDS
        self._schema_lock = threading.Lock()

    @classmethod
    def open(cls, url: str, *, timeout: float) -> Store:
        """A store for ``url``; nothing is connected until the first use."""
        return cls(make_engine(url, timeout), timeout=timeout)

    @property
    def name(self) -> str:
        """The database's URL without its password."""
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Create or migrate the tables now; raises if the database cannot be reached."""
        with self._schema_lock:
            self._schema_tried_at = time.monotonic()
            migrate.upgrade(self.engine)
            self._schema_ready = True
            # Keep no connection from start-up: a server that forks its workers after it must not share one.
            self.engine.dispose()

    def ensure_schema(self) -> None:
        """Migrate if no migration has worked yet, at most every MIGRATE_RETRY_SECONDS; never raises."""
        if self._schema_ready or time.monotonic() - self._schema_tried_at < MIGRATE_RETRY_SECONDS:
            return
        try:
            self.migrate()
        except Exception as error:
            logger.error("Call records at %s: the schema could not be brought up to date (%s)", self.name, error)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Around a read: any database error becomes :class:`RecordsUnavailable`."""
        self.ensure_schema()
        try:
            yield
        except SQLAlchemyError as error:
            raise RecordsUnavailable(f"the call records at {self.name} cannot be read: {error}") from error

    # -- writes ---------------------------------------------------------------------

    def add_turn(self, record: TurnRecord) -> None:
        """Keep one turn of a call (and the call itself, if this is the first news of it)."""
        with self._writing() as connection:
            call = self._insert(Call).values(
                call_sid=record.call_sid, line=record.line, started_at=record.at, caller_hash=record.caller_hash
            )
            if record.caller_hash or record.kind == "start":
                # The start may arrive after a later turn written by another server: keep the earliest
                # time and the caller's hash, whichever came first.
                call = call.on_conflict_do_update(
                    index_elements=["call_sid"],
                    set_={
                        "started_at": case(
                            (call.excluded.started_at < Call.started_at, call.excluded.started_at),
                            else_=Call.started_at,
                        ),
                        "caller_hash": func.coalesce(Call.caller_hash, call.excluded.caller_hash),
                    },
                )
            else:
                call = call.on_conflict_do_nothing(index_elements=["call_sid"])
            connection.execute(call)
            event = {column: getattr(record, column) for column in _EVENT_COLUMNS}
            connection.execute(self._insert(Event).values(event).on_conflict_do_nothing(index_elements=["key"]))

    def end_call(self, record: CallEnd) -> None:
        """Keep how and when a call ended; the first report wins, so a replay changes nothing."""
        started = record.at - dt.timedelta(seconds=record.duration or 0)
        with self._writing() as connection:
            insert = self._insert(Call).values(
                call_sid=record.call_sid,
                line=record.line,
                started_at=started,
                ended_at=record.at,
                duration_seconds=record.duration,
                status=record.status,
                caller_hash=record.caller_hash,
            )
            first = {
                column: func.coalesce(getattr(Call, column), getattr(insert.excluded, column))
                for column in ("ended_at", "duration_seconds", "status", "caller_hash")
            }
            connection.execute(insert.on_conflict_do_update(index_elements=["call_sid"], set_=first))

    # -- helpers --------------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        self.ensure_schema()
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                limit = max(1, int(self.timeout * 1000))
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {limit}; SET LOCAL lock_timeout = {limit}")
            yield connection

    def _insert(self, table: type[Call] | type[Event]) -> Any:
        """INSERT with the database's own ON CONFLICT clause (SQLite and PostgreSQL spell it alike)."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
