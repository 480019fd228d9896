"""The built-in words of each language a line can speak: ``ivr/line/languages/<code>.yaml``.

A line says and understands these unless its file words them otherwise: the fixed sentences
(``phrases``), the command words, what fills ``{limit}``, the names of the star and hash keys,
what a caller may say for a key, the words of the opening hours, and the words that choose the
language at the start of a call. English is the default of every line, so the model's own
defaults are read from ``en.yaml``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

#: The language of a line that names none (and the model's defaults).
DEFAULT_LANGUAGE = "en"


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
    key_names: Mapping[str, Mapping[str, str]]
    spoken_keys: SpokenKeys
    hours: HoursWords

    def key_name(self, key: str, speech_language: str) -> str:
        """How the line says ``key`` ("#" is "pound" in en-US, "hash" in en-GB, "numeral" in es-US)."""
        for names in (self.key_names.get(speech_language, {}), self.key_names["default"]):
            if key in names:
                return names[key]
        return key


def available() -> tuple[str, ...]:
    """The codes of the languages with built-in words, such as ("en", "es")."""
    return tuple(sorted(path.name.removesuffix(".yaml") for path in _folder().iterdir() if path.name.endswith(".yaml")))


def has(code: str) -> bool:
    return code in available()


@functools.cache
def builtin(code: str) -> BuiltIn:
    """The built-in words of ``code``; English for a language that has none."""
    if not has(code):
        code = DEFAULT_LANGUAGE
    data: dict[str, Any] = YAML(typ="safe").load((_folder() / f"{code}.yaml").read_text(encoding="utf-8"))
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
        key_names={where: {str(k): str(v) for k, v in names.items()} for where, names in data["key_names"].items()},
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


def language_name(code: str) -> str:
    """"Spanish" for "es"; the code itself for a language without built-in words."""
    return builtin(code).name if has(code) else code


def _folder() -> Any:
    return resources.files("ivr.line") / "languages"
