"""What the webhooks hand to the call records: plain data, no database types."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

#: What the line did after a turn: waited for the caller, put them through, or ended the call.
Outcome = Literal["listen", "connect", "finish"]
#: How the line was reached: a phone call, or text messages.
Channel = Literal["voice", "text"]
#: How the caller answered a prompt: a key, words, or nothing at all.
InputKind = Literal["key", "speech", "none"]


@dataclass(frozen=True)
class TurnRecord:
    """One turn of a call: where the caller was taken, by what, and what the line did next."""

    call_sid: str
    #: The same for a webhook Twilio delivers twice, so a replay adds no second row.
    key: str
    at: dt.datetime
    line: str
    #: The node the caller is at after the turn.
    node: str
    #: The flow's event: "start", "option", "no_input", "dial:busy"...
    kind: str
    outcome: Outcome
    #: The node the caller answered at (for answers and transfers).
    from_node: str | None = None
    input: InputKind | None = None
    digits: str | None = None
    #: The caller's words, only when the line's file sets ``call.record_speech``.
    speech: str | None = None
    #: "clinic" or "after_hours" when the turn put the caller through.
    transfer_to: str | None = None
    #: Twilio's DialCallStatus when a transfer ended.
    dial_status: str | None = None
    #: A keyed hash of the caller's number, never the number.
    caller_hash: str | None = None
    #: The language the caller hears, in a line of several (None in a line of one): kept as the call's.
    language: str | None = None
    #: The turn is the caller's choice of ``language``, which then is the call's whatever came before.
    language_chosen: bool = False
    #: A phone call's turn, or a text conversation's message (kept as the call's).
    channel: Channel = "voice"


@dataclass(frozen=True)
class CallEnd:
    """Twilio's status callback: the call is over."""

    call_sid: str
    line: str
    at: dt.datetime
    #: Twilio's final CallStatus: completed, busy, no-answer, failed or canceled.
    status: str
    duration: int | None
    caller_hash: str | None = None
