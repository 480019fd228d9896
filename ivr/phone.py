"""A text-mode phone: place a call on a line and hear it as text, without a real phone.

It talks to the webhooks exactly as Twilio does (form POSTs, signed when a token is
set) and follows the TwiML they return, so a clinic tries the real thing.
"""

from __future__ import annotations

import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin

from twilio.request_validator import RequestValidator

if TYPE_CHECKING:
    from flask import Flask

#: The caller's number the phone presents; a fictional one (555-01xx).
TEST_CALLER = "+12025550100"
#: How a transfer went, as the tester types it: the first letter, or the word.
DIAL_RESULTS = {"c": "completed", "a": "completed", "b": "busy", "n": "no-answer", "f": "failed"}
TRANSFER_QUESTION = "How did the transfer go? c=answered, b=busy, n=no answer, f=failed"


class Transport(Protocol):
    def post(self, url: str, form: dict[str, str]) -> str: ...


@dataclass
class Listener:
    """What the phone does with what it hears and how it gets the caller's input."""

    show: Callable[[str], None]
    #: Asks for input; returns "" for silence, a key, or words; None to hang up.
    ask: Callable[[str], str | None]
    #: Texts of <Play> audio, when the line can tell (its transcript); else None.
    transcript: Callable[[str], str | None] = lambda url: None
    #: Optional: read each heard text aloud too.
    speak: Callable[[str], None] | None = None


@dataclass
class Call:
    """One call in progress."""

    transport: Transport
    listener: Listener
    base_url: str
    caller: str = TEST_CALLER
    sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    started: float = field(default_factory=time.monotonic)
    #: Safety net for a line that would redirect forever.
    max_steps: int = 500
    #: Said at the first place the line listens, as a caller would: the name of a language, to choose it.
    first_words: str | None = None
    #: The language (such as "es") the caller expects to hear after ``first_words``: said if the line did not
    #: switch to it (it does not offer it).
    expect_language: str | None = None
    _said_first: bool = field(default=False, init=False)

    def run(self) -> str:
        """Place the call and follow it to its end; returns how it ended."""
        url = urljoin(self.base_url, "/voice")
        form = {"CallStatus": "ringing"}
        for _ in range(self.max_steps):
            document = self.transport.post(url, self._params(form))
            step = self._follow(document, url)
            if step is None:
                self._status("completed")
                return "ended"
            url, form = step
        self._status("completed")
        return "too many steps"

    def _params(self, extra: dict[str, str]) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.caller,
            "To": "+12025550143",
            "Direction": "inbound",
            "CallStatus": "in-progress",
            **extra,
        }

    def _follow(self, document: str, url: str) -> tuple[str, dict[str, str]] | None:
        """Play one TwiML document; the next webhook to call, or None when the call ends."""
        try:
            root = ET.fromstring(document)
        except ET.ParseError:
            raise LineRefused(url, 200, "it did not answer with TwiML") from None
        for verb in root:
            if verb.tag in ("Say", "Play"):
                self._hear(verb)
            elif verb.tag == "Gather":
                self._check_language(verb)
                for inner in verb:
                    self._hear(inner)
                answer = self._first_words() or self.listener.ask(
                    "Press a key, say something, or press Enter to stay silent"
                )
                if answer is None:
                    self.listener.show("[You hung up]")
                    return None
                if answer:
                    return urljoin(url, verb.get("action", url)), _input_form(answer)
            elif verb.tag == "Redirect":
                return urljoin(url, (verb.text or "").strip()), {}
            elif verb.tag == "Dial":
                return self._dial(verb, url)
            elif verb.tag == "Hangup":
                self.listener.show("[The line hung up]")
                return None
            elif verb.tag == "Pause":
                continue
        self.listener.show("[The line said nothing more, so the call ended]")
        return None

    def _first_words(self) -> str | None:
        """At the first place the line listens, the words the caller came to say, shown as if typed."""
        if self.first_words is None or self._said_first:
            return None
        self._said_first = True
        self.listener.show(f"> {self.first_words}")
        return self.first_words

    def _check_language(self, gather: ET.Element) -> None:
        """After the words that choose a language, the line should listen in it."""
        if not self._said_first or self.expect_language is None:
            return
        language = gather.get("language", "")
        if not language.lower().startswith(self.expect_language.lower()):
            self.listener.show(f"[This line does not offer {self.expect_language}: the call goes on in {language}]")
        self.expect_language = None

    def _hear(self, verb: ET.Element) -> None:
        if verb.tag == "Say":
            text = "".join(verb.itertext()).strip()  # the words may be inside <prosody>
        elif verb.tag == "Play":
            audio = (verb.text or "").strip()
            text = self.listener.transcript(audio) or f"[audio {audio}]"
        else:
            return
        self.listener.show(text)
        if self.listener.speak:
            self.listener.speak(text)

    def _dial(self, verb: ET.Element, url: str) -> tuple[str, dict[str, str]] | None:
        number = "".join(verb.itertext()).strip()
        self.listener.show(f"[Connecting you to {number}]")
        while True:
            choice = self.listener.ask(TRANSFER_QUESTION)
            if choice is None:
                return None
            status = dial_result(choice)
            if status is not None:
                break
            self.listener.show("[Type c, b, n or f: how the clinic's phone answered]")
        action = verb.get("action")
        if not action:
            return None
        return urljoin(url, action), {"DialCallStatus": status}

    def _status(self, status: str) -> None:
        duration = str(int(time.monotonic() - self.started))
        url = urljoin(self.base_url, "/voice/status")
        self.transport.post(url, self._params({"CallStatus": status, "CallDuration": duration}))


def dial_result(answer: str) -> str | None:
    """Twilio's DialCallStatus for what the tester typed ("b", "busy"...), or None for anything else."""
    words = answer.strip().lower()
    named = {"answered": "completed", "completed": "completed", "busy": "busy", "no answer": "no-answer",
             "no-answer": "no-answer", "failed": "failed"}
    if words in named:
        return named[words]
    return DIAL_RESULTS.get(words) if len(words) == 1 else None


def _input_form(answer: str) -> dict[str, str]:
    if len(answer) == 1 and answer in "0123456789*#":
        return {"Digits": answer}
    return {"SpeechResult": answer, "Confidence": "0.9"}


def signed_headers(token: str | None, url: str, form: dict[str, str]) -> dict[str, str]:
    if not token:
        return {}
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


class FlaskTransport:
    """Calls the line in this process, through Flask's test client."""

    def __init__(self, app: Flask, token: str | None) -> None:
        self.client = app.test_client()
        self.token = token

    def post(self, url: str, form: dict[str, str]) -> str:
        response = self.client.post(url, data=form, headers=signed_headers(self.token, url, form))
        return _checked(response.status_code, response.get_data(as_text=True), url)


class HttpTransport:
    """Calls a line served at a URL, signing each request as Twilio does (with ``token``)."""

    def __init__(self, token: str | None, timeout: float = 15.0) -> None:
        import requests

        self.session = requests.Session()
        self.token = token
        self.timeout = timeout

    def post(self, url: str, form: dict[str, str]) -> str:
        import requests

        try:
            response = self.session.post(
                url, data=form, headers=signed_headers(self.token, url, form), timeout=self.timeout
            )
        except requests.Timeout:
            raise LineUnreachable(url, f"it did not answer within {self.timeout:.0f} seconds") from None
        except requests.ConnectionError:
            raise LineUnreachable(url, "nothing answers there") from None
        except requests.RequestException as error:
            raise LineUnreachable(url, f"it cannot be called ({type(error).__name__})") from None
        return _checked(response.status_code, response.text, url)


class LineError(Exception):
    """The line could not be called, or answered with something other than TwiML."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class LineUnreachable(LineError, ConnectionError):
    """Nothing answered at the line's URL (a ConnectionError, as the failure to connect it stands for)."""


class LineRefused(LineError):
    """The line answered, but with an HTTP error or something that is not TwiML."""

    def __init__(self, url: str, status: int, reason: str) -> None:
        super().__init__(url, reason)
        self.status = status


def _checked(status: int, body: str, url: str) -> str:
    if status == 204:
        return "<Response/>"
    if status != 200:
        first_line = " ".join(body.split())[:120]
        raise LineRefused(url, status, f"it answered HTTP {status}" + (f" ({first_line})" if first_line else ""))
    return body
