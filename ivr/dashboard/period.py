"""The period the figures cover: a preset (today, the last 7 or 30 days) or days chosen in the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ivr.store.period import Period

#: Presets by the value of ?period=, with their names and lengths in days.
PRESETS = {"today": ("Today", 1), "7d": ("Last 7 days", 7), "30d": ("Last 30 days", 30)}
DEFAULT_PRESET = "30d"
CHOSEN = "chosen"
#: The longest period the dashboard works out at once.
MAX_DAYS = 366
#: No call records are older than this; far-off dates are refused before any arithmetic can overflow.
EARLIEST = dt.date(2000, 1, 1)
#: How far past today a period may reach.
LATEST_AHEAD = dt.timedelta(days=366)


@dataclass(frozen=True)
class PeriodChoice:
    """What the request asks for: a preset or chosen days as typed, a problem with each field, and the period."""

    preset: str
    first: str
    last: str
    errors: dict[str, str] = field(default_factory=dict)
    period: Period | None = None

    @property
    def name(self) -> str:
        """"Last 7 days", or "Chosen days"."""
        return PRESETS[self.preset][0] if self.preset in PRESETS else "Chosen days"

    def query(self) -> dict[str, str]:
        """The URL query that asks for this period again."""
        if self.preset in PRESETS:
            return {"period": self.preset}
        return {"from": self.first, "to": self.last}


def choose_period(args: Mapping[str, str], today: dt.date, zone: dt.tzinfo) -> PeriodChoice:
    """The period ``args`` ask for: ``from`` and ``to`` (YYYY-MM-DD), else ``period``, else the last 30 days."""
    if "from" in args or "to" in args:
        return _chosen(args.get("from", "").strip(), args.get("to", "").strip(), today, zone)
    preset = args.get("period", DEFAULT_PRESET)
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    days = PRESETS[preset][1]
    first, last = today - dt.timedelta(days=days - 1), today
    return PeriodChoice(preset, first.isoformat(), last.isoformat(), {}, Period(first, last, zone))


def _chosen(first_text: str, last_text: str, today: dt.date, zone: dt.tzinfo) -> PeriodChoice:
    errors: dict[str, str] = {}
    latest = today + LATEST_AHEAD
    first = _date(first_text, "from", "first", errors, latest)
    last = _date(last_text, "to", "last", errors, latest)
    if first and last and first > last:
        errors["to"] = "The last day must be on or after the first day."
    elif first and last and (last - first).days >= MAX_DAYS:
        errors["to"] = f"Choose a period of at most {MAX_DAYS} days."
    if errors or first is None or last is None:
        return PeriodChoice(CHOSEN, first_text, last_text, errors)
    return PeriodChoice(CHOSEN, first_text, last_text, {}, Period(first, last, zone))


def _date(text: str, name: str, which: str, errors: dict[str, str], latest: dt.date) -> dt.date | None:
    if not text:
        errors[name] = f"Choose the {which} day."
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f"The {which} day is not a date the dashboard can read. Please choose it again."
        return None
    if not EARLIEST <= day <= latest:
        errors[name] = (f"Choose a {which} day between {EARLIEST:%-d %B %Y} and {latest:%-d %B %Y}.")
        return None
    return day
