"""Run the app under gunicorn, the production server."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from ivr import create_app

        return create_app()


def serve(host: str, port: int, workers: int) -> None:
    """Serve until stopped. The app is built (and the line checked) before any worker starts."""
    from ivr import create_app

    create_app()  # fail here, once, with the line's problems, rather than in every worker
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        # Twilio's parameters carry the caller's number; log the path only, never the query or body.
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        "preload_app": False,
    }
    _Gunicorn(options).run()
