"""Guesses at what clinic staff meant, so that a message can say what to write instead.

Each function returns the corrected value, or None when there is no confident guess.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import zoneinfo
from importlib import resources

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

from ivr.line.hours import FIXED_OFFSET_ZONES

#: What people call a time zone, and its IANA name. Keys are lower case, without "time".
_ZONE_WORDS = {
    "eastern": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "central": "America/Chicago",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mountain": "America/Denver",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mt": "America/Denver",
    "arizona": "America/Phoenix",
    "pacific": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "alaska": "America/Anchorage",
    "akst": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "hst": "Pacific/Honolulu",
    "atlantic": "America/Halifax",
    "ast": "America/Halifax",
    "newfoundland": "America/St_Johns",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "uk": "Europe/London",
    "british": "Europe/London",
    "irish": "Europe/Dublin",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "central european": "Europe/Paris",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "acst": "Australia/Adelaide",
    "awst": "Australia/Perth",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
    "sast": "Africa/Johannesburg",
    "jst": "Asia/Tokyo",
}
_ZONE_NOISE = re.compile(r"\(us\s*(&|and)\s*canada\)|\b(standard|daylight|summer|time|zone|us)\b|[()]")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h]?(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?$")
_RANGE_SEPARATOR = re.compile(r"\s*(?:-|\u2013|\u2014|\bto\b|\buntil\b)\s*")  # hyphen, en and em dash


def zone_name(text: str) -> str | None:
    """The IANA time zone a person most likely meant: "Central" -> "America/Chicago"."""
    wanted = " ".join(text.strip().split())
    if wanted.upper() in FIXED_OFFSET_ZONES:
        return FIXED_OFFSET_ZONES[wanted.upper()]
    names = _zone_names()
    folded = wanted.casefold().replace(" ", "_")
    if folded in names:
        return names[folded]
    words = " ".join(_ZONE_NOISE.sub(" ", wanted.casefold()).split())
    if words in _ZONE_WORDS:
        return _ZONE_WORDS[words]
    cities = _zone_cities()
    city = words.replace(" ", "_")
    if city in cities:
        return cities[city]
    close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.8)
    close = close or difflib.get_close_matches(city, list(cities), n=1, cutoff=0.85)
    if close:
        return names.get(close[0]) or cities[close[0]]
    return None


def region_of_zone(zone: str) -> str | None:
    """The country (ISO 3166 code) a time zone is in, from the tz database's zone.tab."""
    return _zone_regions().get(zone)


def country_name(region: str) -> str:
    """"US" -> "the United States"; the code itself when it is not known."""
    # Imported here: the geocoder loads every country's place names (about 110 MB), for messages only.
    from phonenumbers.geocoder import country_name_for_number

    number = phonenumbers.example_number(region)
    name = country_name_for_number(number, "en") if number else ""
    if not name:
        return region
    return f"the {name}" if name.startswith(("United", "Netherlands", "Philippines", "Czech")) else name


def e164(value: str, region: str | None) -> str | None:
    """``value`` in E.164 form, when it is a valid number written some other way."""
    regions = [region] if region else []
    attempts: list[tuple[str, str | None]] = [(value, r) for r in regions]
    digits = re.sub(r"\D", "", value)
    attempts += [(value, None), ("+" + digits, None)] if digits else []
    for text, default_region in attempts:
        try:
            number = phonenumbers.parse(text, default_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def example_number(region: str | None) -> str:
    """A made-up number of the region in E.164 form, to show what one looks like."""
    number = phonenumbers.example_number(region) if region else None
    if number is None:
        return "+12025550143"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def emergency_numbers(region: str) -> list[str]:
    """The emergency numbers of a region, as phonenumbers knows them: ["112", "999"] for GB."""
    metadata = PhoneMetadata.short_metadata_for_region(region)
    pattern = metadata.emergency.national_number_pattern if metadata and metadata.emergency else ""
    return sorted(part for part in (pattern or "").split("|") if part.isdigit())


def clock_range(text: str) -> str | None:
    """Opening hours written another way, as HH:MM-HH:MM: "9-5" -> "09:00-17:00", "9am-1pm" -> "09:00-13:00"."""
    parts = _RANGE_SEPARATOR.split(text.strip().casefold(), maxsplit=1)
    if len(parts) != 2:
        return None
    opens, closes = (_clock(part) for part in parts)
    if opens is None or closes is None:
        return None
    afternoon = not re.search(r"[ap]\.?m", parts[1])
    if closes <= opens and afternoon and closes.hour < 12:
        closes = closes.replace(hour=closes.hour + 12)
    return f"{opens:%H:%M}-{closes:%H:%M}" if closes > opens else None


def clock_time(text: str) -> str | None:
    """A time of day written another way, as HH:MM: "9" -> "09:00", "5.30pm" -> "17:30"."""
    time = _clock(text.strip().casefold())
    return None if time is None else f"{time:%H:%M}"


def language_tag(text: str) -> str | None:
    """A speech language written another way: "en_us" -> "en-US", "English" -> "en-US"."""
    wanted = text.strip()
    named = {"english": "en-US", "american english": "en-US", "british english": "en-GB", "english (uk)": "en-GB",
             "spanish": "es-US", "french": "fr-FR", "german": "de-DE"}.get(wanted.casefold())
    if named:
        return named
    match = re.fullmatch(r"([A-Za-z]{2,3})(?:[-_ ]([A-Za-z]{2}))?", wanted)
    if not match:
        return None
    language, country = match.group(1).lower(), (match.group(2) or "").upper()
    tag = f"{language}-{country}" if country else language
    return tag if tag != wanted else None


def _clock(text: str) -> dt.time | None:
    if text in ("noon", "midday"):
        return dt.time(12)
    match = _CLOCK.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").replace(".", "")
    if half and not 1 <= hour <= 12:
        return None
    if half == "pm" and hour != 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone name, by its lower-case form."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@functools.cache
def _zone_cities() -> dict[str, str]:
    """Zones by their city, lower case: "chicago" -> "America/Chicago" (for the zones of countries)."""
    return {zone.rsplit("/", 1)[-1].casefold(): zone for zone in _zone_regions()}


@functools.cache
def _zone_regions() -> dict[str, str]:
    regions: dict[str, str] = {}
    for line in _tz_table("zone.tab"):
        region, _, zone = line.split("\t")[:3]
        regions[zone] = region
    return regions


def _tz_table(name: str) -> list[str]:
    """The lines of one of the tz database's tables (from the tzdata package, or the system's)."""
    try:
        text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        try:
            with open(f"/usr/share/zoneinfo/{name}", encoding="utf-8") as table:
                text = table.read()
        except OSError:
            return []
    return [line for line in text.splitlines() if line and not line.startswith("#")]
