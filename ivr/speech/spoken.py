"""The speech-text step: a line's text as an offline voice should say it.

Engines read numbers and symbols their own way: both read "call 911" as "nine hundred
eleven", and "press #" as they please. So before any engine renders a text it becomes:

- the clinic's own way of saying a word (the line's ``pronounce:`` list);
- phone numbers in their national groups, digit by digit ("2 0 2, 5 5 5, 0 1 4 3");
- emergency numbers digit by digit ("9 1 1", "9 9 9", "1 1 2");
- times as a clock is read ("9:30 AM" is "9 30 AM", "17:00" is "5 PM");
- the star and hash keys by their names in the line's language ("star", "pound" or "hash").

Each of these follows the language of the text, as its pack says (:mod:`ivr.languages`): in Spanish a digit said on
its own is followed by a short pause ("9, 1, 1"), "9" is said in its three syllables ("nu-eve":
espeak-ng's "nueve" is heard over a phone line as "huele"), and a clock reads "9 y 30 de la
mañana", "la una de la tarde".

Only rendered audio is made from this form: the text a clinic sees, the transcript beside
each file and what Twilio's ``<Say>`` reads stay the clinic's own words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

from ivr.languages import DEFAULT_LANGUAGE, SpokenNumbers, find, key_name, language, spoken_digits
from ivr.line import Line

#: A run of digits that is a number of its own (not part of a longer number, a time or a decimal).
_NUMBER = re.compile(r"(?<![\d:.,])\d{2,4}(?![\d:]|[.,]\d)")
#: A clock time: 9 AM, 9:30 am, 9.30 p.m., or 17:30 on a 24-hour clock.
_TIME = re.compile(
    r"\b(?P<hour>1[0-2]|0?[1-9])(?:[:.](?P<minute>[0-5]\d))?\s?(?P<half>[ap])(?:m\b|\.\s?m\b\.?)"
    r"|\b(?P<hour24>[01]?\d|2[0-3]):(?P<minute24>[0-5]\d)\b",
    re.IGNORECASE,
)
#: What follows a time written "a.m." at the end of a sentence, whose full stop the time took.
_SENTENCE_STARTS = re.compile(r"\s+[A-Z]|\s*$")
#: A star or hash key as written: on its own, or right after a word such as "press".
_KEY = re.compile(r"(?<![\w*#])([*#])(?![\w*#])")
#: Digits said one by one, as the speech-text step and the call script write them, in groups: "9 1 1",
#: "2 0 2, 5 5 5, 0 1 4 3".
_DIGIT_BY_DIGIT = re.compile(r"(?<![\d.,:])\d(?: \d)+(?:, \d(?: \d)+)*(?![\d:]|[.,]\d)")
#: A digit on its own ("oprima 9").
_LONE_DIGIT = re.compile(r"(?<![\d.,:])\d(?![\d:]|[.,]\d)")


@dataclass(frozen=True)
class SpeechRules:
    """What the speech-text step needs to know about a line."""

    language: str
    #: The country of the clinic's phone number, e.g. "US": how its numbers are grouped and which are emergencies.
    region: str
    #: The line's own emergency number, which is said digit by digit even where the region does not know it.
    emergency_number: str
    #: (written, spoken) pairs, longest first.
    pronounce: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, line: Line, language: str | None = None) -> SpeechRules:
        """The rules of ``line`` in ``language`` ("es-US"; None: the line's ``call.speech_language``)."""
        region = phonenumbers.region_code_for_number(phonenumbers.parse(line.clinic.phone)) or "US"
        pairs = sorted(line.pronounce.items(), key=lambda pair: (-len(pair[0]), pair[0]))
        return cls(language or line.call.speech_language, region, line.clinic.emergency_number, tuple(pairs))

    @functools.cached_property
    def _pronounce(self) -> re.Pattern[str] | None:
        if not self.pronounce:
            return None
        alternatives = "|".join(re.escape(written) for written, _ in self.pronounce)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    @functools.cached_property
    def numbers(self) -> SpokenNumbers:
        """How the text's language gives the engine digits and clocks (its pack's ``speech.yaml`` and clock)."""
        pack = find(self.language)
        return pack.numbers if pack is not None else SpokenNumbers()

    def spoken(self, text: str) -> str:
        """``text`` as the offline voice should say it (see the module's notes)."""
        text = self._pronounced(text)
        text = self._phone_numbers(text)
        text = _TIME.sub(self._clock, text)
        text = _NUMBER.sub(self._emergency, text)
        text = self._digits(text)
        return _KEY.sub(self._key, text)

    def _digits(self, text: str) -> str:
        """Digits said one by one with the language's pause between them, and each digit as it is heard best."""
        numbers = self.numbers
        if (numbers.digit_pause, numbers.group_pause) != (" ", ", "):
            text = _DIGIT_BY_DIGIT.sub(
                lambda run: numbers.group_pause.join(
                    group.replace(" ", numbers.digit_pause) for group in run.group().split(", ")
                ),
                text,
            )
        if numbers.clear_digits:
            said = dict(numbers.clear_digits)
            text = _LONE_DIGIT.sub(lambda digit: said.get(digit.group(), digit.group()), text)
        return text

    def _pronounced(self, text: str) -> str:
        pattern = self._pronounce
        if pattern is None:
            return text
        spoken = {written.lower(): said for written, said in self.pronounce}
        return pattern.sub(lambda match: spoken[match.group().lower()], text)

    def _phone_numbers(self, text: str) -> str:
        pieces, end = [], 0
        for match in phonenumbers.PhoneNumberMatcher(text, self.region):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            pieces += [text[end : match.start], spoken_digits(e164)]
            end = match.end
        return "".join(pieces) + text[end:] if pieces else text

    def _emergency(self, match: re.Match[str]) -> str:
        number = match.group()
        if number == self.emergency_number or phonenumbers.is_emergency_number(number, self.region):
            return " ".join(number)
        return number

    def _clock(self, match: re.Match[str]) -> str:
        clock = self.numbers.clock
        if match.group("hour24") is not None:
            hour, minute = int(match.group("hour24")), int(match.group("minute24"))
            if clock is None:
                return f"{hour} {minute:02d}" if minute else str(hour)
            half = "AM" if hour < 12 else "PM"
            hour = hour % 12 or 12
        else:
            hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
            half = "AM" if match.group("half").lower() == "a" else "PM"
        ended = match.group().endswith(".") and _SENTENCE_STARTS.match(match.string, match.end())
        clock = clock or language(DEFAULT_LANGUAGE).numbers.clock
        said = clock(hour, minute, half) if clock is not None else f"{hour}:{minute:02d} {half}"
        return said + ("." if ended else "")

    def _key(self, match: re.Match[str]) -> str:
        return key_name(match.group(1), self.language)
