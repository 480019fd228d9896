"""Numbers, days and lengths of time as the dashboard writes them: "1 call", "2 calls", "1 min 5 s"."""

from __future__ import annotations

import datetime as dt

from ivr.languages import language_name
from ivr.line import Line
from ivr.store.period import Period


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 call", "2 calls", "0 calls"; ``many`` for words that do not just take an s."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def share(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole``; "none" when there is nothing to share."""
    return f"{part / whole:.0%}" if whole else "none"


def day(value: dt.date) -> str:
    """ "Tue 24 Nov 2026"."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def long_day(value: dt.date) -> str:
    """ "Tuesday 24 November 2026"."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def days(period: Period) -> str:
    """ "Tue 24 Nov 2026", or "Wed 18 Nov 2026 to Tue 24 Nov 2026"."""
    if period.first == period.last:
        return day(period.first)
    return f"{day(period.first)} to {day(period.last)}"


def duration(seconds: float | None) -> str:
    """ "45 s", "2 min 5 s", "1 h 2 min"; "not known" for None."""
    if seconds is None:
        return "not known"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def hour(value: int) -> str:
    """0 -> "Midnight", 9 -> "9 AM", 12 -> "Noon", 15 -> "3 PM"."""
    if value == 0:
        return "Midnight"
    if value == 12:
        return "Noon"
    return f"{value % 12} {'AM' if value < 12 else 'PM'}"


def yes(value: bool) -> str:
    return "Yes" if value else "No"


def call_language(code: str | None, line: Line) -> str:
    """The language a call was answered in, by its English name: "Spanish". A line of one language answers every
    call in it; a call of a line of several whose language was not recorded (only Twilio's report of its end was
    kept) has ""."""
    if code:
        return language_name(code)
    return language_name(line.language) if len(line.language_codes) == 1 else ""
