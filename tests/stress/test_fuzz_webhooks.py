"""Whatever reaches a webhook, signed or not, the answer is 200, 403 or 413, and every 200 is sound TwiML.

Every webhook is sent each example (10,000 in CI): node ids, trails, rates and targets
in the query; keys, words, statuses and numbers in the form; huge values, control
characters, Latin-1 and invalid UTF-8 bodies, odd content types; correct, wrong and missing
signatures; any time of day, so the clinic is open or closed.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.test import EnvironBuilder

from ivr.line import MAX_SAY_CHARS
from tests.calls import CALLER, Answer
from tests.conftest import TOKEN, Clock
from tests.stress.conftest import FUZZ
from tests.test_any_input import LINE, assert_call_goes_on_or_ends_on_purpose
from tests.twiml_schema import check_against_schema

WEBHOOKS = ("/voice", "/voice/respond", "/voice/dial-finished", "/voice/status")
MAX_DOCUMENT_BYTES = 64 * 1024
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

#: Any text a form or URL can carry, control characters included (surrogates cannot be encoded).
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
CONTROL = st.text(alphabet=st.characters(max_codepoint=0x9F, categories=("Cc",)), min_size=1, max_size=20)


def _huge(*sizes: int) -> st.SearchStrategy[str]:
    return st.builds(lambda char, size: char * size, st.sampled_from(["1", "x", "é", "\x00", "#"]),
                     st.sampled_from(sizes))


#: In the form, values past the 16 kB body limit too: the answer is then 413.
VALUE = st.one_of(ANY_TEXT, CONTROL, _huge(1_000, 3_001, 9_000, 17_000), st.integers(-(10**30), 10**30).map(str))
#: In the URL, at most a few kilobytes: a server refuses longer request lines (gunicorn: 4,094 bytes).
URL_VALUE = st.one_of(ANY_TEXT, CONTROL, _huge(300, 1_000), st.integers(-(10**30), 10**30).map(str))
NODE = st.one_of(st.sampled_from([*LINE.nodes, "_end", ""]), ANY_TEXT)
QUERY = st.fixed_dictionaries(
    {},
    optional={
        "node": NODE,
        "trail": st.one_of(st.lists(NODE, max_size=30).map(",".join), URL_VALUE),
        "tries": st.one_of(st.integers(-5, 10), URL_VALUE),
        "rate": st.one_of(st.sampled_from(["120", "140", "160", "0"]), URL_VALUE),
        "target": st.one_of(st.sampled_from(["clinic", "after_hours"]), URL_VALUE),
    },
)
FORM = st.fixed_dictionaries(
    {},
    optional={
        "CallSid": st.one_of(st.just("CA" + "5" * 32), VALUE),
        "From": st.one_of(st.just(CALLER), VALUE),
        "Digits": st.one_of(st.sampled_from([*"0123456789*#", "", "12", "#*"]), VALUE),
        "SpeechResult": st.one_of(st.sampled_from(["swelling", "I can't breathe", "go back", "operator"]), VALUE),
        "Confidence": VALUE,
        "DialCallStatus": st.one_of(st.sampled_from(["completed", "busy", "no-answer", "failed", "canceled"]), VALUE),
        "CallStatus": st.one_of(st.sampled_from(["ringing", "in-progress", "completed", "busy"]), VALUE),
        "CallDuration": VALUE,
    },
)
EXTRA_FIELDS = st.lists(st.tuples(ANY_TEXT, VALUE), max_size=2)
MOMENT = st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2034, 1, 1), timezones=st.just(dt.UTC))


@dataclass(frozen=True)
class RawRequest:
    """A request as bytes on the wire: a query string and a body, each in some encoding."""

    query: str
    body: bytes
    content_type: str


@st.composite
def raw_requests(draw: st.DrawFn) -> RawRequest:
    query = draw(QUERY)
    query_encoding = draw(st.sampled_from(["utf-8", "latin-1", "raw"]))
    if query_encoding == "raw":  # as a server hands over bytes it did not expect: one char per byte
        query_string = "&".join(f"{key}={value}" for key, value in query.items()).encode(
            "utf-8", "replace").decode("latin-1")
    else:
        query_string = urlencode(query, encoding=query_encoding, errors="replace")
    fields = [*draw(FORM).items(), *draw(EXTRA_FIELDS)]
    kind = draw(st.sampled_from(["utf-8", "utf-8", "latin-1", "bytes", "repeated"]))
    if kind == "bytes":
        body = draw(st.binary(max_size=3_000))
    else:
        if kind == "repeated" and fields:
            fields.append((fields[0][0], draw(VALUE)))
        body = urlencode(fields, encoding="latin-1" if kind == "latin-1" else "utf-8", errors="replace").encode()
    content_type = draw(st.sampled_from([
        FORM_CONTENT_TYPE, FORM_CONTENT_TYPE, f"{FORM_CONTENT_TYPE}; charset=ISO-8859-1", "text/plain",
        "multipart/form-data", "",
    ]))
    return RawRequest(query_string, body, content_type)


def check_twiml(document: str) -> None:
    """What every TwiML answer must be: parseable, small, no <Say> too long, valid against Twilio's schema."""
    assert document.startswith("<?xml"), "nothing may come before the XML declaration"
    assert len(document.encode()) < MAX_DOCUMENT_BYTES, f"a {len(document.encode())}-byte document"
    root = ET.fromstring(document)
    assert root.tag == "Response"
    for say in root.iter("Say"):
        assert len(say.text or "") <= MAX_SAY_CHARS, "Twilio refuses a <Say> over 3,000 characters"
    check_against_schema(document)
    assert_call_goes_on_or_ends_on_purpose(Answer(200, document, root))


@pytest.mark.long
@FUZZ
@given(request=raw_requests(), signing=st.sampled_from(["signed", "signed", "signed", "unsigned", "wrong"]),
       now=MOMENT)
def test_any_request_to_any_webhook_is_answered_with_twiml_or_refused(
    stress_app: Flask, clock: Clock, request: RawRequest, signing: str, now: dt.datetime
) -> None:
    """Each drawn request goes to every webhook: each gets as many examples, and drawing them, which costs about
    as much as answering them, is done once."""
    clock.now = now
    for webhook in WEBHOOKS:
        _send_and_check(stress_app, webhook, request, signing)


def _send_and_check(app: Flask, webhook: str, request: RawRequest, signing: str) -> None:
    url = f"http://localhost{webhook}" + (f"?{request.query}" if request.query else "")
    headers = {}
    if signing == "signed":  # sign exactly what the server will read, as Twilio signs what it sends
        form = _builder(webhook, request, {}).get_request().form
        headers["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(url, form)
    elif signing == "wrong":
        headers["X-Twilio-Signature"] = quote(request.query[:40]) or "bm90IGEgc2lnbmF0dXJl"
    response = app.test_client().open(_builder(webhook, request, headers))
    too_big = len(request.body) > app.config["MAX_CONTENT_LENGTH"]

    if signing == "signed" and not too_big:
        assert response.status_code == (204 if webhook == "/voice/status" else 200), (
            webhook, response.get_data(as_text=True))
    else:
        assert response.status_code in (403, 413), webhook
    if response.status_code == 200:
        assert response.mimetype == "text/xml"
        check_twiml(response.get_data(as_text=True))


def _builder(webhook: str, request: RawRequest, headers: dict[str, str]) -> EnvironBuilder:
    return EnvironBuilder(
        path=webhook, base_url="http://localhost", method="POST", data=request.body, headers=headers,
        content_type=request.content_type or None, environ_overrides={"QUERY_STRING": request.query},
    )
