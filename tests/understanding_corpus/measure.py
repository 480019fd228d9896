"""Where each utterance of a corpus takes a caller of the line: said at the main menu through the call flow.

A caller asked back says yes (the question counts as one of the two turns the issue's targets allow); a
caller the rules take to another menu says it again there.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import cast, get_args

from ivr.call.flow import CallFlow, CallState, Listen, Turn
from ivr.line import MenuNode
from tests.understanding_corpus import (
    ANYTHING_ELSE,
    CONCERNING,
    EMERGENCY_CLASSES,
    Half,
    Utterance,
    Written,
    half,
    written,
)

#: A weekday afternoon in the clinic's hours.
NOW = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)
_YES = {"en": "yes", "es": "sí"}
_COMMANDS = {"repeat": "repeat", "back": "back", "main_menu": "main_menu", "clinic_key": "clinic",
             "slower": "slower", "faster": "faster", "pace_limit": "pace"}


def reached(flow: CallFlow, language: str, text: str) -> tuple[str, bool, bool]:
    """Where ``text`` led (a node, a command, "emergency", "out_of_scope" or "not_understood"), whether it was
    asked back about, and whether the emergency advice was given."""
    first = flow.line.languages and language != flow.languages[0]
    state = CallState(node=flow.line.start, language=language if first else "")
    turn = flow.respond(state, "", text, NOW)
    asked = turn.event.name == "asked_back"
    if asked:
        turn = flow.respond(_state(turn), "", _YES[language], NOW)
    elif turn.event.name == "option" and isinstance(flow.line.nodes.get(turn.node), MenuNode):
        turn = flow.respond(_state(turn), "", text, NOW)
    return _place(turn), asked, turn.event.name == "emergency_phrase" or turn.node == "emergency"


def _state(turn: Turn) -> CallState:
    assert isinstance(turn.then, Listen)
    return turn.then.state


def _place(turn: Turn) -> str:
    name = turn.event.name
    if name == "emergency_phrase" or turn.node == "emergency":
        return "emergency"
    if name in _COMMANDS:
        return _COMMANDS[name]
    if name in ("out_of_scope", "invalid"):
        return "out_of_scope" if name == "out_of_scope" else "not_understood"
    return turn.node


@dataclass
class Figures:
    """One language's figures on one half."""

    right: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    false_emergencies: list[str] = field(default_factory=list)
    others: int = 0
    #: Of those, the ones of no concerning class (weakness or vision given the advice aside), and their false
    #: emergencies.
    plain_others: int = 0
    plain_false_emergencies: int = 0
    not_understood: int = 0
    asked: int = 0
    utterances: int = 0
    #: Where each class went.
    places: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: The concerning utterances that did not reach their place: (class, what was said, where it led).
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    def share(self, label: str) -> float:
        return self.right[label] / self.total[label]

    @property
    def false_emergency(self) -> float:
        return len(self.false_emergencies) / max(self.others, 1)

    @property
    def not_understood_share(self) -> float:
        return self.not_understood / max(self.utterances, 1)

    def rows(self) -> list[str]:
        labels = [label for label in [*CONCERNING, *sorted(set(self.total) - set(CONCERNING) - {ANYTHING_ELSE})]
                  if self.total[label]]
        lines = [f"{label}: {self.right[label]}/{self.total[label]} ({self.share(label):.0%})" for label in labels]
        lines.append(f"false emergency: {len(self.false_emergencies)}/{self.others} ({self.false_emergency:.1%})")
        lines.append(f"  of no concerning class: {self.plain_false_emergencies}/{self.plain_others}"
                     f" ({self.plain_false_emergencies / max(self.plain_others, 1):.1%})")
        lines.append(f"not understood: {self.not_understood}/{self.utterances} ({self.not_understood_share:.1%})")
        lines.append(f"asked back: {self.asked}/{self.utterances}")
        return lines


def measure(flow: CallFlow, language: str, which: Half = "heldout",
            utterances: list[Utterance] | None = None) -> Figures:
    """The figures of ``language``'s half ``which`` (or of ``utterances``) on ``flow``."""
    figures = Figures()
    meaning = flow.flow_in(language).matcher.meaning
    read = meaning.read if meaning is not None else None
    for utterance in utterances if utterances is not None else half(language, which):
        if meaning is not None and which == "tune":  # each tuned example left out of its own reading
            left_out = frozenset({text for written in (utterance.text, utterance.written) if written
                                  for text in (written, " ".join(written.split()))})
            meaning.read = functools.partial(read, without=left_out)  # type: ignore[method-assign]
        place, asked, emergency = reached(flow, language, utterance.text)
        figures.places[utterance.label][place] += 1
        figures.utterances += 1
        figures.total[utterance.label] += 1
        figures.asked += asked
        right = place in utterance.accepted() or (utterance.label in ("slower", "faster") and place == "pace")
        figures.right[utterance.label] += right
        if not right and utterance.label in CONCERNING:
            figures.misses.append((utterance.label, utterance.text, place))
        figures.not_understood += place == "not_understood"
        if utterance.label not in EMERGENCY_CLASSES:
            figures.others += 1
            if emergency:
                figures.false_emergencies.append(utterance.text)
            if utterance.label not in CONCERNING:
                figures.plain_others += 1
                figures.plain_false_emergencies += emergency
    if meaning is not None:
        meaning.read = read  # type: ignore[method-assign]
    return figures


def main() -> None:
    """Print each language's figures on the held-out half (``tune``: the tune half, each example left out; the
    name of a corpus written apart, ``Written``: that corpus, whole)."""
    import sys

    from ivr.call.flow import CallFlow as Flow
    from ivr.config import DEFAULT_LINE_FILE
    from ivr.line.validate import load_line
    from tests.understanding_corpus import LANGUAGES

    asked = sys.argv[1] if sys.argv[1:] else "heldout"
    if len(sys.argv) > 2 or asked not in ("tune", "heldout", *get_args(Written)):
        sys.exit(f"Say tune, heldout, {' or '.join(get_args(Written))}, or nothing for heldout.")
    which: Half = "tune" if asked == "tune" else "heldout"
    flow = Flow(load_line(DEFAULT_LINE_FILE).line)
    for language in LANGUAGES:
        utterances = written(cast(Written, asked), language) if asked in get_args(Written) else None
        figures = measure(flow, language, which, utterances)
        print(f"{language} ({asked}):\n  " + "\n  ".join(figures.rows()))


if __name__ == "__main__":
    main()
