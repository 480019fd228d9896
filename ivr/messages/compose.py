"""What one turn of the line says by text message, written for a phone's screen.

The call flow decides what happens (:mod:`ivr.call`); this writes it: the clinic's own texts as they
wrote them (typography that would force UCS-2 made plain), a menu as a short numbered list, and a
transfer as the number to call and whether the clinic is open now. Imports no Flask.
"""

from __future__ import annotations

import datetime as dt
import functools

import phonenumbers

from ivr.call import Connect, Finish, Listen, Turn
from ivr.languages import language
from ivr.languages.messaging import MessageWords
from ivr.line import END, AnswerNode, EmergencyNode, Line, MenuNode, Option, Script, TransferNode, fill, is_open
from ivr.messages.segments import plain

#: Events after which the texter is shown only what they can reply, not the whole answer again.
_AGAIN = frozenset({"invalid", "no_input", "out_of_scope"})
#: Events that start a conversation: the greeting comes first.
_STARTS = frozenset({"start", "language"})


def phone_number(number: str) -> str:
    """A number as a phone shows it, tappable: "+1 202-555-0143"."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number


class TextScript:
    """The words of one line in one of its languages, as text messages (``line`` is a view in one language)."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.words: MessageWords = language(line.language).messages
        self._spoken = Script(line)
        clinic = line.clinic
        self._values = {"clinic": clinic.name, "emergency_number": clinic.emergency_number}

    def phrase(self, name: str, **values: str) -> str:
        return plain(fill(self.words.phrases[name], {**self._values, **values}))

    def text(self, text: str) -> str:
        """One of the clinic's own texts, its placeholders filled with digits (not spoken digits)."""
        return plain(fill(text, self._values))

    @functools.cached_property
    def greeting(self) -> str:
        return self.text(self.line.greeting)

    def help(self) -> str:
        return self.phrase("help", number=phone_number(self.line.clinic.phone))

    def apology(self) -> str:
        return self.phrase("apology", number=phone_number(self.line.clinic.phone))

    def emergency(self) -> str:
        return self.phrase("emergency")

    def menu(self, options: tuple[Option, ...] | list[Option]) -> str:
        """The choices as a numbered list, one a line, the clinic's number last."""
        lines = [self.phrase("choose")]
        lines += [self.phrase("option", key=option.key, label=self.text(option.label)) for option in options]
        lines.append(self.phrase("clinic_option", key=self.line.keys.clinic))
        return "\n".join(lines)

    def reach(self, now: dt.datetime, failed: str | None = None) -> str:
        """How to reach the clinic now: its number while it is open, else its hours and the after-hours line."""
        clinic = self.line.clinic
        if is_open(clinic.hours, now) and failed != "clinic":
            return self.phrase("open_now", number=phone_number(clinic.phone))
        hours = plain(self._spoken.hours())
        if clinic.after_hours_phone and failed != "after_hours":
            return self.phrase("closed_after_hours", hours=hours, number=phone_number(clinic.after_hours_phone))
        return self.phrase("closed", hours=hours, number=phone_number(clinic.phone))

    def answer_by_text(self, node: AnswerNode) -> list[str]:
        """An answer a caller asked for by text during a call: the clinic's text, then whose line sent it, the
        clinic's number and the emergency number (the text outlives the call, and is read without it)."""
        return [self.text(node.text), self.phrase("from_the_call", number=phone_number(self.line.clinic.phone))]

    def turn(self, turn: Turn, now: dt.datetime, notice: str = "") -> list[str]:
        """The blocks of text one turn writes: each a paragraph, or a list one item a line."""
        blocks = [notice] if notice else []
        then = turn.then
        node = self.line.nodes.get(turn.node)
        if isinstance(then, Finish):
            if turn.event.name == "emergency_phrase" or isinstance(node, EmergencyNode):
                own = [self.text(node.text)] if isinstance(node, EmergencyNode) and node.text else []
                return [*blocks, *own]  # the advice itself is written by the caller of this, in each language heard
            return [*blocks, self.reach(now), self.emergency(), self.phrase("keywords")]
        if isinstance(then, Connect):
            if isinstance(node, TransferNode):
                blocks.append(self.text(node.text))
            return [*blocks, self.reach(now, then.state.failed), self.phrase("keywords")]
        return [*blocks, *self._listening(turn, then, now)]

    def _listening(self, turn: Turn, then: Listen, now: dt.datetime) -> list[str]:
        if then.state.node == END:
            return [self.reach(now, then.state.failed), self.emergency(), self.phrase("keywords")]
        node = self.line.node(then.state.node)
        again = turn.event.name in _AGAIN
        blocks = [self.greeting] if turn.event.name in _STARTS else []
        if turn.event.name == "asked_back":  # the question back alone, its answer still to come
            return [*blocks, turn.texts[-1]]
        if turn.event.name == "out_of_scope":  # what the line covers, before the menu again
            blocks.append(turn.texts[0])
        if isinstance(node, MenuNode):
            prompt = [] if again or turn.event.name in _STARTS else [self.text(node.prompt)]
            return [*blocks, *prompt, self.menu(node.options)]
        if isinstance(node, AnswerNode):
            text = [] if again else [self.text(node.text)]
            menu = [self.menu(node.options)] if node.options else []
            return [*blocks, *text, *menu, self.phrase("keywords")]
        return blocks  # a transfer or emergency node never listens
