"""Caller time: how many seconds of the line's own audio a caller hears before what they called for.

Computed, not timed: the call flow says what each turn of a call plays, and the rendered
files say how long each text is at the line's default rate. For every answer of the line
it takes the fewest presses from the start, and adds up the audio before the answer
starts two ways: a caller who waits for each menu to end before pressing, and one who
presses as soon as their choice is offered (Twilio stops the prompt at the key). And it
measures the seconds before the first choice, with the clinic open and closed.

``python -m bench.caller_time`` renders what is missing and writes its section of
docs/benchmarks.md (the load benchmark keeps it).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import zoneinfo
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import soundfile

from bench.sections import commit, write_section
from ivr.call import CallFlow, CallState, Turn
from ivr.config import DEFAULT_LINE_FILE, PROJECT_ROOT
from ivr.line import AnswerNode, Line, MenuNode, Option, Script, is_open
from ivr.line.validate import load_line
from ivr.speech.render import Job, RenderPlan, RenderReport, plan_line, render_plan
from ivr.speech.voicing import Voicing

#: The targets (issue 9): the first choice within this many seconds of the call being answered...
FIRST_CHOICE_TARGET = 15.0
FIRST_CHOICE_BETTER = 12.0
#: ...and, over the line's answers, the median seconds before one starts.
WAITING_TARGET = 45.0
PRESSING_TARGET = 25.0


@dataclass(frozen=True)
class Route:
    """The way to one answer, and the seconds of audio before it starts."""

    node: str
    title: str
    keys: tuple[str, ...]
    waiting: float
    pressing: float


@dataclass(frozen=True)
class CallerTime:
    line: str
    rate: int
    engine: str
    voice: str
    first_choice_open: float
    first_choice_closed: float
    routes: tuple[Route, ...]
    #: What a first-time caller hears before the first choice (clinic open): (text, seconds).
    opening: tuple[tuple[str, float], ...] = ()
    #: What comes before the first choice too when the clinic is closed.
    closed_notice: str = ""
    #: Texts before the first choice said in another language (the offers), timed as estimates.
    estimated: tuple[str, ...] = ()

    @property
    def median_waiting(self) -> float:
        return statistics.median(route.waiting for route in self.routes)

    @property
    def median_pressing(self) -> float:
        return statistics.median(route.pressing for route in self.routes)

    def targets(self) -> list[tuple[str, str, bool]]:
        """(target, measured, met) for each target."""
        first = max(self.first_choice_open, self.first_choice_closed)
        return [
            (f"first choice within {FIRST_CHOICE_TARGET:g} s of answering ({FIRST_CHOICE_BETTER:g} s is better),"
             " open and closed", f"{self.first_choice_open:.1f} s open, {self.first_choice_closed:.1f} s closed",
             first <= FIRST_CHOICE_TARGET),
            (f"median before an answer, waiting for each menu to end: at most {WAITING_TARGET:g} s",
             f"{self.median_waiting:.1f} s", self.median_waiting <= WAITING_TARGET),
            (f"median before an answer, pressing as soon as the choice is offered: at most {PRESSING_TARGET:g} s",
             f"{self.median_pressing:.1f} s", self.median_pressing <= PRESSING_TARGET),
        ]


def measure(line: Line, durations: Callable[[str], float]) -> CallerTime:
    """Caller time on ``line``, with ``durations(text)`` the seconds ``text`` takes at the default rate."""
    flow, script = CallFlow(line), Script(line)
    open_at, closed_at = _open_and_closed(line)
    routes = []
    for node_id, keys in _shortest_routes(line).items():
        node = line.nodes[node_id]
        if not isinstance(node, AnswerNode):
            continue
        waiting = pressing = 0.0
        turn = flow.start(open_at)
        for key in keys:
            option = _option(line, turn, key)
            offered = script.option(option)
            waiting += sum(map(durations, turn.texts))
            pressing += sum(map(durations, turn.texts[: turn.texts.index(offered) + 1]))
            turn = flow.respond(_state(turn), key, "", open_at)
        before = turn.texts[: turn.texts.index(node.text)]
        waiting += sum(map(durations, before))
        pressing += sum(map(durations, before))
        routes.append(Route(node_id, node.title, keys, waiting, pressing))
    voicing = Voicing.of(line)
    opening = flow.start(open_at).texts
    first = script.option(_first_option(line))
    closed = flow.start(closed_at).texts
    return CallerTime(
        line=line.name,
        rate=line.voice.default_rate,
        engine=voicing.engine,
        voice=voicing.voice,
        first_choice_open=_first_choice(flow.start(open_at), script, line, durations),
        first_choice_closed=_first_choice(flow.start(closed_at), script, line, durations),
        routes=tuple(routes),
        opening=tuple((text, durations(text)) for text in opening[: opening.index(first) + 1]),
        closed_notice=script.closed_now() if script.closed_now() in closed[: closed.index(first)] else "",
        estimated=tuple(text for _, text in other_languages_heard_first(line)),
    )


def rendered_durations(line: Line, audio_dir: Path) -> Callable[[str], float]:
    """Seconds each text's rendered file lasts at its language's default rate (it must be rendered): a text
    of another language (the offer of Spanish, in an English call) in that language's own voice."""
    voicings = [(Voicing.of(line, code), line.in_language(code).voice.default_rate) for code in line.language_codes]

    def duration(text: str) -> float:
        for voicing, rate in voicings:
            path = audio_dir / f"{voicing.name(text, rate)}.wav"
            if path.exists():
                return float(soundfile.info(path).duration)
        raise FileNotFoundError(f"no rendered audio for {text!r}")

    return duration


def other_languages_heard_first(line: Line) -> list[tuple[str, str]]:
    """(language, text) of every text said before the first choice in another language than the line's first:
    the offers of its other languages."""
    turn = CallFlow(line).start(_open_and_closed(line)[0])
    first = line.language_codes[0]
    return [(turn.language_of(index), text) for index, text in enumerate(turn.texts)
            if turn.text_languages and turn.language_of(index) != first]


def render_for_timing(line: Line, folder: str) -> RenderReport:
    """Render the line's first language at its default rate, and what the caller hears first in the others.

    A language read by Twilio's <Say> (Polly) cannot be heard here: its offer is timed as its offline engine
    says it, at its default rate, an estimate.
    """
    plan = plan_line(line, folder, rates=[line.voice.default_rate])
    report = render_plan(plan)
    for code, text in other_languages_heard_first(line):
        view = line.in_language(code)
        voicing, rate = Voicing.of(view), view.voice.default_rate
        job = Job(text, voicing.spoken(text), rate, voicing.name(text, rate))
        more = render_plan(RenderPlan(voicing, Path(folder), (job,), 0))
        report = RenderReport(report.rendered + more.rendered, report.reused, (*report.failed, *more.failed))
    return report


def _first_option(line: Line) -> Option:
    first = line.nodes[line.start]
    assert isinstance(first, MenuNode | AnswerNode) and first.options, "the start offers choices"
    return first.options[0]


def _first_choice(turn: Turn, script: Script, line: Line, durations: Callable[[str], float]) -> float:
    """Seconds from answering to the end of the first choice offered."""
    offered = script.option(_first_option(line))
    return sum(map(durations, turn.texts[: turn.texts.index(offered) + 1]))


def _shortest_routes(line: Line) -> dict[str, tuple[str, ...]]:
    """The fewest keys from the start to every node a caller can reach (breadth first)."""
    routes: dict[str, tuple[str, ...]] = {line.start: ()}
    waiting = deque([line.start])
    while waiting:
        node_id = waiting.popleft()
        for option in getattr(line.nodes[node_id], "options", []):
            if option.goto not in routes:
                routes[option.goto] = (*routes[node_id], option.key)
                waiting.append(option.goto)
    return routes


def _option(line: Line, turn: Turn, key: str) -> Option:
    node = line.nodes[turn.node]
    return next(option for option in getattr(node, "options", []) if option.key == key)


def _state(turn: Turn) -> CallState:
    state = getattr(turn.then, "state", None)
    assert isinstance(state, CallState), f"{turn.node} listens for a key"
    return state


def _open_and_closed(line: Line) -> tuple[dt.datetime, dt.datetime]:
    """A moment the clinic is open and one it is closed, in the week from 2026-11-23 (a Monday)."""
    zone = zoneinfo.ZoneInfo(line.clinic.hours.timezone)
    start = dt.datetime(2026, 11, 23, tzinfo=zone)
    moments = [start + dt.timedelta(minutes=30 * step) for step in range(7 * 48)]
    opened = next((moment for moment in moments if is_open(line.clinic.hours, moment)), start)
    closed = next((moment for moment in moments if not is_open(line.clinic.hours, moment)), start)
    return opened, closed


# -- the report ------------------------------------------------------------------------------


def report(result: CallerTime, command: str) -> str:
    """The caller-time section of docs/benchmarks.md."""
    rows = [
        "## Caller time: the shortest way to an answer\n",
        f"Computed on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} with `{command}` (commit {commit()}), from the"
        f" rendered audio of *{result.line}* ({result.engine} voice {result.voice}, {result.rate} words a minute,"
        " its default) and the call flow: for each answer, the fewest presses from the start, and the seconds"
        " of the line's audio before the answer starts, for a caller who waits for each menu to end before"
        " pressing, and for one who presses as soon as their choice is offered (a key stops the prompt)."
        " Twilio's own gaps between `<Play>` verbs, a fraction of a second each, are not counted.\n",
        "| target | measured | met |",
        "| --- | --- | --- |",
        *(f"| {target} | {measured} | {'yes' if met else 'no'} |" for target, measured, met in result.targets()),
        "",
        "| answer | keys | presses | waiting for each menu to end | pressing as soon as offered |",
        "| --- | --- | ---: | ---: | ---: |",
        *(
            f"| {route.title} (`{route.node}`) | {' '.join(route.keys)} | {len(route.keys)}"
            f" | {route.waiting:.1f} s | {route.pressing:.1f} s |"
            for route in sorted(result.routes, key=lambda r: (r.waiting, r.pressing))
        ),
        f"| **median** | | | **{result.median_waiting:.1f} s** | **{result.median_pressing:.1f} s** |",
        "",
        f"Before the first choice ({result.first_choice_open:.1f} s when the clinic is open,"
        f" {result.first_choice_closed:.1f} s when closed{_closed_before(result)}) a caller hears:\n",
        *(f"1. {text} ({seconds:.1f} s{' estimated' if text in result.estimated else ''})"
          for text, seconds in result.opening),
        "",
        *(["The offer of each other language is said by Twilio's `<Say>` in that language's voice, which cannot be"
           " heard here: its seconds are estimated from the language's offline engine at its default rate"
           " (espeak-ng `es-419` through pyttsx3 for Spanish)."
           " When the clinic is closed, the closed notice comes after the choices, so the offer takes its place.\n"]
          if result.estimated else []),
    ]
    return "\n".join(rows)


def _closed_before(result: CallerTime) -> str:
    return f', when "{result.closed_notice}" comes first' if result.closed_notice else ""


@click.command()
@click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=DEFAULT_LINE_FILE, show_default="the Botox line")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=PROJECT_ROOT / "docs" / "benchmarks.md", show_default="docs/benchmarks.md")
def main(line_file: Path, output: Path) -> None:
    """Render the line at its default rate, measure caller time, write its section of the benchmarks."""
    line = load_line(line_file).line
    with tempfile.TemporaryDirectory(prefix="ivr-caller-time-") as folder:
        rendered = render_for_timing(line, folder)
        if not rendered.ok:
            raise click.ClickException(f"{len(rendered.failed)} prompts failed to render: {rendered.failed[0]}")
        result = measure(line, rendered_durations(line, Path(folder)))
    for target, measured, met in result.targets():
        click.echo(f"{'met' if met else 'MISSED'}: {target}: {measured}")
    command = " ".join(["python -m bench.caller_time", *sys.argv[1:]])
    write_section(output, "caller-time", report(result, command))
    click.echo(f"wrote {output}")


if __name__ == "__main__":
    main()
