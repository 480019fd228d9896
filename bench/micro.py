"""Costs outside the webhooks: loading and checking a line file, and rendering its prompts to audio."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from ivr.call import CallFlow
from ivr.config import DEFAULT_LINE_FILE, PROJECT_ROOT
from ivr.line.validate import load_line


@dataclass(frozen=True)
class LineLoad:
    """Loading and validating a line file (both passes), and preparing its call flow."""

    file: str
    repetitions: int
    median_ms: float
    p95_ms: float
    flow_median_ms: float


@dataclass(frozen=True)
class Render:
    """Rendering a line's prompts to telephone audio, every prompt at every rate."""

    prompts: int
    workers: int
    wall_seconds: float
    audio_seconds: float
    #: None when rendering could not be measured; ``note`` says why.
    seconds_per_audio_second: float | None
    note: str = ""


def line_load(path: Path = DEFAULT_LINE_FILE, repetitions: int = 50) -> LineLoad:
    load_line(path)  # imports and first-use caches are not what a reload costs
    loads, flows = [], []
    for _ in range(repetitions):
        started = time.perf_counter()
        loaded = load_line(path)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        CallFlow(loaded.line)
        flows.append(time.perf_counter() - started)
    loads.sort()
    where = path.resolve()
    return LineLoad(
        file=str(where.relative_to(PROJECT_ROOT)) if where.is_relative_to(PROJECT_ROOT) else str(path),
        repetitions=repetitions,
        median_ms=statistics.median(loads) * 1000,
        p95_ms=loads[max(0, round(0.95 * len(loads)) - 1)] * 1000,
        flow_median_ms=statistics.median(flows) * 1000,
    )


def render(directory: Path, path: Path = DEFAULT_LINE_FILE) -> Render:
    """Render every prompt of the line at each of its rates into ``directory``, as ``ivr render`` does.

    One worker process per core; the wall time includes starting them and their speech engines.
    """
    try:
        import soundfile

        from ivr.speech.render import plan_line, render_plan
    except ImportError as error:  # the speech package, pyttsx3 or soundfile is missing
        return Render(0, 0, 0.0, 0.0, None, f"not measured: {error}")
    line = load_line(path).line
    plan = plan_line(line, directory)
    workers = min(os.cpu_count() or 1, len(plan.jobs)) or 1
    started = time.perf_counter()
    try:
        report = render_plan(plan, workers=workers)
    except Exception as error:  # no speech engine on this machine, or a wrong voice
        return Render(len(plan.jobs), workers, 0.0, 0.0, None, f"not measured: {type(error).__name__}: {error}")
    wall = time.perf_counter() - started
    audio = sum(soundfile.info(str(wav)).duration for wav in directory.glob("*.wav"))
    note = f"{len(report.failed)} prompts failed" if report.failed else ""
    return Render(report.rendered, workers, wall, audio, wall / audio if audio else None, note)
