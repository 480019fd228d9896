"""The records of a period as rows for a CSV file: one row a turn, with its call's facts on each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.store.figures import Period
from ivr.store.schema import Call, Event
from ivr.store.store import Store

COLUMNS = (
    "call", "caller", "call_started_at", "call_ended_at", "duration_seconds", "call_status",
    "turn_at", "node", "from_node", "event", "outcome", "input", "digits", "speech",
    "transfer_to", "dial_status",
)
#: A caller is shown by the start of their keyed hash: enough to see repeat callers, no more.
CALLER_CHARS = 16


def export_rows(store: Store, line: str, period: Period) -> list[dict[str, str]]:
    """Every call of ``line`` started in ``period`` and each of its turns, oldest first.

    A call with no turn recorded (only Twilio's report of its end) still has one row.
    """
    with store.reading():
        return list(_rows(store, line, period))


def _rows(store: Store, line: str, period: Period) -> Iterator[dict[str, str]]:
    query = (
        select(Call, Event)
        .outerjoin(Event, Event.call_sid == Call.call_sid)
        .where(Call.line == line, Call.started_at >= period.start, Call.started_at < period.end)
        .order_by(Call.started_at, Call.id, Event.at, Event.id)
    )
    with Session(store.engine) as session:
        for call, event in session.execute(query):
            yield _row(call, event)


def _row(call: Call, event: Event | None) -> dict[str, str]:
    row = {
        "call": call.call_sid,
        "caller": (call.caller_hash or "")[:CALLER_CHARS],
        "call_started_at": _time(call.started_at),
        "call_ended_at": _time(call.ended_at),
        "duration_seconds": _text(call.duration_seconds),
        "call_status": call.status or "",
    }
    row.update(dict.fromkeys(COLUMNS[6:], ""))
    if event is not None:
        row.update(
            turn_at=_time(event.at),
            node=event.node,
            from_node=event.from_node or "",
            event=event.kind,
            outcome=event.outcome,
            input=event.input or "",
            digits=event.digits or "",
            speech=event.speech or "",
            transfer_to=event.transfer_to or "",
            dial_status=event.dial_status or "",
        )
    return row


def _time(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def _text(value: int | None) -> str:
    return "" if value is None else str(value)
