"""Records cut to what their columns hold before they are queued, so one odd request cannot fail a batch.

A webhook's form is whatever was sent: a DialCallStatus of any length, a NUL byte in Digits, a
CallDuration of twenty digits. PostgreSQL refuses text longer than its column or holding NUL, and
both databases refuse integers they cannot store; any one such value would fail every record
written with it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Integer, String, Table

from ivr.store.records import CallEnd, TurnRecord
from ivr.store.schema import Call, Event

Record = TypeVar("Record", TurnRecord, CallEnd)

#: The largest value an Integer column holds on every database (PostgreSQL's is 32 bits).
INTEGER_MAX = 2**31 - 1
#: Control characters (NUL included) have no place in a record; tabs and line breaks become spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[\t\n\r]")
#: The table each kind of record is written to (a turn's line and caller go to its call).
_COLUMNS: dict[type, Table] = {TurnRecord: Event.__table__, CallEnd: Call.__table__}  # type: ignore[dict-item]
_RENAMED = {"duration": "duration_seconds"}


def fitted(record: Record) -> Record:
    """``record`` with every text cut to its column and every number clamped to what its column holds."""
    table = _COLUMNS[type(record)]
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(record):
        name = _RENAMED.get(field.name, field.name)
        column = table.c[name] if name in table.c else Call.__table__.c.get(name)
        value = getattr(record, field.name)
        if column is None or value is None:
            continue
        fitted_value = _fit(value, column)
        if fitted_value is not value:
            changes[field.name] = fitted_value
    return dataclasses.replace(record, **changes) if changes else record


def _fit(value: object, column: ColumnElement[Any]) -> object:
    if isinstance(value, str):
        text = _SPACES.sub(" ", _CONTROL.sub("", value))
        # A lone surrogate (from a badly encoded form) cannot be written as UTF-8.
        text = text.encode("utf-8", "replace").decode("utf-8")
        length = column.type.length if isinstance(column.type, String) else None
        text = text[:length] if length else text
        return value if text == value else text
    if isinstance(value, int) and not isinstance(value, bool) and isinstance(column.type, Integer):
        return min(max(value, 0), INTEGER_MAX)
    return value
