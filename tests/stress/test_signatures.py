"""Twilio's signature in all the forms it arrives in, and requests sent again."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from tests.calls import CALLER, Caller, sign
from tests.conftest import TOKEN

PUBLIC = "https://line.example.org"
FORM = {"CallSid": "CA" + "7" * 32, "From": CALLER, "To": "+12025550143", "AccountSid": "AC" + "0" * 32}


def post(client: FlaskClient, path: str, signed_url: str, form: dict[str, str] | MultiDict[str, str] = FORM,
         **headers: str) -> int:
    """POST ``form`` to ``path`` with a signature made for ``signed_url``; the status."""
    signature = {"X-Twilio-Signature": sign(TOKEN, signed_url, form)}  # type: ignore[arg-type]
    response = client.post(path, data=form, headers={**signature, **headers})
    return response.status_code


# -- the URL Twilio signed -------------------------------------------------------------


@pytest.mark.parametrize("public_url", [PUBLIC, f"{PUBLIC}:443"])
@pytest.mark.parametrize("signed", [f"{PUBLIC}/voice", f"{PUBLIC}:443/voice"])
def test_a_signature_with_or_without_port_443_is_accepted(
    make_app: Callable[..., Flask], public_url: str, signed: str
) -> None:
    client = make_app(PUBLIC_URL=public_url).test_client()
    assert post(client, "/voice", signed) == 200


def test_behind_a_trusted_proxy_port_443_in_the_signed_url_is_accepted(make_app: Callable[..., Flask]) -> None:
    client = make_app(PROXY_HOPS=1).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "line.example.org", "X-Forwarded-Port": "443"}
    assert post(client, "/voice", f"{PUBLIC}/voice", **forwarded) == 200
    assert post(client, "/voice", f"{PUBLIC}:443/voice", **forwarded) == 200
    assert post(client, "/voice", "http://localhost/voice", **forwarded) == 403


QUERIES = [
    "node=main&tries=0&rate=140",
    "node=swelling&trail=main%2Cswelling&tries=0&rate=140",  # an escaped comma
    "node=main&trail=&tries=0&rate=140",  # an empty value
    "node=main&flag",  # a key without a value
    "node=main&note=a%20b+c",  # a space both ways
    "node=main&name=O%27Hara&tilde=%7E",  # escapes that need none
    "node=main&city=Z%C3%BCrich&latin=%E9",  # UTF-8, and a byte that is not UTF-8
    "node=main&node=symptoms",  # a repeated parameter
]


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_string_is_checked_as_twilio_sent_it(stress_app: Flask, query: str) -> None:
    client = stress_app.test_client()
    path = f"/voice/respond?{query}"
    assert post(client, path, f"http://localhost{path}", {**FORM, "Digits": "1"}) == 200
    tampered = path.replace("node=main", "node=symptoms", 1) if "node=main" in path else path + "x"
    assert post(client, tampered, f"http://localhost{path}", {**FORM, "Digits": "1"}) == 403
    reordered = "/voice/respond?" + "&".join(reversed(query.split("&")))
    if reordered != path:
        assert post(client, reordered, f"http://localhost{path}", {**FORM, "Digits": "1"}) == 403


def test_a_query_twilio_signed_unescaped_but_sent_escaped_is_accepted(stress_app: Flask) -> None:
    """Twilio signs SIP addresses with their @ and :, and sends them escaped."""
    sent = "/voice/respond?node=main&tries=0&rate=140&caller=sip%3Aalice%40example.org"
    signed = "http://localhost/voice/respond?node=main&tries=0&rate=140&caller=sip:alice@example.org"
    assert post(stress_app.test_client(), sent, signed, {**FORM, "Digits": "2"}) == 200


def test_a_signature_for_another_webhook_is_refused(stress_app: Flask) -> None:
    client = stress_app.test_client()
    assert post(client, "/voice/status", "http://localhost/voice") == 403
    assert post(client, "/voice/respond?node=main", "http://localhost/voice/respond?node=symptoms") == 403


# -- the form Twilio signed ------------------------------------------------------------


def test_a_repeated_form_parameter_is_signed_as_twilio_signs_it(stress_app: Flask) -> None:
    client = stress_app.test_client()
    url = "http://localhost/voice/respond?node=main&tries=0&rate=140"
    form = MultiDict([*FORM.items(), ("Digits", "2"), ("Digits", "1")])
    assert post(client, url, url, form) == 200
    signature = sign(TOKEN, url, form)  # type: ignore[arg-type]
    for tampered in (
        MultiDict([*FORM.items(), ("Digits", "2"), ("Digits", "3")]),
        MultiDict([*FORM.items(), ("Digits", "2")]),
        MultiDict([*FORM.items(), ("Digits", "2"), ("Digits", "1"), ("Digits", "0")]),
    ):
        response = client.post(url, data=tampered, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 403


@pytest.mark.parametrize(("algorithm", "digest", "status"), [
    ("HMAC_SHA256", hashlib.sha256, 200),
    ("HMAC_SHA256", hashlib.sha1, 403),
    ("HMAC_MD5", hashlib.md5, 403),
])
def test_a_signature_by_shared_key_names_its_algorithm(stress_app: Flask, algorithm: str, digest, status: int) -> None:  # type: ignore[no-untyped-def]
    url = "http://localhost/voice"
    payload = url + "".join(f"{key}{FORM[key]}" for key in sorted(FORM))
    signature = base64.b64encode(hmac.new(TOKEN.encode(), payload.encode(), digest).digest()).decode()
    headers = {"X-Twilio-Signature": signature,
               "X-Twilio-Webhooks-Signature-Settings": f"key=webhooks_sharedkey_1,algorithm={algorithm}"}
    assert stress_app.test_client().post("/voice", data=FORM, headers=headers).status_code == status


# -- forwarded headers ------------------------------------------------------------------


def test_forwarded_headers_count_only_from_the_configured_number_of_proxies(make_app: Callable[..., Flask]) -> None:
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example, line.example.org"}
    trusting = make_app(PROXY_HOPS=1).test_client()
    assert post(trusting, "/voice", f"{PUBLIC}/voice", **spoofed) == 200
    assert post(trusting, "/voice", "https://evil.example/voice", **spoofed) == 403
    not_trusting = make_app().test_client()
    assert post(not_trusting, "/voice", f"{PUBLIC}/voice", **spoofed) == 403
    assert post(not_trusting, "/voice", "http://localhost/voice", **spoofed) == 200


# -- replays -----------------------------------------------------------------------------


def events(app: Flask, call_sid: str) -> list[tuple[str, str]]:
    app.extensions["ivr"].recorder.flush(10)
    with app.extensions["ivr.store"].engine.connect() as connection:
        rows = connection.execute(text("SELECT kind, node FROM events WHERE call_sid = :sid ORDER BY id"),
                                  {"sid": call_sid})
        return [(row.kind, row.node) for row in rows]


def test_a_request_sent_many_times_at_once_is_answered_alike_and_recorded_once(stress_app: Flask) -> None:
    caller = Caller(stress_app.test_client(), TOKEN, sid="CA" + "8" * 32)
    caller.dial_in()
    url = caller.last.gather.get("action", "")  # type: ignore[union-attr]
    form = {"CallSid": caller.sid, "From": CALLER, "Digits": "2"}
    signature = sign(TOKEN, url, form)

    def replay(_: int) -> tuple[int, bytes]:
        response = stress_app.test_client().post(url, data=form, headers={"X-Twilio-Signature": signature})
        return response.status_code, response.get_data()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(replay, range(40)))
    assert {status for status, _ in answers} == {200}
    assert len({document for _, document in answers}) == 1, "a replay hears what the first request heard"
    assert events(stress_app, caller.sid) == [("start", "main"), ("option", "swelling")]
