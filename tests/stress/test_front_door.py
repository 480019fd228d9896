"""Debian's nginx in front of `ivr serve`, with the shipped configuration (deploy/nginx/ivr.conf): a thousand
each of slow-header, slow-body and idle connections leave real calls answered within 2 s.

Without it, 95 connections sending their headers a line every 2 s kept 10 of 10 calls waiting over 15 s.
Everything here is on loopback: the slow clients from 127.0.0.1, Twilio from 127.0.0.2. The calls are
made over TLS; the slow clients reach the same server block without it, so that what is tested is how
nginx holds them, not how fast this machine does 3,000 TLS handshakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import re
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ivr.config import PROJECT_ROOT
from tests.calls import CALLER, sign
from tests.conftest import TOKEN
from tests.served import free_port, ivr_serve

NGINX = Path("/usr/sbin/nginx")
SHIPPED = PROJECT_ROOT / "deploy" / "nginx" / "ivr.conf"
#: Of each kind of slow client.
SLOW_CLIENTS = 1000
#: Real calls placed while they hold on, and the longest any may take.
CALLS = 20
PATIENCE_SECONDS = 2.0
OPENING = "If you have trouble breathing"
HOST = "line.test"
KINDS = ("idle", "slow headers", "slow body")


def test_slow_and_idle_clients_leave_calls_answered_behind_nginx(tmp_path: Path, stress_dir: Path) -> None:
    if not NGINX.exists():
        pytest.skip("Debian's nginx is not installed (bash scripts/system-packages test)")
    log = stress_dir / "front-door.log"
    with ivr_serve(tmp_path, log, IVR_PROXY_HOPS="1") as served, nginx(tmp_path, served.port) as (port, clear):
        assert OPENING in call(port, 0)[0], "a call through nginx is answered"
        with SlowClients(clear, SLOW_CLIENTS) as slow:
            slow.wait_until_open(timeout=120)
            timings, held = [], []
            for number in range(1, CALLS + 1):
                held.append(slow.still_open())
                started = time.monotonic()
                document, status = call(port, number)
                timings.append(time.monotonic() - started)
                assert status == 200 and OPENING in document
                time.sleep(0.25)
            cut = dict(slow.cut)
    print(f"\n{CALLS} calls behind nginx: slowest {max(timings) * 1000:.0f} ms, median "
          f"{sorted(timings)[CALLS // 2] * 1000:.0f} ms; slow clients open at the first call: {held[0]}, "
          f"at the last: {held[-1]}; cut off by nginx: {cut}")
    assert max(timings) < PATIENCE_SECONDS, f"a call waited {max(timings):.1f} s"
    assert held[0]["idle"] >= 0.9 * SLOW_CLIENTS and held[0]["slow headers"] >= 0.9 * SLOW_CLIENTS, (
        "the slow clients held on while the calls were placed", held[0])
    assert cut["slow body"] >= SLOW_CLIENTS - 2 * 32, "nginx let no more than 32 bodies at once from one address"

def call(port: int, number: int) -> tuple[str, int]:
    """A signed call from Twilio's side (127.0.0.2) to the line's https address, on a connection of its own."""
    url = f"https://{HOST}:{port}/voice"
    form = {"CallSid": f"CA{number:032x}", "From": CALLER, "CallStatus": "ringing"}
    body = "&".join(f"{name}={value.replace('+', '%2B')}" for name, value in form.items())
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=_unverified(),
                                             source_address=("127.0.0.2", 0))
    try:
        connection.request("POST", "/voice", body=body, headers={
            "Host": f"{HOST}:{port}", "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(TOKEN, url, form)})
        response = connection.getresponse()
        return response.read().decode(), response.status
    finally:
        connection.close()


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# -- nginx, with the shipped configuration on loopback ----------------------------------------------


@contextlib.contextmanager
def nginx(folder: Path, line_port: int) -> Iterator[tuple[int, int]]:
    """nginx serving deploy/nginx/ivr.conf, its ports and certificate changed for loopback: the line's https
    port, and a port where the same server block (the same timeouts and limits) listens without TLS."""
    root = folder / "nginx"
    root.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", f"/CN={HOST}", "-keyout", str(root / "key.pem"),
                    "-out", str(root / "cert.pem")], check=True, capture_output=True)
    https, clear, plain = free_port(), free_port(), free_port()
    site = SHIPPED.read_text()
    for pattern, replacement in [
        # The line's server on a second port without TLS too, for the slow clients.
        (r"listen 443 ssl( backlog=\d+);", rf"listen 127.0.0.1:{https} ssl\1;\n    listen 127.0.0.1:{clear}\1;"),
        (r"listen \[::\]:443 ssl.*\n", ""),
        (r"listen 80( backlog=\d+);", rf"listen 127.0.0.1:{plain}\1;"), (r"listen \[::\]:80.*\n", ""),
        (r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{line_port};"),
        (r"ssl_certificate +\S+;", f"ssl_certificate {root / 'cert.pem'};"),
        (r"ssl_certificate_key +\S+;", f"ssl_certificate_key {root / 'key.pem'};"),
    ]:
        site, found = re.subn(pattern, replacement, site)
        assert found, f"the shipped configuration has no {pattern!r}"
    (root / "ivr.conf").write_text(site)
    # What Debian's /etc/nginx/nginx.conf holds, with the worker_connections docs/operations.md asks for.
    (root / "nginx.conf").write_text(f"""
user root;
worker_processes auto;
worker_rlimit_nofile 16384;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/ivr.conf;
}}
""")
    checked = subprocess.run([str(NGINX), "-t", "-p", str(root), "-c", str(root / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([str(NGINX), "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not (root / "nginx.pid").exists():
            assert server.poll() is None and time.monotonic() < deadline, (root / "error.log").read_text()
            time.sleep(0.05)
        yield https, clear
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.copy(root / "error.log", folder / "nginx-error.log")


# -- slow clients --------------------------------------------------------------------------------


@dataclass
class SlowClients:
    """``count`` each of idle, slow-header and slow-body connections to the line's server in nginx, from
    127.0.0.1, for as long as the block lasts. Each sends one more header line or byte of body every 2 s,
    until nginx answers it or cuts it off."""

    port: int
    count: int
    opened: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    open_now: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    #: Connections nginx ended: it timed them out, or refused them over the limit for one address.
    cut: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def __enter__(self) -> SlowClients:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=60)
        self._loop.close()

    def wait_until_open(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while sum(self.opened.values()) < 3 * self.count:
            assert time.monotonic() < deadline, f"the slow clients could not connect: {self.opened}"
            time.sleep(0.2)

    def still_open(self) -> dict[str, int]:
        return dict(self.open_now)

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        limit = asyncio.Semaphore(50)  # connecting at once
        tasks = [asyncio.create_task(self._client(kind, limit)) for _ in range(self.count) for kind in KINDS]
        await self._stop.wait()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _client(self, kind: str, limit: asyncio.Semaphore) -> None:
        assert self._stop is not None
        for _ in range(10):  # connecting again if the connection is refused
            async with limit:
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                    break
                except OSError:
                    await asyncio.sleep(0.5)
        else:
            return
        self.opened[kind] += 1
        self.open_now[kind] += 1
        try:
            if await self._hold(kind, reader, writer):
                self.cut[kind] += 1
        finally:
            self.open_now[kind] -= 1
            writer.close()

    async def _hold(self, kind: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Hold the connection until the block ends (False) or nginx answers or closes it (True)."""
        assert self._stop is not None
        answered = asyncio.ensure_future(reader.read(1))
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            if kind == "slow body":
                writer.write(f"POST /voice HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-"
                             "urlencoded\r\nContent-Length: 10000\r\n\r\n".encode())
            elif kind == "slow headers":
                writer.write(b"POST /voice HTTP/1.1\r\n")
            for _ in range(300):  # 10 minutes at most
                await asyncio.wait({answered, stopped}, timeout=2, return_when=asyncio.FIRST_COMPLETED)
                if answered.done() or stopped.done():
                    break
                writer.write(b"X-Slow: 1\r\n" if kind == "slow headers" else b"a" if kind == "slow body" else b"")
                await writer.drain()
        except OSError:
            return True
        finally:
            answered.cancel()
            stopped.cancel()
        return answered.done() and not answered.cancelled()
