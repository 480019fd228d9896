"""The records know each call's language, and a line may start a caller's next call in the one they chose."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from ivr.config import DEFAULT_LINE_FILE
from ivr.store.memory import LanguageMemory
from tests.calls import CALLER
from tests.delivery import Call, sid
from tests.line_files import base_line, edit, write_line
from tests.test_call_records import calls, journey, query

#: The number every webhook of a test call comes from, as Twilio sends it with each.
NUMBER = CALLER
ENGLISH_OFFER = "For English, press 9."
SPANISH_START = "Si tiene dificultad para respirar, tragar o hablar, cuelgue ahora y llame al 9 1 1."


def remembering_line(tmp_path: Path) -> Path:
    """The Botox line, with callers' language choices remembered."""
    text = edit(DEFAULT_LINE_FILE.read_text(), "  record_speech: false\n", "  record_speech: false\n"
                "  remember_language: true\n")
    return write_line(tmp_path, text, "remembering.yaml")


def test_each_calls_language_is_kept_with_the_call(make_app: Callable[..., Flask], database_url: str) -> None:
    app = make_app(DATABASE_URL=database_url)
    english, spanish = Call(app, sid(1), NUMBER), Call(app, sid(2), NUMBER)
    english.dial_in()
    english.press("2")
    spanish.dial_in()
    spanish.press("9")
    spanish.press("2")
    for call in (english, spanish):
        call.hang_up()
    assert [(row["call_sid"], row["language"]) for row in calls(app)] == [(sid(1), "en"), (sid(2), "es")]
    assert [turn[0] for turn in journey(app, sid(2))] == ["start", "language", "option"]


def test_a_choice_of_language_written_before_the_start_of_its_call_still_wins(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    """Two servers may write a call's records in either order."""
    first, second = make_app(DATABASE_URL=database_url), make_app(DATABASE_URL=database_url)
    call = Call(first, sid(3), NUMBER)
    call.dial_in()
    call.delivery.client = second.test_client()
    call.press("9")
    second.extensions["ivr"].recorder.flush(5)
    first.extensions["ivr"].recorder.flush(5)
    assert query(first, "SELECT language FROM calls") == [{"language": "es"}]


def test_a_line_of_one_language_keeps_no_language(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    app = make_app(DATABASE_URL=database_url, LINE_FILE=str(write_line(tmp_path, base_line())))
    call = Call(app, sid(4), NUMBER)
    call.dial_in()
    call.press("9")
    assert [row["language"] for row in calls(app)] == [None]


def test_by_default_a_callers_choice_is_not_remembered(make_app: Callable[..., Flask], database_url: str) -> None:
    app = make_app(DATABASE_URL=database_url)
    first = Call(app, sid(5), NUMBER)
    first.dial_in()
    first.press("9")
    app.extensions["ivr"].recorder.flush(5)
    assert "Para español, oprima 9." in Call(app, sid(6), NUMBER).dial_in().heard


def test_a_line_that_remembers_starts_the_callers_next_call_in_their_language_and_offers_english(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    line = str(remembering_line(tmp_path))
    # Servers that share a database share the key of callers' hashes too.
    settings = {"DATABASE_URL": database_url, "LINE_FILE": line, "CALLER_HASH_KEY": "shared-key"}
    first = Call(make_app(**settings), sid(7), NUMBER)
    first.dial_in()
    first.press("9")
    first.hang_up()
    first.app.extensions["ivr"].recorder.flush(5)
    # Another server, which has not seen the caller: it asks the records.
    again = Call(make_app(**settings), sid(8), NUMBER).dial_in()
    texts = ["".join(say.itertext()) for say in again.root.iter("Say")]  # type: ignore[union-attr]
    assert texts[:2] == [SPANISH_START, ENGLISH_OFFER], "the Spanish emergency sentence, then English offered"
    assert again.gather is not None and again.gather.get("language") == "es-US"
    stranger = Call(first.app, sid(9), "+12025550199").dial_in()
    assert stranger.heard.startswith("If you have trouble breathing"), "another caller starts in English"


def test_a_remembered_caller_who_presses_9_goes_back_to_english_and_that_is_remembered(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    app = make_app(DATABASE_URL=database_url, LINE_FILE=str(remembering_line(tmp_path)))
    Call(app, sid(10), NUMBER).dial_in()  # stays in English
    spanish = Call(app, sid(11), NUMBER)
    spanish.dial_in()
    spanish.press("9")
    back = Call(app, sid(12), NUMBER)
    assert ENGLISH_OFFER in back.dial_in().heard
    assert back.press("9").heard.startswith("If you have trouble breathing")
    assert Call(app, sid(13), NUMBER).dial_in().heard.startswith("If you have trouble breathing")
    app.extensions["ivr"].recorder.flush(5)
    assert [row["language"] for row in calls(app)] == ["en", "es", "en", "en"]


def test_remembering_never_delays_or_breaks_a_call_when_the_database_cannot_be_reached(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    app = make_app(DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/records", RECORD_TIMEOUT_SECONDS=0.5,
                   LINE_FILE=str(remembering_line(tmp_path)))
    slowest = 0.0
    for n in range(3):
        began = time.perf_counter()
        answer = Call(app, sid(20 + n), NUMBER).dial_in()
        slowest = max(slowest, time.perf_counter() - began)
        assert answer.status == 200 and "Para español, oprima 9." in answer.heard
    assert slowest < 0.5, "a call waits a quarter of a second at most, once"


def test_a_slow_lookup_is_waited_for_briefly_then_left_alone_and_kept_for_next_time() -> None:
    asked: list[str] = []

    def slow(caller: str, line: str) -> tuple[str, dt.datetime]:
        asked.append(caller)
        time.sleep(0.3)
        return "es", dt.datetime.now(dt.UTC)

    memory = LanguageMemory(slow, wait=0.05, pause=60)
    try:
        began = time.perf_counter()
        assert memory.language("hash-1", "line") is None
        assert memory.language("hash-2", "line") is None, "while paused, the database is not asked"
        assert time.perf_counter() - began < 0.2
        # The late answer arrives 0.3 s after it was asked, on its own thread: waited for, not timed, so that a busy
        # machine scheduling that thread late does not fail the test.
        deadline = time.monotonic() + 10
        while memory.language("hash-1", "line") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert memory.language("hash-1", "line") == "es", "the late answer is kept for the caller's next call"
        assert asked == ["hash-1"]
    finally:
        memory.close()


def test_a_failing_lookup_is_left_alone_for_a_while(caplog: pytest.LogCaptureFixture) -> None:
    def broken(caller: str, line: str) -> tuple[str, dt.datetime]:
        raise OSError("no database")

    memory = LanguageMemory(broken, wait=1, pause=60)
    try:
        assert memory.language("hash-1", "line") is None
        assert memory.language("hash-2", "line") is None
        assert caplog.text.count("Looking up a caller's language") == 1
        memory.remember("hash-2", "line", "es")
        assert memory.language("hash-2", "line") == "es", "a choice made here is known at once"
    finally:
        memory.close()


@pytest.mark.parametrize(("words", "language"), [("no hablo inglés", "es-US"), ("I don't speak English", "es-US"),
                                                 ("English please", "en-US")])
def test_at_a_spanish_start_only_asking_for_english_chooses_it(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path, words: str, language: str
) -> None:
    app = make_app(DATABASE_URL=database_url, LINE_FILE=str(remembering_line(tmp_path)))
    first = Call(app, sid(30), NUMBER)
    first.dial_in()
    first.press("9")
    app.extensions["ivr"].recorder.flush(5)
    remembered = Call(app, sid(31), NUMBER)
    assert remembered.dial_in().heard.startswith(SPANISH_START)
    answer = remembered.say(words)
    assert answer.gather is not None and answer.gather.get("language") == language, answer.heard


def test_a_choice_of_language_is_found_by_caller_before_the_calls_first_record_is_written(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    """Two workers: one answered the call, another the key that chose Spanish, and the first has not written
    its record yet (here: it never will, its records go elsewhere). The choice alone must name the caller."""
    line = str(remembering_line(tmp_path))
    settings = {"DATABASE_URL": database_url, "LINE_FILE": line, "CALLER_HASH_KEY": "shared-key"}
    elsewhere = {**settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'not-yet-written.sqlite3'}"}
    call = Call(make_app(**elsewhere), sid(10), NUMBER)
    call.dial_in()
    choosing = make_app(**settings)
    call.caller.client = choosing.test_client()
    call.press("9")
    choosing.extensions["ivr"].recorder.flush(5)
    again = Call(make_app(**settings), sid(11), NUMBER).dial_in()
    assert again.heard.startswith(SPANISH_START), "the caller's next call starts in the Spanish they chose"
