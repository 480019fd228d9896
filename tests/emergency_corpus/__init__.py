"""The emergency corpora: what callers in danger say, and what others say that is close, in each language.

``python -m tests.emergency_corpus`` prints the figures docs/callers.md reports: at every
listening place of the shipped line and of the example line of docs/line-file.md, in English and in
Spanish, how many of the emergency utterances reach the emergency advice, and how many of the
near-misses do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ivr.call import CallFlow, CallState, Finish, Turn
from ivr.line import END, AnswerNode, Line, MenuNode

HERE = Path(__file__).parent
#: A Tuesday morning in New York: the shipped clinic is open.
OPEN = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
#: The share of near-misses that may reach the emergency advice at any one place.
MAX_FALSE_ALARMS = 0.02
#: The corpus of each language: its files are <name>.txt for English, <name>-<code>.txt for the others.
LANGUAGES = ("en", "es")


def utterances(name: str, language: str = "en") -> list[str]:
    """The utterances of ``emergencies`` or ``near_misses`` in ``language``, without notes and blank lines."""
    file = f"{name}.txt" if language == "en" else f"{name}-{language}.txt"
    lines = (line.strip() for line in (HERE / file).read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


EMERGENCIES = utterances("emergencies")
NEAR_MISSES = utterances("near_misses")
CORPUS = {language: (utterances("emergencies", language), utterances("near_misses", language))
          for language in LANGUAGES}


def listening_places(line: Line) -> list[str]:
    """Every node where the line waits for a caller, and the place after "nobody could answer"."""
    return [node_id for node_id, node in line.nodes.items() if isinstance(node, MenuNode | AnswerNode)] + [END]


def reaches_emergency_advice(flow: CallFlow, turn: Turn) -> bool:
    """The turn gives the emergency advice (in any of the line's languages) and ends the call."""
    advice = {flow.flow_in(code).script.emergency() for code in flow.languages}
    return isinstance(turn.then, Finish) and not advice.isdisjoint(turn.texts)


def said_at(flow: CallFlow, place: str, words: str, language: str = "") -> Turn:
    """``words`` said at ``place`` by a caller hearing the line in ``language`` (its first by default)."""
    line = flow.flow_in(language).line
    state = CallState(node=place, rate=line.voice.default_rate, language=language if len(flow.languages) > 1 else "")
    return flow.respond(state, "", words, OPEN)


@dataclass(frozen=True)
class Figures:
    place: str
    missed: tuple[str, ...]
    false_alarms: tuple[str, ...]
    near_misses: int

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.near_misses


def figures(flow: CallFlow, place: str, language: str = "en", heard_in: str = "") -> Figures:
    """The corpus of ``language`` said at ``place`` by a caller hearing the line in ``heard_in``."""
    emergencies, near_misses = CORPUS[language]
    missed = tuple(u for u in emergencies if not reaches_emergency_advice(flow, said_at(flow, place, u, heard_in)))
    alarms = tuple(u for u in near_misses if reaches_emergency_advice(flow, said_at(flow, place, u, heard_in)))
    return Figures(place, missed, alarms, len(near_misses))
