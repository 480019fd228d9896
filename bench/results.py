"""Figures from one level's samples: latency percentiles per webhook, throughput, errors."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.driver import Outcome
from bench.inprocess import Cost
from bench.micro import LineLoad, Render
from bench.servers import Usage
from bench.walk import WEBHOOKS

#: The latency key of the turns where the caller speaks, beside the webhooks' and "all".
SPOKEN = "spoken turns"


@dataclass(frozen=True)
class Latency:
    """Latency percentiles of one webhook (or of all), in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True)
class Level:
    """One server at one level of load."""

    server: str
    calls: int
    offered_rate: float
    throughput: float
    calls_completed: int
    errors: int
    error_kinds: dict[str, int]
    latency: dict[str, Latency]
    usage: Usage

    @property
    def overall(self) -> Latency:
        return self.latency["all"]


def percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an ordered list."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency_of(latencies: list[float]) -> Latency:
    ordered = sorted(seconds * 1000 for seconds in latencies)
    return Latency(len(ordered), percentile(ordered, 0.50), percentile(ordered, 0.95), percentile(ordered, 0.99),
                   ordered[-1] if ordered else math.nan)


def summarise(server: str, outcome: Outcome, usage: Usage) -> Level:
    by_webhook = {name: latency_of([s.latency for s in outcome.samples if s.webhook == name]) for name in WEBHOOKS}
    by_webhook["all"] = latency_of([s.latency for s in outcome.samples])
    by_webhook[SPOKEN] = latency_of([s.latency for s in outcome.samples if s.spoken])
    return Level(
        server=server,
        calls=outcome.load.calls,
        offered_rate=outcome.load.offered_rate,
        throughput=sum(s.ok for s in outcome.samples) / outcome.window,
        calls_completed=outcome.calls_completed,
        errors=sum(outcome.errors.values()),
        error_kinds=dict(outcome.errors.most_common()),
        latency=by_webhook,
        usage=usage,
    )


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str
    memory_gb: float
    python: str
    system: str
    #: The 1-minute load average when the measurements began (other work on the machine).
    load_average: float


@dataclass(frozen=True)
class Benchmark:
    """A whole run: where, how, and what it measured."""

    command: str
    date: str
    commit: str
    machine: Machine
    server_settings: dict[str, object]
    workers: int
    think: tuple[float, float]
    warmup: float
    duration: float
    event_loop: str
    quiet_wait: str
    levels: list[tuple[Level, Level]]  # (floor, line) at each level
    line_load: LineLoad
    render: Render
    request_costs: list[Cost]
