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
#: Any character that is not kept as it is: a string without one, short enough and ASCII, fits as it is.
_UNFIT = re.compile(r"[\x00-\x1f\x7f]")
#: The table each kind of record is written to (a turn's line and caller go to its call).
_COLUMNS: dict[type, Table] = {TurnRecord: Event.__table__, CallEnd: Call.__table__}  # type: ignore[dict-item]
_RENAMED = {"duration": "duration_seconds"}


def fitted(record: Record) -> Record:
    """``record`` with every text cut to its column and every number clamped to what its column holds."""
    changes: dict[str, Any] = {}
    for name, column in _PLANS[type(record)]:
        value = getattr(record, name)
        if value is None:
            continue
        fitted_value = _fit(value, column)
        if fitted_value is not value:
            changes[name] = fitted_value
    return dataclasses.replace(record, **changes) if changes else record


def _plan(kind: type) -> tuple[tuple[str, ColumnElement[Any]], ...]:
    """Each field of a kind of record that has a column, and the column: worked out once, not per record."""
    table = _COLUMNS[kind]
    plan = []
    for field in dataclasses.fields(kind):
        name = _RENAMED.get(field.name, field.name)
        column = table.c[name] if name in table.c else Call.__table__.c.get(name)
        if column is not None:
            plan.append((field.name, column))
    return tuple(plan)


_PLANS = {kind: _plan(kind) for kind in _COLUMNS}


def _fit(value: object, column: ColumnElement[Any]) -> object:
    if isinstance(value, str):
        length = column.type.length if isinstance(column.type, String) else None
        if value.isascii() and (not length or len(value) <= length) and _UNFIT.search(value) is None:
            return value  # what nearly every webhook sends: nothing to change
        text = _SPACES.sub(" ", _CONTROL.sub("", value))
        # A lone surrogate (from a badly encoded form) cannot be written as UTF-8.
        text = text.encode("utf-8", "replace").decode("utf-8")
        text = text[:length] if length else text
        return value if text == value else text
    if isinstance(value, int) and not isinstance(value, bool) and isinstance(column.type, Integer):
        return min(max(value, 0), INTEGER_MAX)
    return value
