"""An answer sent by text message during a call, with Twilio's REST API (``twilio.rest.Client``).

The caller's number is used for the one message and forgotten: it is never kept or logged, and nor is
anything Twilio says back (its errors can quote the number). Imports no Flask.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import phonenumbers
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from ivr.store.callers import normalise

logger = logging.getLogger(__name__)

#: Where twilio's client sends its requests.
TWILIO_API = "https://api.twilio.com"
#: twilio's client logs each request at INFO; nothing of it is wanted in the line's logs.
_QUIET = logging.getLogger(f"{__name__}.twilio")
_QUIET.setLevel(logging.WARNING)


def why_not(number: str) -> str | None:
    """Why no text can go to ``number`` (Twilio's ``From``): "withheld" (hidden, a browser, not a phone number;
    the same test as the records' caller hash) or "landline" (where phonenumbers can tell); None when it may
    take one."""
    e164 = normalise(number)
    if e164 is None:
        return "withheld"
    parsed = phonenumbers.parse(e164, None)
    if not phonenumbers.is_valid_number(parsed):
        return "withheld"
    if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE:
        return "landline"
    return None  # a mobile, or a number that may be either (as every North American one is)


class TextSender:
    """Texts sent from one Twilio account, each sending done within ``seconds`` (Twilio waits 15 s for the
    webhook the caller is waiting on); ``api_url`` replaces Twilio's own address (a stand-in, in tests)."""

    def __init__(self, account_sid: str, auth_token: str, seconds: float, api_url: str = "") -> None:
        self._account = (account_sid, auth_token)
        self.seconds = seconds
        self._api_url = api_url.rstrip("/")

    def send(self, to: str, sender: str, bodies: Sequence[str]) -> bool:
        """Send each of ``bodies`` to ``to`` from ``sender``, in order; False when any could not be sent."""
        http = _Http(self.seconds, time.monotonic() + self.seconds, self._api_url)
        client = Client(*self._account, http_client=http)
        try:
            for body in bodies:
                client.messages.create(to=to, from_=sender, body=body)
        except TwilioRestException as error:
            logger.error("Twilio did not send an answer by text (HTTP %s, Twilio error %s)", error.status, error.code)
            return False
        except (OSError, ValueError, TwilioException) as error:  # requests: OSErrors; a garbled answer: ValueError
            logger.error("An answer could not be sent by text (%s)", type(error).__name__)
            return False
        finally:
            if http.session is not None:
                http.session.close()
        return True


class _Http(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no types
    """twilio's HTTP client, quiet, to ``api_url`` when one is given, and done by ``deadline`` (monotonic)."""

    def __init__(self, seconds: float, deadline: float, api_url: str) -> None:
        super().__init__(timeout=seconds, logger=_QUIET)
        self._deadline = deadline
        self._api_url = api_url

    def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Any = None,
                auth: Any = None, timeout: float | None = None, allow_redirects: bool = False) -> Response:
        if self._api_url and url.startswith(TWILIO_API):
            url = self._api_url + url[len(TWILIO_API):]
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no time left to send the text")
        # requests' timeout holds for connecting and for reading each: half of what is left for each.
        return super().request(method, url, params, data, headers, auth, left / 2, allow_redirects)
