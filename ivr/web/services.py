"""What the webhooks need, built once per app: the live line, the clock, how texts are voiced."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from flask import Flask, current_app, g

from ivr.call import Active, LastGoodLines, LiveLine, last_good_folder
from ivr.line import Line
from ivr.messages.sending import TextSender
from ivr.speech.catalog import AudioCatalog
from ivr.store.memory import LanguageMemory
from ivr.store.recorder import NullRecorder, Recorder
from ivr.web.documents import Documents

logger = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ServedLine(Protocol):
    """The line a worker answers with: its file's (:class:`LiveLine`) or its newest published version's."""

    def current(self) -> Active: ...

    def look(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Services:
    line: ServedLine
    #: The line's prompts rendered to telephone audio, for <Play>.
    audio: AudioCatalog
    clock: Callable[[], dt.datetime] = utc_now
    #: Where calls' journeys are kept (ivr.web.records sets it up); by default nowhere.
    recorder: Recorder = field(default_factory=NullRecorder)
    #: Callers' last languages, from the call records (ivr.web.records sets it up); by default none.
    languages: LanguageMemory | None = None
    #: Sends answers by text during calls; None when the server has no Twilio account to send with.
    texts: TextSender | None = None
    #: The TwiML documents already made for turns, by everything a document depends on.
    documents: Documents = field(default_factory=Documents)


def init_app(app: Flask) -> None:
    kept = LastGoodLines(last_good_folder(app.config["LAST_GOOD_LINE_DIR"], app.instance_path))
    live = LiveLine(app.config["LINE_FILE"], interval=float(app.config["LINE_RELOAD_SECONDS"]), kept=kept)
    audio = AudioCatalog(app.config["AUDIO_DIR"])
    if app.config["RENDER_ON_START"]:
        render_missing_audio(live.current().loaded.line, audio)
    app.extensions["ivr"] = Services(line=live, audio=audio, clock=app.config.get("CLOCK") or utc_now,
                                     texts=_text_sender(app))


def _text_sender(app: Flask) -> TextSender | None:
    """What sends answers by text, with the account's SID and auth token; None without both."""
    account, token = str(app.config["TWILIO_ACCOUNT_SID"]).strip(), str(app.config["TWILIO_AUTH_TOKEN"]).strip()
    if not account or not token:
        return None
    return TextSender(account, token, float(app.config["TEXT_SEND_SECONDS"]), str(app.config["TWILIO_API_URL"]))


def render_missing_audio(line: Line, audio: AudioCatalog) -> None:
    """Render what the line's audio directory lacks; if rendering fails, the line still answers, with <Say>."""
    from ivr.speech.render import RenderError, render_line

    logger.info("Rendering the missing audio of line %r into %s", line.name, audio.directory)
    try:
        report = render_line(line, audio.directory)
    except (RenderError, OSError) as error:
        logger.error("Could not render the line's audio (%s); prompts without audio are read with <Say>", error)
        return
    logger.info("Audio: %d rendered, %d already there, %d failed", report.rendered, report.reused, len(report.failed))
    for failure in report.failed:
        logger.error("Could not render %r at %d wpm: %s", failure.text[:60], failure.rate, failure.reason)


def services() -> Services:
    return current_app.extensions["ivr"]


def active_line() -> Active:
    """The line this request is answered with, read once per request.

    The live line may be reloaded at any moment; a webhook that asked for it twice could take the
    caller's turn from one version and voice it with another.
    """
    if "ivr_active_line" not in g:
        g.ivr_active_line = services().line.current()
    active: Active = g.ivr_active_line
    return active
