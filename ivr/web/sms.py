"""Twilio's messaging webhook: the line by text message. Thin: read the message, ask the text line, answer.

Signed exactly as the voice webhooks. A texter's place and their STOP are kept in the call records'
database by the keyed hash of their number; the number itself is never kept or logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
import weakref

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from ivr.call import CallFlow, CallState
from ivr.messages import Message, Reply, TextLine, state_from_text, state_text
from ivr.store import RecordsUnavailable
from ivr.store import conversations as kept_conversations
from ivr.web import records, twiml
from ivr.web.services import active_line, services
from ivr.web.signature import check_twilio_signature

logger = logging.getLogger(__name__)

#: The largest messaging webhook taken: a Body of 1,600 emoji is 19.2 kB once form-encoded (each 4 bytes,
#: each byte "%XX"), more than MAX_CONTENT_LENGTH allows a call's webhook; its other fields add a little.
MESSAGE_MAX_BYTES = 32 * 1024

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.before_request
def _room_for_a_long_message() -> None:
    """Take any message Twilio can send, however its 1,600 characters are spelled (before the form is read)."""
    request.max_content_length = max(MESSAGE_MAX_BYTES, int(current_app.config["MAX_CONTENT_LENGTH"] or 0))


bp.before_request(check_twilio_signature)

_text_lines: weakref.WeakKeyDictionary[CallFlow, TextLine] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


@bp.post("")
def incoming() -> Response:
    """A text message has come in: answer it from where the texter is on the line."""
    now = services().clock()
    message = Message(request.form.get("Body", ""), _count(request.form.get("NumMedia")))
    caller = _caller_hash()
    state, stopped, conversation = _kept(caller, now)
    reply = text_line().answer(state, stopped, message, now)
    if conversation is None or state is None:  # a new conversation (or one that expired): counted anew
        conversation = new_conversation()
    records.record_message(reply.turn, conversation, state, first=state is None, stopped=reply.stopped is True)
    _keep(caller, reply, now, conversation)
    return _xml(twiml.messages(reply.texts))


@bp.errorhandler(Exception)
def _apologise(error: Exception) -> Response | HTTPException:
    """Never a 500 to a texter: an apology with the clinic's number and the emergency number."""
    if isinstance(error, HTTPException):
        return error
    logger.exception("The messaging webhook failed; apologising to the texter")
    try:
        return _xml(twiml.messages(text_line().apology()))
    except Exception:
        logger.exception("Could not even apologise to a texter")
        return _xml(twiml.last_resort_message())


def text_line() -> TextLine:
    """The text line of the line this request is answered with (built once for each version of the line)."""
    flow = active_line().flow
    with _lock:
        found = _text_lines.get(flow)
        if found is None:
            found = _text_lines[flow] = TextLine(flow)
    return found


def expiry() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config["TEXT_CONVERSATION_HOURS"]))


# -- helpers --------------------------------------------------------------------------


def _caller_hash() -> str | None:
    """The texter's keyed hash, made as the call records make callers': None without records (nothing is
    kept then), or for a number that is not one."""
    return services().recorder.caller_hash(request.form.get("From", ""))


def new_conversation() -> str:
    """A text conversation's id in the call records, as a call's CallSid is a call's."""
    return "TX" + uuid.uuid4().hex


def _kept(caller: str | None, now: dt.datetime) -> tuple[CallState | None, bool, str | None]:
    """Where the texter is, whether they said STOP, and the conversation's id; a new conversation when that
    cannot be known.

    A texter whose place cannot be read starts again, with the emergency sentence: never an error.
    """
    if caller is None:
        return None, False, None
    try:
        found = kept_conversations.kept(records.store(), caller, _line_name(), now - expiry())
    except RecordsUnavailable as error:
        logger.warning("Text conversations cannot be read (%s); this message starts a conversation", error)
        return None, False, None
    return (state_from_text(found.state) if found.state else None), found.stopped, found.conversation


def _keep(caller: str | None, reply: Reply, now: dt.datetime, conversation: str) -> None:
    if caller is None:
        return
    try:
        store = records.store()
        if reply.stopped is True:
            kept_conversations.stop(store, caller, now)
            return
        if reply.stopped is False:
            kept_conversations.start(store, caller)
        state = state_text(reply.state) if reply.state is not None else None
        kept_conversations.keep(store, caller, _line_name(), state, now, now - expiry(), conversation)
    except Exception as error:
        logger.error("A text conversation's place could not be kept (%s); its next message starts again",
                     type(error).__name__)


def _line_name() -> str:
    return active_line().loaded.line.name


def _count(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def _xml(document: str) -> Response:
    return Response(document, mimetype="text/xml")
