"""A test caller that drives the webhooks the way Twilio does: signed form POSTs, then TwiML."""

from __future__ import annotations

import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from tests.twiml_schema import check_against_schema

CALLER = "+12025550100"


def transcripts_from(client: FlaskClient) -> Callable[[str], str]:
    """What each played prompt says, as the app serves its transcript beside its audio."""

    def transcript(url: str) -> str:
        with client.get(urlsplit(url).path.removesuffix(".wav") + ".txt") as response:
            assert response.status_code == 200, url
            return response.get_data(as_text=True)

    return transcript


def transcripts_over_http(url: str) -> str:
    """What a prompt played from a served line says, as the server serves its transcript beside its audio."""
    with urllib.request.urlopen(url.removesuffix(".wav") + ".txt", timeout=10) as response:
        return str(response.read().decode("utf-8"))


def sign(token: str, url: str, form: dict[str, str]) -> str:
    return RequestValidator(token).compute_signature(url, form)


@dataclass
class Answer:
    """One TwiML document the line returned, with what the caller hears in it."""

    status: int
    document: str
    root: ET.Element | None = None

    @property
    def verbs(self) -> list[str]:
        return [verb.tag for verb in self.root] if self.root is not None else []

    @property
    def heard(self) -> str:
        """Every <Say> text, in order (the tests use lines in "say" mode unless they check audio);
        the text of a <Say> that changes pace is in its <prosody>."""
        assert self.root is not None
        return " ".join("".join(el.itertext()).strip() for el in self.root.iter("Say"))

    def heard_with(self, transcript: Callable[[str], str]) -> str:
        """What the caller hears, <Say> and <Play> alike, in order: a played prompt's words as
        ``transcript(url)`` gives them (the line serves each prompt's text beside its audio)."""
        assert self.root is not None
        said = ["".join(el.itertext()).strip() if el.tag == "Say" else transcript((el.text or "").strip())
                for el in self.root.iter() if el.tag in ("Say", "Play")]
        return " ".join(said)

    @property
    def played(self) -> list[str]:
        """Every <Play> URL, in order (lines in "play" mode whose audio is rendered)."""
        assert self.root is not None
        return [(el.text or "").strip() for el in self.root.iter("Play")]

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather") if self.root is not None else None

    @property
    def dial(self) -> ET.Element | None:
        return self.root.find("Dial") if self.root is not None else None

    @property
    def dialled_number(self) -> str | None:
        dial = self.dial
        return "".join(dial.itertext()).strip() if dial is not None else None


@dataclass
class Caller:
    """One phone call placed on the line through Flask's test client."""

    client: FlaskClient
    token: str
    base: str = "http://localhost"
    sid: str = "CA" + "1" * 32
    last: Answer | None = None
    history: list[Answer] = field(default_factory=list)

    def post(self, url: str, form: dict[str, str] | None = None, *, signed: bool = True) -> Answer:
        form = {"CallSid": self.sid, "From": CALLER, "To": "+12025550143", "AccountSid": "AC" + "0" * 32,
                **(form or {})}
        url = urljoin(self.base, url)
        headers = {"X-Twilio-Signature": sign(self.token, url, form)} if signed and self.token else {}
        response = self.client.post(url, data=form, headers=headers)
        answer = Answer(response.status_code, response.get_data(as_text=True))
        if response.status_code == 200:
            assert response.mimetype == "text/xml"
            assert answer.document.startswith("<?xml"), "nothing may come before the XML declaration"
            check_against_schema(answer.document)
            answer.root = ET.fromstring(answer.document)
            assert answer.root.tag == "Response"
        self.last = answer
        self.history.append(answer)
        return answer

    def dial_in(self) -> Answer:
        return self.post("/voice", {"CallStatus": "ringing"})

    def _gather_action(self) -> str:
        assert self.last is not None and self.last.gather is not None, "the line is not listening"
        return self.last.gather.get("action", "")

    def press(self, digits: str) -> Answer:
        return self.post(self._gather_action(), {"Digits": digits})

    def say(self, words: str) -> Answer:
        return self.post(self._gather_action(), {"SpeechResult": words, "Confidence": "0.8"})

    def stay_silent(self) -> Answer:
        """Do nothing: Twilio falls through the <Gather> to the <Redirect> after it."""
        assert self.last is not None and self.last.root is not None
        redirect = self.last.root.find("Redirect")
        assert redirect is not None, "a <Gather> must be followed by a verb"
        return self.post((redirect.text or "").strip(), {})

    def dial_ends(self, status: str) -> Answer:
        assert self.last is not None and self.last.dial is not None, "the line is not transferring"
        return self.post(self.last.dial.get("action", ""), {"DialCallStatus": status})
