"""Calls placed the way Twilio delivers them: each webhook with its own idempotency token, and retries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.calls import Answer, Caller
from tests.conftest import TOKEN

TOKEN_HEADER = "I-Twilio-Idempotency-Token"


@dataclass
class Delivery:
    """Stands in for the test client: adds Twilio's I-Twilio-Idempotency-Token to each request.

    :meth:`redeliver` sends the last request again exactly, token included, as Twilio does
    when it retries a webhook.
    """

    client: FlaskClient
    last: tuple[str, dict[str, Any]] | None = None
    tokens: bool = True

    def post(self, url: str, **kwargs: Any) -> TestResponse:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.tokens:
            headers[TOKEN_HEADER] = uuid.uuid4().hex
        kwargs["headers"] = headers
        self.last = (url, kwargs)
        return self.client.post(url, **kwargs)

    def redeliver(self) -> TestResponse:
        assert self.last is not None, "nothing was delivered yet"
        url, kwargs = self.last
        return self.client.post(url, **kwargs)


@dataclass
class Call:
    """One call on the line: its caller, and its webhooks as Twilio would send them."""

    app: Flask
    sid: str
    number: str = "+12025550100"
    tokens: bool = True
    delivery: Delivery = field(init=False)
    caller: Caller = field(init=False)

    def __post_init__(self) -> None:
        self.delivery = Delivery(self.app.test_client(), tokens=self.tokens)
        self.caller = Caller(self.delivery, TOKEN, sid=self.sid)  # type: ignore[arg-type]

    def dial_in(self) -> Answer:
        return self.caller.post("/voice", {"CallStatus": "ringing", "From": self.number})

    def hang_up(self, seconds: int = 60, status: str = "completed") -> Answer:
        """Twilio's status callback: the call is over."""
        return self.caller.post(
            "/voice/status", {"CallStatus": status, "CallDuration": str(seconds), "From": self.number}
        )

    def press(self, digits: str) -> Answer:
        return self.caller.press(digits)

    def say(self, words: str) -> Answer:
        return self.caller.say(words)

    def stay_silent(self) -> Answer:
        return self.caller.stay_silent()

    def dial_ends(self, status: str) -> Answer:
        return self.caller.dial_ends(status)


def sid(n: int) -> str:
    """A call SID as Twilio writes them: CA and 32 hex digits."""
    return f"CA{n:032x}"
