"""What to write instead of a value the model refused: the model says what is wrong, this says how to fix it.

Each refusal the model raises carries what was written (:mod:`ivr.line.values`, :mod:`ivr.line.hours`,
:mod:`ivr.line.model`); the guesses at what staff meant come from :mod:`ivr.line.validate.suggest`.
"""

from __future__ import annotations

from ivr.line.hours import FIXED_OFFSET_ZONES, FixedOffsetZone, HoursNotRead, UnknownZone
from ivr.line.model import EmergencyNumberError
from ivr.line.validate.suggest import (
    clock_range,
    country_name,
    e164,
    emergency_numbers,
    example_number,
    zone_name,
)
from ivr.line.values import PhoneNumberError


def advice(error: object) -> str | None:
    """The message for a refusal of the model, saying what to write; None for a refusal that says it already."""
    if isinstance(error, PhoneNumberError):
        return _phone_number(error)
    if isinstance(error, HoursNotRead):
        return _hours(error.written)
    if isinstance(error, FixedOffsetZone):
        return (
            f"{error.zone!r} keeps one offset all year, so the opening hours would be an hour out in summer: "
            f'write "{FIXED_OFFSET_ZONES[error.zone.upper()]}" or the zone of the clinic\'s city'
        )
    if isinstance(error, UnknownZone):
        likely = zone_name(error.zone)
        hint = f'write "{likely}"' if likely else "write its name in the tz database, such as America/New_York"
        return f"{error.zone!r} is not a time zone: {hint}"
    if isinstance(error, EmergencyNumberError):
        return _emergency_number(error)
    return None


def _phone_number(error: PhoneNumberError) -> str:
    better = e164(error.value, error.region)
    if better:
        return f'{error.value!r} is not in E.164 form (+, the country code, then the number): write "{better}"'
    return (
        f"{error.value!r} is not a complete phone number: write +, the country code, then the whole number, "
        f'without spaces, such as "{example_number(error.region)}"'
    )


def _hours(item: str) -> str:
    """What to write instead of opening hours such as "9-5"."""
    if item.strip().casefold() in ("closed", "close", "shut", "none", "off"):
        return f'{item!r} is not a day\'s hours: write closed, in lower case, for a day the clinic is closed'
    better = clock_range(item)
    if better:
        return f'{item!r} is not written as opening hours: write "{better}" (24-hour clock, two digits for the hour)'
    return (
        f"{item!r} is not written as opening hours: write them as 09:00-17:00 (24-hour clock, two digits "
        "for the hour), a list of such ranges, or closed"
    )


def _emergency_number(error: EmergencyNumberError) -> str:
    region = error.region or ""
    known = emergency_numbers(region)
    hint = f": write {' or '.join(repr(number) for number in known)}" if known else ""
    return (
        f"emergency_number {error.number!r} is not an emergency number in "
        f"{country_name(region)}, the country of the clinic's phone number{hint}"
        + ("" if error.written else " (911 is used when it is left out)")
    )
