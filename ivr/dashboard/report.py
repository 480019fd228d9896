"""The figures as the dashboard shows them: a summary, then sections of a chart and its table."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ivr.dashboard.charts import Bar, bar_chart, column_chart
from ivr.dashboard.linemap import place_title
from ivr.line.model import AnswerNode, Line
from ivr.store.figures import Figures

#: The longest chart; its table lists every row.
CHART_ROWS = 10
TARGETS = {"clinic": "To the clinic", "after_hours": "To the after-hours line"}
DIAL_RESULTS = {
    "completed": "Answered, call completed",
    "answered": "Answered",
    "busy": "Busy",
    "no-answer": "No answer",
    "failed": "Could not be connected",
    "canceled": "Caller hung up before an answer",
    "unknown": "No result given",
}
INPUTS = {"key": "A key pressed", "speech": "Words spoken", "none": "Silence"}


@dataclass(frozen=True)
class Section:
    """One figure of the dashboard: a heading, a sentence, a chart, and the table behind the chart."""

    id: str
    heading: str
    summary: str
    chart: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def summary(figures: Figures) -> list[tuple[str, str]]:
    """The headline numbers, as (term, value)."""
    return [
        ("Calls", str(figures.calls)),
        ("Different callers", str(figures.callers)),
        ("Callers who called more than once", str(figures.repeat_callers)),
        ("Calls that reached somebody at the clinic", str(figures.reached_clinic)),
        ("Transfers started", str(sum(figures.transfers.values()))),
        ("Calls whose end is not reported yet", str(figures.calls - figures.ended)),
    ]


def sections(figures: Figures, line: Line) -> list[Section]:
    return [
        _calls_a_day(figures),
        _answers(figures, line),
        _transfers(figures),
        _hang_ups(figures, line),
        _no_input(figures, line),
        _inputs(figures),
    ]


def _calls_a_day(figures: Figures) -> Section:
    busiest = max(figures.per_day, key=lambda day: day[1], default=None)
    text = f"{figures.calls} calls in {len(figures.per_day)} days."
    if busiest and busiest[1]:
        text += f" The busiest day was {busiest[0]:%A %d %B} with {busiest[1]}."
    return Section(
        id="calls-a-day",
        heading="Calls a day",
        summary=text,
        chart=column_chart(figures.per_day, name="Column chart of calls a day; the table below has the figures."),
        columns=("Day", "Calls"),
        rows=tuple((f"{day:%a %d %b %Y}", str(n)) for day, n in figures.per_day),
    )


def _answers(figures: Figures, line: Line) -> Section:
    heard = [h for h in figures.heard if isinstance(line.nodes.get(h.node), AnswerNode)]
    return Section(
        id="answers",
        heading="Most-heard answers",
        summary=(
            f"{len(heard)} of the line's answers were heard. Times heard counts repeats and returns."
            if heard else "No answer was heard in this period."
        ),
        chart=bar_chart(
            [Bar(place_title(line, h.node), h.times) for h in heard[:CHART_ROWS]],
            name="Bar chart of the most-heard answers; the table below has the figures.",
        ),
        columns=("Answer", "Times heard", "Calls that heard it"),
        rows=tuple((place_title(line, h.node), str(h.times), str(h.calls)) for h in heard),
    )


def _transfers(figures: Figures) -> Section:
    started = ", ".join(f"{n} {TARGETS.get(t, t).lower()}" for t, n in figures.transfers.items())
    total = sum(figures.transfers.values())
    results = [(DIAL_RESULTS.get(status, status), n) for status, n in figures.dial_results.items()]
    return Section(
        id="transfers",
        heading="Transfers and their results",
        summary=(
            f"{total} transfers started ({started}); somebody at the clinic answered in "
            f"{figures.reached_clinic} calls." if total else "No caller was put through in this period."
        ),
        chart=bar_chart(
            [Bar(label, n) for label, n in results],
            name="Bar chart of how transfers ended; the table below has the figures.",
        ),
        columns=("Result", "Transfers"),
        rows=tuple((label, str(n)) for label, n in results),
    )


def _hang_ups(figures: Figures, line: Line) -> Section:
    by_outcome = {"listen": 0, "finish": 0, "connect": 0}
    for ending in figures.endings:
        by_outcome[ending.outcome] = by_outcome.get(ending.outcome, 0) + ending.calls
    untold = figures.ended - sum(by_outcome.values())
    hang_ups = figures.hang_ups
    return Section(
        id="hang-ups",
        heading="Where callers hang up",
        summary=(
            f"Of {figures.ended} ended calls, {by_outcome['listen']} hung up while the line waited for a "
            f"choice, {by_outcome['finish']} ended after the goodbye or the emergency advice, "
            f"{by_outcome['connect']} ended during or after a transfer"
            + (f", and {untold} have no turns recorded." if untold else ".")
        ),
        chart=bar_chart(
            [Bar(place_title(line, e.node), e.calls) for e in hang_ups[:CHART_ROWS]],
            name="Bar chart of where callers hung up; the table below has the figures.",
        ),
        columns=("Where the caller was", "Calls that hung up there"),
        rows=tuple((place_title(line, e.node), str(e.calls)) for e in hang_ups),
    )


def _no_input(figures: Figures, line: Line) -> Section:
    answers = figures.responses
    places = sorted(figures.node_inputs, key=lambda n: (-(n.no_input + n.invalid), -n.responses, n.node))
    return Section(
        id="no-input",
        heading="No input and invalid keys",
        summary=(
            f"Of {answers} answers to prompts, {figures.no_input} were silence ({_share(figures.no_input, answers)}) "
            f"and {figures.invalid} were a key or words that are not a choice ({_share(figures.invalid, answers)})."
        ),
        chart=bar_chart(
            [Bar(place_title(line, n.node), n.no_input + n.invalid) for n in places[:CHART_ROWS]],
            name="Bar chart of silences and invalid answers by place; the table below has the figures.",
        ),
        columns=("Place", "Answers", "Silence", "Silence rate", "Invalid", "Invalid rate"),
        rows=tuple(
            (
                place_title(line, n.node),
                str(n.responses),
                str(n.no_input),
                _share(n.no_input, n.responses),
                str(n.invalid),
                _share(n.invalid, n.responses),
            )
            for n in places
        ),
    )


def _inputs(figures: Figures) -> Section:
    answers = figures.responses
    kinds = [(INPUTS[kind], figures.inputs.get(kind, 0)) for kind in INPUTS]
    return Section(
        id="speech-and-keys",
        heading="Speech and keys",
        summary=(
            f"Callers answered {figures.inputs.get('key', 0)} times with a key and "
            f"{figures.inputs.get('speech', 0)} times in words."
        ),
        chart=bar_chart([Bar(label, n) for label, n in kinds],
                        name="Bar chart of how callers answered; the table below has the figures."),
        columns=("How callers answered", "Answers", "Share"),
        rows=tuple((label, str(n), _share(n, answers)) for label, n in kinds),
    )


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "no answers"
