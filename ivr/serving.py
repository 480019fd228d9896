"""Run the app under gunicorn, the production server."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, load_app: Callable[[], Any], options: dict[str, Any]) -> None:
        self.load_app = load_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.load_app()


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """The production server's settings; the benchmark serves its floor app with the same ones."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        # Many threads, though the work is CPU-bound and never waits for the database: an idle thread
        # costs little, and one held by a slow client or a dashboard page waiting (up to half a second)
        # for its server's records must not keep callers waiting.
        "threads": 64,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        # Twilio's parameters carry the caller's number; log the path only, never the query or body.
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        "preload_app": False,
        # No gunicornc control socket: it is one path per user, so a second server on the machine
        # (another line, or the benchmark's floor) would take it over.
        "control_socket_disable": True,
        "post_worker_init": _worker_ready,
    }


#: What each worker logs once its app is built and it is about to answer ("Booting worker" comes before).
WORKER_READY = "Worker ready to answer"


def _worker_ready(worker: Any) -> None:
    """A worker has built its app: freeze what it made, and say it is ready (an operator, or a test, waiting
    for a restarted server knows when every worker answers, not only when it was forked)."""
    _freeze_startup_objects(worker)
    worker.log.info("%s (pid: %s)", WORKER_READY, worker.pid)


def _freeze_startup_objects(worker: object) -> None:
    """Keep the objects a worker (or the parent, before it forks them) made at start out of the garbage
    collector's full passes.

    They live as long as the worker. A full pass over the line's 110,000 or so took 35-60 ms, in
    which the worker answered nobody (docs/benchmarks.md); after this, only what came later is scanned.
    Frozen in the parent, the objects the workers inherit (the model, the understanding's data) are never
    written by a worker's collector either, so their pages stay shared instead of being copied into each.
    """
    gc.collect()
    gc.freeze()


def run(load_app: Callable[[], Any], options: dict[str, Any]) -> None:
    """Serve the WSGI app that ``load_app`` builds (in each worker) until stopped."""
    _without_server_banner()
    _Gunicorn(load_app, options).run()


def _without_server_banner() -> None:
    """No "Server: gunicorn" on responses: it tells a stranger which server's weaknesses to try.

    gunicorn has no setting for it; its workers, forked from here, write the headers that this returns.
    """
    from gunicorn.http import wsgi

    if getattr(wsgi.Response.default_headers, "without_banner", False):
        return
    with_banner = wsgi.Response.default_headers

    def default_headers(self: wsgi.Response) -> list[str]:
        return [header for header in with_banner(self) if not header.startswith("Server:")]

    default_headers.without_banner = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers


def serve(host: str, port: int, workers: int) -> None:
    """Serve until stopped. The app is built (and the line checked) before any worker starts."""
    from ivr import create_app
    from ivr.call.meaning import preload

    # The understanding model (130 MB) is loaded here, before the workers fork, so that they share it; so are
    # the line's examples' vectors, when building the app builds the line's call flow.
    preload()
    create_app()  # fail here, once, with the line's problems, rather than in every worker
    _freeze_startup_objects(None)
    run(create_app, gunicorn_options(host, port, workers))
