"""Opening hours: is the clinic open now, and how to say when it is, in the line's language."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ivr.line.builtins import HoursWords, builtin
from ivr.line.model import WEEKDAYS, OpeningHours, TimeRange


def is_open(hours: OpeningHours, now: dt.datetime) -> bool:
    """Whether ``now`` (any aware datetime) falls in the clinic's opening hours."""
    local = now.astimezone(zoneinfo.ZoneInfo(hours.timezone))
    moment = local.time().replace(tzinfo=None)
    return any(r.opens <= moment < r.closes for r in hours.ranges_on(local.weekday()))


def spoken_time(moment: dt.time, words: HoursWords | None = None) -> str:
    """9:00 -> "9 AM", 17:30 -> "5:30 PM", 12:00 -> "12 noon" (in Spanish: "9 de la mañana", "5 y 30 de la tarde")."""
    words = words or builtin("en").hours
    exactly = words.exactly.get(f"{moment.hour:02d}:{moment.minute:02d}")
    if exactly is not None and not moment.second:
        return exactly
    hour = moment.hour % 12 or 12
    said = words.hour_words.get(hour, str(hour))
    if moment.minute:
        said = words.minutes.format(h=said, mm=f"{moment.minute:02d}")
    part = next(say for start, say in reversed(words.day_parts) if moment.hour >= start)
    return part.format(h=said)


def _spoken_ranges(ranges: list[TimeRange], words: HoursWords) -> str:
    return words.ranges_joined_by.join(
        words.time_range.format(opens=spoken_time(r.opens, words), closes=spoken_time(r.closes, words)) for r in ranges
    )


def _day_groups(hours: OpeningHours) -> list[tuple[str, str, list[TimeRange]]]:
    """Runs of consecutive open days with the same hours: (first day, last day, ranges)."""
    groups: list[tuple[str, str, list[TimeRange]]] = []
    for day in WEEKDAYS:
        ranges = getattr(hours, day)
        if not ranges:
            continue
        if groups and groups[-1][2] == ranges and WEEKDAYS.index(groups[-1][1]) == WEEKDAYS.index(day) - 1:
            groups[-1] = (groups[-1][0], day, ranges)
        else:
            groups.append((day, day, ranges))
    return groups


def describe(hours: OpeningHours, words: HoursWords | None = None) -> str:
    """The opening hours as a caller hears them: "Monday to Friday, 9 AM to 5 PM; ..." (English by default)."""
    words = words or builtin("en").hours
    parts = []
    for first, last, ranges in _day_groups(hours):
        if first == last:
            days = words.one_day.format(day=words.one_day_names.get(first, words.days[first]))
        else:
            days = words.day_range.format(first=words.days[first], last=words.days[last])
        parts.append(words.days_and_times.format(days=days, times=_spoken_ranges(ranges, words)))
    if not parts:
        return words.by_appointment_only
    return words.zone.format(times=words.groups_joined_by.join(parts), city=_city(hours, words))


def _city(hours: OpeningHours, words: HoursWords) -> str:
    city = hours.timezone.rsplit("/", 1)[-1].replace("_", " ")
    return words.cities.get(city, city)
