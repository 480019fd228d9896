from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ivr import create_app
from ivr.config import DEFAULT_LINE_FILE
from tests.calls import Caller
from tests.stress.sweep import numbers_kept, stress_folders

pytest_plugins = ["tests.databases", "tests.browser"]

TOKEN = "test-auth-token-0123456789abcdef"
#: A Tuesday, 10 AM in New York: the Botox line's clinic is open.
OPEN = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
#: The same Tuesday, 11 PM in New York: closed.
CLOSED = dt.datetime(2026, 11, 25, 4, 0, tzinfo=dt.UTC)
#: scrypt's cost for the dashboard password in tests: 2**8, the least werkzeug can check (a real server's 2**15
#: takes a second of CPU at each sign-in on a busy machine).
PASSWORD_COST = 8


class Clock:
    """A settable clock for the app, so tests choose open or closed hours."""

    def __init__(self, now: dt.datetime = OPEN) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


#: Settings that, unset, put what a command or server keeps in the working tree's instance/ folder.
OWN_INSTANCE = ("IVR_AUDIO_DIR", "IVR_DATABASE_URL", "IVR_LAST_GOOD_LINE_DIR")


@pytest.fixture(autouse=True)
def own_instance_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands and servers a test starts keep their audio and records in a folder of the test's own
    (beside its ``tmp_path``, which stays empty for the test).

    Otherwise they would use instance/ in the working tree, and what an earlier command left there
    (the audio `bash scripts/run` rendered, its call records) would change what a test sees.
    """
    folder = tmp_path_factory.mktemp("instance")
    monkeypatch.setenv("IVR_AUDIO_DIR", str(folder / "audio"))
    monkeypatch.setenv("IVR_DATABASE_URL", f"sqlite:///{folder / 'calls.sqlite3'}")
    monkeypatch.setenv("IVR_LAST_GOOD_LINE_DIR", str(folder / "last-good-lines"))
    monkeypatch.setenv("IVR_PUBLISH_AUDIT", "false")  # Whisper takes seconds to load
    return folder


@pytest.fixture(scope="session")
def _shared_clock() -> Clock:
    return Clock()


@pytest.fixture
def clock(_shared_clock: Clock) -> Clock:
    """The apps' clock, at open hours when a test starts (every app of the session shares it)."""
    _shared_clock.now = OPEN
    return _shared_clock


@pytest.fixture
def line_file() -> Path:
    return DEFAULT_LINE_FILE


def _test_settings(clock: Clock, folder: Path, **settings: object) -> dict[str, object]:
    config: dict[str, object] = {
        "TESTING": True,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "LINE_FILE": str(DEFAULT_LINE_FILE),
        "CLOCK": clock,
        "LINE_RELOAD_SECONDS": 0.0,
        # Nothing is rendered here, so calls hear <Say> unless a test renders audio.
        "AUDIO_DIR": str(folder / "audio"),
        "LAST_GOOD_LINE_DIR": str(folder / "last-good-lines"),
        "DASHBOARD_PASSWORD_COST": PASSWORD_COST,
        # A page a test reads at once after a call shows it, however busy the machine (the records are written
        # within hundredths of a second; at a load of 14, a PostgreSQL write once took more than 0.5 s).
        "RECORD_SETTLE_SECONDS": 10.0,
        # Whisper takes seconds to load: one test audits a publish's changed prompts (test_line_versions.py).
        "PUBLISH_AUDIT": False,
    }
    config.update(settings)
    return config


@pytest.fixture
def make_app(clock: Clock, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        made.append(create_app(_test_settings(clock, tmp_path, **settings)))
        return made[-1]

    yield make
    for app in made:  # write what the test left queued while its database is still there
        app.extensions["ivr"].recorder.flush(5)
        # and stop its line's watcher: a test's app outlives the test until it is collected, and its thread went
        # on asking a database already dropped for new versions, four times a second, beside later tests' calls
        app.extensions["ivr"].line.stop()


@pytest.fixture(scope="session")
def _shared_app(_shared_clock: Clock, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The Botox line with the test settings, built once: a call's state lives in the signed URLs of its
    TwiML, not in the app, so calls of different tests cannot meet in it. Each test sets the clock."""
    return create_app(_test_settings(_shared_clock, tmp_path_factory.mktemp("shared")))


@pytest.fixture
def app(make_app: Callable[..., Flask], line_file: Path, clock: Clock, _shared_app: Flask) -> Flask:
    """The line ``line_file`` names: the shared app for the Botox line, else one of the test's own."""
    if line_file == DEFAULT_LINE_FILE:
        return _shared_app
    return make_app(LINE_FILE=str(line_file))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def caller(client: FlaskClient) -> Caller:
    return Caller(client, TOKEN)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests (``long``: each a minute or more of CPU) first, and spread over the workers.

    pytest-xdist's worksteal hands worker i the i-th of as many contiguous shares of the collection as there
    are workers, and an idle worker later steals from the END of another's share. So each share here begins
    with its turn of the long tests: every worker starts its long tests at once and none is left running
    three of them in a row while the others have finished.
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    # The audit's first (the longest: each transcribes the whole line), then the rest in their order.
    long_tests = sorted((item for item in items if item.get_closest_marker("long")),
                        key=lambda item: item.get_closest_marker("audit") is None)
    items[:] = _spread(long_tests, [item for item in items if not item.get_closest_marker("long")], workers)


def _spread(long_tests: list[pytest.Item], others: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """Each worker's share, as xdist cuts them (the i-th: what is left over the workers left), led by every
    ``workers``-th long test."""
    shares: list[list[pytest.Item]] = [long_tests[i::workers] for i in range(workers)]
    left = len(long_tests) + len(others)
    rest = iter(others)
    for i, share in enumerate(shares):
        size = left // (workers - i)
        share.extend(itertools.islice(rest, max(size - len(share), 0)))
        left -= len(share)
    shares[-1].extend(rest)
    return [item for share in shares for item in share]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Once the whole suite has run: no caller's number kept by the stress suite (tests/stress/sweep.py).

    Under xdist this runs in the process that started the workers, after every worker has finished,
    and searches every worker's folder; a number found fails the run.
    """
    if hasattr(session.config, "workerinput"):
        return
    factory: pytest.TempPathFactory | None = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    found = numbers_kept(stress_folders(factory.getbasetemp()))
    if not found:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_sep("=", "a caller's number is kept", red=True)
        for place in found:
            reporter.write_line(place)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
