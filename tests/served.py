"""`ivr serve` run as a real server for tests, and clients that open a new connection for every request.

Anything that must hold across requests (a sign-in, a limit, the call records) is tested here, on
the production server with its default workers, because a test client in one process cannot see
what one worker knows and another does not.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from ivr.serving import WORKER_READY
from tests.conftest import PASSWORD_COST, TOKEN


@dataclass(frozen=True)
class Served:
    base: str
    log: Path
    #: The server's own process: gunicorn's master.
    pid: int = 0

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def ivr_serve(folder: Path, log: Path, **settings: str) -> Iterator[Served]:
    """``ivr serve`` with its default workers, the Botox line and ``settings`` (IVR_* variables), until done.

    On leaving, the server is stopped as an operator would (SIGTERM) and waited for, so that its
    workers have written, or logged, every record they held.
    """
    with ivr_servers([(folder, log)], **settings) as (served,):
        yield served


@contextlib.contextmanager
def ivr_servers(places: list[tuple[Path, Path]], **settings: str) -> Iterator[list[Served]]:
    """As :func:`ivr_serve`, one server for each (folder, log) with the same settings (a database they share),
    all started at once: a clinic's servers boot side by side, and a test waits for them once."""
    env = {key: value for key, value in os.environ.items() if key != "IVR_WORKERS"}
    started: list[tuple[Served, subprocess.Popen[bytes]]] = []
    try:
        for folder, log in places:
            port = free_port()
            env.update({"TWILIO_AUTH_TOKEN": TOKEN, "IVR_AUDIO_DIR": str(folder / "audio"),
                        "IVR_CALLER_HASH_KEY": "k" * 32, "IVR_SECRET_KEY": "s" * 32,
                        "IVR_LAST_GOOD_LINE_DIR": str(folder / "last-good-lines"),
                        "IVR_DASHBOARD_PASSWORD_COST": str(PASSWORD_COST), **settings})
            with log.open("wb") as output:
                server = subprocess.Popen([sys.executable, "-m", "ivr", "serve", "--port", str(port)],
                                          env=env, stdout=output, stderr=subprocess.STDOUT)
            started.append((Served(f"http://127.0.0.1:{port}", log, server.pid), server))
        for served, server in started:
            _wait_until_both_workers_answer(served, server)
        yield [served for served, _ in started]
    finally:
        for _, server in started:
            server.terminate()
        for _, server in started:
            server.wait(timeout=60)


def _wait_until_both_workers_answer(served: Served, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while served.log_text().count(WORKER_READY) < 2 or not _answers(served):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"ivr serve did not start:\n{served.log_text()[-3000:]}")
        time.sleep(0.2)


def _answers(served: Served) -> bool:
    try:
        return request(served.base, "GET", "/dashboard/static/dashboard.css").status == 200
    except OSError:
        return False


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: str

    @property
    def status_code(self) -> int:  # what tests.calls.Caller reads
        return self.status

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";")[0]

    def get_data(self, as_text: bool = False) -> str:
        return self.body


def request(base: str, method: str, path: str, form: dict[str, str] | None = None,
            headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None,
            timeout: float = 30) -> Response:
    """One request on a connection of its own; redirects are not followed."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent = dict(headers or {})
    body = None
    if form is not None:
        body = urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    if cookies:
        sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    try:
        connection.request(method, path, body=body, headers=sent)
        answer = connection.getresponse()
        text = answer.read().decode("utf-8", "replace")
        received = {name.split("=", 1)[0]: value for name, value in
                    (header.split(";", 1)[0].split("=", 1) for header in answer.headers.get_all("Set-Cookie") or [])}
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, received, text)
    finally:
        connection.close()


@dataclass
class Browser:
    """A browser on a served line: keeps its cookies, opens a new connection for every request."""

    base: str
    #: Where the browser seems to be, for a server that trusts one proxy (X-Forwarded-For).
    address: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, path: str) -> Response:
        return self._send("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self._send("POST", path, form)

    def sign_in(self, password: str) -> Response:
        token = csrf_token(self.get("/dashboard/login").body)
        return self.post("/dashboard/login", {"password": password, "csrf_token": token})

    def sign_out(self) -> Response:
        return self.post("/dashboard/logout", {"csrf_token": csrf_token(self.get("/dashboard/map").body)})

    def _send(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        headers = {"X-Forwarded-For": self.address} if self.address else {}
        response = request(self.base, method, path, form, headers, self.cookies)
        self.cookies.update(response.cookies)
        for name in [name for name, value in response.cookies.items() if not value]:
            self.cookies.pop(name)
        return response


class HttpClient:
    """Stands in for Flask's test client in :class:`tests.calls.Caller`: the same posts, over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base

    def post(self, url: str, data: dict[str, str], headers: dict[str, str] | None = None) -> Response:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return request(self.base, "POST", path, data, headers)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"the page has no form with a CSRF token: {html[:500]}"
    return match.group(1)
