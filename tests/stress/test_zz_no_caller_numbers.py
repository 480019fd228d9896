"""Last in the suite (pytest runs its files in name order): after all of it, no caller's number is kept.

Every test above called with CALLER's number; its records went to databases in the suite's
folder, and the app's log, the servers' too, to files there.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

import pytest

from tests.calls import CALLER

#: The number as Twilio sends it, and its digits alone (as a log or a column might hold it).
FORMS = (CALLER, re.sub(r"\D", "", CALLER))


def kept_text(path: Path) -> str:
    """What a file keeps, as text: a database's every row, or a log's lines."""
    if path.suffix == ".sqlite3":
        connection = sqlite3.connect(path)
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()
    return path.read_bytes().decode("utf-8", "replace")


def test_no_callers_number_is_in_any_database_or_log(stress_dir: Path, app_log: Path) -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = sorted(path for path in stress_dir.rglob("*") if path.is_file())
    databases = [path for path in files if path.suffix == ".sqlite3"]
    if not databases:
        pytest.skip("run with the rest of tests/stress: no test before this one kept any records")
    assert app_log.stat().st_size > 0, "the app's log was captured"
    for path in files:
        try:
            raw = path.read_bytes()
            text = kept_text(path) if path.suffix in (".sqlite3", ".log") else ""
        except FileNotFoundError:  # SQLite's -wal and -shm files go when their database closes
            continue
        for number in FORMS:
            assert number.encode() not in raw, f"{number} is in {path.name}"
            assert number not in text, f"{number} is in {path.name}"
