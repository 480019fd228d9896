"""Where a request's time goes: the apps called directly, without a server, one request after another.

CPU per request over the walk's mix of webhooks, counting every thread of the process (so the
call-records writer too), for the floor and for the line with and without its costlier parts;
and the time one request takes when requests come apart, as they do to a server that is not busy.
"""

from __future__ import annotations

import io
import random
import secrets
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask
from twilio.request_validator import RequestValidator

from bench import floor
from bench.walk import WALK, call_form, next_url, step_form

HOST = "127.0.0.1:8000"
BASE = f"http://{HOST}"
FLOOR = "the floor"
#: Requests measured one at a time, and the pause before each (30-70 ms, at random): at 100
#: calls each worker answers a request every 200 ms or so.
SPACED_REQUESTS = 200
SPACE_SECONDS = (0.03, 0.07)


@dataclass(frozen=True)
class Cost:
    app: str
    cpu_us: float
    #: Median time of one request after a pause (SPACE_SECONDS), when the processor's caches
    #: no longer hold the app's code and data.
    spaced_us: float


@dataclass(frozen=True)
class Request:
    environ: dict[str, Any]
    body: bytes


def request_costs(audio: Path, calls: int = 150, repetitions: int = 3) -> list[Cost]:
    """The best of ``repetitions`` runs of ``calls`` walks, for each app."""
    token = secrets.token_hex(16)
    costs = []
    with tempfile.TemporaryDirectory(prefix="ivr-bench-inprocess-") as folder:
        for name, make in _apps(token, audio, Path(folder)):
            app = make()
            requests = list(walks(app, token, calls, follow=name != FLOOR))
            run(app, requests)  # warm up: imports, caches, the database's schema
            runs = []
            for _ in range(repetitions):
                started = time.process_time()
                run(app, requests)
                runs.append((time.process_time() - started) / len(requests))
            costs.append(Cost(name, min(runs) * 1e6, _spaced(app, requests[:SPACED_REQUESTS]) * 1e6))
            store = app.extensions.get("ivr.store")
            if store is not None:
                store.close()
    return costs


def _apps(token: str, audio: Path, folder: Path) -> list[tuple[str, Callable[[], Flask]]]:
    return [
        (FLOOR, floor.create_app),
        ("the line: Twilio's voice (`<Say>`), no call records",
         _line(token, folder / "no-audio", folder, records=False)),
        ("the line: rendered audio (`<Play>`), no call records", _line(token, audio, folder, records=False)),
        line_app(token, audio, folder),
    ]


def line_app(token: str, audio: Path, folder: Path) -> tuple[str, Callable[[], Flask]]:
    """The line as it is served: rendered audio in ``audio`` and call records in a database in ``folder``."""
    return "the line as served: rendered audio and call records", _line(token, audio, folder, records=True)


def _line(token: str, audio_dir: Path, folder: Path, *, records: bool) -> Callable[[], Flask]:
    def make() -> Flask:
        from ivr import create_app
        from ivr.store.recorder import NullRecorder

        database = folder / f"{secrets.token_hex(4)}.sqlite3"
        app = create_app({"TWILIO_AUTH_TOKEN": token, "AUDIO_DIR": str(audio_dir),
                          "DATABASE_URL": f"sqlite:///{database}", "CALLER_HASH_KEY": secrets.token_hex(32),
                          "SECRET_KEY": secrets.token_hex(32),
                          # Called back to back, the requests would outrun the writer and records be dropped.
                          "RECORD_QUEUE_SIZE": 1_000_000})
        if not records:
            app.extensions["ivr"].recorder = NullRecorder()
        return app
    return make


def walks(app: Flask, token: str, calls: int, *, follow: bool) -> Iterator[Request]:
    """Each step of ``calls`` walks, signed, with the URLs one walk through ``app`` took."""
    validator = RequestValidator(token)
    rng = random.Random("inprocess")
    urls = []
    previous: ET.Element | None = None
    form = call_form(rng)
    for step in WALK:
        url = next_url(step, BASE, previous, follow)
        assert url is not None, f"the walk broke at {step.what!r}"
        urls.append(url)
        body = call(app, _request(validator, url, {**form, **step_form(step, rng)}))
        previous = ET.fromstring(body) if body else None
    for _ in range(calls):
        form = call_form(rng)
        for step, url in zip(WALK, urls, strict=True):
            yield _request(validator, url, {**form, **step_form(step, rng)})


def _request(validator: RequestValidator, url: str, form: dict[str, str]) -> Request:
    parts = urlsplit(url)
    body = urlencode(form).encode()
    environ = {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": parts.path, "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": HOST, "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)), "HTTP_X_TWILIO_SIGNATURE": validator.compute_signature(url, form),
    }
    return Request(environ, body)


def call(app: Flask, request: Request) -> bytes:
    def start_response(status: str, headers: object, exc_info: object = None) -> None:
        assert status[:3] in ("200", "204"), f"{request.environ['PATH_INFO']}: {status}"

    environ = {**request.environ, "wsgi.input": io.BytesIO(request.body)}
    return b"".join(app.wsgi_app(environ, start_response))


def _spaced(app: Flask, requests: list[Request]) -> float:
    """Median wall time of each request, each after a pause."""
    times = []
    rng = random.Random("spaced")
    for request in requests:
        time.sleep(rng.uniform(*SPACE_SECONDS))
        started = time.perf_counter()
        call(app, request)
        times.append(time.perf_counter() - started)
    flush(app)
    return statistics.median(times)


def run(app: Flask, requests: list[Request]) -> None:
    for request in requests:
        call(app, request)
    flush(app)  # the records of these calls are part of their cost


def flush(app: Flask) -> None:
    services = app.extensions.get("ivr")
    if services is not None:
        services.recorder.flush(60)


def step_costs(audio: Path, calls: int = 150, repetitions: int = 3) -> list[tuple[str, float]]:
    """CPU per request of each step of the walk, for the line as served (the best of ``repetitions`` runs of
    ``calls`` requests of that step; every thread counted, so the records' writer too)."""
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="ivr-bench-steps-") as folder:
        app = line_app(token, audio, Path(folder))[1]()
        try:
            requests = list(walks(app, token, calls, follow=True))
            run(app, requests)  # warm up
            costs = []
            for index, step in enumerate(WALK):
                mine = requests[index::len(WALK)]
                runs = []
                for _ in range(repetitions):
                    started = time.process_time()
                    run(app, mine)
                    runs.append((time.process_time() - started) / len(mine))
                costs.append((step.what, min(runs) * 1e6))
        finally:
            app.extensions["ivr.store"].close()
    return costs


def main() -> None:
    """``python -m bench.inprocess``: each step's CPU per request, the line as served, called directly."""
    from bench import micro

    with tempfile.TemporaryDirectory(prefix="ivr-bench-audio-") as folder:
        rendered = micro.render(Path(folder))
        costs = step_costs(Path(folder))
    if rendered.note:
        print(f"The line's audio was not rendered ({rendered.note}): every prompt is Twilio's <Say>.")
    print("| step of the walk | CPU per request |\n| --- | ---: |")
    for what, us in costs:
        print(f"| {what} | {us:,.0f} µs |")
    print(f"| mean of the walk's {len(costs)} | {statistics.fmean(us for _, us in costs):,.0f} µs |")


if __name__ == "__main__":
    main()
