"""Wiring of the text-mode phone to the terminal (see :mod:`ivr.phone`)."""

from __future__ import annotations

import datetime as dt
import os

import click

from ivr.phone import Call, FlaskTransport, HttpTransport, LineRefused, Listener, Transport


def _ask(prompt: str) -> str | None:
    try:
        return click.prompt(click.style(prompt, fg="cyan"), default="", show_default=False)
    except (click.Abort, EOFError):
        return None


def place_call(url: str | None, line_file: str | None, at_time: str | None) -> int:
    token = os.environ.get("TWILIO_AUTH_TOKEN") or None
    transport: Transport
    if url:
        transport, base = HttpTransport(token), url
    else:
        transport, base = _in_process(line_file, at_time), "http://localhost"
    listener = Listener(show=click.echo, ask=_ask)
    click.echo(click.style("Calling the line. Press Ctrl-D to hang up.", bold=True))
    try:
        Call(transport, listener, base).run()
    except LineRefused as refused:
        click.echo(f"The line failed: {refused}", err=True)
        return 1
    return 0


def _in_process(line_file: str | None, at_time: str | None) -> FlaskTransport:
    from ivr import create_app

    settings: dict[str, object] = {"DEV_MODE": True, "TWILIO_AUTH_TOKEN": ""}
    settings["LINE_FILE"] = line_file or os.environ.get("IVR_LINE_FILE") or _default_line()
    if at_time:
        moment = dt.datetime.fromisoformat(at_time)
        if moment.tzinfo is None:
            raise click.BadParameter("give a time zone, e.g. 2026-11-24T20:00-05:00", param_hint="--at")
        settings["CLOCK"] = lambda: moment
    return FlaskTransport(create_app(settings), token=None)


def _default_line() -> str:
    from ivr.config import DEFAULT_LINE_FILE

    return str(DEFAULT_LINE_FILE)
