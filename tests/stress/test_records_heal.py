"""The call records' SQLite file made read-only and writable again, or deleted, while `ivr serve` answers:
every call is answered, recording resumes by itself, and every record lost is counted in the log."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.served import Served, ivr_serve
from tests.stress.test_faults import dropped_in_log, records_written, walk_over_http


def lost_in_log(text: str) -> int:
    """Records written to a file that was then deleted or replaced, as the log counts them."""
    return sum(int(n) for n in re.findall(r"Call records: lost (\d+) records? that this process had written", text))


@contextmanager
def immutable(database: Path) -> Iterator[None]:
    """The records' files made unwritable, even by root (chattr +i), and writable again after."""
    files = [str(path) for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists()]
    subprocess.run(["chattr", "+i", *files], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *files], check=True)


@contextmanager
def served_with_records(folder: Path, log: Path, calls: int) -> Iterator[tuple[Served, Path, int]]:
    """`ivr serve` keeping its records in a SQLite file, once ``calls`` calls are written there: the server,
    the file, and the records those calls made."""
    database = folder / "calls.sqlite3"
    with ivr_serve(folder, log, IVR_DATABASE_URL=f"sqlite:///{database}", IVR_RECORD_TIMEOUT_SECONDS="0.3") as served:
        made = sum(walk_over_http(served.base, n) for n in range(calls))
        time.sleep(0.5)
        yield served, database, made


def test_records_resume_by_themselves_after_the_file_was_read_only(tmp_path: Path, stress_dir: Path) -> None:
    log = stress_dir / "records-read-only.log"
    with served_with_records(tmp_path, log, 3) as (served, database, made):
        with immutable(database):
            made += sum(walk_over_http(served.base, n) for n in range(3, 8))  # every call answered
            time.sleep(1.5)
        time.sleep(0.5)
        after = sum(walk_over_http(served.base, n) for n in range(8, 12))
        made += after
    output = log.read_text()
    written, dropped = records_written(f"sqlite:///{database}"), dropped_in_log(output)
    assert written >= 3 * 6 + after, "records made before and after are written"
    assert written + dropped == made, output[-4000:]
    assert dropped > 0, "records were dropped while the file could not be written"
    assert "SIGBUS" not in output and "was sent" not in output, "no worker died"
    assert "cannot be written" in output and "can be written again" in output


def test_records_resume_in_a_new_file_after_the_file_was_deleted(tmp_path: Path, stress_dir: Path) -> None:
    log = stress_dir / "records-deleted.log"
    with served_with_records(tmp_path, log, 4) as (served, database, made):
        database.unlink()  # as an operator's `rm` would
        after = sum(walk_over_http(served.base, n) for n in range(4, 10))
        made += after
    output = log.read_text()
    written, lost, dropped = records_written(f"sqlite:///{database}"), lost_in_log(output), dropped_in_log(output)
    assert lost >= 4 * 6 - 6, "the records written before the file was deleted are counted as lost"
    assert written >= after - 6, "the records made after are written to a new file"
    assert written + lost + dropped == made, output[-4000:]
