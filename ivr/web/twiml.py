"""The one place TwiML is made: a :class:`~ivr.call.flow.Turn` becomes a Twilio document, and a text
conversation's reply a messaging one."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr.call import CallState, Connect, Finish, Listen, Target, Turn

#: Twilio accepts at most this many characters in <Gather hints>.
MAX_HINTS_CHARS = 5000
#: Twilio accepts at most this many characters in one hint.
MAX_HINT_CHARS = 100


class Links(Protocol):
    """Absolute URLs of the webhooks a call is sent on to."""

    def respond(self, state: CallState) -> str: ...

    def dial_finished(self, state: CallState, target: Target) -> str: ...


#: Twilio voices that take SSML, so that <Say> can change pace with <prosody rate>: Amazon Polly's and
#: Google's. Its basic voices (man, woman, alice) read the text at their one pace.
SSML_VOICE_PREFIXES = ("Polly.", "Google.")


@dataclass(frozen=True)
class Speech:
    """How texts are voiced: rendered audio where there is some, Twilio's <Say> otherwise."""

    #: Absolute URL of the audio for (text, rate), or None to fall back to <Say>.
    audio_url: Callable[[str, int], str | None]
    language: str
    say_voice: str | None = None
    #: The line's default rate: <Say> at another rate is that share of its voice's own pace.
    default_rate: int = 0

    def say_rate(self, rate: int) -> str:
        """The <prosody rate> for a text said at ``rate``: "" at the default pace or with a voice without SSML."""
        if not self.default_rate or rate == self.default_rate or not (self.say_voice or "").startswith(
            SSML_VOICE_PREFIXES
        ):
            return ""
        return f"{round(100 * rate / self.default_rate)}%"


def build(turn: Turn, links: Links, speech: Speech, others: Mapping[str, Speech] | None = None) -> str:
    """The TwiML document for one turn of a call.

    ``speech`` voices the caller's language, and listens in it; ``others``, by language, voice the texts
    the turn says in another (the offer of each other language at the start, by that language's voice,
    at its own pace).
    """
    voiced = tuple(
        _voiced(text, turn.rate, speech) if (voice := _voice_of(turn, index, speech, others)) is speech
        else _voiced(text, voice.default_rate, voice)
        for index, text in enumerate(turn.texts)
    )
    then = turn.then
    if isinstance(then, Listen):
        plan = _Plan("listen", voiced, links.respond(then.state), then.timeout, then.hints)
    elif isinstance(then, Connect):
        plan = _Plan("connect", voiced, links.dial_finished(then.state, then.target), then.timeout, number=then.number)
    elif isinstance(then, Finish):
        plan = _Plan("finish", voiced)
    else:
        raise TypeError(f"a turn ends in listening, connecting or finishing, not {then!r}")
    return _document(plan, speech.language)


def _voice_of(turn: Turn, index: int, speech: Speech, others: Mapping[str, Speech] | None) -> Speech:
    if not others or not turn.text_languages:
        return speech
    return others.get(turn.language_of(index), speech)


@dataclass(frozen=True)
class _Plan:
    """Everything a document depends on: callers at the same step get the same document."""

    kind: str
    #: Each text as ("play", audio URL, "", ...) or ("say", text, its <prosody rate> or "", Twilio voice, language).
    voiced: tuple[tuple[str, str, str, str | None, str], ...]
    action: str = ""
    timeout: int = 0
    hints: tuple[str, ...] = ()
    number: str = ""


def _voiced(text: str, rate: int, speech: Speech) -> tuple[str, str, str, str | None, str]:
    url = speech.audio_url(text, rate)
    if url is not None:
        return ("play", url, "", None, "")
    return ("say", text, speech.say_rate(rate), speech.say_voice, speech.language)


@functools.lru_cache(maxsize=2048)
def _document(plan: _Plan, language: str) -> str:
    """Made with twilio's builder once per distinct document, then served from memory."""
    response = VoiceResponse()
    if plan.kind == "listen":
        gather = response.gather(
            input="dtmf speech",
            action=plan.action,
            method="POST",
            num_digits=1,
            timeout=plan.timeout,
            speech_timeout="auto",
            hints=_hints(plan.hints),
            language=language,
        )
        _speak(gather, plan.voiced)
        # A <Gather> that hears nothing falls through to the next verb: ask again.
        response.redirect(plan.action, method="POST")
    elif plan.kind == "connect":
        _speak(response, plan.voiced)
        dial = response.dial(action=plan.action, method="POST", timeout=plan.timeout)
        dial.number(plan.number)
    else:
        _speak(response, plan.voiced)
        response.hangup()
    return str(response)


def _speak(parent: VoiceResponse | Gather, voiced: tuple[tuple[str, str, str, str | None, str], ...]) -> None:
    """Each text: its audio, or Twilio's <Say> with the voice and language of the text's own language."""
    for verb, value, rate, say_voice, language in voiced:
        if verb == "play":
            parent.play(value)
        elif rate:
            parent.say(voice=say_voice, language=language).prosody(value, rate=rate)
        else:
            parent.say(value, voice=say_voice, language=language)


def _hints(hints: tuple[str, ...]) -> str:
    kept: list[str] = []
    size = 0
    for hint in hints:
        hint = hint.replace(",", " ")[:MAX_HINT_CHARS]
        size += len(hint) + 2
        if size > MAX_HINTS_CHARS:
            break
        kept.append(hint)
    return ", ".join(kept)


def last_resort() -> str:
    """When even the line cannot be read: an apology and a deliberate goodbye, not silence."""
    response = VoiceResponse()
    response.say("Sorry, this line cannot take your call right now. Please call the clinic directly. Goodbye.")
    response.hangup()
    return str(response)


def messages(texts: tuple[str, ...] | list[str]) -> str:
    """A reply by text message: each text one <Message>; none, an empty <Response/> that writes nothing."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


def last_resort_message() -> str:
    """When even the line cannot be read: a text that sends the texter to the clinic, never silence."""
    return messages(["Sorry, this line cannot answer right now. Please call the clinic directly. "
                     "In an emergency, call your local emergency number."])
