"""docs/benchmarks.md: the figures of a run, with the hand-written section of the previous file kept."""

from __future__ import annotations

import math
import re
from pathlib import Path

from bench.inprocess import SPACE_SECONDS, SPACED_REQUESTS
from bench.results import SPOKEN, Benchmark, Latency, Level
from bench.sections import kept_sections
from bench.walk import WALK, WEBHOOKS

#: The p50 of every webhook must be within this many times the floor's (issue 22), and its p99 within
#: P99_RATIO_TARGET times, at every level; the server's PSS within PSS_RATIO_TARGET times the floor's.
P50_RATIO_TARGET = 1.3
P99_RATIO_TARGET = 1.5
PSS_RATIO_TARGET = 3.0
#: The level that stands for a national hotline's peak, and what it must achieve.
PEAK_CALLS = 5000
PEAK_P99_MS = 100.0

HAND_WRITTEN = re.compile(r"<!-- hand-written -->\n(.*?)<!-- /hand-written -->", re.S)
PLACEHOLDER = (
    "## What limits it\n\n"
    "(Write here what the figures above mean; this section is kept when the file is regenerated.)\n"
)


def write(benchmark: Benchmark, path: Path) -> None:
    """Write the report to ``path``, keeping the hand-written section and other benchmarks' sections."""
    kept, sections = PLACEHOLDER, ""
    if path.exists():
        previous = path.read_text()
        match = HAND_WRITTEN.search(previous)
        if match:
            kept = match.group(1)
        sections = kept_sections(previous)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(benchmark, kept) + ("\n" + sections if sections else ""))


def render(b: Benchmark, hand_written: str) -> str:
    parts = [
        "# Benchmarks\n",
        "<!-- Written by the benchmark (bench/report.py). Everything but the hand-written section and the"
        " sections other benchmarks write after it (`python -m bench.caller_time`, `python -m bench.render_repeat`)"
        " is replaced on every run. -->\n",
        f"Run on {b.date} with `{b.command}` (commit {b.commit}).\n",
        _targets(b),
        _machine(b),
        _method(b),
        _summary(b),
        _per_webhook(b),
        _request_path(b),
        _other_costs(b),
        f"<!-- hand-written -->\n{hand_written}<!-- /hand-written -->\n",
    ]
    return "\n".join(parts)


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(line: float, floor: float) -> float:
    return line / floor if floor and not math.isnan(line) and not math.isnan(floor) else math.nan


def _worst_ratio(b: Benchmark, percentile: str) -> tuple[float, int, str]:
    """The largest ratio line/floor of one percentile ("p50", "p99") over the webhooks and levels."""
    worst = (0.0, 0, "")
    for floor, line in b.levels:
        for webhook in WEBHOOKS:
            ratio = _ratio(getattr(line.latency[webhook], percentile), getattr(floor.latency[webhook], percentile))
            if not math.isnan(ratio) and ratio > worst[0]:
                worst = (ratio, line.calls, webhook)
    return worst


def _targets(b: Benchmark) -> str:
    rows = ["## Targets\n", "| target | measured | met |", "| --- | --- | --- |"]
    for percentile, target in (("p50", P50_RATIO_TARGET), ("p99", P99_RATIO_TARGET)):
        ratio, at_calls, webhook = _worst_ratio(b, percentile)
        rows.append(
            f"| {percentile} of every webhook within {target}x the floor's, at every level "
            f"| worst {ratio:.2f}x ({webhook}, {at_calls:,} calls) | {'yes' if ratio <= target else 'no'} |"
        )
    errors = sum(line.errors for _, line in b.levels)
    rows.append(f"| no errors at any level | {errors} errors | {'yes' if not errors else 'no'} |")
    pss = max((_ratio(line.usage.server_pss_mb, floor.usage.server_pss_mb), line.calls) for floor, line in b.levels)
    rows.append(
        f"| the server's PSS within {PSS_RATIO_TARGET:g}x the floor's | worst {pss[0]:.2f}x ({pss[1]:,} calls)"
        f" | {'yes' if pss[0] <= PSS_RATIO_TARGET else 'no'} |"
    )
    peak = [line for _, line in b.levels if line.calls >= PEAK_CALLS]
    if peak:
        line = peak[0]
        p99 = max(line.latency[w].p99 for w in WEBHOOKS if not math.isnan(line.latency[w].p99))
        met = p99 < PEAK_P99_MS and line.errors == 0
        rows.append(
            f"| {PEAK_CALLS:,} concurrent calls: p99 under {PEAK_P99_MS:.0f} ms, no errors "
            f"| {line.calls:,} calls: worst webhook p99 {_ms(p99)} ms, {line.errors} errors"
            f" | {'yes' if met else 'no'} |"
        )
    else:
        rows.append(f"| {PEAK_CALLS:,} concurrent calls: p99 under {PEAK_P99_MS:.0f} ms, no errors | not run | no |")
    return "\n".join(rows) + "\n"


def _machine(b: Benchmark) -> str:
    m = b.machine
    return "\n".join([
        "## Machine\n",
        "| cores | CPU | memory | Python | system | load average at start |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {m.cores} | {m.cpu} | {m.memory_gb:.0f} GB | {m.python} | {m.system} | {m.load_average:.2f} |",
        "",
        f"Waiting for a quiet machine: {b.quiet_wait}. The load driver runs on the same cores as the server"
        " (nothing is pinned), so its CPU is reported beside the server's, and \"machine CPU\" is everything"
        " the machine ran meanwhile, other people's work included (200 % is both cores).\n",
    ])


def _method(b: Benchmark) -> str:
    settings = ", ".join(f"`{key}={value}`" for key, value in b.server_settings.items())
    steps = "\n".join(f"{index}. `{step.webhook}`: {step.what}" for index, step in enumerate(WALK, start=1))
    low, high = b.think
    return "\n".join([
        "## How it is measured\n",
        f"Two servers run on loopback under the same gunicorn settings ({settings}): the line, started with"
        f" `ivr serve --workers {b.workers}` with a signing token and its call records in a throw-away SQLite"
        " file, and the *floor*, a bare Flask app (`bench/floor.py`) that answers every webhook with one"
        " constant TwiML document of the same size, without checking signatures or reading the form. The"
        " ratio line/floor is what the line itself costs.\n",
        f"Each simulated call walks the Botox line as a caller would, {len(WALK)} webhooks:\n",
        steps,
        "",
        "Inputs go to the action URL of the last answer's `<Gather>` and the transfer's result to its `<Dial>`"
        " action, so the walk follows the TwiML the server returns (the floor's URLs are fixed). Every request"
        " carries Twilio's form fields (about 700 bytes) and an `X-Twilio-Signature` made with twilio's"
        " `RequestValidator`, opens a new connection and closes it, as Twilio's separate HTTPS webhooks do.\n",
        f"Between two requests a caller waits {low:g}-{high:g} s (uniform): prompts take 10-30 s to hear, so"
        " this is a busier caller than a real one. N calls are always in progress (a closed loop: a caller"
        f" whose call ends places the next), so N calls offer about N / {(low + high) / 2:g} requests a second."
        " Each simulated caller's first call joins at a random step, so the mix of webhooks is the steady"
        f" state's from the start. Each level runs {b.warmup:g} s before a {b.duration:g} s measurement window;"
        " a request counts when it starts in the window.\n",
        "The driver is the project's own (`bench/driver.py`): asyncio, with a minimal HTTP/1.1 client over"
        f" asyncio streams ({b.event_loop} event loop), measuring each request with a monotonic clock from"
        " before connecting to the last byte. A load tool such as locust spends several times more CPU per"
        " request, which on a 2-core machine would be taken from the server being measured. Server CPU and"
        " memory are sampled with psutil over gunicorn's master and workers: RSS summed, so pages shared by"
        " the forked workers count once in each, and PSS summed (from `/proc/<pid>/smaps_rollup`), which"
        " counts each shared page once in all; the most either reached in the window.\n",
    ])


def _summary(b: Benchmark) -> str:
    rows = [
        "## Results\n",
        "All webhooks together. Latency in milliseconds; ratio = line p50 / floor p50.\n",
        "| calls | server | offered req/s | done req/s | p50 | p95 | p99 | max | errors | server CPU | CPU per request"
        " | server RSS | server PSS | driver CPU | machine CPU | p50 ratio |",
        "| ---: | --- " + "| ---: " * 14 + "|",
    ]
    for floor, line in b.levels:
        for level in (floor, line):
            all_ = level.overall
            ratio = _ratio(line.overall.p50, floor.overall.p50) if level is line else 1.0
            rows.append(
                f"| {level.calls:,} | {level.server} | {level.offered_rate:.0f} | {level.throughput:.1f}"
                f" | {_ms(all_.p50)} | {_ms(all_.p95)} | {_ms(all_.p99)} | {_ms(all_.max)} | {level.errors}"
                f" | {level.usage.server_cpu:.0f} % | {_per_request(level)} | {level.usage.server_rss_mb:.0f} MB"
                f" | {level.usage.server_pss_mb:.0f} MB | {level.usage.driver_cpu:.0f} %"
                f" | {level.usage.machine_cpu:.0f} % | {ratio:.2f} |"
            )
    errors = [(line.calls, line.server, line.error_kinds) for pair in b.levels for line in pair if line.error_kinds]
    if errors:
        rows.append("\nErrors by kind:\n")
        rows += [f"- {calls:,} calls, {server}: " + ", ".join(f"{kind} x {count}" for kind, count in kinds.items())
                 for calls, server, kinds in errors]
    restarts = [(level.calls, level.server) for pair in b.levels for level in pair if level.usage.worker_restarts]
    if restarts:
        rows.append("\nWorkers restarted during: " + ", ".join(f"{c:,} calls ({s})" for c, s in restarts))
    return "\n".join(rows) + "\n"


def _per_request(level: Level) -> str:
    """The server's CPU time per request answered, in milliseconds."""
    if not level.throughput:
        return "-"
    return f"{level.usage.server_cpu * 10 / level.throughput:.2f} ms"


def _per_webhook(b: Benchmark) -> str:
    rows = ["## By webhook\n", "Latency in milliseconds, the line beside the floor.\n"]
    for floor, line in b.levels:
        rows += [
            f"### {line.calls:,} concurrent calls\n",
            "| webhook | requests | line p50 | line p95 | line p99 | floor p50 | floor p95 | floor p99 | p50 ratio"
            " | p99 ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for webhook in (*WEBHOOKS, SPOKEN):
            ours: Latency = line.latency[webhook]
            theirs: Latency = floor.latency[webhook]
            rows.append(
                f"| {webhook} | {ours.count:,} | {_ms(ours.p50)} | {_ms(ours.p95)} | {_ms(ours.p99)}"
                f" | {_ms(theirs.p50)} | {_ms(theirs.p95)} | {_ms(theirs.p99)} | {_ratio(ours.p50, theirs.p50):.2f}"
                f" | {_ratio(ours.p99, theirs.p99):.2f} |"
            )
        rows.append("")
    return "\n".join(rows)


def _request_path(b: Benchmark) -> str:
    rows = [
        "## Where a request's time goes\n",
        "The apps called directly, without a server or a network, one request after another over the walk's mix"
        " of webhooks (150 calls, best of 3): CPU per request, every thread of the process counted, so the"
        " call-records writer too. What the server adds (accepting, parsing, logging, closing) is the same for"
        " both; compare server CPU per request in the results above. *Spaced*: the median time of one request"
        f" when each comes {SPACE_SECONDS[0] * 1000:.0f}-{SPACE_SECONDS[1] * 1000:.0f} ms after the last"
        f" ({SPACED_REQUESTS} requests), as they do"
        " to a server that is not busy, whose processor caches have by then let go of the app's code and data.\n",
        "| app | CPU per request, back to back | one request, spaced |",
        "| --- | ---: | ---: |",
    ]
    rows += [f"| {cost.app} | {cost.cpu_us:,.0f} µs | {cost.spaced_us:,.0f} µs |" for cost in b.request_costs]
    return "\n".join(rows) + "\n"


def _other_costs(b: Benchmark) -> str:
    load, render_ = b.line_load, b.render
    rows = [
        "## Loading a line, rendering its audio\n",
        f"- Loading and validating `{load.file}` (YAML, shape, tree), median of {load.repetitions}:"
        f" **{load.median_ms:.1f} ms** (p95 {load.p95_ms:.1f} ms); preparing its call flow:"
        f" {load.flow_median_ms:.2f} ms. Each worker does this at start and when the file changes.",
    ]
    if render_.seconds_per_audio_second is None:
        rows.append(f"- Rendering prompts to audio: {render_.note}.")
    else:
        rows.append(
            f"- Rendering the line's audio, {render_.prompts} files (every prompt at every rate,"
            f" {render_.audio_seconds / 60:.1f} minutes of speech), in {render_.workers} worker processes:"
            f" {render_.wall_seconds:.1f} s, **{render_.seconds_per_audio_second * 1000:.1f} ms per second of"
            f" speech** ({1 / render_.seconds_per_audio_second:.0f}x faster than it is spoken), starting the"
            " workers and their engines included; about"
            f" {render_.seconds_per_audio_second * render_.workers * 1000:.0f} ms of one core per second of speech."
            " The line under load plays this audio." + (f" {render_.note}." if render_.note else "")
        )
    return "\n".join(rows) + "\n"


def level_line(level: Level) -> str:
    """One line for the terminal while the benchmark runs."""
    all_ = level.overall
    return (
        f"{level.server:5s} {level.calls:6,} calls: {level.throughput:7.1f} req/s, p50 {_ms(all_.p50)} ms,"
        f" p95 {_ms(all_.p95)} ms, p99 {_ms(all_.p99)} ms, {level.errors} errors,"
        f" server CPU {level.usage.server_cpu:.0f} %, RSS {level.usage.server_rss_mb:.0f} MB,"
        f" PSS {level.usage.server_pss_mb:.0f} MB,"
        f" driver CPU {level.usage.driver_cpu:.0f} %, machine {level.usage.machine_cpu:.0f} %"
    )
