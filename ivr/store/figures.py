"""What the records say over a period: calls a day, answers heard, transfers, hang-ups, inputs."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.engine import Connection

from ivr.store.schema import Call, Event
from ivr.store.store import Store

#: Events after which the caller heard the node's own text again.
PRESENTING = ("start", "option", "repeat", "back", "main_menu", "slower", "faster", "pace_limit",
              "no_input", "invalid")
NO_INPUT = ("no_input", "gave_up:no_input")
INVALID = ("invalid", "gave_up:invalid")
#: DialCallStatus values that mean somebody at the clinic answered.
ANSWERED = ("completed", "answered")


@dataclass(frozen=True)
class Period:
    """Days from ``first`` to ``last``, both included, in the clinic's time zone."""

    first: dt.date
    last: dt.date
    zone: dt.tzinfo

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), self.zone)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), self.zone)

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class NodeHeard:
    node: str
    #: How many times callers heard the node.
    times: int
    #: How many calls heard it at least once.
    calls: int


@dataclass(frozen=True)
class Ending:
    """Ended calls whose last turn was at ``node`` with ``outcome`` (listen: the caller hung up)."""

    node: str
    outcome: str
    calls: int


@dataclass(frozen=True)
class NodeInputs:
    """Answers given at one node, and how many of them were silence or a key that means nothing there.

    ``node`` is empty for answers whose node the records could not tell.
    """

    node: str
    responses: int
    no_input: int
    invalid: int


@dataclass(frozen=True)
class Figures:
    period: Period
    calls: int
    #: Different callers (by the keyed hash of their number); withheld numbers are not counted.
    callers: int
    #: Callers who called more than once in the period.
    repeat_callers: int
    #: Calls whose end Twilio has reported.
    ended: int
    per_day: list[tuple[dt.date, int]]
    heard: list[NodeHeard]
    #: Transfers started, by where to ("clinic", "after_hours").
    transfers: dict[str, int]
    #: Transfers ended, by Twilio's DialCallStatus.
    dial_results: dict[str, int]
    #: Calls in which somebody at the clinic answered.
    reached_clinic: int
    endings: list[Ending]
    #: Answers to prompts by kind: "key", "speech", "none" (silence).
    inputs: dict[str, int]
    node_inputs: list[NodeInputs]

    @property
    def responses(self) -> int:
        return sum(self.inputs.values())

    @property
    def no_input(self) -> int:
        return sum(n.no_input for n in self.node_inputs)

    @property
    def invalid(self) -> int:
        return sum(n.invalid for n in self.node_inputs)

    @property
    def hang_ups(self) -> list[Ending]:
        """Ended calls in which the caller hung up while the line waited for a choice, by node."""
        return [e for e in self.endings if e.outcome == "listen"]


def figures(store: Store, line: str, period: Period) -> Figures:
    """Every figure of the dashboard for the calls to ``line`` that started in ``period``."""
    with store.reading(), store.engine.connect() as connection:
        return _Query(connection, line, period).figures()


class _Query:
    def __init__(self, connection: Connection, line: str, period: Period) -> None:
        self.db = connection
        self.period = period
        self.in_period = (Call.line == line, Call.started_at >= period.start, Call.started_at < period.end)

    def figures(self) -> Figures:
        calls, callers, repeat, ended = self._totals()
        return Figures(
            period=self.period,
            calls=calls,
            callers=callers,
            repeat_callers=repeat,
            ended=ended,
            per_day=self._per_day(),
            heard=self._heard(),
            transfers=self._counts(Event.transfer_to, Event.outcome == "connect"),
            dial_results=self._counts(Event.dial_status, Event.dial_status.is_not(None)),
            reached_clinic=self._scalar(
                self._events(func.count(distinct(Event.call_sid))).where(Event.dial_status.in_(ANSWERED))
            ),
            endings=self._endings(),
            inputs=self._counts(Event.input, Event.input.is_not(None)),
            node_inputs=self._node_inputs(),
        )

    def _calls(self, *columns: Any) -> Select[Any]:
        return select(*columns).where(*self.in_period)

    def _events(self, *columns: Any) -> Select[Any]:
        return select(*columns).select_from(Event).join(Call, Call.call_sid == Event.call_sid).where(*self.in_period)

    def _scalar(self, query: Select[Any]) -> int:
        return int(self.db.execute(query).scalar() or 0)

    def _totals(self) -> tuple[int, int, int, int]:
        calls, ended = self.db.execute(
            self._calls(func.count(), func.count(Call.ended_at))
        ).one()
        per_caller = (
            self._calls(Call.caller_hash, func.count().label("n"))
            .where(Call.caller_hash.is_not(None))
            .group_by(Call.caller_hash)
            .subquery()
        )
        callers, repeat = self.db.execute(
            select(func.count(), func.sum(case((per_caller.c.n > 1, 1), else_=0)))
        ).one()
        return int(calls), int(callers), int(repeat or 0), int(ended)

    def _per_day(self) -> list[tuple[dt.date, int]]:
        """Calls a day in the clinic's own time zone (worked out here: databases spell zones differently)."""
        days = Counter(
            started.astimezone(self.period.zone).date()
            for started in self.db.execute(self._calls(Call.started_at)).scalars()
        )
        return [(day, days[day]) for day in self.period.days()]

    def _heard(self) -> list[NodeHeard]:
        rows = self.db.execute(
            self._events(Event.node, func.count(), func.count(distinct(Event.call_sid)))
            .where(Event.kind.in_(PRESENTING))
            .group_by(Event.node)
        )
        heard = [NodeHeard(node, int(times), int(calls)) for node, times, calls in rows]
        return sorted(heard, key=lambda h: (-h.times, h.node))

    def _counts(self, column: Any, *where: Any) -> dict[str, int]:
        rows = self.db.execute(self._events(column, func.count()).where(*where).group_by(column))
        return dict(sorted(((str(value), int(n)) for value, n in rows), key=lambda item: (-item[1], item[0])))

    def _endings(self) -> list[Ending]:
        """The last turn of every ended call: where the caller was when the call ended."""
        ranked = (
            self._events(
                Event.node,
                Event.outcome,
                func.row_number()
                .over(partition_by=Event.call_sid, order_by=(Event.at.desc(), Event.id.desc()))
                .label("rank"),
            )
            .where(Call.ended_at.is_not(None))
            .subquery()
        )
        rows = self.db.execute(
            select(ranked.c.node, ranked.c.outcome, func.count())
            .where(ranked.c.rank == 1)
            .group_by(ranked.c.node, ranked.c.outcome)
        )
        endings = [Ending(node, outcome, int(n)) for node, outcome, n in rows]
        return sorted(endings, key=lambda e: (-e.calls, e.node, e.outcome))

    def _node_inputs(self) -> list[NodeInputs]:
        rows = self.db.execute(
            self._events(
                Event.from_node,
                func.count(),
                func.sum(case((Event.kind.in_(NO_INPUT), 1), else_=0)),
                func.sum(case((Event.kind.in_(INVALID), 1), else_=0)),
            )
            .where(Event.input.is_not(None))
            .group_by(Event.from_node)
        )
        inputs = [
            NodeInputs(node or "", int(n), int(silent or 0), int(invalid or 0)) for node, n, silent, invalid in rows
        ]
        return sorted(inputs, key=lambda i: (-i.responses, i.node))
