"""The emergency corpus: what callers in danger say, and what others say that is close.

``python -m tests.emergency_corpus`` prints the figures the README reports: at every
listening place of the shipped line and of the README's example line, how many of the
emergency utterances reach the emergency advice, and how many of the near-misses do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ivr.call.flow import CallFlow, CallState, Finish, Turn
from ivr.call.script import END
from ivr.line.model import AnswerNode, Line, MenuNode

HERE = Path(__file__).parent
#: A Tuesday morning in New York: the shipped clinic is open.
OPEN = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
#: The share of near-misses that may reach the emergency advice at any one place.
MAX_FALSE_ALARMS = 0.02


def utterances(name: str) -> list[str]:
    """The utterances of ``emergencies`` or ``near_misses``, without notes and blank lines."""
    lines = (line.strip() for line in (HERE / f"{name}.txt").read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


EMERGENCIES = utterances("emergencies")
NEAR_MISSES = utterances("near_misses")


def listening_places(line: Line) -> list[str]:
    """Every node where the line waits for a caller, and the place after "nobody could answer"."""
    return [node_id for node_id, node in line.nodes.items() if isinstance(node, MenuNode | AnswerNode)] + [END]


def reaches_emergency_advice(flow: CallFlow, turn: Turn) -> bool:
    return isinstance(turn.then, Finish) and flow.script.emergency() in turn.texts


def said_at(flow: CallFlow, place: str, words: str) -> Turn:
    state = CallState(node=place, rate=flow.line.voice.default_rate)
    return flow.respond(state, "", words, OPEN)


@dataclass(frozen=True)
class Figures:
    place: str
    missed: tuple[str, ...]
    false_alarms: tuple[str, ...]

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / len(NEAR_MISSES)


def figures(flow: CallFlow, place: str) -> Figures:
    missed = tuple(u for u in EMERGENCIES if not reaches_emergency_advice(flow, said_at(flow, place, u)))
    alarms = tuple(u for u in NEAR_MISSES if reaches_emergency_advice(flow, said_at(flow, place, u)))
    return Figures(place, missed, alarms)
