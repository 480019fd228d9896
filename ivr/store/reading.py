"""Journeys read from the database: the calls of a period with every step of each, or one call's."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from sqlalchemy import Select, select

from ivr.store.journeys import Journey, Step
from ivr.store.period import Period
from ivr.store.schema import Call, Event
from ivr.store.store import Store

#: Rows fetched from the database at a time: a year of calls is read without holding it all at once.
_CHUNK = 2000
_CALL = (Call.id, Call.call_sid, Call.started_at, Call.caller_hash, Call.ended_at, Call.duration_seconds,
         Call.status, Call.language, Call.channel)
_STEP = (Event.at, Event.node, Event.from_node, Event.kind, Event.outcome, Event.input, Event.digits, Event.speech,
         Event.transfer_to, Event.dial_status)


def journeys(store: Store, line: str, period: Period) -> Generator[Journey]:
    """Every call of ``line`` started in ``period``, oldest first, with its steps.

    Raises :class:`~ivr.store.RecordsUnavailable` if the database cannot be read. The calls are
    read as they are used: keep the iterator inside one page's work.
    """
    query = _query().where(Call.line == line, Call.started_at >= period.start, Call.started_at < period.end)
    with store.reading(), store.engine.connect() as connection:
        rows = connection.execution_options(yield_per=_CHUNK).execute(query)
        yield from _grouped(rows)


def journey(store: Store, line: str, call_sid: str) -> Journey | None:
    """One call of ``line`` with its steps, or None if there is no such call."""
    with store.reading(), store.engine.connect() as connection:
        found = list(_grouped(connection.execute(_query().where(Call.line == line, Call.call_sid == call_sid))))
    return found[0] if found else None


def _query() -> Select[*tuple[Any, ...]]:
    return (
        select(*_CALL, *_STEP)
        .outerjoin(Event, Event.call_sid == Call.call_sid)
        .order_by(Call.started_at, Call.id, Event.at, Event.id)
    )


def _grouped(rows: Any) -> Iterator[Journey]:
    current: list[Any] | None = None
    steps: list[Step] = []
    for row in rows:
        call, step = row[: len(_CALL)], row[len(_CALL):]
        if current is None or call[0] != current[0]:
            if current is not None:
                yield _journey(current, steps)
            current, steps = list(call), []
        if step[0] is not None:
            steps.append(Step(*step))
    if current is not None:
        yield _journey(current, steps)


def _journey(call: list[Any], steps: list[Step]) -> Journey:
    _, sid, started_at, caller_hash, ended_at, duration, status, language, channel = call
    return Journey(sid, started_at, tuple(steps), caller_hash, ended_at, duration, status, language, channel)
