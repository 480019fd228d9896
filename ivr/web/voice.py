"""Twilio's voice webhooks. Thin: read the request, ask the call flow, answer its TwiML."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from ivr.call import CallState, Target, Turn
from ivr.line import Line
from ivr.speech.naming import NAME_LENGTH
from ivr.web import records, texting, twiml
from ivr.web.services import active_line, services
from ivr.web.signature import check_twilio_signature

logger = logging.getLogger(__name__)

bp = Blueprint("voice", __name__, url_prefix="/voice")
bp.before_request(check_twilio_signature)

_TARGETS: tuple[Target, ...] = ("clinic", "after_hours")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@bp.post("")
def incoming() -> Response:
    """A call has come in: greet the caller and offer the main menu."""
    flow = active_line().flow
    turn = flow.start(services().clock(), records.remembered_language(flow.line), texting.texter())
    records.record_turn(turn)
    return _answer(turn)


@bp.post("/respond")
def respond() -> Response:
    """The caller pressed a key, said something, or stayed silent at a prompt."""
    flow = active_line().flow
    state = _state_from_query()
    digits = request.form.get("Digits", "")
    speech = request.form.get("SpeechResult", "")
    turn = flow.respond(state, digits, speech, services().clock(), texting.texter())
    records.record_turn(turn)
    return _answer(turn)


@bp.post("/dial-finished")
def dial_finished() -> Response:
    """A transfer ended: connected and done, or the clinic could not take the call."""
    flow = active_line().flow
    target = request.args.get("target", "clinic")
    status = request.form.get("DialCallStatus", "")
    turn = flow.dial_finished(
        _state_from_query(), target if target in _TARGETS else "clinic", status, services().clock()
    )
    records.record_turn(turn)
    return _answer(turn)


@bp.post("/status")
def status() -> Response:
    """Twilio's status callback at the end of a call."""
    records.record_call_end()
    return Response(status=204)


@bp.errorhandler(Exception)
def _apologise(error: Exception) -> Response | HTTPException:
    """Never a 500 to a caller: apologise and put them through to the clinic."""
    if isinstance(error, HTTPException):
        return error
    logger.exception("Webhook %s failed; apologising and transferring the caller", request.path)
    try:
        flow = active_line().flow
        turn = flow.apologise(_state_from_query(), services().clock())
        records.record_turn(turn)
        return _answer(turn)
    except Exception:
        logger.exception("Could not even apologise on %s; ending the call politely", request.path)
        return _xml(twiml.last_resort())


# -- helpers --------------------------------------------------------------------------


class _Links:
    """Webhook URLs carrying the caller's state, under the public base URL when one is set."""

    def respond(self, state: CallState) -> str:
        return _url("voice.respond", **_state_query(state))

    def dial_finished(self, state: CallState, target: Target) -> str:
        return _url("voice.dial_finished", target=target, **_state_query(state))


def _url(endpoint: str, **values: Any) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _state_query(state: CallState) -> dict[str, str]:
    query = {"node": state.node, "tries": str(state.tries), "rate": str(state.rate)}
    if state.trail:
        query["trail"] = ",".join(state.trail)
    if state.failed:
        query["failed"] = state.failed
    if state.language:
        query["lang"] = state.language
    if state.offered:
        query["offer"] = "1"
    if state.asked:
        query["ask"] = state.asked
    return query


def _state_from_query() -> CallState:
    """The caller's state from the URL; anything odd is mended by the flow."""
    args = request.args
    trail = tuple(part for part in args.get("trail", "").split(",") if part)
    failed = args.get("failed")
    language = args.get("lang", "")
    return CallState(
        node=args.get("node", ""),
        trail=trail,
        tries=_int(args.get("tries")),
        rate=_int(args.get("rate")),
        failed=failed if failed in _TARGETS else None,
        language=language if _LANGUAGE.match(language) else "",
        offered=args.get("offer") == "1",
        asked=args.get("ask", ""),
    )


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _answer(turn: Turn) -> Response:
    """The turn's TwiML, made once for each turn, line version, rendered audio and base URL (ivr.web.documents)."""
    active = active_line()
    audio = services().audio.names() if active.loaded.line.voice.mode == "play" else None
    base = (current_app.config["PUBLIC_URL"], request.host_url, request.script_root)
    key = (turn, audio, base)
    return _xml(services().documents.get(active.loaded, key, lambda: _document(turn)))


def _document(turn: Turn) -> str:
    line = active_line().loaded.line
    caller = turn.language or line.language
    others = {code: _speech(line.in_language(code)) for code in set(turn.text_languages) - {caller}}
    return twiml.build(turn, _Links(), _speech(line.in_language(caller)), others)


def _speech(line: Line) -> twiml.Speech:
    """How the texts of one of the line's languages are voiced: its audio, its Twilio voice and language."""
    return twiml.Speech(
        audio_url=_audio_urls(line),
        language=line.call.speech_language,
        say_voice=line.voice.say_voice,
        default_rate=line.voice.default_rate,
    )


def _audio_urls(line: Line) -> Callable[[str, int], str | None]:
    """Where each text's rendered audio is, in "play" mode; None (so <Say>) where it is missing."""
    if line.voice.mode != "play":
        return _no_audio
    return services().audio.links(line, _audio_link()).url


def _audio_link() -> Callable[[str], str]:
    """URLs of rendered audio, which differ only in the file's name: one url_for per answer, not per prompt."""
    sample = "0" * NAME_LENGTH
    head, _, tail = _url("audio.wav", name=sample).rpartition(sample)
    return lambda name: f"{head}{name}{tail}"


def _no_audio(text: str, rate: int) -> None:
    return None


def _xml(document: str) -> Response:
    return Response(document, mimetype="text/xml")
