from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ivr import create_app
from ivr.config import DEFAULT_LINE_FILE
from tests.calls import Caller

pytest_plugins = ["tests.databases", "tests.browser"]

TOKEN = "test-auth-token-0123456789abcdef"
#: A Tuesday, 10 AM in New York: the Botox line's clinic is open.
OPEN = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
#: The same Tuesday, 11 PM in New York: closed.
CLOSED = dt.datetime(2026, 11, 25, 4, 0, tzinfo=dt.UTC)


class Clock:
    """A settable clock for the app, so tests choose open or closed hours."""

    def __init__(self, now: dt.datetime = OPEN) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def line_file() -> Path:
    return DEFAULT_LINE_FILE


@pytest.fixture
def make_app(clock: Clock, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        config: dict[str, object] = {
            "TESTING": True,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "LINE_FILE": str(DEFAULT_LINE_FILE),
            "CLOCK": clock,
            "LINE_RELOAD_SECONDS": 0.0,
            # Nothing is rendered here, so calls hear <Say> unless a test renders audio.
            "AUDIO_DIR": str(tmp_path / "audio"),
            "LAST_GOOD_LINE_DIR": str(tmp_path / "last-good-lines"),
        }
        config.update(settings)
        made.append(create_app(config))
        return made[-1]

    yield make
    for app in made:  # write what the test left queued while its database is still there
        app.extensions["ivr"].recorder.flush(5)


@pytest.fixture
def app(make_app: Callable[..., Flask], line_file: Path) -> Flask:
    return make_app(LINE_FILE=str(line_file))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def caller(client: FlaskClient) -> Caller:
    return Caller(client, TOKEN)
