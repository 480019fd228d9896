"""One call's journey, and what it says: the places reached, the emergency advice, transfers, how it ended.

Plain data and plain functions (no database): :mod:`ivr.store.reading` builds the journeys, the
figures and the exports read what :func:`summarise` makes of each. Event names are read through
:mod:`ivr.store.events` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from ivr.call.events import Event
from ivr.store.events import ANSWERED, meaning

#: What kind of place each node of the line is: "menu", "answer", "transfer" or "emergency".
PlaceKinds = Mapping[str, str]
#: The pseudo-place after a transfer nobody took, or when nobody could be called: "how else to reach the clinic".
END = "_end"


@dataclass(frozen=True)
class Step:
    """One turn of a call, as its record keeps it."""

    at: dt.datetime
    node: str
    from_node: str | None
    kind: str
    outcome: str
    input: str | None = None
    digits: str | None = None
    speech: str | None = None
    transfer_to: str | None = None
    dial_status: str | None = None


@dataclass(frozen=True)
class Journey:
    """A call and each of its steps, oldest first."""

    call_sid: str
    started_at: dt.datetime
    steps: tuple[Step, ...] = ()
    caller_hash: str | None = None
    ended_at: dt.datetime | None = None
    duration: int | None = None
    status: str | None = None
    #: The language the call was answered in; None for a line's only language.
    language: str | None = None
    #: "voice" for a phone call, "text" for a conversation by text message.
    channel: str = "voice"


@dataclass(frozen=True)
class EmergencyAdvice:
    """How a call reached the emergency advice, and at which place the caller was then."""

    route: Literal["keys", "words", "phrase"]
    place: str


@dataclass(frozen=True)
class Transfer:
    """One time the line put the caller through (or found nobody to put them through to)."""

    reason: str
    #: "clinic", "after_hours", or "none" when the clinic was closed and had no after-hours line.
    target: str
    #: Twilio's DialCallStatus; "none" when the call ended before one came, "closed" for target "none".
    result: str
    #: Where the caller was when it began.
    place: str

    @property
    def answered(self) -> bool:
        return self.result in ANSWERED


@dataclass(frozen=True)
class EndingKind:
    label: str
    #: The column of the per-place figures where a call that ended this way at a place is counted.
    column: str
    #: "dropped", "gave_up", or "" for neither.
    group: str = ""


#: How a call ended, first match wins (see :func:`_ending`).
ENDINGS: dict[str, EndingKind] = {
    "emergency": EndingKind("Heard the emergency advice", "emergency"),
    "answered": EndingKind("Put through, and somebody answered", "put_through"),
    "not_answered": EndingKind("Put through, but nobody answered", "put_through"),
    "given_number": EndingKind("Given the clinic's number to call, by text", "put_through"),
    "in_transfer": EndingKind("The call ended during the transfer", "put_through", "dropped"),
    "heard_answer": EndingKind("Heard an answer, then hung up", "heard"),
    "other_numbers": EndingKind("Heard how else to reach the clinic, then hung up", "other"),
    "before_choosing": EndingKind("Hung up before making any choice", "gave_up", "gave_up"),
    "at_menu": EndingKind("Hung up at a menu", "gave_up", "gave_up"),
    "not_understood": EndingKind("Gave answers that are not a choice, then left", "gave_up", "gave_up"),
    "silent": EndingKind("Went silent", "silent", "gave_up"),
    "goodbye": EndingKind("Heard the goodbye", "other"),
    "stopped": EndingKind("Texted STOP", "gave_up", "gave_up"),
    "dropped": EndingKind("Cut off: Twilio reported the call failed or was canceled", "other", "dropped"),
    "no_steps": EndingKind("No steps recorded", "other"),
    "in_progress": EndingKind("Not ended yet, or its end not reported", "other"),
    "other": EndingKind("Ended in another way", "other"),
}
#: The per-place figures: callers who reached a place moved on, or ended there in one of these ways.
PLACE_COLUMNS = {
    "moved_on": "Moved on",
    "heard": "Heard it, then hung up",
    "silent": "Went silent",
    "gave_up": "Gave up",
    "put_through": "Put through",
    "emergency": "Got the emergency advice",
    "other": "Ended otherwise",
}


@dataclass(frozen=True)
class Summary:
    """What one call's journey says."""

    journey: Journey
    #: The line's places the caller reached, in order, each once.
    places: tuple[str, ...]
    emergency: EmergencyAdvice | None
    transfers: tuple[Transfer, ...]
    #: A key of ENDINGS, and the place the call ended at ("" when unknown).
    ending: str
    ending_place: str
    #: Seconds from the start of the call to the first answer it heard.
    seconds_to_answer: float | None

    @property
    def answered(self) -> bool:
        """Whether somebody at the clinic answered."""
        return any(t.answered for t in self.transfers)


def summarise(journey: Journey, places: PlaceKinds) -> Summary:
    """Read ``journey`` against the line's ``places`` (node id -> kind)."""
    steps = journey.steps
    reached: dict[str, None] = {}
    first_answer: dt.datetime | None = None
    for step in steps:
        if meaning(step.kind).presents and step.node in places:
            reached.setdefault(step.node)
            if first_answer is None and places[step.node] == "answer":
                first_answer = step.at
    emergency = _emergency(steps, places)
    transfers = _transfers(steps, places)
    if journey.channel == "text":  # a texter is given the number to call: no transfer ever ends with a result
        transfers = [(index, replace(transfer, result="texted") if transfer.result == "none" else transfer)
                     for index, transfer in transfers]
    ending, ending_place = _ending(journey, places, emergency, transfers)
    if ending_place in places:
        reached.setdefault(ending_place)
    return Summary(
        journey=journey,
        places=tuple(reached),
        emergency=emergency,
        transfers=tuple(transfer for _, transfer in transfers),
        ending=ending,
        ending_place=ending_place,
        seconds_to_answer=(first_answer - journey.started_at).total_seconds() if first_answer else None,
    )


def place_of(step: Step, places: PlaceKinds) -> str:
    """The line's place a step happened at: its node, or the node it came from (a transfer's end)."""
    if step.node in places:
        return step.node
    if step.from_node in places:
        return step.from_node  # type: ignore[return-value]
    return step.node


def _emergency(steps: tuple[Step, ...], places: PlaceKinds) -> EmergencyAdvice | None:
    for step in steps:
        if meaning(step.kind).emergency_phrase:
            return EmergencyAdvice("phrase", place_of(step, places))
        if places.get(step.node) == "emergency" and meaning(step.kind).presents:
            route: Literal["keys", "words"] = "words" if step.input == "speech" else "keys"
            return EmergencyAdvice(route, step.from_node or step.node)
    return None


def _transfers(steps: tuple[Step, ...], places: PlaceKinds) -> list[tuple[int, Transfer]]:
    """Each transfer with the index of the step that began it, paired with the result the next transfer's end gives."""
    found: list[tuple[int, Transfer]] = []
    waiting = False
    for index, step in enumerate(steps):
        begun = _begun(step, places)
        if begun is not None:
            found.append((index, begun))
            waiting = begun.target != "none"
        elif meaning(step.kind).dial_result and waiting:
            status = step.dial_status or Event.read(step.kind).detail or "unknown"
            began, transfer = found[-1]
            found[-1] = (began, Transfer(transfer.reason, transfer.target, status, transfer.place))
            waiting = False
    return found


def _begun(step: Step, places: PlaceKinds) -> Transfer | None:
    """The transfer this step began: the caller put through, or nobody to put them through to."""
    event = meaning(step.kind)
    if step.outcome == "connect":
        return Transfer(event.transfer_reason, step.transfer_to or "clinic", "none", place_of(step, places))
    # The flow tells a caller how else to reach a closed clinic (the END place) when it has no after-hours line.
    if step.node == END and step.outcome == "listen" and event.transfer_reason != "other" and not event.dial_result:
        return Transfer(event.transfer_reason, "none", "closed", place_of(step, places))
    return None


def _ending(
    journey: Journey, places: PlaceKinds, emergency: EmergencyAdvice | None, transfers: list[tuple[int, Transfer]]
) -> tuple[str, str]:
    """How the call ended, and where."""
    steps = journey.steps
    last_place = place_of(steps[-1], places) if steps else ""
    texted = journey.channel == "text"  # a conversation has no end but its last message
    if journey.ended_at is None and not texted:
        return "in_progress", last_place
    if journey.status not in (None, "completed"):
        return "dropped", last_place
    if not steps:
        return "no_steps", ""
    last = steps[-1]
    event = meaning(last.kind)
    if texted and Event.read(last.kind).name == "stop":
        return "stopped", last_place
    if emergency is not None and (event.emergency_phrase or places.get(last.node) == "emergency"):
        return "emergency", last_place
    transfer = _last_transfer_after_the_menus(steps, places, transfers)
    if transfer is not None:
        if transfer.result == "closed":
            return "other_numbers", transfer.place
        if transfer.answered:
            return "answered", transfer.place
        if transfer.result == "texted":
            return "given_number", transfer.place
        return ("in_transfer" if transfer.result == "none" else "not_answered"), transfer.place
    if event.silence:
        return "silent", last_place
    if event.not_understood:
        return "not_understood", last_place
    if last.node == END:
        return "other_numbers", last_place
    kind = places.get(last_place)
    if kind == "answer" and event.presents:
        return "heard_answer", last_place
    if kind == "menu" and last.outcome == "listen":
        return ("before_choosing" if len(steps) == 1 else "at_menu"), last_place
    if last.outcome == "finish":
        return "goodbye", last_place
    return "other", last_place


def _last_transfer_after_the_menus(steps: tuple[Step, ...], places: PlaceKinds,
                                   transfers: list[tuple[int, Transfer]]) -> Transfer | None:
    """The last transfer, if the caller went to no other place of the line after it began."""
    if not transfers:
        return None
    began, transfer = transfers[-1]
    later = any(meaning(step.kind).presents and step.node in places for step in steps[began + 1:])
    return None if later else transfer
