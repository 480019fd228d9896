"""What the records say over a period: the safety figures first, then when people call and where they go.

Each call is read once, as a :class:`~ivr.store.journeys.Summary`; every figure is a tally over
them. The figures know the line's places only as ids and kinds, and name nothing: the dashboard
puts titles and words to them.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ivr.store.events import INPUTS, dial_result, meaning
from ivr.store.journeys import ENDINGS, PlaceKinds, Summary, summarise
from ivr.store.period import Period
from ivr.store.reading import journeys
from ivr.store.store import Store

__all__ = ["Figures", "Period", "figures", "tally"]


@dataclass(frozen=True)
class Spread:
    """The median and 90th percentile of some seconds, over ``count`` calls."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if not values:
            return cls(0, None, None)
        ordered = sorted(values)
        # The nearest-rank 90th percentile: a value that was really seen.
        return cls(len(ordered), statistics.median(ordered), ordered[math.ceil(0.9 * len(ordered)) - 1])


@dataclass
class PlaceFigures:
    """Calls that reached one place of the line, and how many of them ended there, by the column of PLACE_COLUMNS."""

    node: str
    reached: int = 0
    ended: Counter[str] = field(default_factory=Counter)

    @property
    def moved_on(self) -> int:
        return self.reached - sum(self.ended.values())

    def count(self, column: str) -> int:
        return self.moved_on if column == "moved_on" else self.ended[column]


@dataclass
class TransferFigures:
    started: int = 0
    answered: int = 0


@dataclass
class NodeHeard:
    node: str
    #: How many times callers heard the node.
    times: int = 0
    #: How many calls heard it at least once.
    calls: int = 0


@dataclass
class NodeInputs:
    """Answers given at one place, and how many were silence or not a choice there."""

    node: str
    responses: int = 0
    no_input: int = 0
    invalid: int = 0
    #: Understanding by meaning: asked back, said no to the question, asked about what the line does not cover.
    asked_back: int = 0
    said_no: int = 0
    out_of_scope: int = 0


@dataclass
class LanguageFigures:
    """The calls answered in one language, and their safety figures."""

    calls: int = 0
    #: Calls that got the emergency advice, by route ("keys", "words", "phrase").
    emergency: Counter[str] = field(default_factory=Counter)
    #: Transfers started (to the clinic or its after-hours line), and those somebody answered, as the headlines.
    transfers: TransferFigures = field(default_factory=TransferFigures)

    @property
    def emergency_calls(self) -> int:
        return sum(self.emergency.values())


@dataclass
class Figures:
    period: Period
    calls: int = 0
    #: Different callers (by the keyed hash of their number); withheld numbers are not counted.
    callers: int = 0
    #: Callers who called more than once in the period.
    repeat_callers: int = 0
    #: Calls whose end Twilio has reported.
    ended: int = 0
    per_day: Counter[dt.date] = field(default_factory=Counter)
    #: Calls by the hour (0-23) and the weekday (0 is Monday) they started, in the clinic's time zone.
    per_hour: Counter[int] = field(default_factory=Counter)
    per_weekday: Counter[int] = field(default_factory=Counter)
    in_hours: int = 0
    #: Calls that got the emergency advice, by route ("keys", "words", "phrase"), and by (place, route).
    emergency: Counter[str] = field(default_factory=Counter)
    emergency_places: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Transfers by reason, by target, and by (result, target); the result as a row of RESULT_ROWS.
    transfer_reasons: dict[str, TransferFigures] = field(default_factory=dict)
    transfer_targets: dict[str, TransferFigures] = field(default_factory=dict)
    transfer_results: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Calls put through at least once, and calls in which somebody answered.
    put_through: int = 0
    reached_clinic: int = 0
    #: Calls by how they ended (keys of ENDINGS).
    endings: Counter[str] = field(default_factory=Counter)
    places: dict[str, PlaceFigures] = field(default_factory=dict)
    durations: Spread = Spread(0, None, None)
    to_answer: Spread = Spread(0, None, None)
    heard: dict[str, NodeHeard] = field(default_factory=dict)
    #: Answers to prompts by kind: "key", "speech", "none" (silence).
    inputs: Counter[str] = field(default_factory=Counter)
    node_inputs: dict[str, NodeInputs] = field(default_factory=dict)
    #: Calls by the language they were answered in ("" for a line's only language, or when none was recorded).
    languages: dict[str, LanguageFigures] = field(default_factory=dict)
    #: The same figures for the period's text conversations (each counted as a "call" there); every other
    #: figure here is of phone calls alone. None in the figures of the conversations themselves.
    texts: Figures | None = None

    @property
    def out_of_hours(self) -> int:
        return self.calls - self.in_hours

    @property
    def emergency_calls(self) -> int:
        return sum(self.emergency.values())

    @property
    def transfers(self) -> int:
        """Transfers started, to the clinic or its after-hours line."""
        return sum(t.started for name, t in self.transfer_targets.items() if name != "none")

    @property
    def transfers_answered(self) -> int:
        return sum(t.answered for t in self.transfer_targets.values())

    @property
    def dropped_or_gave_up(self) -> int:
        return sum(n for ending, n in self.endings.items() if ENDINGS[ending].group)

    @property
    def responses(self) -> int:
        return sum(self.inputs.values())

    @property
    def no_input(self) -> int:
        return sum(n.no_input for n in self.node_inputs.values())

    @property
    def invalid(self) -> int:
        return sum(n.invalid for n in self.node_inputs.values())

    def days(self) -> list[tuple[dt.date, int]]:
        """Calls a day, every day of the period."""
        return [(day, self.per_day[day]) for day in self.period.days()]


def figures(store: Store, line: str, period: Period, places: PlaceKinds,
            is_open: Callable[[dt.datetime], bool]) -> Figures:
    """Every figure of the dashboard for the calls to ``line`` that started in ``period``, and the same figures
    for its text conversations (``texts``)."""
    texts: list[Summary] = []

    def calls() -> Iterator[Summary]:
        for journey in journeys(store, line, period):
            summary = summarise(journey, places)
            if journey.channel == "text":
                texts.append(summary)
            else:
                yield summary

    found = tally(calls(), period, places, is_open)
    found.texts = tally(texts, period, places, is_open)
    return found


def tally(summaries: Iterable[Summary], period: Period, places: PlaceKinds,
          is_open: Callable[[dt.datetime], bool]) -> Figures:
    """The figures of some calls' summaries."""
    found = Figures(period)
    callers: Counter[str] = Counter()
    durations: list[float] = []
    to_answer: list[float] = []
    for summary in summaries:
        journey = summary.journey
        found.calls += 1
        if journey.caller_hash:
            callers[journey.caller_hash] += 1
        _when(found, journey.started_at, period.zone, is_open)
        _language(found.languages.setdefault(journey.language or "", LanguageFigures()), summary)
        if journey.ended_at is not None:
            found.ended += 1
            if journey.duration is not None:
                durations.append(journey.duration)
        if summary.seconds_to_answer is not None:
            to_answer.append(summary.seconds_to_answer)
        if summary.emergency is not None:
            found.emergency[summary.emergency.route] += 1
            found.emergency_places[(summary.emergency.place, summary.emergency.route)] += 1
        _transfers(found, summary)
        found.endings[summary.ending] += 1
        _places(found, summary)
        _steps(found, summary, places)
    found.callers = len(callers)
    found.repeat_callers = sum(1 for n in callers.values() if n > 1)
    found.durations = Spread.of(durations)
    found.to_answer = Spread.of(to_answer)
    return found


def _when(found: Figures, started: dt.datetime, zone: dt.tzinfo, is_open: Callable[[dt.datetime], bool]) -> None:
    local = started.astimezone(zone)
    found.per_day[local.date()] += 1
    found.per_hour[local.hour] += 1
    found.per_weekday[local.weekday()] += 1
    found.in_hours += is_open(started)


def _language(found: LanguageFigures, summary: Summary) -> None:
    found.calls += 1
    if summary.emergency is not None:
        found.emergency[summary.emergency.route] += 1
    for transfer in summary.transfers:
        found.transfers.started += transfer.target != "none"
        found.transfers.answered += transfer.answered


def _transfers(found: Figures, summary: Summary) -> None:
    for transfer in summary.transfers:
        for table, key in ((found.transfer_reasons, transfer.reason), (found.transfer_targets, transfer.target)):
            figures = table.setdefault(key, TransferFigures())
            figures.started += 1
            figures.answered += transfer.answered
        found.transfer_results[(dial_result(transfer.result), transfer.target)] += 1
    if any(t.target != "none" for t in summary.transfers):
        found.put_through += 1
    found.reached_clinic += summary.answered


def _places(found: Figures, summary: Summary) -> None:
    for node in summary.places:
        found.places.setdefault(node, PlaceFigures(node)).reached += 1
    if summary.ending_place in found.places:
        found.places[summary.ending_place].ended[ENDINGS[summary.ending].column] += 1


def _steps(found: Figures, summary: Summary, places: PlaceKinds) -> None:
    heard_here: set[str] = set()
    for step in summary.journey.steps:
        event = meaning(step.kind)
        if event.presents and places.get(step.node) == "answer":
            heard = found.heard.setdefault(step.node, NodeHeard(step.node))
            heard.times += 1
            if step.node not in heard_here:
                heard.calls += 1
                heard_here.add(step.node)
        if step.input in INPUTS:
            found.inputs[step.input] += 1
            inputs = found.node_inputs.setdefault(step.from_node or "", NodeInputs(step.from_node or ""))
            inputs.responses += 1
            inputs.no_input += event.silence
            inputs.invalid += event.not_understood
            inputs.asked_back += event.asked_back
            inputs.said_no += event.said_no
            inputs.out_of_scope += event.out_of_scope
