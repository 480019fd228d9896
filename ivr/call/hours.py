"""Opening hours: is the clinic open now, and how to say when it is."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ivr.line.model import WEEKDAYS, OpeningHours, TimeRange


def is_open(hours: OpeningHours, now: dt.datetime) -> bool:
    """Whether ``now`` (any aware datetime) falls in the clinic's opening hours."""
    local = now.astimezone(zoneinfo.ZoneInfo(hours.timezone))
    moment = local.time().replace(tzinfo=None)
    return any(r.opens <= moment < r.closes for r in hours.ranges_on(local.weekday()))


def spoken_time(moment: dt.time) -> str:
    """9:00 -> "9 AM", 17:30 -> "5:30 PM", 12:00 -> "12 noon"."""
    if moment.hour == 12 and moment.minute == 0:
        return "12 noon"
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {suffix}"


def _spoken_ranges(ranges: list[TimeRange]) -> str:
    return " and ".join(f"{spoken_time(r.opens)} to {spoken_time(r.closes)}" for r in ranges)


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


def describe(hours: OpeningHours) -> str:
    """The opening hours as a caller hears them: "Monday to Friday, 9 AM to 5 PM; ..."."""
    parts = []
    for first, last, ranges in _day_groups(hours):
        days = first.capitalize() if first == last else f"{first.capitalize()} to {last.capitalize()}"
        parts.append(f"{days}, {_spoken_ranges(ranges)}")
    if not parts:
        return "by appointment only"
    return "; ".join(parts) + f", {_zone_name(hours)}"


def _zone_name(hours: OpeningHours) -> str:
    city = hours.timezone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} time"
