"""The typed, immutable shape of an information line, as written in its YAML file.

The model checks each value on its own (types, unknown keys, empty text, phone
numbers); checks that need the whole tree live in :mod:`ivr.line.validate.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ivr.line.builtins import builtin
from ivr.line.validate import suggest

if TYPE_CHECKING:
    from ivr.line.views import Views

#: Twilio refuses <Say> text over about 3,000 characters for neural voices.
MAX_SAY_CHARS = 3000
#: A node id travels in webhook URLs, so keep it to URL-safe characters.
NODE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
KEY_PATTERN = r"^[0-9*#]$"
#: A clock time as a line file writes it: 09:00 or 17:30 (24-hour clock, two-digit hour).
CLOCK_PATTERN = r"^[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"
#: Opening hours as one string, such as 09:00-17:00.
RANGE_PATTERN = r"^\s*[0-9]{2}:[0-9]{2}(:[0-9]{2})?\s*-\s*[0-9]{2}:[0-9]{2}(:[0-9]{2})?\s*$"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class EmptyTextError(ValueError):
    """Text with nothing left to say once control characters and spaces are removed."""


class PhoneNumberError(ValueError):
    """A phone number that is not a valid number in E.164 form."""


def clean_text(value: str) -> str:
    """Remove what would break TwiML or speech (control characters), fold whitespace."""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL_CHARS.sub("", value)
    value = " ".join(value.split())
    if not value:
        raise EmptyTextError("text is empty")
    return value


def _spoken_length(value: str) -> str:
    if len(value) > MAX_SAY_CHARS:
        raise ValueError(
            f"text is {len(value)} characters; a phone prompt must be at most {MAX_SAY_CHARS}"
        )
    return value


SpokenText = Annotated[str, AfterValidator(clean_text), AfterValidator(_spoken_length)]
Word = Annotated[str, AfterValidator(clean_text)]
NodeId = Annotated[str, Field(pattern=NODE_ID_PATTERN)]
#: A language of a line, as its texts name it: "en", "es".
LANGUAGE_CODE_PATTERN = r"^[a-z]{2,3}$"
LanguageCode = Annotated[str, Field(pattern=LANGUAGE_CODE_PATTERN)]
SPEECH_LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"
#: Where pydantic's error locations name which way a text was written; the loader leaves them out.
ONE_LANGUAGE_TAG = "[one language]"
TRANSLATIONS_TAG = "[translations]"


class Translations(dict[str, Any]):
    """A text (or a list of words) written in each of the line's languages: ``{en: ..., es: ...}``.

    The line seen in one language (:meth:`Line.in_language`) holds the text of that language alone.
    """


def _written_in_languages(value: object) -> str:
    return TRANSLATIONS_TAG if isinstance(value, Mapping) else ONE_LANGUAGE_TAG


def in_languages(kind: object) -> Any:
    """``kind``, or a mapping of language codes to ``kind`` in a line of several languages."""
    return Annotated[
        Annotated[kind, Tag(ONE_LANGUAGE_TAG)]  # type: ignore[valid-type]
        | Annotated[
            dict[LanguageCode, kind],  # type: ignore[valid-type]
            AfterValidator(Translations),
            Field(json_schema_extra={"propertyNames": {"pattern": LANGUAGE_CODE_PATTERN}}),
            Tag(TRANSLATIONS_TAG),
        ],
        Discriminator(_written_in_languages),
    ]


#: What a caller hears, in one language or in each of the line's.
Text = in_languages(SpokenText)
#: Words a caller may say, in one language or in each of the line's.
Words = in_languages(Annotated[list[Word], Field(min_length=1)])


def _unquoted_digit(value: object) -> object:
    """YAML reads ``key: 1`` as a number; take it as the key "1"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Key = Annotated[
    str,
    Field(pattern=KEY_PATTERN),
    BeforeValidator(
        _unquoted_digit,
        json_schema_input_type=Annotated[str, Field(pattern=KEY_PATTERN)] | Annotated[int, Field(ge=0, le=9)],
    ),
]


def _e164(value: str, info: ValidationInfo) -> str:
    """A valid number in E.164 form; otherwise an error that suggests one, read in the clinic's country.

    The loader gives that country as ``region`` in the validation context.
    """
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None
    if number is not None and phonenumbers.is_valid_number(number) and written == value:
        return value
    region = info.context.get("region") if info.context else None
    better = suggest.e164(value, region)
    if better:
        raise PhoneNumberError(
            f'{value!r} is not in E.164 form (+, the country code, then the number): write "{better}"'
        )
    raise PhoneNumberError(
        f"{value!r} is not a complete phone number: write +, the country code, then the whole number, "
        f'without spaces, such as "{suggest.example_number(region)}"'
    )


PhoneNumber = Annotated[str, AfterValidator(_e164)]


class Frozen(BaseModel):
    """Base of every part of a line: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


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
                raise ValueError(_range_advice(item))
            opens, _, closes = item.partition("-")
            ranges.append({"opens": opens.strip(), "closes": closes.strip()})
        else:
            ranges.append(item)
    return ranges


def _range_advice(item: str) -> str:
    """What to write instead of opening hours such as "9-5"."""
    if item.strip().casefold() in ("closed", "close", "shut", "none", "off"):
        return f'{item!r} is not a day\'s hours: write closed, in lower case, for a day the clinic is closed'
    better = suggest.clock_range(item)
    if better:
        return f'{item!r} is not written as opening hours: write "{better}" (24-hour clock, two digits for the hour)'
    return (
        f"{item!r} is not written as opening hours: write them as 09:00-17:00 (24-hour clock, two digits "
        "for the hour), a list of such ranges, or closed"
    )


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
        if value.upper() in suggest.FIXED_OFFSET_ZONES:
            raise ValueError(
                f"{value!r} keeps one offset all year, so the opening hours would be an hour out in summer: "
                f'write "{suggest.FIXED_OFFSET_ZONES[value.upper()]}" or the zone of the clinic\'s city'
            )
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            likely = suggest.zone_name(value)
            hint = f'write "{likely}"' if likely else "write its name in the tz database, such as America/New_York"
            raise ValueError(f"{value!r} is not a time zone: {hint}") from None
        return value

    def ranges_on(self, weekday: int) -> list[TimeRange]:
        """Opening ranges for a weekday, 0 being Monday."""
        return getattr(self, WEEKDAYS[weekday])


class Clinic(Frozen):
    name: Word
    phone: PhoneNumber
    after_hours_phone: PhoneNumber | None = None
    emergency_number: Annotated[str, Field(pattern=r"^[0-9]{2,6}$")] = "911"
    hours: OpeningHours

    @model_validator(mode="after")
    def _emergency_number_is_real(self) -> Clinic:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(self.phone))
        if not phonenumbers.is_emergency_number(self.emergency_number, region):
            known = suggest.emergency_numbers(region)
            hint = f": write {' or '.join(repr(number) for number in known)}" if known else ""
            raise ValueError(
                f"emergency_number {self.emergency_number!r} is not an emergency number in "
                f"{suggest.country_name(region)}, the country of the clinic's phone number{hint}"
                + ("" if "emergency_number" in self.model_fields_set else " (911 is used when it is left out)")
            )
        return self


class CallSettings(Frozen):
    """How patient the line is with a caller."""

    no_input_timeout: Annotated[int, Field(ge=8, le=60)] = 8
    max_tries: Annotated[int, Field(ge=1, le=10)] = 3
    transfer_timeout: Annotated[int, Field(ge=5, le=120)] = 25
    #: Store the words callers say (call records); off unless the clinic opts in.
    record_speech: bool = False
    speech_language: Annotated[str, Field(pattern=SPEECH_LANGUAGE_PATTERN)] = "en-US"
    #: Start a caller's next call in the language they chose last time (kept by their number's keyed hash).
    remember_language: bool = False


class Keys(Frozen):
    """Keys that work everywhere on the line; options may not use them."""

    repeat: Key = "*"
    back: Key = "9"
    main_menu: Key = "#"
    clinic: Key = "0"
    slower: Key = "7"
    faster: Key = "8"

    @model_validator(mode="after")
    def _distinct(self) -> Keys:
        seen: dict[str, str] = {}
        for name, key in self.model_dump().items():
            if key in seen:
                raise ValueError(f"{seen[key]} and {name} both use key {key!r}: give each of the line's keys its own")
            seen[key] = name
        return self

    def by_key(self) -> dict[str, str]:
        return {key: name for name, key in self.model_dump().items()}


#: The offline speech engines a line can render its audio with (one module each in ivr/speech/).
EngineName = Literal["flite", "pyttsx3"]


class Voice(Frozen):
    """How prompts are spoken: audio the line renders itself, or Twilio's <Say>."""

    mode: Literal["play", "say"] = "play"
    #: The offline engine for rendered audio: "flite" (Debian's flite, English only) or "pyttsx3"
    #: (espeak-ng, many languages). Left out: flite for an English line, pyttsx3 otherwise.
    engine: EngineName | None = None
    #: The engine's voice. flite: rms, slt, awb or kal16; pyttsx3: an espeak-ng voice such as "en-us",
    #: with an optional variant after "+". Left out: the engine's clearest voice for the line's
    #: language over a phone line (flite: rms; pyttsx3: en-us+Hugo for English), see docs/audio.md.
    name: Word | None = None
    #: Speaking rates in words a minute, slowest first; callers step between them.
    rates: Annotated[list[Annotated[int, Field(ge=80, le=260)]], Field(min_length=1, max_length=5)] = [
        120,
        140,
        160,
    ]
    default_rate: Annotated[int, Field(ge=80, le=160)] = 140
    volume: Annotated[float, Field(gt=0, le=1)] = 1.0
    #: Twilio voice used when audio is missing or mode is "say".
    say_voice: Word | None = None

    @model_validator(mode="after")
    def _default_among_rates(self) -> Voice:
        if sorted(set(self.rates)) != list(self.rates):
            raise ValueError("rates must be listed slowest first, without repeats")
        if self.default_rate not in self.rates:
            raise ValueError(f"default_rate {self.default_rate} must be one of rates {self.rates}")
        return self


class Option(Frozen):
    key: Key
    #: What the caller hears for this option: "For swelling, press 1."
    label: Text
    #: Words or phrases a caller may say to choose it.
    words: Words
    goto: NodeId


class MenuNode(Frozen):
    type: Literal["menu"]
    title: Word
    prompt: Text
    options: Annotated[list[Option], Field(min_length=1)]


class AnswerNode(Frozen):
    type: Literal["answer"]
    title: Word
    text: Text
    #: Related choices offered after the answer, besides repeat, back, main menu and clinic.
    options: list[Option] = []


class TransferNode(Frozen):
    type: Literal["transfer"]
    title: Word
    #: Said before the call is put through.
    text: Text


class EmergencyNode(Frozen):
    type: Literal["emergency"]
    title: Word
    #: Said before the line's emergency advice.
    text: Text | None = None


Node = Annotated[MenuNode | AnswerNode | TransferNode | EmergencyNode, Field(discriminator="type")]
_ENGLISH = builtin("en")


class Phrases(Frozen):
    """The fixed sentences of the line, so that a clinic can word them its own way.

    ``{clinic}``, ``{emergency_number}``, ``{key}`` and similar names in braces are filled in.
    Each defaults to the built-in sentence of the line's language (``ivr/line/languages/``).
    """

    emergency: Text = _ENGLISH.phrases["emergency"]
    option: Text = _ENGLISH.phrases["option"]
    navigation: Text = _ENGLISH.phrases["navigation"]
    pace: Text = _ENGLISH.phrases["pace"]
    #: After every menu's choices, which each say their key: a caller may speak instead.
    say_or_press: Text = _ENGLISH.phrases["say_or_press"]
    #: After the first menu's choices: the keys a first-time caller needs most.
    opening_keys: Text = _ENGLISH.phrases["opening_keys"]
    #: Before the first menu's choices, when the clinic is closed (the hours follow the choices).
    closed_now: Text = _ENGLISH.phrases["closed_now"]
    pace_changed: Text = _ENGLISH.phrases["pace_changed"]
    pace_limit: Text = _ENGLISH.phrases["pace_limit"]
    no_input: Text = _ENGLISH.phrases["no_input"]
    invalid: Text = _ENGLISH.phrases["invalid"]
    not_understood: Text = _ENGLISH.phrases["not_understood"]
    closed: Text = _ENGLISH.phrases["closed"]
    hours: Text = _ENGLISH.phrases["hours"]
    transferring: Text = _ENGLISH.phrases["transferring"]
    after_hours: Text = _ENGLISH.phrases["after_hours"]
    clinic_unavailable: Text = _ENGLISH.phrases["clinic_unavailable"]
    #: Said before a caller who did not choose after several tries is put through.
    putting_through: Text = _ENGLISH.phrases["putting_through"]
    #: Said before the numbers and the emergency advice are said a second time, before goodbye.
    once_more: Text = _ENGLISH.phrases["once_more"]
    after_hours_number: Text = _ENGLISH.phrases["after_hours_number"]
    clinic_number: Text = _ENGLISH.phrases["clinic_number"]
    main_menu_offer: Text = _ENGLISH.phrases["main_menu_offer"]
    goodbye: Text = _ENGLISH.phrases["goodbye"]
    apology: Text = _ENGLISH.phrases["apology"]
    #: At the start of a call in a line of several languages, said in this language by its own voice.
    language_offer: Text = _ENGLISH.phrases["language_offer"]


class CommandWords(Frozen):
    """Words a caller may say instead of pressing a line-wide key."""

    repeat: Words = list(_ENGLISH.command_words["repeat"])
    back: Words = list(_ENGLISH.command_words["back"])
    main_menu: Words = list(_ENGLISH.command_words["main_menu"])
    clinic: Words = list(_ENGLISH.command_words["clinic"])
    slower: Words = list(_ENGLISH.command_words["slower"])
    faster: Words = list(_ENGLISH.command_words["faster"])


class LineLanguage(Frozen):
    """One of the languages of a line of several: how callers in it are heard and spoken to.

    The first language takes the line's own ``call.speech_language``, ``voice`` and ``pronounce`` for
    any it leaves out; every other language names its ``speech_language``.
    """

    #: The language callers speak, for Twilio's speech recognition and its <Say>, such as "es-US".
    speech_language: Annotated[str, Field(pattern=SPEECH_LANGUAGE_PATTERN)] | None = None
    voice: Voice = Voice()
    #: How this language's offline voice should say words it gets wrong, as the line's pronounce.
    pronounce: dict[Word, Word] = {}


def _none_is_empty(value: object) -> object:
    """``en:`` with nothing under it: the first language, set up by the line's own settings."""
    return {} if value is None else value


class Line(Frozen):
    """One information line: who answers, what callers hear, and the menu tree."""

    name: Word
    #: The line's languages, the first being the one every call starts in; None: one language only.
    languages: Annotated[
        dict[LanguageCode, Annotated[LineLanguage, BeforeValidator(_none_is_empty,
                                                                     json_schema_input_type=LineLanguage | None)]],
        Field(min_length=1, json_schema_extra={"propertyNames": {"pattern": LANGUAGE_CODE_PATTERN}}),
    ] | None = None
    clinic: Clinic
    call: CallSettings = CallSettings()
    voice: Voice = Voice()
    keys: Keys = Keys()
    phrases: Phrases = Phrases()
    command_words: CommandWords = CommandWords()
    #: Spoken phrases that skip the menus and go straight to the emergency advice. They add to the
    #: line's built-in understanding of emergencies (ivr/call/emergency), which needs no list here.
    emergency_phrases: in_languages(list[Word]) = []  # type: ignore[valid-type]
    #: How the offline voice should say words it gets wrong, e.g. {"pace": "paiss"}: whole words
    #: or phrases, any case. Only the rendered audio changes; the text shown and given to <Say> does not.
    pronounce: dict[Word, Word] = {}
    #: Said first on every call.
    greeting: Text
    start: NodeId
    #: propertyNames lets an editor flag a badly written node id, as the loader does.
    nodes: Annotated[
        dict[NodeId, Node], Field(json_schema_extra={"propertyNames": {"pattern": NODE_ID_PATTERN}})
    ]

    #: The line as seen in each of its languages, made once (see :mod:`ivr.line.views`).
    _views: Views | None = PrivateAttr(default=None)
    #: In a view of one language: that language.
    _language: str = PrivateAttr(default="")

    def node(self, node_id: str) -> MenuNode | AnswerNode | TransferNode | EmergencyNode:
        return self.nodes[node_id]

    @property
    def language(self) -> str:
        """The language this line speaks: its first, or the one it is seen in (:meth:`in_language`)."""
        if self._language:
            return self._language
        if self.languages:
            return next(iter(self.languages))
        return self.call.speech_language.split("-")[0].lower()

    @property
    def language_codes(self) -> tuple[str, ...]:
        """Every language of the line, the first being the one calls start in."""
        return tuple(self.languages) if self.languages else (self.language,)

    def in_language(self, code: str | None = None) -> Line:
        """The line as heard in ``code`` (by default the language it is seen in: a file's first, a view's own):
        every text in that language alone, that language's speech_language, voice and pronounce. A line of
        one language is its own view."""
        from ivr.line.views import view

        return view(self, code or self.language)
