"""An answer by text during a call: the flow is given a texter only where the line and the server can send texts."""

from __future__ import annotations

from flask import request

from ivr.call.flow import AnswerTexter
from ivr.messages.sending import TextSender, why_not
from ivr.web.services import active_line, services
from ivr.web.sms import text_line


def texter() -> AnswerTexter | None:
    """How this call's answers are sent by text: None when the line has no messaging number, or the server no
    Twilio account to send with (then no answer is offered by text)."""
    messaging = active_line().loaded.line.messaging
    sender = services().texts
    if messaging is None or sender is None:
        return None
    line_number = messaging.number
    return lambda language, node: _send(sender, line_number, language, node)


def _send(sender: TextSender, line_number: str, language: str, node: str) -> str:
    """Send the answer at ``node`` to the number calling: "sent", or why not (BY_CALL_RESULTS). The number is
    read from the request, used, and forgotten."""
    number = request.form.get("From", "")
    refused = why_not(number)
    if refused is not None:
        return refused
    bodies = text_line().answer_by_text(language, node)
    if not bodies:
        return "failed"
    return "sent" if sender.send(number, line_number, bodies) else "failed"
