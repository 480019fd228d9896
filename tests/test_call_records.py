"""Each call's journey is kept: its start, the nodes reached, the answers, transfers and its end.

Keeping records never delays or breaks a call, keeps no caller's number, and writes a
webhook Twilio delivers twice only once.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import text

from ivr.commands.main import main
from ivr.config import DEFAULT_LINE_FILE
from ivr.line.validate import load_line
from ivr.store import Store, TurnRecord
from ivr.store import writer as writer_module
from ivr.store.writer import BackgroundWriter
from tests.databases import dump_tables
from tests.delivery import Call, sid
from tests.line_files import base_line, edit, write_line

NUMBER = "+1 202-555-0147"
LINE_NAME = load_line(DEFAULT_LINE_FILE).line.name


@pytest.fixture
def recorded_app(make_app: Callable[..., Flask], database_url: str) -> Flask:
    return make_app(DATABASE_URL=database_url)


def records_store(app: Flask) -> Store:
    return app.extensions["ivr.store"]


def query(app: Flask, sql: str, **values: object) -> list[dict[str, object]]:
    """Rows of ``sql`` once every record the app was given is written."""
    app.extensions["ivr"].recorder.flush(5)
    with records_store(app).engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(sql), values)]


def journey(app: Flask, call_sid: str) -> list[tuple[object, ...]]:
    """(event, node, from node, input, digits, transfer, dial status) of each turn of a call, in order."""
    rows = query(app, "SELECT kind, node, from_node, input, digits, transfer_to, dial_status "
                      "FROM events WHERE call_sid = :sid ORDER BY id", sid=call_sid)
    return [tuple(value or "" for value in row.values()) for row in rows]


def calls(app: Flask) -> list[dict[str, object]]:
    return query(app, "SELECT * FROM calls ORDER BY call_sid")


def test_a_calls_journey_is_kept_from_its_start_to_its_end(recorded_app: Flask) -> None:
    call = Call(recorded_app, sid(1), NUMBER)
    call.dial_in()
    call.press("2")  # swelling and reactions
    call.stay_silent()
    call.say("how long does it last")
    call.press("2")  # have the swelling checked: a transfer
    call.dial_ends("busy")
    assert call.hang_up(seconds=95).status == 204

    assert journey(recorded_app, sid(1)) == [
        ("start", "main", "", "", "", "", ""),
        ("option", "swelling", "main", "key", "2", "", ""),
        ("no_input", "swelling", "swelling", "none", "", "", ""),
        ("option", "swelling-duration", "swelling", "speech", "", "", ""),
        ("option", "check-swelling", "swelling-duration", "key", "2", "clinic", ""),
        ("dial:busy", "_end", "check-swelling", "", "", "", "busy"),
    ]
    (row,) = calls(recorded_app)
    assert (row["status"], row["duration_seconds"], row["line"]) == ("completed", 95, LINE_NAME)


def test_a_webhook_twilio_delivers_twice_is_kept_once(recorded_app: Flask) -> None:
    call = Call(recorded_app, sid(2))
    call.dial_in()
    call.delivery.redeliver()
    call.press("2")
    call.delivery.redeliver()
    call.hang_up()
    call.delivery.redeliver()

    assert [turn[0] for turn in journey(recorded_app, sid(2))] == ["start", "option"]
    assert len(calls(recorded_app)) == 1


def test_the_same_answer_given_twice_at_the_same_place_is_kept_twice(recorded_app: Flask) -> None:
    """Only Twilio's token tells a retry from a caller who asks to hear an answer again."""
    call = Call(recorded_app, sid(3))
    call.dial_in()
    call.press("*")
    call.press("*")
    assert [turn[0] for turn in journey(recorded_app, sid(3))] == ["start", "repeat", "repeat"]


def test_without_twilios_token_a_repeated_request_is_kept_once(recorded_app: Flask) -> None:
    call = Call(recorded_app, sid(4), tokens=False)
    call.dial_in()
    call.delivery.redeliver()
    call.press("2")
    call.delivery.redeliver()
    assert [turn[0] for turn in journey(recorded_app, sid(4))] == ["start", "option"]


def test_a_callers_number_is_never_kept_nor_logged(
    recorded_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        call = Call(recorded_app, sid(5), NUMBER)
        call.dial_in()
        call.press("1")
        call.hang_up()
        journey(recorded_app, sid(5))

    everything = repr(dump_tables(records_store(recorded_app)))
    for form in ("2025550147", "202-555-0147", "555-0147", "5550147"):
        assert form not in everything
        assert form not in caplog.text
    (row,) = calls(recorded_app)
    assert isinstance(row["caller_hash"], str) and len(row["caller_hash"]) == 64


def test_a_repeat_caller_has_the_same_hash_however_the_number_is_written(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'calls.sqlite3'}", CALLER_HASH_KEY="clinic-secret")
    for n, number in enumerate(["+12025550147", "+1 (202) 555-0147", "+12025550148"]):
        Call(app, sid(n), number).dial_in()
    hashes = [row["caller_hash"] for row in calls(app)]
    assert hashes[0] == hashes[1] != hashes[2]

    other_key = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}", CALLER_HASH_KEY="another")
    Call(other_key, sid(0), "+12025550147").dial_in()
    assert calls(other_key)[0]["caller_hash"] != hashes[0], "without the key, the hash cannot be matched"


@pytest.mark.parametrize("number", ["+266696687", "anonymous", ""])
def test_a_withheld_number_is_no_caller(recorded_app: Flask, number: str) -> None:
    Call(recorded_app, sid(6), number).dial_in()
    assert calls(recorded_app)[0]["caller_hash"] is None


@pytest.mark.parametrize(("opted_in", "kept"), [(False, None), (True, "opening hours please")])
def test_spoken_words_are_kept_only_when_the_lines_file_opts_in(
    make_app: Callable[..., Flask], tmp_path: Path, opted_in: bool, kept: str | None
) -> None:
    text = base_line()
    if opted_in:
        text = edit(text, "start: main\n", "start: main\ncall:\n  record_speech: true\n")
    app = make_app(LINE_FILE=str(write_line(tmp_path, text)), DATABASE_URL=f"sqlite:///{tmp_path / 'c.sqlite3'}")
    call = Call(app, sid(7))
    call.dial_in()
    call.say("opening hours please")

    assert query(app, "SELECT input, speech FROM events WHERE kind = 'option'") == [
        {"input": "speech", "speech": kept}
    ]


def test_a_call_still_in_progress_has_no_end(recorded_app: Flask) -> None:
    call = Call(recorded_app, sid(8))
    call.dial_in()
    assert call.hang_up(status="in-progress").status == 204
    assert calls(recorded_app)[0]["ended_at"] is None


def test_an_unreachable_database_never_delays_or_breaks_a_call(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with caplog.at_level(logging.ERROR):
        started = time.perf_counter()
        app = make_app(DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/records", RECORD_TIMEOUT_SECONDS=0.5)
        assert time.perf_counter() - started < 5
        call = Call(app, sid(9))
        slowest = 0.0
        for step in (call.dial_in, lambda: call.press("2"), lambda: call.press("1"), call.hang_up):
            began = time.perf_counter()
            answer = step()
            slowest = max(slowest, time.perf_counter() - began)
            assert answer.status in (200, 204)
        assert call.caller.history[2].gather is not None, "the caller hears the answer and is offered more"
        app.extensions["ivr"].recorder.flush(10)
    assert slowest < 0.5, "no webhook waits for the database"
    assert "unavailable" in caplog.text
    assert dropped_in_log(caplog.text) == 4


def test_a_locked_sqlite_file_never_delays_a_call(
    make_app: Callable[..., Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "calls.sqlite3"
    app = make_app(DATABASE_URL=f"sqlite:///{path}", RECORD_TIMEOUT_SECONDS=0.2)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        call = Call(app, sid(10))
        with caplog.at_level(logging.ERROR):
            began = time.perf_counter()
            assert call.dial_in().gather is not None
            assert call.press("2").gather is not None
            assert time.perf_counter() - began < 0.5
            app.extensions["ivr"].recorder.flush(10)
        assert dropped_in_log(caplog.text) == 2
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    call.press("1")
    assert [turn[0] for turn in journey(app, sid(10))] == ["option"], "writes go on once the lock is gone"


def dropped_in_log(text: str) -> int:
    """How many records the log lines say were dropped: each drop is in exactly one line."""
    return sum(int(n) for n in re.findall(r"Call records: dropped (\d+) records?\b", text))


def test_when_the_queue_is_full_every_dropped_record_is_counted_in_the_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_module, "DROP_LOG_SECONDS", 0.3)
    written: list[int] = []

    def slow(jobs: Sequence[int]) -> None:
        time.sleep(0.2)
        written.extend(jobs)

    writer: BackgroundWriter[int] = BackgroundWriter(slow, maxsize=2, gather=0)
    with caplog.at_level(logging.WARNING):
        began = time.perf_counter()
        accepted = [writer.submit(job) for job in range(50)]
        assert time.perf_counter() - began < 0.1, "submitting never waits"
        first_lines = caplog.text.count("queue is full")
        time.sleep(0.5)  # no more drops: the summary comes all the same
        assert writer.flush(5)
    assert accepted.count(False) >= 40
    assert first_lines == 1, "the first drop is logged at once, the rest summed up"
    assert dropped_in_log(caplog.text) == accepted.count(False)
    assert written == [job for job, ok in zip(range(50), accepted, strict=True) if ok]


def test_at_exit_the_drops_not_yet_reported_and_the_records_still_queued_are_logged(
    caplog: pytest.LogCaptureFixture
) -> None:
    from ivr.store.writer import DropLog

    drops = DropLog("Call records", interval=60)
    with caplog.at_level(logging.WARNING):
        for _ in range(7):
            drops.queue_full(10)
        drops.at_exit(still_queued=3)
    assert dropped_in_log(caplog.text) == 10
    assert "10 in all were dropped" in caplog.text


def test_a_failed_write_is_tried_again_before_it_is_dropped() -> None:
    attempts: list[list[int]] = []

    def flaky(jobs: Sequence[int]) -> None:
        attempts.append(list(jobs))
        if len(attempts) < 2:
            raise OSError("database restarting")

    writer: BackgroundWriter[int] = BackgroundWriter(flaky, maxsize=10, backoff=0.01)
    writer.submit(1)
    assert writer.flush(5)
    assert attempts == [[1], [1]]


def test_records_arriving_together_are_written_together_and_a_flush_does_not_wait_for_more() -> None:
    batches: list[list[int]] = []
    writer: BackgroundWriter[int] = BackgroundWriter(lambda jobs: batches.append(list(jobs)), maxsize=100,
                                                     gather=30)
    for job in range(5):
        writer.submit(job)
    began = time.perf_counter()
    assert writer.flush(5)
    assert time.perf_counter() - began < 5, "a flush cuts the wait for more records short"
    assert batches == [[0, 1, 2, 3, 4]]


def test_one_record_that_cannot_be_written_does_not_take_the_others_with_it(caplog: pytest.LogCaptureFixture) -> None:
    written: list[int] = []
    tries: list[list[int]] = []

    def refuse_three(jobs: Sequence[int]) -> None:
        tries.append(list(jobs))
        if 3 in jobs:
            raise ValueError("value too long for the column")
        written.extend(jobs)

    writer: BackgroundWriter[int] = BackgroundWriter(refuse_three, maxsize=100, backoff=0.01, gather=30,
                                                     describe=lambda job: f"job {job}")
    for job in range(5):
        writer.submit(job)
    with caplog.at_level(logging.ERROR):
        assert writer.flush(5)
    assert written == [0, 1, 2, 4]
    assert tries[0] == [0, 1, 2, 3, 4] and len(tries) == 6, "refused data is not tried again together"
    assert "dropped 1 record (job 3) that the database refused" in caplog.text


def test_records_that_cannot_reach_the_database_are_dropped_together_and_counted(
    caplog: pytest.LogCaptureFixture
) -> None:
    tries: list[int] = []

    def unreachable(jobs: Sequence[int]) -> None:
        tries.append(len(jobs))
        raise OSError("connection refused")

    writer: BackgroundWriter[int] = BackgroundWriter(unreachable, maxsize=100, backoff=0.01, gather=30)
    for job in range(5):
        writer.submit(job)
    with caplog.at_level(logging.ERROR):
        assert writer.flush(5)
    assert tries == [5, 5, 5], "tried again together, never one by one"
    assert dropped_in_log(caplog.text) == 5


def test_the_records_start_by_themselves_once_the_database_can_be_reached(
    make_app: Callable[..., Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ivr.store import store as store_module

    monkeypatch.setattr(store_module, "MIGRATE_RETRY_SECONDS", 0.1)
    folder = tmp_path / "not-yet"
    folder.write_text("a file where the database's folder should be")
    with caplog.at_level(logging.ERROR):
        app = make_app(DATABASE_URL=f"sqlite:///{folder / 'calls.sqlite3'}", RECORD_TIMEOUT_SECONDS=0.2)
        Call(app, sid(20)).dial_in()
        app.extensions["ivr"].recorder.flush(5)
    assert dropped_in_log(caplog.text) == 1

    folder.unlink()
    folder.mkdir()
    time.sleep(0.2)
    call = Call(app, sid(21))
    call.dial_in()
    call.press("2")
    assert [turn[0] for turn in journey(app, sid(21))] == ["start", "option"]


def test_odd_values_in_a_webhook_do_not_fail_the_records_written_with_them(recorded_app: Flask) -> None:
    odd = Call(recorded_app, sid(22))
    odd.dial_in()
    odd.caller.post(odd.caller._gather_action(), {"Digits": "1\x00\x00" + "9" * 40})
    odd.press("2")
    odd.press("1")
    odd.press("2")  # put through
    odd.caller.post(odd.caller.last.dial.get("action", ""), {"DialCallStatus": "x" * 200})  # type: ignore[union-attr]
    odd.caller.post("/voice/status", {"CallStatus": "completed", "CallDuration": "9" * 20})
    good = Call(recorded_app, sid(23))
    good.dial_in()
    good.hang_up(30)

    kinds = [turn[0] for turn in journey(recorded_app, sid(22))]
    assert kinds[:2] == ["start", "invalid"] and len(kinds) == 6
    assert len(kinds[-1]) == 40 and kinds[-1].startswith("dial:xxx")
    durations = {row["call_sid"]: row["duration_seconds"] for row in calls(recorded_app)}
    assert durations == {sid(22): None, sid(23): 30}, "an impossible length is no length"


def test_several_servers_share_one_database(make_app: Callable[..., Flask], database_url: str) -> None:
    first, second = make_app(DATABASE_URL=database_url), make_app(DATABASE_URL=database_url)
    call = Call(first, sid(11))
    call.dial_in()
    call.delivery.client = second.test_client()  # the load balancer sends the next webhook elsewhere
    call.press("2")
    call.hang_up()
    first.extensions["ivr"].recorder.flush(5)
    assert sorted(turn[0] for turn in journey(second, sid(11))) == ["option", "start"], "in either order"
    (row,) = calls(second)
    assert row["caller_hash"] and row["status"] == "completed"


def test_ivr_purge_removes_calls_older_than_the_age_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    url = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    app = make_app(DATABASE_URL=url)
    store = records_store(app)
    now = dt.datetime.now(dt.UTC)
    for n, age in enumerate([100, 91, 10]):
        store.add_turn(TurnRecord(sid(n), f"k{n}", now - dt.timedelta(days=age), "Line", "main", "start", "listen"))
        store.add_turn(TurnRecord(sid(n), f"j{n}", now - dt.timedelta(days=age), "Line", "main", "repeat", "listen"))
    monkeypatch.setenv("IVR_DATABASE_URL", url)
    monkeypatch.setenv("IVR_DEV_MODE", "true")
    monkeypatch.setenv("IVR_CALLER_HASH_KEY", "test-key")

    result = CliRunner().invoke(main, ["purge", "--older-than", "90d"])

    assert result.exit_code == 0, result.output
    assert "Removed 2 calls and 4 events" in result.output
    assert [row["call_sid"] for row in calls(app)] == [sid(2)]


def test_ivr_purge_refuses_an_age_without_a_unit() -> None:
    result = CliRunner().invoke(main, ["purge", "--older-than", "90"])
    assert result.exit_code == 2
    assert "90d" in result.output



def test_a_mistyped_database_url_leaves_the_line_answering(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        app = make_app(DATABASE_URL="postgresql://user:secret@db:notaport/records", DASHBOARD_PASSWORD="pw")
    call = Call(app, sid(12))
    assert call.dial_in().gather is not None
    assert call.hang_up().status == 204
    assert "not recorded" in caplog.text
    assert "secret" not in caplog.text


def test_records_can_be_switched_off(make_app: Callable[..., Flask]) -> None:
    app = make_app(RECORD_CALLS=False, DASHBOARD_PASSWORD="pw")
    call = Call(app, sid(13))
    assert call.dial_in().gather is not None
    assert call.hang_up().status == 204
    assert app.extensions["ivr.store"] is None


def test_a_webhook_that_failed_is_kept_as_an_error_and_a_transfer(
    recorded_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ivr.call import CallFlow

    call = Call(recorded_app, sid(7), NUMBER)
    call.dial_in()

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(CallFlow, "respond", broken)
    call.press("2")
    kinds = [(kind, transfer) for kind, _, _, _, _, transfer, _ in journey(recorded_app, sid(7))]
    assert kinds == [("start", ""), ("error", "clinic")]


def test_records_still_queued_when_a_server_process_stops_are_written_before_it_exits(tmp_path: Path) -> None:
    written = tmp_path / "written.txt"
    program = (
        "import pathlib, sys\n"
        "from ivr.store.writer import BackgroundWriter\n"
        "out = pathlib.Path(sys.argv[1])\n"
        "writer = BackgroundWriter(lambda jobs: out.write_text(' '.join(map(str, jobs))), maxsize=10, gather=60)\n"
        "for job in range(3):\n"
        "    writer.submit(job)\n"
    )
    finished = subprocess.run([sys.executable, "-c", program, str(written)], timeout=30, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert written.read_text() == "0 1 2"
