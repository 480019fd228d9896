"""Every sentence a caller can hear on a line, composed from the line's file.

The flow asks for texts here and nowhere else, so :func:`all_prompts` can list every
one of them ahead of a call (to render them to audio).
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from ivr.call.hours import describe
from ivr.line.model import AnswerNode, EmergencyNode, Line, MenuNode, Option, TransferNode

#: The pseudo-node a caller is at after hearing how else to reach the clinic.
END = "_end"


def spoken_key(line: Line, key: str) -> str:
    if key == "*":
        return "star"
    if key == "#":
        return "hash" if line.call.speech_language.endswith("GB") else "pound"
    return key


@functools.lru_cache(maxsize=256)
def spoken_digits(number: str) -> str:
    """Digits a listener can write down: "+12025550143" -> "2 0 2, 5 5 5, 0 1 4 3"."""
    if not number.startswith("+"):
        return " ".join(number)
    parsed = phonenumbers.parse(number)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return ", ".join(" ".join(group) for group in re.findall(r"\d+", national))


class Script:
    """The words of one line."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.phrases = line.phrases
        keys = {name: spoken_key(line, key) for name, key in line.keys.model_dump().items()}
        self._keys = keys
        self._clinic = line.clinic.name
        self._hours = self.phrases.hours.format(hours=describe(line.clinic.hours))

    def greeting(self) -> str:
        return self.line.greeting

    def hours(self) -> str:
        return self._hours

    def closed(self) -> str:
        return self.phrases.closed.format(hours=self.hours(), clinic=self._clinic)

    def pace_help(self) -> str:
        return self.phrases.pace.format(**self._keys)

    def navigation(self) -> str:
        return self.phrases.navigation.format(**self._keys)

    def option(self, option: Option) -> str:
        return self.phrases.option.format(label=option.label, key=spoken_key(self.line, option.key))

    def options(self, options: list[Option]) -> list[str]:
        """One text for each option, so that a caller can press as soon as theirs is said."""
        return [self.option(o) for o in options]

    def say_or_press(self) -> str:
        return self.phrases.say_or_press

    def opening_keys(self) -> str:
        return self.phrases.opening_keys.format(**self._keys)

    def closed_now(self) -> str:
        return self.phrases.closed_now.format(clinic=self._clinic)

    def opening(self, menu: MenuNode, closed: bool) -> list[str]:
        """What a caller hears first: the greeting, then straight to the first menu's choices, and after
        them the opening hours (when closed) and the keys a first-time caller needs most, so that
        nothing delays the first choice."""
        if closed:
            return [self.greeting(), self.closed_now(), *self.options(menu.options), self.say_or_press(),
                    self.hours(), self.opening_keys()]
        return [self.greeting(), *self.options(menu.options), self.say_or_press(), self.opening_keys()]

    def node(self, node: MenuNode | AnswerNode | TransferNode | EmergencyNode, again: bool = False) -> list[str]:
        """What a caller hears on arriving at a node (transfers and emergencies add their own).

        ``again``: the caller was silent or unclear after it; an answer is not read again
        in full then, only what the caller can do next; and both add every key that works
        everywhere, the pace keys too. An answer always ends with the keys; a menu heard the
        first time keeps to its choices, so that the way to an answer is short.
        """
        every_key = [self.navigation(), self.pace_help()] if again else []
        if isinstance(node, MenuNode):
            return [node.prompt, *self.options(node.options), self.say_or_press(), *every_key]
        if isinstance(node, AnswerNode):
            text = [] if again else [node.text]
            return [*text, *self.options(node.options), *(every_key or [self.navigation()])]
        if isinstance(node, TransferNode):
            return [node.text]
        return [node.text] if node.text else []

    def emergency(self) -> str:
        return self.phrases.emergency.format(emergency_number=spoken_digits(self.line.clinic.emergency_number))

    def no_input(self) -> str:
        return self.phrases.no_input

    def invalid(self) -> str:
        return self.phrases.invalid

    def not_understood(self) -> str:
        return self.phrases.not_understood

    def transferring(self) -> str:
        return self.phrases.transferring.format(clinic=self._clinic)

    def after_hours(self) -> str:
        return self.phrases.after_hours.format(clinic=self._clinic)

    def clinic_unavailable(self) -> str:
        return self.phrases.clinic_unavailable.format(clinic=self._clinic)

    def other_numbers(self) -> list[str]:
        """How else to reach the clinic: the after-hours number if any, else the clinic's own."""
        after_hours = self.line.clinic.after_hours_phone
        if after_hours:
            return [self.phrases.after_hours_number.format(number=spoken_digits(after_hours))]
        return [
            self.phrases.clinic_number.format(clinic=self._clinic, number=spoken_digits(self.line.clinic.phone))
        ]

    def main_menu_offer(self) -> str:
        return self.phrases.main_menu_offer.format(**self._keys)

    def goodbye(self) -> str:
        return self.phrases.goodbye

    def apology(self) -> str:
        return self.phrases.apology

    def pace_changed(self) -> str:
        return self.phrases.pace_changed

    def pace_limit(self, slowest: bool) -> str:
        return self.phrases.pace_limit.format(limit="slowest" if slowest else "fastest")

    def hints(self, options: list[Option]) -> list[str]:
        """Words the speech recogniser should expect at a node."""
        words = [w for o in options for w in o.words]
        words += [w for spoken in self.line.command_words.model_dump().values() for w in spoken]
        words += self.line.emergency_phrases
        return list(dict.fromkeys(words))


def all_prompts(line: Line) -> list[str]:
    """Every text a caller can hear on this line, each once, in a stable order."""
    script = Script(line)
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
        script.main_menu_offer(),
        script.goodbye(),
        script.apology(),
        script.pace_changed(),
        script.pace_limit(slowest=True),
        script.pace_limit(slowest=False),
    ]
    for node in line.nodes.values():
        texts += script.node(node)
    return list(dict.fromkeys(texts))
