"""Wiring of the text-mode phone to the terminal (see :mod:`ivr.phone`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import click

from ivr.phone import Call, FlaskTransport, HttpTransport, LineRefused, Listener, Transport


def _ask(prompt: str) -> str | None:
    try:
        return click.prompt(click.style(prompt, fg="cyan"), default="", show_default=False)
    except (click.Abort, EOFError):
        return None


def place_call(url: str | None, line_file: str | None, at_time: str | None, speak: bool = False) -> int:
    token = os.environ.get("TWILIO_AUTH_TOKEN") or None
    transport: Transport
    if url:
        transport, base = HttpTransport(token), url
    else:
        transport, base = _in_process(line_file, at_time), "http://localhost"
    listener = Listener(show=click.echo, ask=_ask, transcript=_transcripts(transport))
    if speak:
        from ivr.speech.render import RenderError

        try:
            listener.speak = _speaker(None if url else _line_file(line_file))
        except RenderError as error:
            click.echo(f"Cannot speak: {error}", err=True)
            return 1
    click.echo(click.style("Calling the line. Press Ctrl-D to hang up.", bold=True))
    try:
        Call(transport, listener, base).run()
    except LineRefused as refused:
        click.echo(f"The line failed: {refused}", err=True)
        return 1
    return 0


def _in_process(line_file: str | None, at_time: str | None) -> FlaskTransport:
    from ivr import create_app

    # A clinic trying its line is not a patient's call: keep it out of the call records.
    settings: dict[str, object] = {"DEV_MODE": True, "TWILIO_AUTH_TOKEN": "", "RECORD_CALLS": False}
    settings["LINE_FILE"] = _line_file(line_file)
    settings["AUDIO_DIR"] = _audio_dir()
    if at_time:
        moment = dt.datetime.fromisoformat(at_time)
        if moment.tzinfo is None:
            raise click.BadParameter("give a time zone, e.g. 2026-11-24T20:00-05:00", param_hint="--at")
        settings["CLOCK"] = lambda: moment
    return FlaskTransport(create_app(settings), token=None)


def _line_file(line_file: str | None) -> str:
    return line_file or os.environ.get("IVR_LINE_FILE") or _default_line()


def _default_line() -> str:
    from ivr.config import DEFAULT_LINE_FILE

    return str(DEFAULT_LINE_FILE)


def _audio_dir() -> str:
    """The audio `ivr render` fills by default, so that a call in process plays it."""
    from ivr import settings

    return str(settings()["AUDIO_DIR"])


def _transcripts(transport: Transport) -> Callable[[str], str | None]:
    """What the audio at a <Play> URL says: the line serves it beside the audio, as ``<name>.txt``."""

    def transcript(url: str) -> str | None:
        if not url.endswith(".wav"):
            return None
        text_url = url.removesuffix(".wav") + ".txt"
        if isinstance(transport, FlaskTransport):
            with transport.client.get(text_url) as response:
                return response.get_data(as_text=True) if response.status_code == 200 else None
        if isinstance(transport, HttpTransport):
            try:
                answer = transport.session.get(text_url, timeout=transport.timeout)
            except OSError:
                return None
            return answer.text if answer.status_code == 200 else None
        return None

    return transcript


def _speaker(line_file: str | None) -> Callable[[str], None]:
    """Reads each prompt aloud with the line's voice (the default voice for a line called by URL)."""
    from ivr.line.load import load_line
    from ivr.line.model import Voice
    from ivr.speech.render import speaker

    voice = load_line(line_file).line.voice if line_file else Voice()
    return speaker(voice)
