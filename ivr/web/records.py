"""Call records from the webhooks: what each request did to a call, handed on without delaying it."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
import tempfile
import uuid
import weakref
from typing import Any

from flask import Flask, current_app, request

from ivr.call import LANGUAGE_CHOSEN, CallState, Connect, Finish, Listen, Turn
from ivr.call.events import Event
from ivr.line import END, Line
from ivr.store import CallEnd, Outcome, RecordsUnavailable, Store, TurnRecord
from ivr.store.callers import CallerHasher
from ivr.store.engine import database_url
from ivr.store.memory import LanguageMemory
from ivr.store.purge import Purged, purge
from ivr.store.recorder import StoreRecorder
from ivr.web.keys import instance_key, text_setting
from ivr.web.services import Services, active_line, services

logger = logging.getLogger(__name__)

#: Twilio's CallStatus values for a call that is over.
FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
#: Form fields that tell one webhook of a call from another when Twilio sends no idempotency token.
_IDENTIFYING = ("Digits", "SpeechResult", "DialCallStatus", "CallStatus")
_MAX_SPEECH = 1000
#: A text message that is only keys: "2", "0".
_KEYS = re.compile(r"^[0-9*#]+$")
#: No Twilio call lasts longer than a day.
MAX_CALL_SECONDS = 24 * 3600


class RecordsOff(RecordsUnavailable):
    """Call records are switched off by the RECORD_CALLS setting."""


def init_app(app: Flask) -> None:
    """Open the store, bring its schema up to date, and give the webhooks a recorder.

    Nothing here may stop the line from answering: an unreachable database is logged, and
    its schema is tried again before later writes, so records start by themselves once it is there.
    """
    app.extensions["ivr.store"] = None
    if not app.config["RECORD_CALLS"]:
        logger.info("Call records are off (RECORD_CALLS)")
        return
    store = open_store(app, "calls are answered but not recorded")
    if store is None:
        return
    try:
        hasher = CallerHasher(instance_key(app, "CALLER_HASH_KEY", "caller-hash.key"))
    except (OSError, RuntimeError) as error:
        logger.error("No key to hash callers' numbers with (%s); calls are answered but not recorded", error)
        return
    app.extensions["ivr.store"] = store
    webhook_services: Services = app.extensions["ivr"]  # made by services.init_app, before this
    webhook_services.recorder = StoreRecorder(store, hasher, queue_size=int(app.config["RECORD_QUEUE_SIZE"]))
    memory = webhook_services.languages = LanguageMemory(store.last_language)
    weakref.finalize(app, memory.close)


def open_store(app: Flask, without: str) -> Store | None:
    """The store DATABASE_URL names, its schema brought up to date if the database can be reached now.

    None (and ``without`` said in the log) when the setting names no database that can be used.
    """
    try:
        store = Store.open(_url(app), timeout=float(app.config["RECORD_TIMEOUT_SECONDS"]))
    except Exception as error:  # a mistyped URL, or no driver for it: the line answers all the same
        logger.error("DATABASE_URL names no database the call records can use (%s); %s", type(error).__name__,
                     without)
        return None
    weakref.finalize(app, store.close)  # close the pool's connections with the app
    try:
        store.migrate()
    except Exception as error:
        logger.error("Call records at %s are unavailable for now (%s); calls are answered all the same, and "
                     "records are kept from when it can be reached", store.name, error)
    return store


def store() -> Store:
    """The current app's store of call records; raises RecordsUnavailable if it has none."""
    found: Store | None = current_app.extensions.get("ivr.store")
    if found is None:
        if not current_app.config["RECORD_CALLS"]:
            raise RecordsOff("call records are switched off (RECORD_CALLS)")
        raise RecordsUnavailable("DATABASE_URL names no database the call records can use")
    return found


def settled_store() -> Store:
    """The store, once what this server has queued is written (RECORD_SETTLE_SECONDS at most).

    Records reach the database within a few hundredths of a second anyway; this makes a page
    opened at once after a call (by the clinic, or a test) show it.
    """
    services().recorder.flush(float(current_app.config["RECORD_SETTLE_SECONDS"]))
    return store()


def purge_records(older_than: dt.timedelta, now: dt.datetime | None = None) -> Purged:
    """Remove the current app's records of calls older than ``older_than``."""
    now = now or dt.datetime.now(dt.UTC)
    return purge(store(), before=now - older_than)


def record_turn(turn: Turn) -> None:
    """Note what this webhook did to the call; never raises, never waits for the database."""
    try:
        record = _turn_record(turn)
        if record is not None:
            services().recorder.turn(record)
        if turn.event == LANGUAGE_CHOSEN:
            _remember_language(turn.language)
    except Exception:
        logger.exception("Could not note a turn of a call in its records; the call goes on")


def record_message(turn: Turn | None, conversation: str, before: CallState | None, *, first: bool,
                   stopped: bool) -> None:
    """Note what a text message did to its conversation, kept as a call of channel "text" whose turns are its
    messages; never raises, never waits for the database. A STOP is noted as the conversation's last step;
    a message the flow never saw (HELP, or one to a stopped number) is not."""
    try:
        line = _line()
        if turn is None and stopped and before is not None:
            turn = Turn((), Finish(), 0, before.node, Event.named("stop"))
        if turn is None:
            return
        form = request.form
        body = form.get("Body", "").strip()
        keys = body if _KEYS.match(body) else ""
        recorder = services().recorder
        recorder.turn(_record(
            turn, conversation, _message_key(conversation), before.node if before is not None else "",
            input="key" if keys else "speech" if body else "none",
            digits=keys[:32] or None,
            speech=body[:_MAX_SPEECH] if body and not keys and line.call.record_speech else None,
            caller_hash=recorder.caller_hash(form.get("From", "")) if first else None,
            channel="text",
        ))
    except Exception:
        logger.exception("Could not note a text message in the call records; the conversation goes on")


def remembered_language(line: Line) -> str | None:
    """The language this caller chose last time, for a line that remembers it (``call.remember_language``);
    None otherwise, or when it is not known in time. Never raises: a call goes on without it."""
    try:
        memory = services().languages
        if memory is None or not line.call.remember_language or len(line.language_codes) < 2:
            return None
        caller = services().recorder.caller_hash(request.form.get("From", ""))
        found = memory.language(caller, line.name) if caller else None
        return found if found in line.language_codes else None
    except Exception:
        logger.exception("Could not look up the caller's language; the call starts in the line's first")
        return None


def _remember_language(language: str) -> None:
    line = _line()
    memory = services().languages
    if memory is None or not line.call.remember_language or not language:
        return
    caller = services().recorder.caller_hash(request.form.get("From", ""))
    if caller:
        memory.remember(caller, line.name, language)


def record_call_end() -> None:
    """Note the end of a call from Twilio's status callback; never raises, never waits for the database."""
    try:
        form = request.form
        status = form.get("CallStatus", "")
        sid = form.get("CallSid", "")[:64]
        if status not in FINAL_STATUSES or not sid:
            return
        recorder = services().recorder
        recorder.call_ended(
            CallEnd(
                call_sid=sid,
                line=_line().name,
                at=services().clock(),
                status=status,
                duration=_seconds(form.get("CallDuration")),
                caller_hash=recorder.caller_hash(form.get("From", "")),
            )
        )
    except Exception:
        logger.exception("Could not note the end of a call in its records")


# -- helpers --------------------------------------------------------------------------


def _url(app: Flask) -> str:
    setting = text_setting(app, "DATABASE_URL")
    if setting or not app.testing:
        return database_url(setting, app.instance_path)
    # Tests that name no database get a throwaway file, removed with the app.
    folder = tempfile.mkdtemp(prefix="ivr-records-")
    weakref.finalize(app, shutil.rmtree, folder, ignore_errors=True)
    return database_url("", folder)


def _line() -> Line:
    return active_line().loaded.line


def _turn_record(turn: Turn) -> TurnRecord | None:
    form = request.form
    sid = form.get("CallSid", "")[:64]
    if not sid:
        return None
    line = _line()
    endpoint = request.endpoint or ""
    digits = form.get("Digits", "")[:32]
    speech = form.get("SpeechResult", "")
    answering = endpoint == "voice.respond"
    return _record(
        turn, sid, _event_key(sid), request.args.get("node", ""),
        input=("key" if digits else "speech" if speech else "none") if answering else None,
        digits=(digits or None) if answering else None,
        speech=speech[:_MAX_SPEECH] if answering and speech and line.call.record_speech else None,
        dial_status=(form.get("DialCallStatus", "")[:20] or "unknown") if endpoint == "voice.dial_finished" else None,
        caller_hash=services().recorder.caller_hash(form.get("From", "")) if _names_caller(endpoint, turn) else None,
    )


def _names_caller(endpoint: str, turn: Turn) -> bool:
    """Whether a turn's record carries the caller's hash: the call's first, and a choice of language, which
    must be found by caller as soon as it is written, even when another worker has not written the first yet."""
    return endpoint == "voice.incoming" or turn.event == LANGUAGE_CHOSEN


def _record(turn: Turn, call_sid: str, key: str, from_node: str, **details: Any) -> TurnRecord:
    """What every turn's record says, a call's or a text conversation's: where it led, what the line did next,
    the language; ``details`` are how the caller answered, and what only one of them has."""
    line = _line()
    return TurnRecord(
        call_sid=call_sid,
        key=key,
        at=services().clock(),
        line=line.name,
        node=turn.node,
        kind=str(turn.event),
        outcome=_outcome(turn.then),
        from_node=from_node if from_node in line.nodes or from_node == END else None,
        transfer_to=turn.then.target if isinstance(turn.then, Connect) else None,
        language=turn.language or None,
        language_chosen=turn.event == LANGUAGE_CHOSEN,
        **details,
    )


def _outcome(then: Listen | Connect | Finish) -> Outcome:
    if isinstance(then, Listen):
        return "listen"
    return "connect" if isinstance(then, Connect) else "finish"


def _message_key(conversation: str) -> str:
    """The same for every delivery of one message (Twilio's MessageSid), so a replay is written once."""
    message = request.form.get("MessageSid", "") or request.form.get("SmsSid", "")
    parts = [conversation, "message", message] if message else [conversation, request.path, uuid.uuid4().hex]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _event_key(sid: str) -> str:
    """The same for every delivery of one webhook, so a replay is written once.

    Twilio's I-Twilio-Idempotency-Token header is the same on its retries and differs between
    requests. Without it, the request itself is the key; a caller who gives the same answer at
    the same place twice in a call is then counted once.
    """
    token = request.headers.get("I-Twilio-Idempotency-Token", "")
    if token:
        parts = [sid, request.path, "token", token]
    else:
        query = request.query_string.decode("latin-1")
        parts = [sid, request.path, query, *(f"{name}={request.form.get(name, '')}" for name in _IDENTIFYING)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _seconds(value: str | None) -> int | None:
    """Twilio's CallDuration; None if it is not a length a call can have."""
    try:
        seconds = int(value or "")
    except ValueError:
        return None
    return seconds if 0 <= seconds <= MAX_CALL_SECONDS else None
