"""A conversation by text message on a line: the same call flow, walked one message at a time.

Knows nothing of HTTP, TwiML or the database: given where the texter is (or None for a new
conversation), whether they have said STOP, and their message, it says what to write back, where
they are now, and whether they stopped or started again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, replace

from ivr.call import CallFlow, CallState, Connect, Finish, Listen, Turn
from ivr.call.flow import OVERRULED
from ivr.call.matching import normalise
from ivr.languages import builtin, language
from ivr.languages.messaging import keyword
from ivr.line import AnswerNode, EmergencyNode, Line, TransferNode
from ivr.messages.compose import TextScript
from ivr.messages.segments import parts

logger = logging.getLogger(__name__)

#: The longest message read (Twilio joins a long text into one Body of up to 1,600 characters).
MAX_BODY = 1600
#: A message that is only keys: "2", "0", "12".
_KEYS = re.compile(r"^[0-9*#]+$")
#: Events of a turn that did not understand the message.
_NOT_UNDERSTOOD = frozenset({"invalid", "no_input"})


@dataclass(frozen=True)
class Message:
    """What a texter sent: its words, and how many pictures or files came with it."""

    body: str
    media: int = 0


@dataclass(frozen=True)
class Reply:
    """What to write back (each text one message, at most three segments long; none for a stopped number),
    where the texter is now (None: the conversation is over and kept no more), and ``stopped``: True when they
    said STOP, False when they started again, None when neither."""

    texts: tuple[str, ...]
    state: CallState | None
    stopped: bool | None = None
    #: The call flow's turn the reply writes, for the call records (None: a keyword the flow never saw).
    turn: Turn | None = None


class TextLine:
    """The behaviour of one line by text message, in each of its languages."""

    def __init__(self, flow: CallFlow) -> None:
        self.flow = flow
        self.line = flow.line
        self.languages = flow.languages
        self.scripts = {code: TextScript(self.line.in_language(code)) for code in self.languages}
        words = [self.scripts[code].words for code in self.languages]
        #: Carriers take the English keywords whatever the line's languages; each language's own are taken too.
        self._stop = frozenset().union(*(w.stop_words for w in words), _english_words("stop_words"))
        self._start = frozenset().union(*(w.start_words for w in words), _english_words("start_words"))
        self._help = {code: self.scripts[code].words.help_words for code in self.languages}
        self._greetings = {code: self.scripts[code].words.greetings for code in self.languages}
        #: A language's name as a whole message ("ESPAÑOL", "english") chooses it at any place.
        self._names = {code: frozenset(keyword(word) for word in builtin(code).offer_words) for code in self.languages}

    def answer(self, state: CallState | None, stopped: bool, message: Message, now: dt.datetime) -> Reply:
        """The reply to ``message`` from a texter at ``state`` (None: a new or expired conversation)."""
        body = message.body[:MAX_BODY]
        word = keyword(body)
        if word in self._stop:
            return Reply((), None, stopped=True)
        if stopped:
            if word in self._start:
                return replace(self._first(Message(""), now), stopped=False)
            return Reply((), state)  # a stopped number is never written to
        code = self._language(state)
        if any(word in words for words in self._help.values()):
            helping = next((c for c in self.languages if word in self._help[c]), code)
            return Reply(self._write([self.scripts[helping].help()]), state)
        # A language's name chooses it, the conversation's own too: the texter asking for it is no mistake.
        chosen = next((c for c in self.languages if word in self._names[c]), None)
        if chosen is not None and len(self.languages) > 1:
            turn = self.flow.start(now, chosen)
            return Reply(self._write(self.scripts[chosen].turn(turn, now)), self._kept(turn, None), turn=turn)
        if state is None:
            return self._first(message, now)
        return self._next(state, message, now)

    # -- the conversation's turns ------------------------------------------------------

    def _first(self, message: Message, now: dt.datetime) -> Reply:
        """A new conversation: the emergency sentence first (the greeting), then what the message asked for,
        or the first menu when it asked for nothing the line understands."""
        word = keyword(message.body[:MAX_BODY])
        greeted = next((c for c in self.languages if word in self._greetings[c]), None)
        start = self.flow.start(now, greeted)
        if not greeted and (word or message.media):
            assert isinstance(start.then, Listen)
            turn = self._understood(start.then.state, message, now)
            if turn is not None:
                code = turn.language or self.languages[0]
                script = self.scripts[code]
                if _is_emergency(turn, self.line):
                    return Reply(self._emergency(turn, now), start.then.state, turn=turn)
                blocks = [script.greeting, *script.turn(turn, now)]
                return Reply(self._write(blocks), self._kept(turn, start.then.state), turn=turn)
        script = self.scripts[start.language or self.languages[0]]
        return Reply(self._write([*script.turn(start, now), *self._offers(start)]), self._kept(start, None),
                     turn=start)

    def _understood(self, state: CallState, message: Message, now: dt.datetime) -> Turn | None:
        """The turn a first message leads to, in the line's first language or, failing that, in another that
        understands it ("tengo hinchazón"); None when no language understands it.

        The understanding by meaning reads every language, so a language whose own words understood the message
        is preferred to one that only understood its meaning."""
        turns = [self._respond(state, message, now), *(
            self._respond(replace(state, language=code, offered=False), message, now) for code in self.languages[1:])]
        understood = [turn for turn in turns if turn.event.name not in _NOT_UNDERSTOOD]
        by_words = [turn for turn in understood if not turn.why.startswith("meaning") or OVERRULED in turn.why]
        return next(iter(by_words or understood), None)

    def _next(self, state: CallState, message: Message, now: dt.datetime) -> Reply:
        turn = self._respond(state, message, now)
        if state.offered and turn.event.name in _NOT_UNDERSTOOD:
            turn = self._understood(replace(state, tries=0), message, now) or turn
        if _is_emergency(turn, self.line):
            return Reply(self._emergency(turn, now), replace(state, tries=0), turn=turn)
        code = turn.language or self.languages[0]
        notice = self._notice(turn, message, code)
        blocks = self.scripts[code].turn(turn, now, notice)
        offers = self._offers(turn) if isinstance(turn.then, Listen) and turn.then.state.offered else []
        return Reply(self._write([*blocks, *offers]), self._kept(turn, state), turn=turn)

    def _respond(self, state: CallState, message: Message, now: dt.datetime) -> Turn:
        digits, words = self._input(state, message.body[:MAX_BODY])
        if digits and not _KEYS.match(message.body.strip()):
            # BACK or MENU: the command of the phone's key, never the language a call's first menu offers on it.
            state = replace(state, offered=False)
        return self.flow.respond(state, digits, words, now)

    def _input(self, state: CallState, body: str) -> tuple[str, str]:
        """(keys, words) of a message: "2" is a key; "menu", "back", "repeat", "clinic" are the keys the phone
        has for them; anything else is words, understood as speech is."""
        text = body.strip()
        if _KEYS.match(text):
            return text, ""
        word = keyword(text)
        code = self._language(state)
        for command, words in self.scripts[code].words.keywords.items():
            if word in words:
                return getattr(self.line.keys, command), ""
        return "", text

    def _notice(self, turn: Turn, message: Message, code: str) -> str:
        """Why the texter is asked again: a picture, a message with no words, or words that are no choice."""
        if turn.event.name not in _NOT_UNDERSTOOD and turn.event.name != "gave_up":
            return ""
        script = self.scripts[code]
        if message.media and not message.body.strip():
            return script.phrase("picture")
        if not normalise(message.body[:MAX_BODY]):
            return script.phrase("no_words")
        return script.phrase("not_a_choice" if _KEYS.match(message.body.strip()) else "not_understood")

    def _emergency(self, turn: Turn, now: dt.datetime) -> tuple[str, ...]:
        """The emergency advice once in each language it was heard in, the one it was said in first, then what
        to do next in the conversation's language."""
        code = turn.language or self.languages[0]
        heard = list(dict.fromkeys([turn.language_of(i) or code for i in range(len(turn.texts))])) or [code]
        blocks = [self.scripts[language].emergency() for language in heard]
        blocks += self.scripts[code].turn(turn, now)
        blocks.append(self.scripts[code].phrase("keywords"))
        return self._write(blocks)

    def _offers(self, turn: Turn) -> list[str]:
        """The line's other languages, each offered in its own words, while the conversation is at its start."""
        code = turn.language or self.languages[0]
        return [self.scripts[other].phrase("language_offer") for other in self.languages if other != code]

    def _kept(self, turn: Turn, before: CallState | None) -> CallState | None:
        """Where the texter is after ``turn``: where it listens; after a transfer, back where they chose it
        (a texter is given a number to call and stays in the conversation); after an emergency, where they were."""
        then = turn.then
        if isinstance(then, Listen):
            return then.state
        if isinstance(then, Connect):
            state = replace(then.state, tries=0)
            if isinstance(self.line.nodes.get(state.node), TransferNode | EmergencyNode):
                previous = state.trail[-1] if state.trail else self.line.start
                state = replace(state, node=previous, trail=state.trail[:-1])
            return state
        assert isinstance(then, Finish)
        return replace(before, tries=0) if before is not None else None

    def _language(self, state: CallState | None) -> str:
        return state.language if state is not None and state.language in self.scripts else self.languages[0]

    @staticmethod
    def _write(blocks: list[str]) -> tuple[str, ...]:
        return tuple(parts(blocks))

    def answer_by_text(self, language: str, node_id: str) -> tuple[str, ...]:
        """The messages that send the answer at ``node_id`` in ``language`` to a caller who asked for it during
        a call, each fitting three segments; none when ``node_id`` is no answer."""
        script = self.scripts.get(language, self.scripts[self.languages[0]])
        node = script.line.nodes.get(node_id)
        if not isinstance(node, AnswerNode):
            return ()
        return self._write(script.answer_by_text(node))

    def apology(self) -> tuple[str, ...]:
        return self._write([self.scripts[self.languages[0]].apology()])


def _is_emergency(turn: Turn, line: Line) -> bool:
    """Whether ``turn`` gives the emergency advice: words that tell of danger, or a choice that leads to it."""
    return turn.event.name == "emergency_phrase" or (
        isinstance(turn.then, Finish) and isinstance(line.nodes.get(turn.node), EmergencyNode))


def _english_words(name: str) -> frozenset[str]:
    words: frozenset[str] = getattr(language("en").messages, name)
    return words


# -- a conversation's place, as the store keeps it ---------------------------------------


def state_text(state: CallState) -> str:
    """A texter's place as the store keeps it."""
    return json.dumps({"node": state.node, "trail": list(state.trail), "tries": state.tries, "rate": state.rate,
                       "failed": state.failed, "language": state.language, "offered": state.offered,
                       "asked": state.asked})


def state_from_text(text: str) -> CallState | None:
    """A kept place; None when it cannot be read (the flow mends nodes an older line had)."""
    try:
        data = json.loads(text)
        failed = data.get("failed")
        return CallState(
            node=str(data["node"]), trail=tuple(str(node) for node in data.get("trail") or ()),
            tries=int(data.get("tries") or 0), rate=int(data.get("rate") or 0),
            failed=failed if failed in ("clinic", "after_hours") else None,
            language=str(data.get("language") or ""), offered=bool(data.get("offered")),
            asked=str(data.get("asked") or ""),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        logger.warning("A text conversation's kept place could not be read; it starts again")
        return None
