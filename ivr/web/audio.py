"""The rendered prompts, for Twilio's <Play> and for anyone who wants to read what they say.

Not signature-checked: Twilio fetches media with plain GETs, and the files hold only
the line's public prompt text. Names are content hashes, so a file never changes:
it is cached for a year and its ETag is its name.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory
from werkzeug.exceptions import NotFound

from ivr.speech.catalog import TEXT, WAV
from ivr.speech.naming import is_audio_name
from ivr.web.services import services

bp = Blueprint("audio", __name__, url_prefix="/audio")

ONE_YEAR = 365 * 24 * 60 * 60


@bp.get("/<name>.wav")
def wav(name: str) -> Response:
    """A rendered prompt: 8 kHz mono μ-law WAV, which Twilio plays as it is."""
    return _send(name, WAV, "audio/wav")


@bp.get("/<name>.txt")
def transcript(name: str) -> Response:
    """The text a rendered prompt says."""
    return _send(name, TEXT, "text/plain; charset=utf-8")


def _send(name: str, suffix: str, mimetype: str) -> Response:
    if not is_audio_name(name):
        abort(404)
    try:
        response = send_from_directory(
            services().audio.directory,
            name + suffix,
            mimetype=mimetype,
            conditional=True,
            etag=name + suffix,
            max_age=ONE_YEAR,
        )
    except NotFound:
        abort(404)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
