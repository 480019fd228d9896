"""The line by text message: the same call flow, written for a phone's screen. Imports no Flask."""

from ivr.messages.compose import TextScript, phone_number
from ivr.messages.conversation import MAX_BODY, Message, Reply, TextLine, state_from_text, state_text
from ivr.messages.segments import MAX_SEGMENTS, encoding, parts, plain, segments

__all__ = [
    "MAX_BODY",
    "MAX_SEGMENTS",
    "Message",
    "Reply",
    "TextLine",
    "TextScript",
    "encoding",
    "parts",
    "phone_number",
    "plain",
    "segments",
    "state_from_text",
    "state_text",
]
