"""The line keeps answering through an operator's worst day: a broken line file while workers restart,
a line file built to exhaust the server, and the records' SQLite file made read-only or deleted."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ivr.config import DEFAULT_LINE_FILE
from ivr.phone import HttpTransport
from tests.calls import CALLER
from tests.conftest import TOKEN
from tests.served import Served, free_port, ivr_serve

#: What every call hears first.
OPENING = "If you have trouble breathing"


def first_words(base: str, number: int = 0) -> str:
    """A new call on a connection of its own: the TwiML it is answered with."""
    return HttpTransport(TOKEN, timeout=10).post(f"{base}/voice", {"CallSid": f"CA{number:032x}", "From": CALLER})


def workers(served: Served) -> list[int]:
    """Every worker the server has started, in order."""
    return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", served.log_text())]


def broken_copy(folder: Path) -> tuple[Path, Callable[[], None]]:
    """A copy of the Botox line, and what breaks it: its start names a node that is not there."""
    line_file = folder / "line.yaml"
    shutil.copy(DEFAULT_LINE_FILE, line_file)

    def break_it() -> None:
        line_file.write_text(line_file.read_text().replace("start: main", "start: nowhere"))
        later = time.time() + 5
        os.utime(line_file, (later, later))

    return line_file, break_it


def answered_throughout(base: str, until: Callable[[], bool], seconds: float = 30) -> int:
    """Place calls one after another until ``until()``; every one must hear the line. How many were placed."""
    deadline = time.monotonic() + seconds
    placed = 0
    while not until():
        assert time.monotonic() < deadline, "the server did not get there in time"
        assert OPENING in first_words(base, placed), "a call went unanswered"
        placed += 1
        time.sleep(0.05)
    return placed


# -- a broken line file --------------------------------------------------------------------------


def test_a_broken_line_file_does_not_stop_workers_from_restarting(tmp_path: Path, stress_dir: Path) -> None:
    line_file, break_it = broken_copy(tmp_path)
    log = stress_dir / "broken-line-restarts.log"
    with ivr_serve(tmp_path, log, IVR_LINE_FILE=str(line_file), IVR_LINE_RELOAD_SECONDS="0.2") as served:
        assert OPENING in first_words(served.base)
        break_it()
        answered_throughout(served.base, lambda: served.log_text().count("still serving the last good") >= 2)

        os.kill(workers(served)[0], signal.SIGKILL)  # as the kernel's OOM killer would
        answered_throughout(served.base, lambda: len(workers(served)) >= 3 and "IS INVALID" in served.log_text())
        for number in range(10):
            assert OPENING in first_words(served.base, number)

        os.kill(served.pid, signal.SIGHUP)  # the server reloads: every worker is replaced
        answered_throughout(served.base, lambda: len(workers(served)) >= 5)
        for number in range(10):
            assert OPENING in first_words(served.base, number)
    output = log.read_text()
    assert "Worker failed to boot" not in output
    assert f"LINE FILE {line_file} IS INVALID: answering with its last good version" in output
    assert "nowhere" in output, "the log says what is wrong with the file"

    # A server started afresh on the broken file answers with its last good version too.
    with ivr_serve(tmp_path, stress_dir / "broken-line-started.log", IVR_LINE_FILE=str(line_file)) as served:
        for number in range(4):
            assert OPENING in first_words(served.base, number)
        assert "IS INVALID" in served.log_text()


def test_a_server_that_never_saw_the_line_valid_refuses_to_start(tmp_path: Path) -> None:
    line_file, break_it = broken_copy(tmp_path)
    break_it()
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_LINE_FILE": str(line_file),
           "IVR_LAST_GOOD_LINE_DIR": str(tmp_path / "kept")}
    result = subprocess.run([sys.executable, "-m", "ivr", "serve", "--port", str(free_port())], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Not serving: the line file has errors" in result.stderr and "nowhere" in result.stderr


def alias_bomb(levels: int = 6) -> str:
    """A few hundred bytes of YAML that stand for 10 ** ``levels`` texts, once its aliases are expanded."""
    rows = ['lol0: &lol0 "lol"']
    rows += [f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 10)}]" for n in range(1, levels + 1)]
    return "\n".join(rows) + "\n"


def test_an_alias_bomb_in_the_line_file_is_refused_without_delaying_a_call(tmp_path: Path, stress_dir: Path) -> None:
    line_file, _ = broken_copy(tmp_path)
    log = stress_dir / "alias-bomb.log"
    with ivr_serve(tmp_path, log, IVR_LINE_FILE=str(line_file), IVR_LINE_RELOAD_SECONDS="0.2") as served:
        assert OPENING in first_words(served.base)
        line_file.write_text(alias_bomb() + line_file.read_text())
        later = time.time() + 5
        os.utime(line_file, (later, later))
        slowest = 0.0
        deadline = time.monotonic() + 4  # both workers look at the file several times meanwhile
        number = 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            assert OPENING in first_words(served.base, number)
            slowest = max(slowest, time.monotonic() - started)
            number += 1
    output = log.read_text()
    assert slowest < 1.0, f"a caller waited {slowest:.1f} s while the line file was read"
    assert "YAML anchors (&name) and aliases (*name) are not allowed in a line file" in output
    assert output.count("still serving the last good version") == 2, "each worker refused the file once"
