"""How numbers are said: digit by digit for a listener to write down, and each language's pauses and clock."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers


@functools.lru_cache(maxsize=256)
def spoken_digits(number: str) -> str:
    """Digits a listener can write down: "+12025550143" -> "2 0 2, 5 5 5, 0 1 4 3"."""
    if not number.startswith("+"):
        return " ".join(number)
    parsed = phonenumbers.parse(number)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return ", ".join(" ".join(group) for group in re.findall(r"\d+", national))


@dataclass(frozen=True)
class SpokenNumbers:
    """How one language's offline voice is given digits and clock times (a pack's ``speech.yaml`` and its
    ``clock``); a language with none reads numbers as English does, with a 24-hour clock."""

    #: Between the digits of a number said digit by digit, and between the groups of a phone number.
    digit_pause: str = " "
    group_pause: str = ", "
    #: Digits written as they must be said to be heard over a phone line.
    clear_digits: tuple[tuple[str, str], ...] = ()
    #: (hour 1 to 12, minute, half of the day "AM" or "PM") -> how a clock is read.
    clock: Callable[[int, int, str], str] | None = None
