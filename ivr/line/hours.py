"""Opening hours: when the clinic answers its phone, whether it is open now, and how to say when it is."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema, field_validator, model_validator

from ivr.languages import HoursWords, builtin
from ivr.line.values import Frozen

#: A clock time as a line file writes it: 09:00 or 17:30 (24-hour clock, two-digit hour).
CLOCK_PATTERN = r"^[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"
#: Opening hours as one string, such as 09:00-17:00.
RANGE_PATTERN = r"^\s*[0-9]{2}:[0-9]{2}(:[0-9]{2})?\s*-\s*[0-9]{2}:[0-9]{2}(:[0-9]{2})?\s*$"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Zone names that exist but keep one offset all year, so a clinic's hours would be an hour off in summer;
#: with the zone that people who write them usually mean.
FIXED_OFFSET_ZONES = {"EST": "America/New_York", "MST": "America/Denver", "HST": "Pacific/Honolulu",
                      "GMT": "Europe/London", "UCT": "Europe/London"}


class HoursNotRead(ValueError):
    """A day's hours written in a way the line cannot read, such as "9-5"."""

    def __init__(self, written: str) -> None:
        self.written = written
        super().__init__(f"{written!r} is not written as opening hours: write them as 09:00-17:00, or closed")


class FixedOffsetZone(ValueError):
    """A time zone that keeps one offset all year (EST): the hours would be an hour out in summer."""

    def __init__(self, zone: str) -> None:
        self.zone = zone
        super().__init__(f"{zone!r} keeps one offset all year, so the opening hours would be an hour out in summer")


class UnknownZone(ValueError):
    """A time zone that the tz database does not have."""

    def __init__(self, zone: str) -> None:
        self.zone = zone
        super().__init__(f"{zone!r} is not a time zone")


#: The JSON schema says "09:00", not format "time", which editors read as RFC 3339's "09:00:00Z".
ClockTime = Annotated[
    dt.time, WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN, "examples": ["09:00", "17:30"]})
]
RangeText = Annotated[str, Field(pattern=RANGE_PATTERN, examples=["09:00-17:00"])]


class TimeRange(Frozen):
    opens: ClockTime
    closes: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.closes <= self.opens:
            raise ValueError(
                f"{self.opens:%H:%M}-{self.closes:%H:%M} closes before it opens: write the opening time first, "
                "on the 24-hour clock (a range ends on the day it starts; 23:59 is the latest)"
            )
        return self


def _parse_ranges(value: object) -> object:
    """Accept "09:00-17:00", a list of such strings, or "closed"."""
    if value is None or value == "closed":
        return []
    items = value if isinstance(value, list) else [value]
    ranges: list[object] = []
    for item in items:
        if isinstance(item, str):
            if not re.match(RANGE_PATTERN, item):
                raise HoursNotRead(item)
            opens, _, closes = item.partition("-")
            ranges.append({"opens": opens.strip(), "closes": closes.strip()})
        else:
            ranges.append(item)
    return ranges


class OpeningHours(Frozen):
    """When the clinic answers its phone, in its own time zone."""

    timezone: str
    monday: list[TimeRange] = []
    tuesday: list[TimeRange] = []
    wednesday: list[TimeRange] = []
    thursday: list[TimeRange] = []
    friday: list[TimeRange] = []
    saturday: list[TimeRange] = []
    sunday: list[TimeRange] = []

    @field_validator(
        *WEEKDAYS,
        mode="before",
        # What a file may write before _parse_ranges, so that the published schema accepts it.
        json_schema_input_type=Literal["closed"] | RangeText | list[RangeText | TimeRange] | None,
    )
    @classmethod
    def _ranges(cls, value: object) -> object:
        return _parse_ranges(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value.upper() in FIXED_OFFSET_ZONES:
            raise FixedOffsetZone(value)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise UnknownZone(value) from None
        return value

    def ranges_on(self, weekday: int) -> list[TimeRange]:
        """Opening ranges for a weekday, 0 being Monday."""
        ranges: list[TimeRange] = getattr(self, WEEKDAYS[weekday])
        return ranges


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
