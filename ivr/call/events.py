"""What each turn of a call did, as the call records keep it (``ivr.store.events`` says what each means)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

#: Every event the call flow names.
EventName = Literal[
    "start", "language", "option", "no_input", "invalid", "repeat", "back", "main_menu", "slower", "faster",
    "pace_limit", "clinic_key", "emergency_phrase", "gave_up", "dial", "error",
    "text_me", "stop",
    # Understanding by meaning (ivr/call/meaning): a place taken, asked about, a no to the question, out of scope.
    "meant", "asked_back", "said_no", "out_of_scope",
]
EVENT_NAMES: tuple[str, ...] = get_args(EventName)


@dataclass(frozen=True)
class Event:
    """What a turn did: its ``name``, and for some a ``detail`` (a transfer that ended ``busy``, a caller
    given up on after ``no_input``).

    The records keep it as one string, "dial:busy"; :meth:`read` takes it apart again, in this one place.
    ``name`` is a plain string there, since records may hold names an older version of the flow gave.
    """

    name: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.name}:{self.detail}" if self.detail else self.name

    @classmethod
    def named(cls, name: EventName, detail: str = "") -> Event:
        """An event of the flow's own: a name it does not know is a mistake mypy sees."""
        return cls(name, detail)

    @classmethod
    def read(cls, kept: str) -> Event:
        """The event a record keeps as ``kept`` ("dial:busy")."""
        name, _, detail = kept.partition(":")
        return cls(name, detail)
