"""Rendering, again and again: the Botox line rendered many times in a row by each engine, from nothing.

Every run renders every prompt at every rate into a fresh folder. It counts the prompts that
failed, compares every file with the first run's byte for byte, and looks for temporary folders
left behind (rendering is given a temporary folder of its own to look in). ``python -m
bench.render_repeat`` writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing.util
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import click

from bench.sections import commit, write_section
from ivr.config import DEFAULT_LINE_FILE, PROJECT_ROOT
from ivr.line import Line
from ivr.line.validate import load_line
from ivr.speech.render import render_line
from ivr.speech.voicing import Voicing


@dataclass(frozen=True)
class Repeats:
    engine: str
    voice: str
    runs: int
    files: int
    failures: int
    #: Runs whose every file was byte for byte the first run's.
    identical: int
    left_behind: int
    seconds: tuple[float, ...]


def repeat(line: Line, runs: int, work: Path) -> Repeats:
    """Render ``line`` ``runs`` times, each into a fresh folder under ``work``."""
    scratch = work / "tmp"
    scratch.mkdir(parents=True)
    multiprocessing.util.get_temp_dir()  # multiprocessing's own folder (its fork server's socket) stays outside
    tempfile.tempdir, before = str(scratch), tempfile.tempdir
    first: dict[str, str] | None = None
    failures = identical = left_behind = files = 0
    seconds = []
    try:
        for run in range(runs):
            folder = work / f"run-{run}"
            started = time.perf_counter()
            report = render_line(line, folder)
            seconds.append(time.perf_counter() - started)
            failures += len(report.failed)
            digests = {wav.name: hashlib.sha256(wav.read_bytes()).hexdigest() for wav in folder.glob("*.wav")}
            files = len(digests)
            first = first or digests
            identical += digests == first
            left_behind += len(os.listdir(scratch))
            click.echo(f"{Voicing.of(line).engine} run {run + 1}: {report.rendered} rendered,"
                       f" {len(report.failed)} failed, {seconds[-1]:.1f} s", err=True)
    finally:
        tempfile.tempdir = before
    voicing = Voicing.of(line)
    return Repeats(voicing.engine, voicing.voice, runs, files, failures, identical, left_behind, tuple(seconds))


def report(results: list[Repeats], command: str) -> str:
    rows = [
        "## Rendering again and again\n",
        f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} with `{command}` (commit {commit()}), on"
        f" {os.cpu_count()} cores (load average {os.getloadavg()[0]:.2f} at the end): the Botox line rendered"
        " from nothing, every prompt at every rate, again and again in a row, by each engine. A run is"
        " identical when every file is the first run's byte for byte.\n",
        "| engine | voice | runs | files a run | failed prompts | identical runs | temporary folders left"
        " | seconds a run (median, worst) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        rows.append(
            f"| {r.engine} | {r.voice} | {r.runs} | {r.files} | {r.failures} | {r.identical} of {r.runs}"
            f" | {r.left_behind} | {statistics.median(r.seconds):.1f}, {max(r.seconds):.1f} |"
        )
    return "\n".join(rows) + "\n"


@click.command()
@click.option("--runs", type=int, default=20, show_default=True)
@click.option("--engine", "engines", multiple=True, default=("flite", "pyttsx3"), show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=PROJECT_ROOT / "docs" / "benchmarks.md", show_default="docs/benchmarks.md")
def main(runs: int, engines: tuple[str, ...], output: Path) -> None:
    """Render the Botox line RUNS times with each engine and write the section of the benchmarks."""
    line = load_line(DEFAULT_LINE_FILE).line
    results = []
    for engine in engines:
        voice = line.voice if engine == line.voice.engine else line.voice.model_copy(
            update={"engine": engine, "name": None})
        with tempfile.TemporaryDirectory(prefix="ivr-repeat-") as work:
            results.append(repeat(line.model_copy(update={"voice": voice}), runs, Path(work)))
    for result in results:
        click.echo(f"{result.engine}: {result.failures} failed, {result.identical}/{result.runs} identical,"
                   f" {result.left_behind} temporary folders left")
    write_section(output, "render-repeat", report(results, " ".join(["python -m bench.render_repeat", *sys.argv[1:]])))
    click.echo(f"wrote {output}")
    if any(result.failures or result.left_behind for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
