"""``python -m bench``: measure the line under load beside the floor and write docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import resource
import secrets
import shlex
import sys
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
import psutil

from bench import inprocess, micro
from bench.driver import Load, Outcome, drive
from bench.report import level_line, write
from bench.results import Benchmark, Level, Machine, summarise
from bench.sections import commit
from bench.servers import Monitor, Server, floor_server, line_server
from ivr.config import PROJECT_ROOT
from ivr.serving import gunicorn_options

T = TypeVar("T")
#: Below this 1-minute load average the machine counts as quiet.
QUIET_LOAD = 0.5


@click.command()
@click.option("--levels", default="100,1000,2500,5000", show_default=True,
              help="Numbers of concurrent calls, comma-separated.")
@click.option("--warmup", type=float, default=15.0, show_default=True, help="Seconds of load before measuring.")
@click.option("--duration", type=float, default=60.0, show_default=True, help="Seconds measured at each level.")
@click.option("--think", default="5-15", show_default=True, help="A caller's pause between requests, seconds.")
@click.option("--workers", type=int, default=2, show_default=True, help="Gunicorn workers, as `ivr serve`.")
@click.option("--wait-quiet", type=float, default=0.0, show_default=True,
              help=f"Wait up to this many seconds for a load average under {QUIET_LOAD} before measuring.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=PROJECT_ROOT / "docs" / "benchmarks.md", show_default="docs/benchmarks.md")
@click.option("--quick", is_flag=True, help="A short run to try the benchmark (100 and 500 calls, 10 s each).")
def main(levels: str, warmup: float, duration: float, think: str, workers: int, wait_quiet: float,
         output: Path, quick: bool) -> None:
    """Measure how many callers the line carries on this machine, beside a bare Flask floor."""
    if quick:
        levels, warmup, duration = "100,500", 5.0, 10.0
    low, high = (float(part) for part in think.split("-"))
    calls = [int(part) for part in levels.split(",")]
    _raise_file_limit()
    quiet = _wait_for_quiet(wait_quiet)
    click.echo("Loading the line file...")
    line_load = micro.line_load()
    token = secrets.token_hex(16)
    results: list[tuple[Level, Level]] = []
    with tempfile.TemporaryDirectory(prefix="ivr-bench-") as folder:
        click.echo("Rendering the line's audio, as production plays it...")
        audio = Path(folder) / "audio"
        audio.mkdir()
        render = micro.render(audio)
        click.echo("Measuring the request path in process...")
        costs = inprocess.request_costs(audio)
        floor, line = floor_server(workers, Path(folder)), line_server(workers, token, Path(folder), audio)
        machine = _machine()
        try:
            for server in (floor, line):
                server.start()
            for count in calls:
                load = Load(count, warmup, duration, (low, high))
                pair = tuple(_measure(server, token, load, follow=server is line) for server in (floor, line))
                results.append(pair)  # type: ignore[arg-type]
        finally:
            for server in (floor, line):
                server.stop()
    settings = {k: v for k, v in gunicorn_options("127.0.0.1", 0, workers).items() if k not in ("bind", "workers")}
    benchmark = Benchmark(
        command=" ".join(["python -m bench", *map(shlex.quote, sys.argv[1:])]),
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        commit=commit(),
        machine=machine,
        server_settings={"workers": workers, **settings},
        workers=workers,
        think=(low, high),
        warmup=warmup,
        duration=duration,
        event_loop=_loop_name(),
        quiet_wait=quiet,
        levels=results,
        line_load=line_load,
        render=render,
        request_costs=costs,
    )
    write(benchmark, output)
    click.echo(f"Wrote {output}")


def _measure(server: Server, token: str, load: Load, *, follow: bool) -> Level:
    with Monitor(server) as monitor:
        outcome: Outcome = _run(drive(server.base, token, load, follow=follow))
    level = summarise(server.name, outcome, monitor.usage(outcome.start, outcome.end))
    click.echo(level_line(level))
    return level


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _loop_name() -> str:
    try:
        import uvloop
    except ImportError:
        return "asyncio's own"
    return f"uvloop {uvloop.__version__}"


def _raise_file_limit() -> None:
    """Thousands of calls mean thousands of sockets at a peak: allow as many as the system lets us."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _wait_for_quiet(limit: float) -> str:
    if limit <= 0:
        return f"not asked for; the load average was {os.getloadavg()[0]:.2f}"
    started = time.monotonic()
    while (load := os.getloadavg()[0]) >= QUIET_LOAD:
        if time.monotonic() - started > limit:
            return f"the load average stayed at or over {QUIET_LOAD} for {limit:.0f} s (it was {load:.2f})"
        click.echo(f"Load average {load:.2f}; waiting for the machine to be quiet...")
        time.sleep(15)
    return f"{time.monotonic() - started:.0f} s until the load average was {load:.2f}"


def _machine() -> Machine:
    cpu = platform.processor() or platform.machine()
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return Machine(
        cores=os.cpu_count() or 0,
        cpu=cpu,
        memory_gb=psutil.virtual_memory().total / 2**30,
        python=platform.python_version(),
        system=f"{platform.system()} {platform.release()}",
        load_average=os.getloadavg()[0],
    )


if __name__ == "__main__":
    main()
