"""The servers under test, started on loopback, and what they use of the machine."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from ivr.config import PROJECT_ROOT
from ivr.serving import WORKER_READY

HOST = "127.0.0.1"


class ServerFailed(RuntimeError):
    """A server under test did not start, or stopped while it was being measured."""


@dataclass
class Server:
    """One gunicorn server (master and workers) started for the benchmark."""

    name: str
    command: Sequence[str]
    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.port = free_port()
        command = [*self.command, "--host", HOST, "--port", str(self.port)]
        logged_before = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=self.env, cwd=PROJECT_ROOT, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self._accepting():
            if self.process.poll() is not None:
                raise ServerFailed(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise ServerFailed(f"{self.name} did not listen within {timeout:.0f} s; see {self.log}")
            time.sleep(0.2)
        self._wait_for_workers(deadline, logged_before)

    def _accepting(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _wait_for_workers(self, deadline: float, logged_before: int) -> None:
        """Until every worker has said it is ready (built its app), as the servers' shared settings make it say."""
        workers = int(self.command[self.command.index("--workers") + 1]) if "--workers" in self.command else 1
        while self._ready_workers(logged_before) < workers:
            if self.process is not None and self.process.poll() is not None:
                raise ServerFailed(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise ServerFailed(f"{self.name}'s workers were not ready in time; see {self.log}")
            time.sleep(0.1)

    def _ready_workers(self, logged_before: int) -> int:
        with self.log.open("rb") as log:
            log.seek(logged_before)
            return log.read().decode("utf-8", "replace").count(WORKER_READY)

    def processes(self) -> list[psutil.Process]:
        """The gunicorn master and its workers."""
        if self.process is None or self.process.poll() is not None:
            raise ServerFailed(f"{self.name} is not running; see {self.log}")
        master = psutil.Process(self.process.pid)
        return [master, *master.children(recursive=True)]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def line_server(workers: int, token: str, folder: Path, audio: Path | None = None) -> Server:
    """The line as production runs it: ``ivr serve``, with call records in a throw-away database."""
    env = {
        **os.environ,
        "TWILIO_AUTH_TOKEN": token,
        "IVR_DATABASE_URL": f"sqlite:///{folder / 'calls.sqlite3'}",
        "IVR_AUDIO_DIR": str(audio or folder / "audio"),
        # Keys the app would otherwise make and keep in the instance folder.
        "IVR_CALLER_HASH_KEY": secrets.token_hex(32),
        "IVR_SECRET_KEY": secrets.token_hex(32),
        "IVR_DEV_MODE": "false",
    }
    env.pop("IVR_PUBLIC_URL", None)
    command = [sys.executable, "-m", "ivr", "serve", "--workers", str(workers)]
    return Server("line", command, env, folder / "line.log")


def floor_server(workers: int, folder: Path) -> Server:
    """The bare Flask app under the line's gunicorn settings."""
    command = [sys.executable, "-m", "bench.floor", "--workers", str(workers)]
    return Server("floor", command, dict(os.environ), folder / "floor.log")


@dataclass
class Usage:
    """What a server and the load driver used of the machine during a measurement window."""

    #: CPU time of the server's processes, as a percentage of one core (200 % is both cores).
    server_cpu: float = 0.0
    #: The most the server's processes held in memory at once (sum of their RSS), in MB.
    server_rss_mb: float = 0.0
    #: The same as PSS, each page shared by several of them counted once in all, in MB.
    server_pss_mb: float = 0.0
    #: CPU time of the load driver itself, as a percentage of one core.
    driver_cpu: float = 0.0
    #: Everything the machine ran meanwhile, as a percentage of one core.
    machine_cpu: float = 0.0
    #: Worker processes that appeared during the window (a worker restarted: a crash or a timeout).
    worker_restarts: int = 0
    #: The machine's 1-minute load average at the end of the window.
    load_average: float = 0.0


@dataclass(frozen=True)
class _Reading:
    at: float
    #: Each server process's CPU seconds so far, by pid (a restarted worker keeps its last reading).
    server: dict[int, float]
    driver: float
    machine: float
    rss_mb: float
    pss_mb: float


@dataclass
class Monitor:
    """Reads a server's CPU and memory, the driver's CPU and the machine's, every ``interval`` seconds.

    :meth:`usage` then tells what each used over a window within the readings.
    """

    server: Server
    interval: float = 0.5
    readings: list[_Reading] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Monitor:
        self._driver = psutil.Process()
        self._seen: dict[int, float] = {}
        self._read()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        self._read()

    def usage(self, start: float, end: float) -> Usage:
        """What was used between the monotonic times ``start`` and ``end`` (the nearest readings)."""
        first = min(self.readings, key=lambda r: abs(r.at - start))
        last = min(self.readings, key=lambda r: abs(r.at - end))
        elapsed = max(last.at - first.at, 1e-9)
        server = sum(seconds - first.server.get(pid, 0.0) for pid, seconds in last.server.items())
        within = [r for r in self.readings if first.at <= r.at <= last.at]
        return Usage(
            server_cpu=100 * server / elapsed,
            server_rss_mb=max(r.rss_mb for r in within),
            server_pss_mb=max(r.pss_mb for r in within),
            driver_cpu=100 * (last.driver - first.driver) / elapsed,
            machine_cpu=100 * (last.machine - first.machine) / elapsed,
            worker_restarts=len(last.server.keys() - first.server.keys()),
            load_average=os.getloadavg()[0],
        )

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._read()

    def _read(self) -> None:
        rss = pss = 0
        for process in self.server.processes():
            try:
                self._seen[process.pid] = _seconds(process.cpu_times())
                rss += process.memory_info().rss
                pss += proportional_set_size(process.pid)
            except psutil.NoSuchProcess:
                continue
        self.readings.append(_Reading(time.monotonic(), dict(self._seen), _seconds(self._driver.cpu_times()),
                                      _busy(psutil.cpu_times()), rss / 2**20, pss / 2**20))


def proportional_set_size(pid: int) -> int:
    """A process's PSS in bytes: each page it shares with n processes counts 1/n (0 where Linux does not say)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for text in rollup:
                if text.startswith("Pss:"):
                    return int(text.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _seconds(times: Any) -> float:
    """A process's CPU time: user and system."""
    return float(times.user + times.system)


def _busy(times: Any) -> float:
    """The machine's busy CPU time (psutil's system-wide times; guest time is inside user)."""
    return float(sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal")))


def _cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        try:
            seconds[process.pid] = _seconds(process.cpu_times())
        except psutil.NoSuchProcess:
            continue
    return seconds
