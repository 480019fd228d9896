"""Only Twilio drives a call, and nothing a request does can break one."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask

from ivr import UnsafeConfiguration, create_app
from ivr.call import CallFlow
from tests.calls import Caller, sign
from tests.conftest import TOKEN


def test_an_unsigned_request_is_refused(caller: Caller) -> None:
    assert caller.post("/voice", signed=False).status == 403


def test_a_request_signed_with_another_token_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    form = {"CallSid": "CA1", "From": "+12025550100"}
    headers = {"X-Twilio-Signature": sign("another-token", "http://localhost/voice", form)}
    assert client.post("/voice", data=form, headers=headers).status_code == 403


def test_a_tampered_parameter_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    form = {"CallSid": "CA1", "Digits": "1"}
    url = "http://localhost/voice/respond?node=main&tries=0&rate=140"
    headers = {"X-Twilio-Signature": sign(TOKEN, url, form)}
    assert client.post(url, data={**form, "Digits": "0"}, headers=headers).status_code == 403
    tampered_url = url.replace("node=main", "node=symptoms")
    assert client.post(tampered_url, data=form, headers=headers).status_code == 403
    assert client.post(url, data=form, headers=headers).status_code == 200


def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(make_app: Callable[..., Flask]) -> None:
    app = make_app(PUBLIC_URL="https://line.example.org")
    caller = Caller(app.test_client(), TOKEN, base="https://line.example.org")
    answer = caller.dial_in()
    assert answer.status == 200
    assert answer.gather.get("action", "").startswith("https://line.example.org/voice/respond?")  # type: ignore[union-attr]
    assert caller.press("2").status == 200
    local = Caller(app.test_client(), TOKEN, base="http://localhost")
    assert local.dial_in().status == 403, "a signature for the internal URL is not the public one"


def test_forwarded_headers_are_trusted_only_when_proxy_hops_are_set(make_app: Callable[..., Flask]) -> None:
    form = {"CallSid": "CA1"}
    public = "https://line.example.org/voice"
    headers = {
        "X-Twilio-Signature": sign(TOKEN, public, form),
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "line.example.org",
    }
    trusting = make_app(PROXY_HOPS=1).test_client()
    assert trusting.post("/voice", data=form, headers=headers).status_code == 200
    not_trusting = make_app().test_client()
    assert not_trusting.post("/voice", data=form, headers=headers).status_code == 403


def test_without_a_token_the_server_refuses_to_start_unless_in_development_mode(
    caplog: pytest.LogCaptureFixture, make_app: Callable[..., Flask]
) -> None:
    with pytest.raises(UnsafeConfiguration):
        create_app({"TESTING": True, "TWILIO_AUTH_TOKEN": ""})
    with caplog.at_level(logging.WARNING):
        app = make_app(TWILIO_AUTH_TOKEN="", DEV_MODE=True)
    assert "NOT checked" in caplog.text
    assert app.test_client().post("/voice", data={"CallSid": "CA1"}).status_code == 200


def test_a_large_request_body_is_refused_with_413(caller: Caller) -> None:
    assert caller.post("/voice", {"SpeechResult": "x" * 100_000}).status == 413


def test_an_unexpected_failure_still_answers_twiml_with_an_apology_and_a_transfer(
    caller: Caller, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    caller.dial_in()
    monkeypatch.setattr(CallFlow, "respond", broken)
    with caplog.at_level(logging.ERROR):
        answer = caller.press("1")
    assert answer.status == 200
    assert "Sorry, something went wrong" in answer.heard
    assert answer.dialled_number == "+12025550143"
    assert "a bug" in caplog.text
