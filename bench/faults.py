"""What each fault of an operator's worst day does to callers and to records, measured on `ivr serve`
(two workers) under a steady load: docs/operations.md gives the figures.

    .venv/bin/python -m bench.faults            # every fault, about two minutes
    .venv/bin/python -m bench.faults kill-9     # one of them

Callers: calls placed one after another by a few threads, a new connection for each request, as
Twilio does; a call is a dial-in and its status callback (two records). Records: those written to the
database, against those made (webhooks answered) and those the log counts as dropped or lost.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

from bench.servers import Server, line_server
from ivr.config import DEFAULT_LINE_FILE

CALLERS = 6
CALLER = "+12025550100"


@dataclass
class Load:
    """Callers placing calls until stopped: each request's time, and what failed."""

    base: str
    token: str
    times: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    answered: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def running(self) -> Iterator[Load]:
        threads = [threading.Thread(target=self._caller, args=(n,), daemon=True) for n in range(CALLERS)]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in threads:
                thread.join(timeout=30)

    def _caller(self, number: int) -> None:
        validator = RequestValidator(self.token)
        count = 0
        while not self._stop.is_set():
            sid = f"CA{number:04d}{count:028d}"
            count += 1
            for path, extra in (("/voice", {"CallStatus": "ringing"}),
                                ("/voice/status", {"CallStatus": "completed", "CallDuration": "30"})):
                form = {"CallSid": sid, "From": CALLER, **extra}
                url = self.base + path
                started = time.monotonic()
                try:
                    response = requests.post(url, data=urlencode(form), timeout=15, headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": validator.compute_signature(url, form), "Connection": "close"})
                    ok = response.status_code in (200, 204)
                    problem = f"HTTP {response.status_code}"
                except requests.RequestException as error:
                    ok, problem = False, type(error).__name__
                with self._lock:
                    self.times.append(time.monotonic() - started)
                    if ok:
                        self.answered += 1
                    else:
                        self.failed.append(problem)

    def summary(self) -> str:
        slowest = max(self.times, default=0.0)
        kinds = ", ".join(sorted(set(self.failed)))
        failures = f"{len(self.failed)} failed ({kinds})" if self.failed else "none failed"
        return f"{self.answered + len(self.failed)} webhooks, {failures}, slowest {slowest * 1000:.0f} ms"


def records_written(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        events = connection.execute("SELECT count(*) FROM events").fetchone()[0]
        ends = connection.execute("SELECT count(*) FROM calls WHERE status IS NOT NULL").fetchone()[0]
    return int(events) + int(ends)


def counted_in_log(text: str) -> tuple[int, int]:
    dropped = sum(int(n) for n in re.findall(r"Call records: dropped (\d+) records?\b", text))
    lost = sum(int(n) for n in re.findall(r"Call records: lost (\d+) records?\b", text))
    return dropped, lost


def workers(log: Path) -> list[int]:
    return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", log.read_text())]


def measure(name: str, fault: Callable[[Server, Path], None], folder: Path) -> None:
    token = secrets.token_hex(16)
    line_file = folder / "line.yaml"
    shutil.copy(DEFAULT_LINE_FILE, line_file)
    server = line_server(2, token, folder)
    server.env.update({"IVR_LINE_FILE": str(line_file), "IVR_LINE_RELOAD_SECONDS": "0.5",
                       "IVR_LAST_GOOD_LINE_DIR": str(folder / "kept"), "IVR_RECORD_TIMEOUT_SECONDS": "0.5"})
    server.start()
    load = Load(server.base, token)
    try:
        with load.running():
            time.sleep(3)
            fault(server, folder)
            time.sleep(3)
    finally:
        server.stop()
    text = server.log.read_text()
    written = records_written(folder / "calls.sqlite3")
    dropped, lost = counted_in_log(text)
    unaccounted = load.answered - written - dropped - lost
    print(f"{name}: {load.summary()}; records: {load.answered} made, {written} written, {dropped} dropped and "
          f"{lost} lost (each counted in the log), {unaccounted} not accounted for", flush=True)


def kill_9(server: Server, folder: Path) -> None:
    os.kill(workers(server.log)[0], signal.SIGKILL)


def broken_line_and_restarts(server: Server, folder: Path) -> None:
    line_file = folder / "line.yaml"
    line_file.write_text(line_file.read_text().replace("start: main", "start: nowhere"))
    time.sleep(2)
    os.kill(workers(server.log)[0], signal.SIGKILL)
    time.sleep(3)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGHUP)


def read_only_for_5_seconds(server: Server, folder: Path) -> None:
    database = folder / "calls.sqlite3"
    files = [str(path) for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists()]
    subprocess.run(["chattr", "+i", *files], check=True)
    time.sleep(5)
    subprocess.run(["chattr", "-i", *files], check=True)


def deleted(server: Server, folder: Path) -> None:
    (folder / "calls.sqlite3").unlink()


def alias_bomb(server: Server, folder: Path) -> None:
    rows = ['lol0: &lol0 "lol"', *(f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 10)}]" for n in range(1, 7))]
    line_file = folder / "line.yaml"
    line_file.write_text("\n".join(rows) + "\n" + line_file.read_text())


FAULTS: dict[str, Callable[[Server, Path], None]] = {
    "kill-9": kill_9, "broken-line": broken_line_and_restarts, "read-only": read_only_for_5_seconds,
    "deleted": deleted, "alias-bomb": alias_bomb,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faults", nargs="*", metavar="FAULT", help=f"one of {', '.join(FAULTS)} (default: all)")
    names = parser.parse_args().faults or list(FAULTS)
    unknown = [name for name in names if name not in FAULTS]
    if unknown:
        parser.error(f"no fault {unknown[0]!r}: choose from {', '.join(FAULTS)}")
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"ivr-fault-{name}-") as folder:
            measure(name, FAULTS[name], Path(folder))


if __name__ == "__main__":
    main()
