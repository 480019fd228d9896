"""Everything the line knows about each language it can speak: one folder a language, ``ivr/languages/<code>/``.

A pack holds the line's built-in phrases, command words and key names, what a caller may say for a
key, the words of the opening hours (``line.yaml``); how a caller in danger says it (``emergency.yaml``);
how the offline voices are given numbers, which voice speaks it, how the audit's recogniser hears it and
the audit's bars (``speech.yaml``); and the code that reads a clock and compares words (``__init__.py``).
The rest of the project reads languages only through this module: :func:`language` gives a tag's
pack ("es-MX", "es-419" and "es" are Spanish's). The README beside this file says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.languages.numbers import SpokenNumbers, spoken_digits
from ivr.languages.pack import (
    DEFAULT_LANGUAGE,
    AuditBars,
    Pack,
    RecogniserSettings,
    available,
    other_key_names,
    read_pack,
)
from ivr.languages.text import plain
from ivr.languages.words import BuiltIn, HoursWords, SpokenKeys

__all__ = [
    "DEFAULT_LANGUAGE",
    "AuditBars",
    "BuiltIn",
    "HoursWords",
    "Pack",
    "RecogniserSettings",
    "SpokenKeys",
    "SpokenNumbers",
    "available",
    "builtin",
    "emergency_hints",
    "find",
    "has",
    "key_name",
    "language",
    "language_code",
    "language_name",
    "normaliser",
    "spoken_digits",
]


def language_code(tag: str) -> str:
    """The language of a BCP 47 tag, without its country or region: "es-MX" and "es-419" -> "es"."""
    return tag.split("-")[0].lower()


def has(code: str) -> bool:
    """Whether the language of ``code`` (or of a tag such as "es-MX") has a pack."""
    return language_code(code) in available()


def find(tag: str) -> Pack | None:
    """The pack of ``tag``'s language ("en-AU" -> English's), or None when it has none."""
    code = language_code(tag)
    return read_pack(code) if code in available() else None


def language(tag: str) -> Pack:
    """The pack of ``tag``'s language; English's for a language without one."""
    return find(tag) or read_pack(DEFAULT_LANGUAGE)


def builtin(code: str) -> BuiltIn:
    """The line's built-in words in ``code``; English's for a language without a pack."""
    return language(code).words


def language_name(code: str) -> str:
    """"Spanish" for "es"; the code itself for a language without a pack."""
    pack = find(code)
    return pack.name if pack is not None else code


def key_name(key: str, tag: str) -> str:
    """How ``key`` is said in ``tag``: the one answer for the line's script and the speech-text step alike
    ("#" is "pound" in en-US, "hash" in en-AU, "numeral" in es-US and es-419, "gato" in es-MX)."""
    if key not in ("*", "#"):
        return key
    pack = find(tag)
    if pack is None and language_code(tag) in other_key_names():
        return other_key_names()[language_code(tag)].get(key, key)
    return (pack or language(DEFAULT_LANGUAGE)).key_name(key, tag)


def emergency_hints(tag: str) -> tuple[str, ...]:
    """What the speech recogniser should expect everywhere in ``tag``'s language: the phrases of danger its
    ``emergency.yaml`` lists under ``hints`` (English's for a language without emergency data)."""
    pack = find(tag)
    return (pack if pack is not None and pack.emergency is not None else language(DEFAULT_LANGUAGE)).emergency_hints


def normaliser(tag: str) -> Callable[[str], str]:
    """How the audit compares words in ``tag``'s language: the pack's own, else :func:`plain`."""
    pack = find(tag)
    return pack.normalise if pack is not None and pack.normalise is not None else plain
