"""What the webhooks need, built once per app: the live line, the clock, how texts are voiced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from ivr.call.live import LiveLine


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    line: LiveLine
    clock: Callable[[], dt.datetime] = _utc_now


def init_app(app: Flask) -> None:
    live = LiveLine(app.config["LINE_FILE"], interval=float(app.config["LINE_RELOAD_SECONDS"]))
    app.extensions["ivr"] = Services(line=live, clock=app.config.get("CLOCK") or _utc_now)


def services() -> Services:
    return current_app.extensions["ivr"]
