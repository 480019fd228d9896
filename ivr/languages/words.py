"""A language's built-in words for the line (its ``line.yaml``): what a line in it says and understands unless
its file words it otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SpokenKeys:
    """What a caller may say instead of pressing a key."""

    #: A word for a key: "two" -> "2".
    words: Mapping[str, str]
    #: Words said before a key ("press", "la opción") and after it ("please", "por favor").
    before: frozenset[str]
    after: frozenset[str]
    #: Words taken as a key only after one of ``before``.
    only_after_before: frozenset[str]


@dataclass(frozen=True)
class HoursWords:
    """The words of the opening hours in one language (see en.yaml's ``hours``)."""

    days: Mapping[str, str]
    one_day: str
    one_day_names: Mapping[str, str]
    day_range: str
    time_range: str
    ranges_joined_by: str
    days_and_times: str
    groups_joined_by: str
    #: (first hour, how a time from then is said), earliest first.
    day_parts: tuple[tuple[int, str], ...]
    minutes: str
    hour_words: Mapping[int, str]
    exactly: Mapping[str, str]
    zone: str
    cities: Mapping[str, str]
    by_appointment_only: str


@dataclass(frozen=True)
class BuiltIn:
    """One language's built-in words."""

    code: str
    #: The language's English name, for messages to staff: "Spanish".
    name: str
    phrases: Mapping[str, str]
    limits: Mapping[str, str]
    command_words: Mapping[str, tuple[str, ...]]
    offer_words: tuple[str, ...]
    #: Words that turn what follows into its opposite ("not", "no"): an offer word after one is not a choice.
    negations: tuple[str, ...]
    spoken_keys: SpokenKeys
    hours: HoursWords


def read_words(code: str, data: Mapping[str, Any]) -> BuiltIn:
    """The built-in words of ``code`` from its ``line.yaml``, read."""
    keys = data["spoken_keys"]
    hours = data["hours"]
    return BuiltIn(
        code=code,
        name=str(data["name"]),
        phrases={name: " ".join(str(text).split()) for name, text in data["phrases"].items()},
        limits={name: str(word) for name, word in data["limits"].items()},
        command_words={name: tuple(str(word) for word in words) for name, words in data["command_words"].items()},
        offer_words=tuple(str(word) for word in data["offer_words"]),
        negations=tuple(str(word) for word in data.get("negations") or ()),
        spoken_keys=SpokenKeys(
            words={str(word): str(key) for word, key in keys["words"].items()},
            before=frozenset(map(str, keys.get("before") or ())),
            after=frozenset(map(str, keys.get("after") or ())),
            only_after_before=frozenset(map(str, keys.get("only_after_before") or ())),
        ),
        hours=HoursWords(
            days={str(day): str(name) for day, name in hours["days"].items()},
            one_day=str(hours["one_day"]),
            one_day_names={str(day): str(name) for day, name in (hours.get("one_day_names") or {}).items()},
            day_range=str(hours["day_range"]),
            time_range=str(hours["time_range"]),
            ranges_joined_by=str(hours["ranges_joined_by"]),
            days_and_times=str(hours["days_and_times"]),
            groups_joined_by=str(hours["groups_joined_by"]),
            day_parts=tuple((int(part["from"]), str(part["say"])) for part in hours["day_parts"]),
            minutes=str(hours["minutes"]),
            hour_words={int(hour): str(word) for hour, word in (hours.get("hour_words") or {}).items()},
            exactly={str(time): str(said) for time, said in (hours.get("exactly") or {}).items()},
            zone=str(hours["zone"]),
            cities={str(city): str(name) for city, name in (hours.get("cities") or {}).items()},
            by_appointment_only=str(hours["by_appointment_only"]),
        ),
    )
