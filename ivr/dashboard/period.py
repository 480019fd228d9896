"""The period the figures cover, as chosen in the dashboard's form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ivr.store.figures import Period

#: The figures cover the last 30 days unless another period is chosen.
DEFAULT_DAYS = 30
#: The longest period the dashboard works out at once.
MAX_DAYS = 366


@dataclass(frozen=True)
class PeriodChoice:
    """What the form says: its fields as typed, a problem with each, and the period if there is none."""

    first: str
    last: str
    errors: dict[str, str] = field(default_factory=dict)
    period: Period | None = None


def choose_period(args: Mapping[str, str], today: dt.date, zone: dt.tzinfo) -> PeriodChoice:
    """The period from ``args`` ("from" and "to", as YYYY-MM-DD), by default the last 30 days."""
    first_text = args.get("from", "").strip() or (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    last_text = args.get("to", "").strip() or today.isoformat()
    errors: dict[str, str] = {}
    first = _date(first_text, "from", "The first day", errors)
    last = _date(last_text, "to", "The last day", errors)
    if first and last and first > last:
        errors["to"] = "The last day must be on or after the first day."
    elif first and last and (last - first).days >= MAX_DAYS:
        errors["to"] = f"Choose a period of at most {MAX_DAYS} days."
    if errors or first is None or last is None:
        return PeriodChoice(first_text, last_text, errors)
    return PeriodChoice(first_text, last_text, {}, Period(first, last, zone))


def _date(text: str, name: str, what: str, errors: dict[str, str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{what} is not a date: choose one with the date picker, or write it as 2026-11-24."
        return None
