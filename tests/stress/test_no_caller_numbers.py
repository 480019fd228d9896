"""The search for callers' numbers that runs after the whole suite (tests/stress/sweep.py) finds them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.calls import CALLER
from tests.stress.sweep import APP_LOG, FOLDER, numbers_kept, stress_folders


def _records(path: Path, caller: str) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE calls (sid TEXT, caller TEXT)")
        connection.execute("INSERT INTO calls VALUES ('CA1', ?)", (caller,))
    connection.close()


def _folder(tmp_path: Path, caller: str = "0" * 64, log: str = "INFO ivr.web.voice: a call came in\n") -> Path:
    folder = tmp_path / FOLDER
    folder.mkdir(parents=True)
    _records(folder / "a-test.sqlite3", caller)
    (folder / APP_LOG).write_text(log)
    return folder


def test_hashes_alone_are_nothing_kept(tmp_path: Path) -> None:
    assert numbers_kept([_folder(tmp_path)]) == []


def test_a_number_in_a_database_is_found_as_twilio_sends_it_or_as_digits(tmp_path: Path) -> None:
    assert numbers_kept([_folder(tmp_path / "sent", caller=CALLER)]) != []
    assert numbers_kept([_folder(tmp_path / "digits", caller=CALLER.lstrip("+"))]) != []


def test_a_number_in_a_log_is_found(tmp_path: Path) -> None:
    found = numbers_kept([_folder(tmp_path, log=f"ERROR ivr.web.voice: From={CALLER}\n")])
    assert found and APP_LOG in found[0]


def test_an_empty_app_log_beside_records_fails_the_search(tmp_path: Path) -> None:
    assert numbers_kept([_folder(tmp_path, log="")]) != []


def test_a_folder_where_no_stress_test_kept_records_is_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / FOLDER
    folder.mkdir()
    (folder / APP_LOG).write_text("")
    assert numbers_kept([folder]) == []


def test_every_workers_folder_is_searched(tmp_path: Path) -> None:
    for place in (tmp_path, tmp_path / "popen-gw0", tmp_path / "popen-gw1"):
        (place / FOLDER).mkdir(parents=True)
    (tmp_path / "a-test0" / FOLDER).mkdir(parents=True)  # a test's own folder, as these tests make
    assert stress_folders(tmp_path) == [tmp_path / "popen-gw0" / FOLDER, tmp_path / "popen-gw1" / FOLDER,
                                        tmp_path / FOLDER]
