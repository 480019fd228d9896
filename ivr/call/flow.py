"""The call flow: given where a caller is and what they did, what they hear next.

Knows nothing of HTTP or TwiML. Every function returns a :class:`Turn`, which always
ends in listening, connecting or a deliberate goodbye: no path ends in silence.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from rapidfuzz import fuzz

from ivr.call.events import Event
from ivr.call.matching import (
    WORD_MATCH_CUTOFF,
    Chose,
    Commanded,
    Emergency,
    Invalid,
    Matcher,
    Meant,
    Silence,
    normalise,
)
from ivr.call.meaning import Reading
from ivr.languages import builtin
from ivr.languages.messaging import BY_CALL_RESULTS
from ivr.line import (
    END,
    AnswerNode,
    EmergencyNode,
    Line,
    MenuNode,
    Option,
    Script,
    TransferNode,
    is_open,
    opening_offers,
)

logger = logging.getLogger(__name__)

#: Said in a turn's ``why`` when the words of an option or command matched too, and the meaning won.
OVERRULED = "the words matched too"

Target = Literal["clinic", "after_hours"]
#: Why a caller is asked again: they said nothing, or nothing that is a choice there.
_Retried = Literal["no_input", "invalid"]
#: How a caller's "back" trail is bounded, so that a state always fits in a URL.
MAX_TRAIL = 12
#: Sends the answer at a node (its id) in a language (its code) to the caller by text message, and says what
#: became of it: one of BY_CALL_RESULTS ("sent", "landline", "withheld", "failed"). Given to the flow only
#: where the line can send texts; without one, an answer is never offered by text.
AnswerTexter = Callable[[str, str], str]


@dataclass(frozen=True)
class CallState:
    """Where a caller is. It travels in webhook URLs, so the server keeps no session."""

    node: str
    trail: tuple[str, ...] = ()
    tries: int = 0
    rate: int = 0
    #: After a transfer that nobody answered: the number that failed, so it is not offered again.
    failed: Target | None = None
    #: The language the caller hears, in a line of several ("" in a line of one).
    language: str = ""
    #: The caller is answering the start of the call, where the line's other languages are offered.
    offered: bool = False
    #: The place the line has just asked the caller about ("It sounds like ... Is that right?"), if any.
    asked: str = ""


@dataclass(frozen=True)
class Listen:
    """Speak the turn's texts (interruptible) and wait for a key or words."""

    state: CallState
    hints: tuple[str, ...]
    timeout: int


@dataclass(frozen=True)
class Connect:
    """Speak the turn's texts, then put the caller through to a number."""

    state: CallState
    number: str
    target: Target
    timeout: int


@dataclass(frozen=True)
class Finish:
    """Speak the turn's texts, then end the call on purpose."""


@dataclass(frozen=True)
class Turn:
    texts: tuple[str, ...]
    then: Listen | Connect | Finish
    rate: int
    #: The node the caller is at after this turn.
    node: str
    #: What happened, for call records: start, option, no_input, dial (busy)...
    event: Event
    #: The caller's language, in a line of several ("" in a line of one).
    language: str = ""
    #: The language of each text, where some are in another than the caller's (the offers of the others).
    text_languages: tuple[str, ...] = ()
    #: How the caller's words were understood, for ``ivr call --explain`` ("" for keys and silence).
    why: str = ""

    def language_of(self, index: int) -> str:
        """The language ``texts[index]`` is said in."""
        return self.text_languages[index] if self.text_languages else self.language


_START = Event.named("start")


class LanguageFlow:
    """The behaviour of one line in one language (a line of one language, or a view of one of several)."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.script = Script(line)
        self.matcher = Matcher(line)
        #: What the speech recogniser should expect, at each node and where no option is offered.
        self._hints = {node_id: tuple(self.script.hints(self._options(node_id))) for node_id in line.nodes}
        self._no_option_hints = tuple(self.script.hints([]))
        data = self.matcher.meaning.data if self.matcher.meaning else None
        self._answer_hints = (*data.yes, *data.no) if data else ()
        self._text_words = tuple(normalise(word) for word in self.script.text_words()) if line.messaging else ()
        for node_id, node in line.nodes.items():  # after an answer, a caller may ask for it by text
            if self._text_words and isinstance(node, AnswerNode):
                self._hints[node_id] = (*self.script.text_words(), *self._hints[node_id])

    # -- entry points ---------------------------------------------------------------

    def start(self, now: dt.datetime, offers: list[str] | None = None, event: Event = _START,
              texter: AnswerTexter | None = None) -> Turn:
        """The start of a call: ``offers`` are the other languages' offers, said after the emergency sentence."""
        turn = self._start(now, offers, event)
        return self._offer_text(turn) if texter is not None else turn

    def _start(self, now: dt.datetime, offers: list[str] | None, event: Event) -> Turn:
        state = CallState(node=self.line.start, rate=self.line.voice.default_rate)
        closed = not is_open(self.line.clinic.hours, now)
        first = self.line.node(self.line.start)
        if isinstance(first, MenuNode):
            return self._listen(state, self.script.opening(first, closed, offers), self._hints[state.node], event)
        before = [*self.script.greeting_with(offers or []), *([self.script.closed()] if closed else []),
                  self.script.pace_help()]
        return self._present(state, now, before, event=event)

    def respond(self, state: CallState, digits: str, speech: str, now: dt.datetime, *,
                emergency_checked: bool = False, texter: AnswerTexter | None = None) -> Turn:
        """The caller pressed ``digits`` or said ``speech`` (both empty: silence) at ``state``.

        With a ``texter``, every answer offers itself by text, and the key or word for it sends it.
        """
        turn = self._understand(state, digits, speech, now, emergency_checked, texter)
        if digits.strip() or not speech.strip():
            return turn
        why = turn.why or f"rules: {turn.event}"
        asked = " (asked back)" if turn.event.name == "asked_back" else ""
        # How the words were understood, never the words themselves (``ivr call --explain`` shows it).
        logger.debug("Understood at %s: %s%s -> %s", state.node, why, asked, turn.node)
        return replace(turn, why=why)

    def _understand(self, state: CallState, digits: str, speech: str, now: dt.datetime,
                    emergency_checked: bool, texter: AnswerTexter | None) -> Turn:
        state = self._sane(state)
        if state.asked:
            answered = self._answered(state, digits, speech, now, emergency_checked)
            if answered is not None:
                return answered
            state = replace(state, asked="")
        options = self._options(state.node)
        choice = self.matcher.interpret(options, digits, speech, emergency_checked=emergency_checked)
        if texter is not None and isinstance(choice, Invalid | Meant) and self._asks_for_text(state, digits, speech):
            return self._text_answer(state, texter)
        if isinstance(choice, Meant):
            reading = choice.reading
            if choice.overruled and reading.kind == "place" and reading.decision == "go":
                # The words chose one place and the meaning another: unsure between the two, so asked.
                reading = replace(reading, decision="ask", why=reading.why + ", but " + OVERRULED)
            why = reading.explain() + (f"; {OVERRULED}" if choice.overruled else "")
            turn = replace(self._meant(state, reading, now), why=why)
            return turn if texter is None else self._offer_text(turn)
        if texter is None:
            return self._respond(state, choice, now)
        return self._offer_text(self._respond(state, choice, now))

    def _respond(self, state: CallState, choice: Chose | Commanded | Emergency | Invalid | Silence,
                 now: dt.datetime) -> Turn:
        if isinstance(choice, Chose):
            return self._choose(state, choice.option, now)
        if isinstance(choice, Commanded):
            return self._command(state, choice.command, now)
        if isinstance(choice, Emergency):
            return self._emergency(state, [], event=Event.named("emergency_phrase"))
        reason: _Retried = "no_input" if isinstance(choice, Silence) else "invalid"
        return self._retry(state, choice, now, reason)

    def _answered(self, state: CallState, digits: str, speech: str, now: dt.datetime,
                  emergency_checked: bool) -> Turn | None:
        """The caller's answer to the question back: yes takes them there, no back to where they were; None
        when they said something else (an emergency in it is heard first), which is understood as at any turn."""
        if speech.strip() and not digits.strip() and not emergency_checked and self.matcher.emergency.heard_in(speech):
            return None
        answer = self.matcher.answer(digits, speech)
        if answer == "yes":
            trail = (*state.trail, state.node)[-MAX_TRAIL:]
            return self._present(_moved(state, state.asked, trail), now, [], event=Event.named("meant", state.asked))
        if answer == "no":
            return self._present(replace(state, asked="", tries=0), now, [],
                                 event=Event.named("said_no", state.asked))
        return None

    def _meant(self, state: CallState, reading: Reading, now: dt.datetime) -> Turn:
        """Where the caller's words lead by their meaning: the emergency advice at once, a place (asked about
        first when unsure), a command, or what the line covers and how to reach the clinic."""
        if reading.kind == "emergency":
            return self._emergency(state, [], event=Event.named("emergency_phrase", "meaning"))
        if reading.kind == "command":
            return self._command(state, reading.target, now)
        if reading.kind == "out_of_scope":
            return self._out_of_scope(state, now)
        if reading.decision == "ask":
            question = self.script.ask_back(self._about(reading.target))
            asking = replace(state, asked=reading.target)
            return self._listen(asking, [question], self._answer_hints, Event.named("asked_back", reading.target))
        trail = (*state.trail, state.node)[-MAX_TRAIL:]
        return self._present(_moved(state, reading.target, trail), now, [], event=Event.named("meant", reading.target))

    def _out_of_scope(self, state: CallState, now: dt.datetime) -> Turn:
        """What the line covers and how to reach the clinic, then where the caller was, again. It counts as a
        try, so that a caller the line keeps failing is put through in the end."""
        tries = state.tries + 1
        if tries >= self.line.call.max_tries:
            return self._give_up(state, now, "invalid")
        said = [self.script.out_of_scope(), self.script.clinic_number()]
        return self._present(replace(state, tries=tries), now, said, event=Event.named("out_of_scope"), again=True)

    def _about(self, node_id: str) -> str:
        """What a place is about, as the question back names it: its ``about``, else the label leading there."""
        node = self.line.nodes.get(node_id)
        about = getattr(node, "about", None)
        if about:
            return str(about)
        labels = (option.label for options in map(self._options, self.line.nodes) for option in options
                  if option.goto == node_id)
        return str(next(labels, node_id))

    def dial_finished(self, state: CallState, target: Target, status: str, now: dt.datetime) -> Turn:
        """Twilio's <Dial> ended with DialCallStatus ``status``."""
        state = self._sane(state)
        event = Event.named("dial", status or "unknown")
        if status in ("completed", "answered"):
            return self._goodbye(state, [], event=event)
        return self._alternatives(replace(state, failed=target), [self.script.clinic_unavailable()], event)

    def apologise(self, state: CallState | None, now: dt.datetime) -> Turn:
        """Something broke while handling the call: apologise and put the caller through."""
        state = self._sane(state or CallState(node=self.line.start))
        return self._connect(state, now, [self.script.apology()], event=Event.named("error"))

    # -- an answer by text ---------------------------------------------------------------

    def _asks_for_text(self, state: CallState, digits: str, speech: str) -> bool:
        """Whether, at an answer, the caller pressed the key for it by text or said so ("text", "mensaje")."""
        messaging = self.line.messaging
        if messaging is None or not isinstance(self.line.nodes.get(state.node), AnswerNode):
            return False
        if digits.strip():
            return digits.strip() == messaging.key
        if self.matcher.key_said(speech) == messaging.key:
            return True
        said = normalise(speech)
        return bool(said) and any(fuzz.token_set_ratio(said, word) >= WORD_MATCH_CUTOFF for word in self._text_words)

    def _text_answer(self, state: CallState, texter: AnswerTexter) -> Turn:
        """The caller asked for the answer by text: it is sent (or not), they hear which, and go on from the answer."""
        node = self.line.node(state.node)
        assert isinstance(node, AnswerNode)
        result = texter(self.line.language, state.node)
        if result not in BY_CALL_RESULTS:
            result = "failed"
        texts = [self.script.texted(result), *self.script.options(list(node.options)), self.script.navigation()]
        return self._listen(replace(state, tries=0), texts, self._hints[state.node], Event.named("text_me", result))

    def _offer_text(self, turn: Turn) -> Turn:
        """``turn``, with the offer of the answer by text after an answer's text, where it reads one out."""
        node = self.line.nodes.get(turn.node)
        if self.line.messaging is None or not isinstance(node, AnswerNode) or not isinstance(turn.then, Listen):
            return turn
        text = self.script.node(node)[0]
        if text not in turn.texts:
            return turn
        at = turn.texts.index(text) + 1
        return replace(turn, texts=(*turn.texts[:at], self.script.text_offer(), *turn.texts[at:]))

    # -- moves ----------------------------------------------------------------------

    def _choose(self, state: CallState, option: Option, now: dt.datetime) -> Turn:
        trail = (*state.trail, state.node)[-MAX_TRAIL:]
        return self._present(_moved(state, option.goto, trail), now, [], event=Event.named("option"))

    def _command(self, state: CallState, command: str, now: dt.datetime) -> Turn:
        fresh = replace(state, tries=0)
        if command == "repeat":
            return self._present(fresh, now, [], event=Event.named("repeat"))
        if command == "back":
            previous = state.trail[-1] if state.trail else self.line.start
            return self._present(_moved(state, previous, state.trail[:-1]), now, [], event=Event.named("back"))
        if command == "main_menu":
            return self._present(_moved(state, self.line.start, ()), now, [], event=Event.named("main_menu"))
        if command == "clinic":
            return self._connect(fresh, now, [], event=Event.named("clinic_key"))
        return self._change_pace(fresh, slower=command == "slower", now=now)

    def _change_pace(self, state: CallState, *, slower: bool, now: dt.datetime) -> Turn:
        rates = list(self.line.voice.rates)
        index = rates.index(state.rate)
        wanted = index - 1 if slower else index + 1
        if not 0 <= wanted < len(rates):
            return self._present(state, now, [self.script.pace_limit(slowest=slower)], event=Event.named("pace_limit"))
        state = replace(state, rate=rates[wanted])
        changed = Event.named("slower" if slower else "faster")
        return self._present(state, now, [self.script.pace_changed()], event=changed)

    def _retry(self, state: CallState, choice: Silence | Invalid, now: dt.datetime, reason: _Retried) -> Turn:
        tries = state.tries + 1
        if tries >= self.line.call.max_tries:
            return self._give_up(state, now, reason)
        if isinstance(choice, Silence):
            notice = self.script.no_input()
        else:
            notice = self.script.not_understood() if choice.spoken else self.script.invalid()
        return self._present(replace(state, tries=tries), now, [notice], event=Event.named(reason), again=True)

    def _give_up(self, state: CallState, now: dt.datetime, reason: _Retried) -> Turn:
        """After too many tries, a caller who may not be able to speak or press is put through, told why first,
        to whichever number is answering and has not just failed; only when there is none do they hear the
        numbers and the emergency advice, twice, and goodbye."""
        fresh = replace(state, tries=0)
        event = Event.named("gave_up", reason)
        target = self._answering(now)
        if target is not None and target != state.failed:
            return self._connect(fresh, now, [self.script.putting_through()], event=event)
        reach = [*self.script.other_numbers(state.failed), self.script.emergency()]
        closed = [] if target == "clinic" else [self.script.closed()]
        return self._goodbye(fresh, [*closed, *reach, self.script.once_more(), *reach], event=event)

    def _answering(self, now: dt.datetime) -> Target | None:
        """The number a transfer now goes to: the clinic when open, else its after-hours line, if any."""
        if is_open(self.line.clinic.hours, now):
            return "clinic"
        return "after_hours" if self.line.clinic.after_hours_phone else None

    # -- what the caller hears --------------------------------------------------------

    def _present(
        self, state: CallState, now: dt.datetime, before: list[str], event: Event, again: bool = False
    ) -> Turn:
        node = self.line.node(state.node) if state.node != END else None
        if node is None:
            return self._alternatives(state, before, event)
        texts = [*before, *self.script.node(node, again)]
        if isinstance(node, TransferNode):
            return self._connect(state, now, texts, event=event)
        if isinstance(node, EmergencyNode):
            return self._emergency(state, texts, event=event)
        return self._listen(state, texts, self._hints[state.node], event)

    def _listen(self, state: CallState, texts: list[str], hints: tuple[str, ...], event: Event) -> Turn:
        listen = Listen(state, hints, self.line.call.no_input_timeout)
        return Turn(tuple(texts), listen, state.rate, state.node, event)

    def _connect(self, state: CallState, now: dt.datetime, before: list[str], event: Event) -> Turn:
        clinic = self.line.clinic
        timeout = self.line.call.transfer_timeout
        if is_open(clinic.hours, now):
            texts = [*before, self.script.transferring()]
            return Turn(tuple(texts), Connect(state, clinic.phone, "clinic", timeout), state.rate, state.node, event)
        if clinic.after_hours_phone:
            texts = [*before, self.script.closed(), self.script.after_hours()]
            connect = Connect(state, clinic.after_hours_phone, "after_hours", timeout)
            return Turn(tuple(texts), connect, state.rate, state.node, event)
        return self._alternatives(state, [*before, self.script.closed()], event)

    def _alternatives(self, state: CallState, before: list[str], event: Event) -> Turn:
        """How else to reach the clinic (not the after-hours line when it is what just failed), the emergency
        advice, and a way back. "Back" from here returns to where the caller was before the transfer: a
        transfer or emergency node is never put on the trail, so going back never dials again."""
        texts = [*before, *self.script.other_numbers(state.failed), self.script.hours(), self.script.emergency()]
        texts.append(self.script.main_menu_offer())
        trail = state.trail
        if state.node != END and isinstance(self.line.nodes.get(state.node), MenuNode | AnswerNode):
            trail = (*trail, state.node)[-MAX_TRAIL:]
        return self._listen(replace(state, node=END, trail=trail), texts,
                            self._no_option_hints, event)

    def _emergency(self, state: CallState, before: list[str], event: Event) -> Turn:
        advice = self.script.emergency()
        return Turn((*before, advice, advice), Finish(), state.rate, state.node, event)

    def _goodbye(self, state: CallState, before: list[str], event: Event) -> Turn:
        return Turn((*before, self.script.goodbye()), Finish(), state.rate, state.node, event)

    # -- helpers --------------------------------------------------------------------

    def _options(self, node_id: str) -> list[Option]:
        node = self.line.nodes.get(node_id)
        return list(node.options) if isinstance(node, (MenuNode, AnswerNode)) else []

    def _sane(self, state: CallState) -> CallState:
        """A state from a URL may name nodes of an older version of the line: mend it."""
        known = self.line.nodes
        node = state.node if state.node in known or state.node == END else self.line.start
        trail = tuple(n for n in state.trail if n in known)[-MAX_TRAIL:]
        rate = state.rate if state.rate in self.line.voice.rates else self.line.voice.default_rate
        tries = min(max(state.tries, 0), self.line.call.max_tries)
        failed = state.failed if state.failed in ("clinic", "after_hours") else None
        asked = state.asked if state.asked in known else ""
        return replace(state, node=node, trail=trail, tries=tries, rate=rate, failed=failed, asked=asked)


def _moved(state: CallState, node: str, trail: tuple[str, ...]) -> CallState:
    """``state`` taken to ``node``: its tries start again, and a failed transfer is forgotten (the caller chose
    to go on); its language and pace go with it."""
    return replace(state, node=node, trail=trail, tries=0, failed=None, asked="")


#: How close (0-100) what a caller says must be to a language's word for it ("espanol") to choose it.
LANGUAGE_WORD_CUTOFF = 88
#: The event of the turn a caller chose a language with, at the start of a call.
LANGUAGE_CHOSEN = Event.named("language")


class CallFlow:
    """The behaviour of one line, in each of its languages.

    A call starts in the line's first language (or, when the line remembers callers' choices, the one
    the caller chose last time); the start offers every other language, each on a key that means
    nothing there. The choice is kept in the caller's state for the rest of the call, and every turn
    says which language each of its texts is in. An emergency said in any of the line's languages is
    understood everywhere: the advice is then said in that language too.
    """

    def __init__(self, line: Line) -> None:
        self.line = line.in_language()
        self.languages = self.line.language_codes
        self._flows = {code: LanguageFlow(self.line.in_language(code)) for code in self.languages}
        first = self._flows[self.languages[0]]
        self.script = first.script
        self.matcher = first.matcher
        self._several = len(self.languages) > 1
        #: The offers said at the start of a call in each language: (text, its language, its key).
        self._offers = {
            code: [(self._flows[other].script.language_offer(key), other, key)
                   for other, key in opening_offers(self.line, code)]
            for code in self.languages
        }
        self._offer_words = {
            code: [normalise(word) for word in self._flows[code].script.offer_words()] for code in self.languages
        }
        #: Every language's words of negation, normalised: "no hablo inglés" does not choose English.
        self._negations = re.compile(
            r"\b(?:" + "|".join(re.escape(normalise(word)) for code in self.languages
                               for word in builtin(code).negations) + r")\b"
        ) if self._several else None

    def flow_in(self, language: str | None = None) -> LanguageFlow:
        """The flow of one of the line's languages (its first by default)."""
        return self._flows.get(language or "", self._flows[self.languages[0]])

    # -- entry points ---------------------------------------------------------------

    def start(self, now: dt.datetime, language: str | None = None, texter: AnswerTexter | None = None) -> Turn:
        """The start of a call: in ``language`` when the caller is remembered choosing it, else the first."""
        code = language if language in self._flows else self.languages[0]
        offers = self._offers[code] if self._several else []
        turn = self._flows[code].start(now, [text for text, _, _ in offers], texter=texter)
        return self._offering(code, turn) if offers else self._in(code, turn)

    def respond(self, state: CallState, digits: str, speech: str, now: dt.datetime,
                texter: AnswerTexter | None = None) -> Turn:
        """The caller pressed ``digits`` or said ``speech`` (both empty: silence) at ``state``; with a ``texter``,
        answers are offered by text (see :meth:`LanguageFlow.respond`)."""
        code = self._language(state)
        flow = self._flows[code]
        if not self._several:
            return flow.respond(state, digits, speech, now, texter=texter)
        checked = not digits.strip() and bool(speech.strip())
        if checked:
            heard = self._heard_in(code, speech, every=state.offered)
            if heard:
                logger.debug("Understood at %s: rules: an emergency, in %s", state.node, ", ".join(heard))
                return self._emergency_in(heard, code, state)
        if state.offered:
            chosen = self._chosen(code, digits, speech)
            if chosen is not None:
                return self._in(chosen, self._flows[chosen].start(now, event=LANGUAGE_CHOSEN, texter=texter))
        turn = flow.respond(replace(state, offered=False), digits, speech, now, emergency_checked=checked,
                            texter=texter)
        if state.offered and self._at_start(turn) and turn.event.name != "asked_back":
            # Still at the start (a silence, a word not understood, a repeat): the offer is said again, and
            # still taken, for the caller who did not catch it the first time.
            offers = tuple(text for text, _, _ in self._offers[code])
            turn = replace(turn, texts=(*turn.texts[:1], *offers, *turn.texts[1:]))
            return self._offering(code, turn)
        return self._in(code, turn)

    def dial_finished(self, state: CallState, target: Target, status: str, now: dt.datetime) -> Turn:
        """Twilio's <Dial> ended with DialCallStatus ``status``."""
        code = self._language(state)
        return self._in(code, self._flows[code].dial_finished(state, target, status, now))

    def apologise(self, state: CallState | None, now: dt.datetime) -> Turn:
        """Something broke while handling the call: apologise and put the caller through."""
        code = self._language(state) if state is not None else self.languages[0]
        return self._in(code, self._flows[code].apologise(state, now))

    # -- helpers --------------------------------------------------------------------

    def _offering(self, code: str, turn: Turn) -> Turn:
        """``turn`` of a call in ``code`` that offers the other languages: still taking the offer, its offers in
        their own languages, and the recogniser expecting the languages' names too."""
        offers = self._offers[code]
        if isinstance(turn.then, Listen):
            words = [word for _, other, _ in offers for word in self._flows[other].script.offer_words()]
            turn = replace(turn, then=replace(turn.then, hints=(*words, *turn.then.hints)))
        return self._in(code, turn, offered=True, foreign={text: other for text, other, _ in offers})

    def _at_start(self, turn: Turn) -> bool:
        """Whether ``turn`` listens again at the start of the call, where the other languages are offered."""
        return isinstance(turn.then, Listen) and turn.then.state.node == self.line.start

    def _language(self, state: CallState) -> str:
        return state.language if state.language in self._flows else self.languages[0]

    def _chosen(self, code: str, digits: str, speech: str) -> str | None:
        """The language a caller chose at the start: its key, or its name said ("español", "Spanish")."""
        offers = self._offers[code]
        pressed = digits.strip()
        if not pressed and speech.strip():  # "nine", "oprima nueve": the key said, in any of the languages
            said = {self._flows[language].matcher.key_said(speech) for language in self.languages}
            pressed = next((key for _, _, key in offers if key in said), "")
        if pressed:
            return next((other for _, other, key in offers if key == pressed), None)
        words = normalise(speech)
        if not words:
            return None
        negated = self._negations is not None and self._negations.search(words) is not None
        for _, other, _ in offers:
            for word in self._offer_words[other]:
                if negated and not self._negations.search(word):  # type: ignore[union-attr]
                    continue  # "no hablo inglés" is no choice of English
                if fuzz.token_set_ratio(words, word) >= LANGUAGE_WORD_CUTOFF:
                    return other
        return None

    def _heard_in(self, code: str, speech: str, *, every: bool) -> list[str]:
        """The languages whose understanding hears an emergency in ``speech``: the call's own alone when it
        does (unless ``every``: at the start, before the caller has chosen), else the others'."""
        own = self._flows[code].matcher.emergency.heard_in(speech)
        if own and not every:
            return [code]
        others = [other for other in self.languages if other != code
                  and self._flows[other].matcher.emergency.heard_in(speech)]
        return [code, *others] if own else others

    def _emergency_in(self, heard: list[str], code: str, state: CallState) -> Turn:
        """The emergency advice in the language the caller spoke, twice, then once in each other language heard
        and in the call's own."""
        first = heard[0]
        languages = [first, first, *dict.fromkeys(other for other in [*heard[1:], code] if other != first)]
        texts = tuple(self._flows[language].script.emergency() for language in languages)
        return Turn(texts, Finish(), state.rate, state.node or self.line.start, Event.named("emergency_phrase"), code,
                    tuple(languages) if self._several else ())

    def _in(self, code: str, turn: Turn, *, offered: bool = False, foreign: dict[str, str] | None = None) -> Turn:
        """``turn`` of the flow in ``code``, its state and texts marked with their languages."""
        if not self._several:
            return turn
        then = turn.then
        if isinstance(then, Listen | Connect):
            then = replace(then, state=replace(then.state, language=code, offered=offered))
        languages = tuple((foreign or {}).get(text, code) for text in turn.texts) if foreign else ()
        return replace(turn, then=then, language=code, text_languages=languages)
