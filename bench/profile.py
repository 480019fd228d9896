"""``python -m bench.profile``: where a webhook's time goes, stage by stage, in process and under load.

In process, each webhook of the walk is called directly (no server) under cProfile. Under load, the
line is served by gunicorn with the production settings, and each worker's request threads run
under cProfile (py-spy cannot attach to a process on this machine), while the load driver keeps
calls in progress. Each function's own time goes to a stage by what the function is (its file,
sometimes its name); a function that belongs to no stage (``re``, ``urllib``, a dict helper) is
charged, in proportion, to the stages of its callers. The table is written into docs/benchmarks.md
as the section ``profile-<label>``, so that the table before a change stays beside the one after.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import secrets
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from bench import inprocess
from bench.driver import Load, drive
from bench.sections import commit, write_section
from bench.servers import HOST, Server, ServerFailed, line_server
from bench.walk import WALK, WEBHOOKS
from ivr.config import PROJECT_ROOT

STAGES = ("signature", "form", "state", "flow", "understanding", "TwiML", "records", "logging", "WSGI")
#: (stage, a piece of the file's path, the function's name or None for any): the first that matches wins.
_RULES: tuple[tuple[str, str, str | None], ...] = (
    ("state", "ivr/web/voice.py", "_state_from_query"),
    ("state", "ivr/web/voice.py", "_int"),
    ("TwiML", "ivr/web/voice.py", None),
    ("signature", "ivr/web/signature.py", None),
    ("signature", "twilio/request_validator.py", None),
    ("form", "werkzeug/formparser.py", None),
    ("form", "werkzeug/wrappers/request.py", "_load_form_data"),
    ("form", "werkzeug/wrappers/request.py", "form"),
    ("understanding", "ivr/call/matching.py", None),
    ("understanding", "ivr/call/emergency/", None),
    ("understanding", "ivr/call/meaning", None),
    ("understanding", "ivr/meaning", None),
    ("understanding", "rapidfuzz", None),
    ("understanding", "sentence_transformers", None),
    ("understanding", "torch/", None),
    ("understanding", "onnxruntime", None),
    ("understanding", "tokenizers", None),
    ("understanding", "spellchecker", None),
    ("flow", "ivr/call/", None),
    ("flow", "ivr/line/", None),
    ("flow", "ivr/web/texting.py", None),
    ("flow", "ivr/web/services.py", None),
    ("TwiML", "ivr/web/twiml.py", None),
    ("TwiML", "ivr/web/audio.py", None),
    ("TwiML", "ivr/speech/", None),
    ("TwiML", "twilio/twiml/", None),
    ("TwiML", "xml/etree/", None),
    ("records", "ivr/web/records.py", None),
    ("records", "ivr/store/", None),
    ("records", "sqlalchemy/", None),
    ("logging", "logging/", None),
    ("logging", "gunicorn/glogging.py", None),
    ("WSGI", "gunicorn/", None),
)
#: Files whose functions are the server's and Flask's own only when no stage called them.
_WEAK = ("flask/", "werkzeug/", "<built-in", "~")

Func = tuple[str, int, str]


def _rule_stage(func: Func) -> str | None:
    path, _, name = func
    path = path.replace("\\", "/")
    for stage, piece, function in _RULES:
        if piece in path and (function is None or function == name):
            return stage
    return None


def attribute(stats: pstats.Stats) -> dict[str, float]:
    """Seconds by stage: each function's own time to its stage, or shared among its callers' stages."""
    raw: dict[Func, tuple[int, int, float, float, dict[Func, tuple[int, int, float, float]]]] = stats.stats  # type: ignore[attr-defined]
    shares: dict[Func, dict[str, float]] = {}

    def share(func: Func, seen: frozenset[Func]) -> dict[str, float]:
        if func in shares:
            return shares[func]
        stage = _rule_stage(func)
        if stage is not None:
            result = {stage: 1.0}
        else:
            callers = raw[func][4] if func in raw else {}
            weights = {caller: edge[3] for caller, edge in callers.items() if caller not in seen}
            total = sum(weights.values())
            if not total:
                result = {"WSGI": 1.0}
            else:
                mixed: dict[str, float] = defaultdict(float)
                for caller, weight in weights.items():
                    for name, part in share(caller, seen | {func}).items():
                        mixed[name] += part * weight / total
                result = dict(mixed)
        if not seen:
            shares[func] = result
        return result

    seconds: dict[str, float] = defaultdict(float)
    for func, (_, _, own, _, _) in raw.items():
        for stage, part in share(func, frozenset()).items():
            seconds[stage] += own * part
    return {stage: seconds.get(stage, 0.0) for stage in STAGES}


@dataclass(frozen=True)
class Profile:
    """Microseconds by stage for one request, of one webhook or of the mix."""

    what: str
    requests: int
    us: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.us.values())


# -- in process -----------------------------------------------------------------------------------


def in_process(audio: Path, calls: int = 150) -> list[Profile]:
    """Each webhook of the walk, ``calls`` times, the app called directly (the line's audio in ``audio``, call
    records)."""
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="ivr-bench-profile-") as folder:
        _, make = inprocess.line_app(token, audio, Path(folder))
        app = make()
        requests = list(inprocess.walks(app, token, calls, follow=True))
        inprocess.run(app, requests)  # warm: imports, caches, the schema
        by_webhook: dict[str, list[inprocess.Request]] = defaultdict(list)
        for index, request in enumerate(requests):
            by_webhook[_webhook_of(index)].append(request)
        profiles = []
        for webhook in WEBHOOKS:
            profiles.append(_profile_in_process(app, webhook, by_webhook[webhook]))
        spoken = [request for index, request in enumerate(requests) if WALK[index % len(WALK)].spoken]
        profiles.append(_profile_in_process(app, "respond, spoken turns", spoken))
        store = app.extensions.get("ivr.store")
        if store is not None:
            store.close()
    return profiles


def _webhook_of(index: int) -> str:
    return WALK[index % len(WALK)].webhook


def _profile_in_process(app: Any, what: str, requests: list[inprocess.Request]) -> Profile:
    profiler = cProfile.Profile(time.thread_time)
    started_cpu, started_thread = time.process_time(), time.thread_time()
    profiler.enable()
    for request in requests:
        inprocess.call(app, request)
    profiler.disable()
    main_thread = time.thread_time() - started_thread
    inprocess.flush(app)
    # The records writer's thread: the process's CPU beyond this thread's (flushing included).
    writer = max(0.0, time.process_time() - started_cpu - main_thread)
    seconds = attribute(pstats.Stats(profiler))
    seconds["records"] += writer
    return Profile(what, len(requests), {stage: s / len(requests) * 1e6 for stage, s in seconds.items()})


# -- under load -----------------------------------------------------------------------------------


def under_load(audio: Path, calls: int, warmup: float, duration: float, workers: int = 2) -> Profile:
    """The line under gunicorn, ``calls`` calls in progress; the workers' request threads profiled."""
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="ivr-bench-profile-") as folder:
        out = Path(folder) / "profiles"
        out.mkdir()
        line = line_server(workers, token, Path(folder), audio)
        command = [sys.executable, "-m", "bench.profile", "serve", "--workers", str(workers), "--out", str(out)]
        profiled = Server("the profiled line", command, line.env, Path(folder) / "profiled.log")
        try:
            profiled.start()
            outcome = asyncio.run(drive(profiled.base, token, Load(calls, warmup, duration, (5, 15)), follow=True))
        except ServerFailed as error:
            raise click.ClickException(str(error)) from None
        finally:
            profiled.stop()  # the workers write their profiles as they exit
        files = sorted(out.glob("*.prof"))
        if not files:
            raise click.ClickException("the workers wrote no profile")
        stats = pstats.Stats(*map(str, files))
        handled = sum(int(path.with_suffix(".count").read_text()) for path in files)
    seconds = attribute(stats)
    errors = sum(outcome.errors.values())
    what = f"{calls:,} calls in progress, {handled:,} requests, {errors} errors"
    return Profile(what, handled, {stage: s / handled * 1e6 for stage, s in seconds.items()})


def _profiled_worker(out: Path) -> Callable[[Any], None]:
    """A post_worker_init hook: every connection the worker handles is profiled in its thread."""

    def hook(worker: Any) -> None:
        from ivr.serving import _worker_ready

        _worker_ready(worker)
        local = threading.local()
        profilers: list[cProfile.Profile] = []
        handled = [0]
        handle = worker.handle

        def profiled(*args: Any, **kwargs: Any) -> Any:
            profiler = getattr(local, "profiler", None)
            if profiler is None:
                profiler = local.profiler = cProfile.Profile(time.thread_time)
                profilers.append(profiler)
            handled[0] += 1
            profiler.enable()
            try:
                return handle(*args, **kwargs)
            finally:
                profiler.disable()

        worker.handle = profiled

        def dump() -> None:
            if not profilers:
                return
            path = out / f"{os.getpid()}.prof"
            stats = pstats.Stats(profilers[0])
            for other in profilers[1:]:
                stats.add(other)
            stats.dump_stats(str(path))
            path.with_suffix(".count").write_text(str(handled[0]))

        worker.profile_dump = dump

    return hook


def _serve(host: str, port: int, workers: int, out: Path) -> None:
    from ivr import create_app
    from ivr.serving import gunicorn_options, run

    options = gunicorn_options(host, port, workers)
    options["post_worker_init"] = _profiled_worker(out)
    options["worker_exit"] = lambda server, worker: worker.profile_dump()
    create_app()
    run(create_app, options)


# -- the report -----------------------------------------------------------------------------------


def table(profiles: Iterable[Profile]) -> str:
    rows = [
        "| requests | " + " | ".join(STAGES) + " | total |",
        "| --- | " + " | ".join("---:" for _ in STAGES) + " | ---: |",
    ]
    for profile in profiles:
        cells = " | ".join(f"{profile.us[stage]:,.0f}" for stage in STAGES)
        rows.append(f"| {profile.what} | {cells} | {profile.total:,.0f} |")
    return "\n".join(rows)


def section(label: str, local: list[Profile], load: Profile | None, command: str) -> str:
    parts = [
        f"## Where a request's time goes, stage by stage: {label}\n",
        f"`{command}` at commit {commit()}. CPU microseconds per request under cProfile, timed by each thread's own"
        " CPU clock, so that a thread waiting for the GIL or a core is not charged (cProfile slows Python code more"
        " than C: compare rows and columns, not these totals with the timings above). Each"
        " function's own time goes to its stage; a function of no stage is charged to its callers' stages."
        " *records* counts the writer thread's CPU too; *WSGI* is Flask, werkzeug and, under load, gunicorn's"
        " parsing and writing of the request (its accept loop, in the worker's main thread, is not profiled).\n",
        "In process (the app called directly, one request after another, rendered audio, call records):\n",
        table(local),
        "",
    ]
    if load is not None:
        parts += [
            "Under load (`ivr serve`'s gunicorn settings, every request thread of both workers profiled, the"
            " walk's mix of webhooks):\n",
            table([load]),
            "",
        ]
    return "\n".join(parts)


@click.group(invoke_without_command=True)
@click.option("--label", default="before", show_default=True, help="Which table this is: before, after...")
@click.option("--calls", type=int, default=1000, show_default=True, help="Calls in progress under load.")
@click.option("--duration", type=float, default=20.0, show_default=True, help="Seconds profiled under load.")
@click.option("--no-load", is_flag=True, help="Only the in-process profile.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=PROJECT_ROOT / "docs" / "benchmarks.md", show_default="docs/benchmarks.md")
@click.pass_context
def main(context: click.Context, label: str, calls: int, duration: float, no_load: bool, output: Path) -> None:
    """Profile each webhook in process and under load; write the table into docs/benchmarks.md."""
    if context.invoked_subcommand is not None:
        return
    from bench import micro

    with tempfile.TemporaryDirectory(prefix="ivr-bench-profile-audio-") as folder:
        click.echo("Rendering the line's audio, as production plays it...")
        audio = Path(folder)
        micro.render(audio)
        click.echo("Profiling each webhook in process...")
        local = in_process(audio)
        click.echo(table(local))
        load = None
        if not no_load:
            click.echo(f"Profiling under load ({calls:,} calls)...")
            load = under_load(audio, calls, 5.0, duration)
            click.echo(table([load]))
    command = " ".join(["python -m bench.profile", *sys.argv[1:]])
    write_section(output, f"profile-{label}", section(label, local, load, command))
    click.echo(f"Wrote the section profile-{label} of {output}")


@main.command("serve", hidden=True)
@click.option("--host", default=HOST, show_default=True)
@click.option("--port", type=int, required=True)
@click.option("--workers", type=int, default=2)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def serve_command(host: str, port: int, workers: int, out: Path) -> None:
    """The line under gunicorn with its request threads profiled (for the profile under load)."""
    _serve(host, port, workers, out)


if __name__ == "__main__":
    main()
