"""After the whole suite, no caller's number is kept: the stress suite's databases and logs are searched.

Every stress test calls with CALLER's number; its records go to databases in the suite's folder
(``stress`` in pytest's temporary folder, one per xdist worker), and the app's log, the servers'
too, to files there. The search runs once every worker has finished, as a ``pytest_sessionfinish``
hook of the process that started them (tests/conftest.py), so the suite may run in any order and
in parallel; a number found fails the run.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from tests.calls import CALLER

#: The stress suite's folder in pytest's temporary folder (a worker's own, under xdist).
FOLDER = "stress"
#: The app's log, in that folder.
APP_LOG = "app.log"
#: The number as Twilio sends it, and its digits alone (as a log or a column might hold it).
FORMS = (CALLER, re.sub(r"\D", "", CALLER))


def stress_folders(basetemp: Path) -> list[Path]:
    """The stress suite's folders of this run: its own, and each xdist worker's (``popen-gw0/stress``...)."""
    return sorted(folder for folder in (basetemp / FOLDER, *basetemp.glob(f"popen-*/{FOLDER}")) if folder.is_dir())


def kept_text(path: Path) -> str:
    """What a file keeps, as text: a database's every row, or a log's lines."""
    if path.suffix == ".sqlite3":
        connection = sqlite3.connect(path)
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()
    return path.read_bytes().decode("utf-8", "replace")


def numbers_kept(folders: Iterable[Path]) -> list[str]:
    """Where a caller's number is kept in these folders, one line each; empty when nowhere.

    A folder in which no stress test kept records is passed over: the stress tests did not run there.
    """
    found: list[str] = []
    for folder in folders:
        files = sorted(path for path in folder.rglob("*") if path.is_file())
        if not any(path.suffix == ".sqlite3" for path in files):
            continue
        log = folder / APP_LOG
        if not log.is_file() or log.stat().st_size == 0:
            found.append(f"{log}: the app's log was not captured, so it could not be searched")
        for path in files:
            try:
                raw = path.read_bytes()
                text = kept_text(path) if path.suffix in (".sqlite3", ".log") else ""
            except FileNotFoundError:  # SQLite's -wal and -shm files go when their database closes
                continue
            found.extend(f"{number} is in {path}" for number in FORMS if number.encode() in raw or number in text)
    return found
