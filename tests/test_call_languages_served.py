"""A caller's language, remembered through `ivr serve` as shipped (two workers), a new connection a request.

Each worker answers some of a caller's calls: the language a call starts in must follow the caller's
last choice whichever worker took it, both ways.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.calls import Caller
from tests.conftest import TOKEN
from tests.delivery import sid
from tests.served import HttpClient, Served, ivr_serve
from tests.test_call_languages import SPANISH_START, remembering_line

ENGLISH_START = "If you have trouble breathing, swallowing or speaking, hang up now and call 911."
#: Enough calls that both workers answer some of them.
CALLS = 8

pytestmark = pytest.mark.slow


def _caller(served: Served, n: int) -> Caller:
    return Caller(HttpClient(served.base), TOKEN, base=served.base, sid=sid(n))  # type: ignore[arg-type]


def _starts(served: Served, first: int) -> list[str]:
    """How each of :data:`CALLS` calls from the same caller starts: its first sentence."""
    return [_caller(served, first + n).dial_in().heard.split(". ")[0] + "." for n in range(CALLS)]


def _wait_until_recorded(database: Path, call: str, language: str) -> None:
    """Until the records hold the choice: a caller's next call comes seconds later, not milliseconds."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as connection:
            row = connection.execute("SELECT language FROM calls WHERE call_sid = ?", (call,)).fetchone()
        if row == (language,):
            return
        time.sleep(0.05)
    raise AssertionError(f"the records never held {language!r} for {call}")


def test_the_language_a_call_starts_in_follows_the_callers_last_choice_on_every_worker(tmp_path: Path) -> None:
    database = tmp_path / "calls.sqlite3"
    with ivr_serve(tmp_path, tmp_path / "server.log", IVR_LINE_FILE=str(remembering_line(tmp_path)),
                   IVR_DATABASE_URL=f"sqlite:///{database}") as served:
        assert set(_starts(served, 0)) == {ENGLISH_START}, "both workers have now asked about this caller"

        spanish = _caller(served, 100)
        spanish.dial_in()
        spanish.press("9")
        _wait_until_recorded(database, sid(100), "es")
        assert set(_starts(served, 200)) == {SPANISH_START}

        english = _caller(served, 300)
        english.dial_in()
        english.press("9")  # at a Spanish start, 9 offers English
        _wait_until_recorded(database, sid(300), "en")
        assert set(_starts(served, 400)) == {ENGLISH_START}
