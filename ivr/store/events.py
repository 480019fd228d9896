"""What each event of a call's record means, in one table that the figures, journeys and exports all read.

The call flow names each turn's :class:`~ivr.call.events.Event`, kept as one string ("dial:busy": the
name ``dial``, the detail ``busy``). A new event name needs one row in :data:`EVENTS`; a new detail
of a known name needs no row at all. An event nobody has described yet is still shown, under its
own name, and counts as nothing in particular.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.call.events import Event


@dataclass(frozen=True)
class EventMeaning:
    """What one event says about the call, for staff and for the figures."""

    #: What staff read in a call's journey and in the exports.
    label: str
    #: The caller then heard the words of the place they were at (a menu, an answer, a transfer's reason).
    presents: bool = False
    #: The caller said nothing.
    silence: bool = False
    #: The caller pressed a key or said words that are not a choice there.
    not_understood: bool = False
    #: The line stopped asking after too many tries.
    gave_up: bool = False
    #: When the turn put the caller through: why (a key of TRANSFER_REASONS).
    transfer_reason: str = "other"
    #: The turn gave the emergency advice wherever the caller was (an emergency phrase).
    emergency_phrase: bool = False
    #: The turn is the end of a transfer; its detail is Twilio's DialCallStatus.
    dial_result: bool = False
    #: Understanding by meaning: the line asked the caller back, the caller said no to it, or the caller asked
    #: about something the line does not cover.
    asked_back: bool = False
    said_no: bool = False
    out_of_scope: bool = False


EVENTS: dict[str, EventMeaning] = {
    "start": EventMeaning("The call began: the greeting and the first menu", presents=True),
    "language": EventMeaning("Chose a language: the greeting and the first menu in it", presents=True),
    "option": EventMeaning("Made a choice", presents=True, transfer_reason="symptom"),
    "no_input": EventMeaning("Said nothing; asked again", presents=True, silence=True),
    "invalid": EventMeaning("Gave an answer that is not a choice; asked again", presents=True, not_understood=True),
    "repeat": EventMeaning("Asked to hear it again", presents=True),
    "back": EventMeaning("Went back", presents=True),
    "main_menu": EventMeaning("Went to the main menu", presents=True),
    "slower": EventMeaning("Asked for slower speech", presents=True),
    "faster": EventMeaning("Asked for faster speech", presents=True),
    "pace_limit": EventMeaning("Asked for a pace the line does not have", presents=True),
    "clinic_key": EventMeaning("Asked for the clinic", transfer_reason="asked"),
    "emergency_phrase": EventMeaning("Said an emergency phrase: heard the emergency advice", emergency_phrase=True),
    "gave_up": EventMeaning("The line stopped asking after too many tries", gave_up=True),
    "gave_up:no_input": EventMeaning("Said nothing too many times: the line stopped asking",
                                     silence=True, gave_up=True, transfer_reason="no_input"),
    "gave_up:invalid": EventMeaning("Gave too many answers that are not a choice: the line stopped asking",
                                    not_understood=True, gave_up=True, transfer_reason="invalid"),
    "dial": EventMeaning("The transfer ended", dial_result=True),
    "error": EventMeaning("The line had a problem: apologised and put the caller through", transfer_reason="error"),
    "meant": EventMeaning("Understood by what they meant: taken to a place", presents=True, transfer_reason="symptom"),
    "asked_back": EventMeaning("Asked back whether the line understood them (\"It sounds like ...\")", asked_back=True),
    "said_no": EventMeaning("Said no to the question back: heard the place again", presents=True, said_no=True),
    "out_of_scope": EventMeaning("Asked about something the line does not cover: heard what it covers",
                                 presents=True, out_of_scope=True),
    "text_me": EventMeaning("Asked for the answer by text message"),
    "text_me:sent": EventMeaning("Asked for the answer by text message: sent"),
    "text_me:landline": EventMeaning("Asked for the answer by text message: not sent, the number is a landline"),
    "text_me:withheld": EventMeaning("Asked for the answer by text message: not sent, the number is hidden"),
    "text_me:failed": EventMeaning("Asked for the answer by text message: Twilio could not send it"),
    "stop": EventMeaning("Texted STOP: the line writes to them no more"),
    "end": EventMeaning("Said nothing after hearing how else to reach the clinic: goodbye", silence=True),
}

#: Why a caller was put through, by the reason an event gives.
TRANSFER_REASONS = {
    "symptom": "What they described (a place that puts callers through)",
    "asked": "Asked for the clinic (key 0 or in words)",
    "no_input": "Silence: the line stopped asking",
    "invalid": "Answers that are not a choice: the line stopped asking",
    "error": "A problem in the line",
    "other": "Another reason",
}
#: Twilio's DialCallStatus values, and what our own records say when there is none.
DIAL_RESULTS = {
    "answered": "Answered",
    "completed": "Answered",
    "busy": "Busy",
    "no-answer": "No answer",
    "failed": "Could not be connected",
    "canceled": "Caller hung up before an answer",
    "unknown": "No result given",
    "none": "The call ended during the transfer",
    "closed": "Nobody to put them through to (clinic closed)",
    "texted": "Given the number to call, by text",
}
#: DialCallStatus values that mean somebody answered.
ANSWERED = frozenset({"answered", "completed"})
#: The rows of the "transfers by result" figure, in order: several statuses share one.
RESULT_ROWS = ("answered", "busy", "no-answer", "failed", "canceled", "unknown", "none", "closed", "texted")
TARGETS = {"clinic": "The clinic", "after_hours": "The after-hours line", "none": "Nobody (clinic closed)"}
OUTCOMES = {"listen": "Waited for a choice", "connect": "Put the caller through", "finish": "Ended the call"}
INPUTS = {"key": "A key", "speech": "Words", "none": "Silence"}
#: How a call reached the emergency advice.
EMERGENCY_ROUTES = {
    "keys": "Pressed a key for it",
    "words": "Said a menu choice that leads to it",
    "phrase": "Said an emergency phrase",
}

def meaning(kept: str | Event) -> EventMeaning:
    """What an event (as the records keep it, or as the flow names it) means: its own row, else its name's,
    else nothing in particular."""
    event = Event.read(kept) if isinstance(kept, str) else kept
    found = EVENTS.get(str(event)) or EVENTS.get(event.name)
    if found is not None:
        return found
    return EventMeaning(str(event).replace("_", " ").replace(":", ": ").capitalize() or "Unknown event")


def event_label(kept: str | Event) -> str:
    """The event as staff read it: "The transfer ended: busy"."""
    event = Event.read(kept) if isinstance(kept, str) else kept
    found = meaning(event)
    if str(event) in EVENTS or not event.detail or event.name not in EVENTS:
        return found.label
    if found.dial_result:
        return f"{found.label}: {dial_result_label(event.detail).lower()}"
    return f"{found.label} ({event.detail.replace('_', ' ')})"


def dial_result(status: str | None) -> str:
    """The row of "transfers by result" a DialCallStatus belongs to."""
    if status in ANSWERED:
        return "answered"
    return status if status in DIAL_RESULTS else "unknown"


def dial_result_label(status: str | None) -> str:
    return DIAL_RESULTS.get(dial_result(status), DIAL_RESULTS["unknown"])
