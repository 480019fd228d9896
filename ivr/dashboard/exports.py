"""Calls for staff to read: one row a call and one row a step, in the clinic's time zone, in plain words.

The same rows make the CSV files, the list of a period's calls and one call's journey. Every
CSV cell is made safe for spreadsheets, which would run a cell that looks like a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass

from ivr.dashboard.linemap import place_title
from ivr.dashboard.words import call_language, yes
from ivr.line import Line
from ivr.store.events import DIAL_RESULTS, EMERGENCY_ROUTES, INPUTS, OUTCOMES, TARGETS, dial_result_label, event_label
from ivr.store.journeys import ENDINGS, Step, Summary, Transfer, place_of
from ivr.store.staff import Action

#: A caller is shown by the start of their keyed hash: enough to see repeat callers, no more.
CALLER_CHARS = 16
#: Twilio's final CallStatus values in words.
CALL_STATUSES = {"completed": "Completed", "busy": "Busy", "no-answer": "No answer", "failed": "Failed",
                 "canceled": "Canceled"}
#: Characters with which a spreadsheet starts a formula, once the cell's text is normalised
#: (so that a full-width equals sign is "=").
_FORMULA_STARTS = frozenset("=+-@")


@dataclass(frozen=True)
class CallRow:
    """One call, as its row of the calls export and of the list of calls."""

    call: str
    #: "voice" for a phone call, "text" for a conversation by text message.
    channel: str
    caller: str
    started: str
    ended: str
    length_seconds: str
    in_opening_hours: str
    language: str
    places_reached: str
    how_it_ended: str
    where_it_ended: str
    emergency_advice: str
    transfers: str
    somebody_answered: str
    steps: str
    twilio_status: str


@dataclass(frozen=True)
class StepRow:
    """One step of a call, as its row of the steps export and of the call's journey."""

    call: str
    channel: str
    language: str
    step: str
    time: str
    seconds_into_the_call: str
    place: str
    came_from: str
    what_happened: str
    then: str
    answered_with: str
    key_pressed: str
    words_said: str
    put_through_to: str
    transfer_result: str


def call_headings(zone: str) -> tuple[str, ...]:
    return (
        "Call", "Channel (voice or text)", "Caller (a code for the number, never the number)", f"Started ({zone})",
        f"Ended ({zone})",
        "Length (seconds)", "In opening hours", "Language", "Places reached", "How it ended", "Where it ended",
        "Emergency advice", "Transfers", "Somebody at the clinic answered", "Steps", "Twilio's call status",
    )


def step_headings(zone: str) -> tuple[str, ...]:
    return (
        "Call", "Channel (voice or text)", "Language of the call",
        "Step", f"Time ({zone})", "Seconds into the call", "Place", "Came from",
        "What happened", "Then", "Answered with", "Key pressed", "Words said (only if the line keeps them)",
        "Put through to", "Transfer result",
    )


def call_row(summary: Summary, line: Line, zone: dt.tzinfo, is_open: Callable[[dt.datetime], bool]) -> CallRow:
    journey = summary.journey
    title = _title(line)
    return CallRow(
        call=journey.call_sid,
        channel=journey.channel,
        caller=(journey.caller_hash or "")[:CALLER_CHARS],
        started=local_time(journey.started_at, zone),
        ended=local_time(journey.ended_at, zone),
        length_seconds="" if journey.duration is None else str(journey.duration),
        in_opening_hours=yes(is_open(journey.started_at)),
        language=call_language(journey.language, line),
        places_reached=" > ".join(title(node) for node in summary.places),
        how_it_ended=ENDINGS[summary.ending].label,
        where_it_ended=title(summary.ending_place) if summary.ending_place else "",
        emergency_advice=(
            f"Yes: {EMERGENCY_ROUTES[summary.emergency.route].lower()}, at {title(summary.emergency.place)}"
            if summary.emergency else "No"
        ),
        transfers="; ".join(_transfer(t) for t in summary.transfers) or "None",
        somebody_answered=yes(summary.answered),
        steps=str(len(journey.steps)),
        twilio_status=CALL_STATUSES.get(journey.status or "", journey.status or "Not reported yet"),
    )


def step_rows(summary: Summary, line: Line, zone: dt.tzinfo) -> list[StepRow]:
    journey = summary.journey
    title = _title(line)
    places = {node: "" for node in line.nodes}
    language = call_language(journey.language, line)
    return [
        StepRow(
            call=journey.call_sid,
            channel=journey.channel,
            language=language,
            step=str(number),
            time=local_time(step.at, zone),
            seconds_into_the_call=str(max(0, round((step.at - journey.started_at).total_seconds()))),
            place=title(place_of(step, places)),
            came_from=title(step.from_node) if step.from_node and step.from_node != step.node else "",
            what_happened=event_label(step.kind),
            then=OUTCOMES.get(step.outcome, step.outcome),
            answered_with=INPUTS.get(step.input or "", ""),
            key_pressed=step.digits or "",
            words_said=step.speech or "",
            put_through_to=TARGETS.get(step.transfer_to or "", step.transfer_to or ""),
            transfer_result=_result(step),
        )
        for number, step in enumerate(journey.steps, start=1)
    ]


def calls_csv(rows: Iterable[CallRow], zone: str) -> str:
    return _csv(call_headings(zone), (astuple(row) for row in rows))


def steps_csv(rows: Iterable[StepRow], zone: str) -> str:
    return _csv(step_headings(zone), (astuple(row) for row in rows))


def staff_csv(actions: Iterable[Action], zone: dt.tzinfo) -> str:
    """The staff record: when, who, what, and its detail."""
    rows = ((local_time(a.at, zone), a.who, a.action, a.detail) for a in actions)
    return _csv((f"When ({zone})", "Who", "What", "Detail"), rows)


def safe_cell(value: str) -> str:
    """A cell no spreadsheet runs as a formula: one that starts like one gets a leading apostrophe.

    Spreadsheets skip leading spaces and line breaks, and some read a full-width equals sign (U+FF1D) as "=", so
    the test is on the first character that is not white space or invisible, normalised.
    """
    index = 0
    while index < len(value) and _invisible(value[index]):
        index += 1
    first = unicodedata.normalize("NFKC", value[index:index + 1])[:1]
    if first in _FORMULA_STARTS or value[:1] in ("\t", "\r", "\n"):
        return "'" + value
    return value


def local_time(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    """ "2026-11-24 10:00:03" in the clinic's time zone: what spreadsheets read as a date and time."""
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S}" if moment else ""


# -- helpers ----------------------------------------------------------------------------------


def _csv(headings: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headings])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def _title(line: Line) -> Callable[[str | None], str]:
    return lambda node: place_title(line, node)


def _transfer(transfer: Transfer) -> str:
    if transfer.target == "none":
        return DIAL_RESULTS["closed"]
    return f"{TARGETS.get(transfer.target, transfer.target)}: {dial_result_label(transfer.result).lower()}"


def _result(step: Step) -> str:
    return dial_result_label(step.dial_status) if step.dial_status else ""

