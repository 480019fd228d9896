"""The call records' database: writing turns and ends of calls, once each however often they arrive."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, event, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.sql.dml import Insert

from ivr.store import migrate
from ivr.store.engine import make_engine
from ivr.store.records import CallEnd, TurnRecord
from ivr.store.schema import Call, Event
from ivr.store.sqlite_file import FileUnwritable, SqliteFile

logger = logging.getLogger(__name__)

#: While the schema is not in place (the database unreachable since start-up, say), how often a write
#: tries to bring it up to date: the store recovers by itself within this long of the database's return.
MIGRATE_RETRY_SECONDS = 2.0
#: The columns of an event, each from the TurnRecord field of the same name.
_EVENT_COLUMNS = ("key", "call_sid", "at", "node", "from_node", "kind", "outcome", "input", "digits", "speech",
                  "transfer_to", "dial_status")


class RecordsUnavailable(RuntimeError):
    """The records cannot be read or written just now (the database is down, locked or not yet set up)."""


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached or waited on, rather than refusing the data.

    Writing the same records again later may work; writing them one by one now would not.
    """
    return isinstance(
        error, (RecordsUnavailable, OperationalError, InterfaceError, DisconnectionError, SATimeoutError, OSError)
    )


class Store:
    """One database of call records, shared by every server that names it."""

    def __init__(self, engine: Engine, *, timeout: float) -> None:
        self.engine = engine
        self.timeout = timeout
        self._schema_ready = False
        self._schema_tried_at = -MIGRATE_RETRY_SECONDS
        self._schema_error = "not tried yet"
        self._schema_lock = threading.Lock()
        self._statements = _Statements.make(engine.dialect.name)
        self._file = _sqlite_file(engine, self._start_again)
        if self._file is not None:
            event.listen(engine, "connect", lambda *_: self._file.connected() if self._file else None)

    @classmethod
    def open(cls, url: str, *, timeout: float) -> Store:
        """A store for ``url``; nothing is connected (nor any file made) until the first use."""
        return cls(make_engine(url, timeout), timeout=timeout)

    @property
    def name(self) -> str:
        """The database's URL without its password."""
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Create or migrate the tables now; raises if the database cannot be reached."""
        self._look_at_file()
        with self._schema_lock:
            self._schema_tried_at = time.monotonic()
            try:
                migrate.upgrade(self.engine)
            except Exception as error:
                self._schema_error = f"{type(error).__name__}: {_first_line(error)}"
                raise
            if not self._schema_ready:
                logger.info("Call records: the tables at %s are up to date", self.name)
            self._schema_ready = True
            # Keep no connection from start-up: a server that forks its workers after it must not share one.
            self.engine.dispose()

    def ensure_schema(self) -> None:
        """Migrate if no migration has worked yet, at most every MIGRATE_RETRY_SECONDS.

        Raises :class:`RecordsUnavailable` while the tables are not in place.
        """
        if self._schema_ready:
            return
        if time.monotonic() - self._schema_tried_at >= MIGRATE_RETRY_SECONDS:
            try:
                self.migrate()
                return
            except Exception as error:
                logger.debug("Call records at %s: the schema could not be brought up to date (%s)", self.name, error)
        raise RecordsUnavailable(f"the call records at {self.name} are not set up yet ({self._schema_error})")

    def close(self) -> None:
        self.engine.dispose()

    def _look_at_file(self) -> None:
        """Before a use of a SQLite file: raises RecordsUnavailable while it cannot be written (touching it
        then could kill the process), and starts again with new connections when it was deleted or replaced."""
        if self._file is None:
            return
        try:
            self._file.check()
        except FileUnwritable as error:
            raise RecordsUnavailable(f"the call records at {self.name} cannot be written: {error}") from None

    def _start_again(self) -> None:
        """New connections, and the tables checked again (a new file has none)."""
        self.engine.dispose()
        with self._schema_lock:
            self._schema_ready = False
            self._schema_tried_at = -MIGRATE_RETRY_SECONDS

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Around a read: any database error becomes :class:`RecordsUnavailable`."""
        try:
            self._look_at_file()
            self.ensure_schema()
            yield
        except SQLAlchemyError as error:
            raise RecordsUnavailable(f"the call records at {self.name} cannot be read: {error}") from error

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction whose every wait (connecting, locks, statements) ends after the store's timeout."""
        self._look_at_file()
        self.ensure_schema()
        try:
            with self.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    limit = max(1, int(self.timeout * 1000))
                    connection.exec_driver_sql(
                        f"SET LOCAL statement_timeout = {limit}; SET LOCAL lock_timeout = {limit}")
                yield connection
        except OperationalError as error:
            if self._file is not None and "readonly" in str(error):
                self._start_again()  # a connection opened while the file was read-only stays read-only
            raise

    # -- writes ---------------------------------------------------------------------

    def write(self, records: Sequence[TurnRecord | CallEnd]) -> None:
        """Keep turns and ends of calls, all in one transaction.

        Each statement is written so that the order of the records does not matter (another server
        may write the same call's records before or after these), so records of one kind are
        written together: one statement, many rows.
        """
        if not records:
            return
        turns = [record for record in records if isinstance(record, TurnRecord)]
        ends = [record for record in records if isinstance(record, CallEnd)]
        statements = self._statements
        with self.writing() as connection:
            for statement, rows in (
                (statements.first_news, [_call_row(turn) for turn in turns if not _starts(turn)]),
                (statements.start, [_call_row(turn) for turn in turns if _starts(turn)]),
                (statements.chosen_language, [_call_row(turn) for turn in turns if turn.language_chosen]),
                (statements.end, [_end_row(end) for end in ends]),
                (statements.event, [_event_row(turn) for turn in turns]),
            ):
                if rows:
                    connection.execute(statement, rows)
        if self._file is not None:
            self._file.wrote(len(records))

    def add_turn(self, record: TurnRecord) -> None:
        """Keep one turn of a call (and the call itself, if this is the first news of it)."""
        self.write([record])

    def end_call(self, record: CallEnd) -> None:
        """Keep how and when a call ended; the first report wins, so a replay changes nothing."""
        self.write([record])

    # -- reads for calls ----------------------------------------------------------------

    def last_language(self, caller_hash: str, line: str) -> tuple[str, dt.datetime] | None:
        """The language of the caller's last call of ``line`` that has one (their choice, remembered), and when
        that call started; None for a caller not known."""
        query = (
            select(Call.language, Call.started_at)
            .where(Call.caller_hash == caller_hash, Call.line == line, Call.language.is_not(None))
            .order_by(Call.started_at.desc())
            .limit(1)
        )
        with self.reading(), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                limit = max(1, int(self.timeout * 1000))
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {limit}")
            row = connection.execute(query).first()
        return (row.language, row.started_at) if row else None

@dataclass(frozen=True)
class _Statements:
    """The writes' statements, built once: the rows are bound at each execution."""

    first_news: Insert
    start: Insert
    #: A caller's choice of language: it is the call's, whatever an earlier turn said.
    chosen_language: Insert
    end: Insert
    event: Insert

    @classmethod
    def make(cls, dialect: str) -> _Statements:
        # SQLite and PostgreSQL spell ON CONFLICT alike.
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        call = insert(Call)
        # The start may arrive after a later turn written by another server: keep the earliest
        # time and the caller's hash, whichever came first.
        start = call.on_conflict_do_update(
            index_elements=["call_sid"],
            set_={
                "started_at": case(
                    (call.excluded.started_at < Call.started_at, call.excluded.started_at),
                    else_=Call.started_at,
                ),
                "caller_hash": func.coalesce(Call.caller_hash, call.excluded.caller_hash),
                "language": func.coalesce(Call.language, call.excluded.language),
            },
            # Every later turn of a call comes here too (it carries the caller's number): most change
            # nothing, and an update that is not made rewrites no row and none of its indexes.
            where=or_(
                call.excluded.started_at < Call.started_at,
                and_(Call.caller_hash.is_(None), call.excluded.caller_hash.is_not(None)),
                and_(Call.language.is_(None), call.excluded.language.is_not(None)),
            ),
        )
        chosen_language = call.on_conflict_do_update(
            index_elements=["call_sid"], set_={"language": call.excluded.language}
        )
        end = call.on_conflict_do_update(
            index_elements=["call_sid"],
            set_={
                column: func.coalesce(getattr(Call, column), getattr(call.excluded, column))
                for column in ("ended_at", "duration_seconds", "status", "caller_hash")
            },
        )
        return cls(
            first_news=call.on_conflict_do_nothing(index_elements=["call_sid"]),
            start=start,
            chosen_language=chosen_language,
            end=end,
            event=insert(Event).on_conflict_do_nothing(index_elements=["key"]),
        )


def _sqlite_file(engine: Engine, reopen: Callable[[], None]) -> SqliteFile | None:
    """The SQLite file of ``engine`` to watch; None for PostgreSQL or a database in memory."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return SqliteFile(database, reopen)


def _starts(turn: TurnRecord) -> bool:
    """Whether the turn may start its call (so its time and caller's hash are kept)."""
    return bool(turn.caller_hash) or turn.kind == "start"


def _call_row(turn: TurnRecord) -> dict[str, Any]:
    return {"call_sid": turn.call_sid, "line": turn.line, "started_at": turn.at, "caller_hash": turn.caller_hash,
            "language": turn.language, "channel": turn.channel}


def _event_row(turn: TurnRecord) -> dict[str, Any]:
    return {column: getattr(turn, column) for column in _EVENT_COLUMNS}


def _end_row(end: CallEnd) -> dict[str, Any]:
    return {
        "call_sid": end.call_sid,
        "line": end.line,
        "started_at": end.at - dt.timedelta(seconds=end.duration or 0),
        "ended_at": end.at,
        "duration_seconds": end.duration,
        "status": end.status,
        "caller_hash": end.caller_hash,
    }


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0][:200]
