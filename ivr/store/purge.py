"""Forget old calls: `ivr purge --older-than 90d`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from ivr.store.schema import Call, Event
from ivr.store.store import Store

_AGE = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Purged:
    calls: int
    events: int


def parse_age(text: str) -> dt.timedelta:
    """"90d" is ninety days, "12w" twelve weeks."""
    match = _AGE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an age such as 90d (days) or 12w (weeks)")
    number, unit = int(match.group(1)), match.group(2).lower()
    if number < 1:
        raise ValueError("the age must be at least one day")
    return dt.timedelta(days=number) if unit == "d" else dt.timedelta(weeks=number)


def purge(store: Store, *, before: dt.datetime) -> Purged:
    """Remove every call that started before ``before``, with its turns."""
    old = select(Call.call_sid).where(Call.started_at < before)
    with store.engine.begin() as connection:
        events = connection.execute(delete(Event).where(Event.call_sid.in_(old))).rowcount
        calls = connection.execute(delete(Call).where(Call.started_at < before)).rowcount
    return Purged(calls=calls, events=events)
