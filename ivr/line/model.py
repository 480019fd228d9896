"""The typed, immutable shape of an information line, as written in its YAML file.

The model checks each value on its own (types, unknown keys, empty text, phone
numbers); checks that need the whole tree, and what to write instead of a refused
value, are the checker's (:mod:`ivr.line.validate`).
"""

from __future__ import annotations

from typing import Annotated, Literal

import phonenumbers
from pydantic import BeforeValidator, Field, PrivateAttr, model_validator

from ivr.languages import builtin
from ivr.line.hours import OpeningHours
from ivr.line.texts import (
    LANGUAGE_CODE_PATTERN,
    SPEECH_LANGUAGE_PATTERN,
    LanguageCode,
    Sayings,
    Text,
    Word,
    Words,
)
from ivr.line.values import NODE_ID_PATTERN, EmergencyNumber, Frozen, Key, NodeId, PhoneNumber
from ivr.line.views import Views, seen_in


class EmergencyNumberError(ValueError):
    """A clinic's emergency_number that is not one in ``region``, the country of the clinic's phone."""

    def __init__(self, number: str, region: str | None, written: bool) -> None:
        self.number = number
        self.region = region
        #: Whether the file wrote it (else it is the default, 911).
        self.written = written
        super().__init__(f"emergency_number {number!r} is not an emergency number in the country of the clinic's "
                         "phone number")


class Clinic(Frozen):
    name: Word
    phone: PhoneNumber
    after_hours_phone: PhoneNumber | None = None
    emergency_number: EmergencyNumber = "911"
    hours: OpeningHours

    @model_validator(mode="after")
    def _emergency_number_is_real(self) -> Clinic:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(self.phone))
        if not region or not phonenumbers.is_emergency_number(self.emergency_number, region):
            raise EmergencyNumberError(self.emergency_number, region, "emergency_number" in self.model_fields_set)
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


#: The line's own keys that mean nothing at the very first menu, before anything else, in the order other
#: languages are offered on them: "back" has nothing to go back to, "main_menu" is where the caller is.
OFFER_KEYS = ("back", "main_menu")

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
    #: Things callers say that mean this option, in their own words ("I can't see straight"): the line
    #: understands what is said by its meaning, nearest to these, the label and the words (ivr/call/meaning).
    examples: Sayings = []


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
    #: A place for a concerning symptom: a caller who describes it at any menu or answer is taken here, as
    #: one who describes an emergency is taken to the emergency advice.
    concerning: bool = False
    #: What the place is about, as the line asks a caller it is unsure of: "It sounds like {about}. Is that
    #: right?". Left out: the label of the first option that leads here.
    about: Text | None = None


class EmergencyNode(Frozen):
    type: Literal["emergency"]
    title: Word
    #: Said before the line's emergency advice.
    text: Text | None = None


class Messaging(Frozen):
    """Answers sent by text message during a call ("text me this answer"), from the line's own number.

    The offer is made only when the server can send texts too (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN).
    """

    #: The line's Twilio number that sends the texts: one with messaging, in E.164 form.
    number: PhoneNumber
    #: The key a caller presses after an answer to have it by text; it means nothing else at an answer.
    key: Key = "6"


Node = Annotated[MenuNode | AnswerNode | TransferNode | EmergencyNode, Field(discriminator="type")]
_ENGLISH = builtin("en")


class Phrases(Frozen):
    """The fixed sentences of the line, so that a clinic can word them its own way.

    ``{clinic}``, ``{emergency_number}``, ``{key}`` and similar names in braces are filled in.
    Each defaults to the built-in sentence of the line's language (``ivr/languages/<code>/line.yaml``).
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
    #: Asked once of a caller the line is unsure of: {about} is what it thinks they mean.
    ask_back: Text = _ENGLISH.phrases["ask_back"]
    #: Said to a caller who asks about something the line does not cover, before how to reach the clinic.
    out_of_scope: Text = _ENGLISH.phrases["out_of_scope"]
    #: The same, for a line that names no topic.
    out_of_scope_general: Text = _ENGLISH.phrases["out_of_scope_general"]
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
    #: Answers by text message during a call; None: never offered.
    messaging: Messaging | None = None
    phrases: Phrases = Phrases()
    command_words: CommandWords = CommandWords()
    #: What the line answers questions about, said to a caller who asks about something else: "This line
    #: answers questions about {topic}." Left out: the caller hears that the line cannot answer it.
    topic: Text | None = None
    #: Spoken phrases that skip the menus and go straight to the emergency advice. They add to the
    #: line's built-in understanding of emergencies (ivr/call/emergency), which needs no list here.
    emergency_phrases: Sayings = []
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

    #: The views of the line as its file wrote it, by language: made when first asked for, and shared by the
    #: views themselves (a view's ``in_language`` of another language is the source's view).
    _views: Views[Line] | None = PrivateAttr(default=None)
    #: In a view of one language: that language.
    _language: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _text_key_is_free_at_answers(self) -> Line:
        """The key for an answer by text works after every answer: no line key and no answer's option may use it."""
        if self.messaging is None:
            return self
        key = self.messaging.key
        own = self.keys.by_key().get(key)
        if own is not None:
            raise ValueError(f"messaging.key {key!r} is the line's key for {own.replace('_', ' ')}: choose another")
        for node_id, node in self.nodes.items():
            if isinstance(node, AnswerNode) and any(option.key == key for option in node.options):
                raise ValueError(f"messaging.key {key!r} is an option of answer {node_id!r}, where callers press "
                                 "it to have the answer by text: choose another key for one of them")
        return self

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
        every text in that language alone, that language's speech_language, voice and pronounce; raises
        KeyError for a language it does not have.

        A line of one language is its own view, and so is a view seen in its own language, so that a copy
        of a view with a setting changed (another voice, to measure it) keeps the change."""
        code = code or self.language
        if self._language == code:
            return self
        if not self.languages:
            if code != self.language:
                raise KeyError(f"the line speaks {self.language}, not {code}")
            return self
        views = self._views
        if views is None or (not self._language and views.source is not self):
            # The line as its file wrote it (or a copy of it with a setting changed): its own views.
            views = self._views = Views(self, self._seen_in)
        if code not in (views.source.languages or {}):
            raise KeyError(f"{code!r} is not one of the line's languages")
        return views.of(code)

    def _seen_in(self, code: str) -> Line:
        view = self.model_copy(update=seen_in(self, code))
        view._language = code
        return view
