"""What a trial call plays: each prompt in the tried line's own voice, rendered when it is first played.

A prompt's link carries (signed) everything its audio depends on: the text, the rate, the engine and voice, and
the line's speech-text rules. Playing it serves the line's rendered file when ``ivr render`` made one; otherwise
it is rendered, once, into ``try-it/`` in the audio directory (named, like every rendered file, by what it says
and how, so a changed text is a new file and an unchanged one is never rendered twice).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, send_from_directory, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from ivr.line import Line
from ivr.speech.catalog import AudioCatalog
from ivr.speech.engine import engine_class
from ivr.speech.render import Job as RenderJob
from ivr.speech.render import RenderError, RenderPlan, render_plan
from ivr.speech.spoken import SpeechRules
from ivr.speech.voicing import Voicing
from ivr.web import services

logger = logging.getLogger(__name__)

#: Where trial calls' audio is kept, in the line's audio directory (which lists only the files at its top).
FOLDER = "try-it"


def audio_link(line: Line, code: str, text: str, rate: int) -> str | None:
    """The link that plays ``text`` at ``rate`` as ``line`` says it in ``code`` (one of its languages, "" for its
    first); None where callers hear Twilio's ``<Say>`` read it."""
    view = line.in_language(code or None)
    if view.voice.mode != "play":
        return None
    voicing = Voicing.of(view)
    rules = voicing.rules
    facts = {"text": text, "rate": rate, "engine": voicing.engine, "voice": voicing.voice, "volume": voicing.volume,
             "language": rules.language, "region": rules.region, "emergency": rules.emergency_number,
             "pronounce": [list(pair) for pair in rules.pronounce]}
    return url_for("dashboard.try_audio", token=_serializer().dumps(facts))


def try_audio(token: str) -> Response:
    """A trial call's prompt, as telephone audio (rendered now if it never was)."""
    try:
        facts = _serializer().loads(token)
        voicing, text, rate = _voicing(facts), str(facts["text"]), int(facts["rate"])
    except (BadSignature, KeyError, TypeError, ValueError):
        abort(404)
    name = voicing.name(text, rate)
    live = services().audio
    if live.has(name):
        return _send(live.directory, name)
    cache = live.directory / FOLDER
    if not (cache / f"{name}.wav").exists():
        job = RenderJob(text, voicing.spoken(text), rate, name)
        try:
            report = render_plan(RenderPlan(voicing, cache, (job,), 0), workers=1)
        except (RenderError, OSError) as error:
            logger.error("Could not render a trial call's prompt %r: %s", text[:60], error)
            return Response(f"This prompt could not be rendered: {error}", 503, mimetype="text/plain")
        if not report.ok:
            logger.error("Could not render a trial call's prompt %r: %s", text[:60], report.failed[0].reason)
            return Response("This prompt could not be rendered.", 503, mimetype="text/plain")
    return _send(cache, name)


def _voicing(facts: dict[str, Any]) -> Voicing:
    engine = str(facts["engine"])
    pairs = tuple((str(written), str(spoken)) for written, spoken in facts["pronounce"])
    rules = SpeechRules(str(facts["language"]), str(facts["region"]), str(facts["emergency"]), pairs)
    return Voicing(engine, str(facts["voice"]), float(facts["volume"]), rules, engine_class(engine).sound)


def _send(directory: Path, name: str) -> Response:
    return send_from_directory(AudioCatalog(directory).directory.resolve(), f"{name}.wav", mimetype="audio/wav")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.secret_key), salt="ivr-try-it-audio")
