"""The one place TwiML is made: a :class:`~ivr.call.flow.Turn` becomes a Twilio document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr.call.flow import CallState, Connect, Finish, Listen, Target, Turn

#: Twilio accepts at most this many characters in <Gather hints>.
MAX_HINTS_CHARS = 5000
#: Twilio accepts at most this many characters in one hint.
MAX_HINT_CHARS = 100


class Links(Protocol):
    """Absolute URLs of the webhooks a call is sent on to."""

    def respond(self, state: CallState) -> str: ...

    def dial_finished(self, state: CallState, target: Target) -> str: ...


@dataclass(frozen=True)
class Speech:
    """How texts are voiced: rendered audio where there is some, Twilio's <Say> otherwise."""

    #: Absolute URL of the audio for (text, rate), or None to fall back to <Say>.
    audio_url: Callable[[str, int], str | None]
    language: str
    say_voice: str | None = None


def build(turn: Turn, links: Links, speech: Speech) -> str:
    """The TwiML document for one turn of a call."""
    response = VoiceResponse()
    then = turn.then
    if isinstance(then, Listen):
        gather = response.gather(
            input="dtmf speech",
            action=links.respond(then.state),
            method="POST",
            num_digits=1,
            timeout=then.timeout,
            speech_timeout="auto",
            hints=_hints(then.hints),
            language=speech.language,
        )
        _speak(gather, turn, speech)
        # A <Gather> that hears nothing falls through to the next verb: ask again.
        response.redirect(links.respond(then.state), method="POST")
    elif isinstance(then, Connect):
        _speak(response, turn, speech)
        dial = response.dial(
            action=links.dial_finished(then.state, then.target),
            method="POST",
            timeout=then.timeout,
        )
        dial.number(then.number)
    else:
        assert isinstance(then, Finish)
        _speak(response, turn, speech)
        response.hangup()
    return str(response)


def _speak(parent: VoiceResponse | Gather, turn: Turn, speech: Speech) -> None:
    for text in turn.texts:
        url = speech.audio_url(text, turn.rate)
        if url is not None:
            parent.play(url)
        else:
            parent.say(text, voice=speech.say_voice, language=speech.language)


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
