"""Every sentence a caller can hear on a line, composed from the line's file.

The call flow asks for texts here and nowhere else, so :func:`all_prompts` can list every
one of them ahead of a call (to render them to audio).
"""

from __future__ import annotations

import re

from ivr.languages import DEFAULT_LANGUAGE, builtin, emergency_hints, key_name, language, spoken_digits
from ivr.languages.messaging import BY_CALL_RESULTS
from ivr.line.hours import describe
from ivr.line.model import (
    OFFER_KEYS,
    AnswerNode,
    EmergencyNode,
    Line,
    MenuNode,
    Option,
    TransferNode,
)
from ivr.line.sentences import KEY_SENTENCES, fill, names_number

#: The pseudo-node a caller is at after hearing how else to reach the clinic.
END = "_end"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def spoken_key(line: Line, key: str) -> str:
    """How the line says a key in its language: "star", "pound" in en-US, "hash" in en-GB, "numeral" in es-US."""
    return key_name(key, line.call.speech_language)


def opening_offers(line: Line, starting: str) -> list[tuple[str, str]]:
    """The other languages offered at the start of a call that starts in ``starting``, each with its key:
    at the first menu, before anything else, the keys for going back and for the main menu mean nothing."""
    others = [code for code in line.language_codes if code != starting]
    return [(code, getattr(line.keys, name)) for code, name in zip(others, OFFER_KEYS, strict=False)]


def starting_languages(line: Line) -> list[str]:
    """The languages a call can start in: the first, and any other when callers' choices are remembered."""
    return list(line.language_codes) if line.call.remember_language else list(line.language_codes[:1])


class Script:
    """The words of one line, each sentence built once with its placeholders filled.

    The line's rule (:mod:`ivr.line.validate.sentences`) has refused any placeholder it cannot fill,
    and filling never raises, so no sentence breaks during a call.
    """

    def __init__(self, line: Line) -> None:
        self.line = line
        self.phrases = line.phrases
        keys = {name: spoken_key(line, key) for name, key in line.keys.model_dump().items()}
        self._keys = keys
        self._clinic = line.clinic.name
        self._line_values = {
            "clinic": self._clinic,
            "emergency_number": spoken_digits(line.clinic.emergency_number),
        }
        self._built: dict[tuple[str, ...], str] = {}
        self._words = builtin(line.language)
        self._hours = self._phrase("hours", hours=describe(line.clinic.hours, self._words.hours))
        #: The greeting up to its sentence that names the emergency number, and the rest of it.
        self.greeting_parts = _split_greeting(self.greeting(), spoken_digits(line.clinic.emergency_number),
                                               line.clinic.emergency_number)
        self._emergency_hints = list(emergency_hints(line.call.speech_language))
        self.every_text = _every_text(self)

    def _phrase(self, name: str, **values: str) -> str:
        """The phrase ``name`` with its placeholders filled: the line's, or the keys' in sentences about keys."""
        key = (name, *(f"{k}={v}" for k, v in sorted(values.items())))
        said = self._built.get(key)
        if said is None:
            base = self._keys if name in KEY_SENTENCES else self._line_values
            said = self._built[key] = fill(getattr(self.phrases, name), {**base, **values})
        return said

    def _text(self, text: str) -> str:
        """A text of the line's own (greeting, prompt, answer, label) with {clinic} and {emergency_number} filled."""
        key = ("", text)
        said = self._built.get(key)
        if said is None:
            said = self._built[key] = fill(text, self._line_values)
        return said

    def greeting(self) -> str:
        return self._text(self.line.greeting)

    def greeting_with(self, offers: list[str]) -> list[str]:
        """The greeting, with the offers of other languages after its emergency sentence (none: as it is)."""
        if not offers:
            return [self.greeting()]
        first, rest = self.greeting_parts
        return [first, *offers, *([rest] if rest else [])]

    def language_offer(self, key: str) -> str:
        """This language offered at the start of a call in another: "Para español, oprima 9."."""
        return self._phrase("language_offer", key=spoken_key(self.line, key))

    def hours(self) -> str:
        return self._hours

    def closed(self) -> str:
        return self._phrase("closed", hours=self.hours())

    def pace_help(self) -> str:
        return self._phrase("pace")

    def navigation(self) -> str:
        return self._phrase("navigation")

    def option(self, option: Option) -> str:
        return self._phrase("option", label=self._text(option.label), key=spoken_key(self.line, option.key))

    def options(self, options: list[Option]) -> list[str]:
        """One text for each option, so that a caller can press as soon as theirs is said."""
        return [self.option(o) for o in options]

    def say_or_press(self) -> str:
        return self._phrase("say_or_press")

    def opening_keys(self) -> str:
        return self._phrase("opening_keys")

    def closed_now(self) -> str:
        return self._phrase("closed_now")

    def opening(self, menu: MenuNode, closed: bool, offers: list[str] | None = None) -> list[str]:
        """What a caller hears first: the greeting, then straight to the first menu's choices, and after
        them the opening hours (when closed) and the keys a first-time caller needs most, so that
        nothing delays the first choice.

        ``offers``: the other languages, offered after the greeting's emergency sentence. They take the
        seconds the closed notice had before the choices: it then comes after them, with the hours.
        """
        greeting = self.greeting_with(offers or [])
        choices = [*self.options(menu.options), self.say_or_press()]
        if closed and offers:
            return [*greeting, *choices, self.closed_now(), self.hours(), self.opening_keys()]
        if closed:
            return [*greeting, self.closed_now(), *choices, self.hours(), self.opening_keys()]
        return [*greeting, *choices, self.opening_keys()]

    def node(self, node: MenuNode | AnswerNode | TransferNode | EmergencyNode, again: bool = False) -> list[str]:
        """What a caller hears on arriving at a node (transfers and emergencies add their own).

        ``again``: the caller was silent or unclear after it; an answer is not read again
        in full then, only what the caller can do next; and both add every key that works
        everywhere, the pace keys too. An answer always ends with the keys; a menu heard the
        first time keeps to its choices, so that the way to an answer is short.
        """
        every_key = [self.navigation(), self.pace_help()] if again else []
        if isinstance(node, MenuNode):
            return [self._text(node.prompt), *self.options(node.options), self.say_or_press(), *every_key]
        if isinstance(node, AnswerNode):
            text = [] if again else [self._text(node.text)]
            return [*text, *self.options(node.options), *(every_key or [self.navigation()])]
        if isinstance(node, TransferNode):
            return [self._text(node.text)]
        return [self._text(node.text)] if node.text else []

    def emergency(self) -> str:
        return self._phrase("emergency")

    def text_offer(self) -> str:
        """After an answer, on a line with messaging on: "To get this answer by text message, press 6, or say
        text." (the words are the language pack's, ``by_call`` in texts.yaml)."""
        assert self.line.messaging is not None
        return self._by_call("offer", key=spoken_key(self.line, self.line.messaging.key))

    def texted(self, result: str) -> str:
        """What became of the answer the caller asked for by text: one of BY_CALL_RESULTS."""
        return self._by_call(result)

    def text_words(self) -> tuple[str, ...]:
        """What a caller may say after an answer to have it by text ("text", "mensaje")."""
        return language(self.line.language).messages.by_call_words or language(DEFAULT_LANGUAGE).messages.by_call_words

    def _by_call(self, name: str, **values: str) -> str:
        key = ("by_call", name, *(f"{k}={v}" for k, v in sorted(values.items())))
        said = self._built.get(key)
        if said is None:
            written = (language(self.line.language).messages.by_call.get(name)
                       or language(DEFAULT_LANGUAGE).messages.by_call[name])
            said = self._built[key] = fill(written, {**self._line_values, **values})
        return said

    def no_input(self) -> str:
        return self._phrase("no_input")

    def invalid(self) -> str:
        return self._phrase("invalid")

    def not_understood(self) -> str:
        return self._phrase("not_understood")

    def transferring(self) -> str:
        return self._phrase("transferring")

    def after_hours(self) -> str:
        return self._phrase("after_hours")

    def clinic_unavailable(self) -> str:
        return self._phrase("clinic_unavailable")

    def other_numbers(self, failed: str | None = None) -> list[str]:
        """How else to reach the clinic: the after-hours number if any (and it is not the one that just
        failed), else the clinic's own."""
        after_hours = self.line.clinic.after_hours_phone
        if after_hours and failed != "after_hours":
            return [self._phrase("after_hours_number", number=spoken_digits(after_hours))]
        return [self._phrase("clinic_number", number=spoken_digits(self.line.clinic.phone))]

    def ask_back(self, about: str) -> str:
        return self._phrase("ask_back", about=about)

    def out_of_scope(self) -> str:
        topic = self.line.topic
        return self._phrase("out_of_scope", topic=topic) if topic else self._phrase("out_of_scope_general")

    def clinic_number(self) -> str:
        return self._phrase("clinic_number", number=spoken_digits(self.line.clinic.phone))

    def putting_through(self) -> str:
        return self._phrase("putting_through")

    def once_more(self) -> str:
        return self._phrase("once_more")

    def main_menu_offer(self) -> str:
        return self._phrase("main_menu_offer")

    def goodbye(self) -> str:
        return self._phrase("goodbye")

    def apology(self) -> str:
        return self._phrase("apology")

    def pace_changed(self) -> str:
        return self._phrase("pace_changed")

    def pace_limit(self, slowest: bool) -> str:
        return self._phrase("pace_limit", limit=self._words.limits["slowest" if slowest else "fastest"])

    def offer_words(self) -> tuple[str, ...]:
        """What a caller says at the start of a call to choose this language ("español", "Spanish")."""
        return self._words.offer_words if self._words.code == self.line.language else (self.line.language,)

    def hints(self, options: list[Option]) -> list[str]:
        """Words the speech recogniser should expect at a node."""
        words = [w for o in options for w in o.words]
        words += [w for spoken in self.line.command_words.model_dump().values() for w in spoken]
        words += self._emergency_hints
        words += self.line.emergency_phrases
        return list(dict.fromkeys(words))


def all_prompts(line: Line, language: str | None = None) -> list[str]:
    """Every text a caller can hear on this line in ``language`` (the line's first by default), each once,
    in a stable order: to render and audit each language with its own voice.

    In a line of several languages that includes the greeting in two parts (the offers of the other
    languages come between them) and this language's offer, said at the start of calls in the others.
    """
    view = line.in_language(language)
    script = Script(view)
    texts = list(script.every_text)
    if len(view.language_codes) > 1:
        texts += [text for text in script.greeting_parts if text]
        for starting in starting_languages(view):
            offered = opening_offers(view, starting)
            texts += [script.language_offer(key) for code, key in offered if code == view.language]
    return list(dict.fromkeys(texts))


def _split_greeting(greeting: str, *numbers: str) -> tuple[str, str]:
    """The greeting up to the sentence that names the emergency number, and the rest of it."""
    sentences = _SENTENCE_END.split(greeting)
    for index, sentence in enumerate(sentences):
        if any(names_number(sentence, number) for number in numbers if number):
            return " ".join(sentences[: index + 1]), " ".join(sentences[index + 1 :])
    return greeting, ""


def _every_text(script: Script) -> tuple[str, ...]:
    """Builds every sentence of the line, so that none is first made during a call."""
    texts = [
        script.greeting(),
        script.closed(),
        script.hours(),
        script.pace_help(),
        script.navigation(),
        script.say_or_press(),
        script.opening_keys(),
        script.closed_now(),
        script.emergency(),
        script.no_input(),
        script.invalid(),
        script.not_understood(),
        script.transferring(),
        script.after_hours(),
        script.clinic_unavailable(),
        *script.other_numbers(),
        *script.other_numbers(failed="after_hours"),
        script.putting_through(),
        script.once_more(),
        script.main_menu_offer(),
        script.goodbye(),
        script.apology(),
        script.pace_changed(),
        script.pace_limit(slowest=True),
        script.pace_limit(slowest=False),
    ]
    if script.line.messaging is not None:
        texts += [script.text_offer(), *(script.texted(result) for result in BY_CALL_RESULTS)]
    for node in script.line.nodes.values():
        texts += script.node(node)
    return tuple(dict.fromkeys(texts))
