"""The line's versions in the shared database: every server and worker serves the newest.

A version is never changed or removed. Publishing an older version again (a rollback) adds a new
version with its text, so the newest number is always the one served and each worker need only
ask for that number, cheaply, to notice a change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import Row, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from ivr.store.schema import LineVersion
from ivr.store.store import Store

#: How a version came: the line file changed, someone published a file, or an older version again.
FROM_FILE, PUBLISHED, ROLLED_BACK = "file", "publish", "rollback"
#: Publishes at the same moment on several workers: each tries again this often at most.
_TRIES = 8


@dataclass(frozen=True)
class Version:
    line: str
    number: int
    digest: str
    source: str
    published_by: str
    published_at: dt.datetime
    note: str
    again_of: int | None
    #: The line file's text; empty in a history, which leaves it out.
    text: str = ""


def newest_number(store: Store, line: str) -> int | None:
    """The number of the version served now; None when the line has none."""
    query = select(func.max(LineVersion.number)).where(LineVersion.line == line)
    with store.reading(), store.engine.connect() as connection:
        found = connection.execute(query).scalar()
    return int(found) if found is not None else None


def version(store: Store, line: str, number: int) -> Version | None:
    """One version, with its text."""
    query = select(*LineVersion.__table__.c).where(LineVersion.line == line, LineVersion.number == number)
    with store.reading(), store.engine.connect() as connection:
        row = connection.execute(query).first()
    return _version(row, with_text=True) if row else None


def history(store: Store, line: str) -> list[Version]:
    """Every version of the line, newest first, without their texts."""
    columns = [column for column in LineVersion.__table__.c if column.name != "text"]
    query = select(*columns).where(LineVersion.line == line).order_by(LineVersion.number.desc())
    with store.reading(), store.engine.connect() as connection:
        return [_version(row, with_text=False) for row in connection.execute(query)]


def lines(store: Store) -> list[str]:
    """The names of the lines that have versions."""
    query = select(LineVersion.line).distinct().order_by(LineVersion.line)
    with store.reading(), store.engine.connect() as connection:
        return [str(name) for name in connection.execute(query).scalars()]


def publish(store: Store, line: str, text: str, digest: str, *, by: str, note: str, now: dt.datetime,
            source: str = PUBLISHED, again_of: int | None = None) -> Version:
    """Add a version of ``line``, served from now on; the text must have been checked already."""
    made = _add(store, line, text, digest, by=by, note=note, now=now, source=source, again_of=again_of)
    assert made is not None  # only the file's versions are skipped
    return made


def publish_file(store: Store, line: str, text: str, digest: str, *, by: str, note: str,
                 now: dt.datetime) -> Version | None:
    """Add the line file's text as a version, unless it is among the versions since the file's last one (the
    first of all included): every worker notices the same change of the file, and a file that was published
    by hand, or rolled back from, is not published again. The version added, or None."""
    return _add(store, line, text, digest, by=by, note=note, now=now, source=FROM_FILE, again_of=None)


def _add(store: Store, line: str, text: str, digest: str, *, by: str, note: str, now: dt.datetime,
         source: str, again_of: int | None) -> Version | None:
    with store.reading():
        for attempt in range(_TRIES):
            try:
                with store.writing() as connection:
                    newest = connection.execute(
                        select(func.max(LineVersion.number)).where(LineVersion.line == line)).scalar()
                    if source == FROM_FILE and _published_since_the_file(connection, line, digest):
                        return None
                    made = Version(line, int(newest or 0) + 1, digest, source, by, now, note, again_of, text)
                    connection.execute(insert(LineVersion).values(**dataclasses.asdict(made)))
                return made
            except (IntegrityError, OperationalError):
                # Another worker published the same number first (or SQLite's snapshot was stale): look again.
                if attempt == _TRIES - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))
    return None  # not reached


def _published_since_the_file(connection: Connection, line: str, digest: str) -> bool:
    last_from_file = (
        select(func.coalesce(func.max(LineVersion.number), 0))
        .where(LineVersion.line == line, LineVersion.source == FROM_FILE)
        .scalar_subquery()
    )
    query = select(LineVersion.id).where(
        LineVersion.line == line, LineVersion.number >= last_from_file, LineVersion.digest == digest
    ).limit(1)
    return connection.execute(query).first() is not None


def _version(row: Row[tuple[object, ...]], *, with_text: bool) -> Version:
    values = row._mapping
    return Version(
        line=values["line"], number=values["number"], digest=values["digest"], source=values["source"],
        published_by=values["published_by"], published_at=values["published_at"], note=values["note"],
        again_of=values["again_of"], text=values["text"] if with_text else "",
    )
