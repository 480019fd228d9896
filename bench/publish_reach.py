"""How long a published version of the line takes to reach every worker of every server sharing the database.

Two servers (``ivr serve``, two workers each) share one database. Each round publishes a version (the Botox
line with one answer's text changed, then back) as ``ivr line publish`` does, and asks each server's
/healthz, a new connection each time, until :data:`IN_A_ROW` answers in a row from each name the new
version: the time of the first of those is when it reached every worker. ``python -m bench.publish_reach``
writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import click

from bench.sections import commit, write_section
from bench.servers import line_server
from ivr.config import DEFAULT_LINE_FILE, PROJECT_ROOT
from ivr.store import Store
from ivr.web.versions import publish_text

#: Answers in a row naming the new version, from each server, for it to count as reached by every worker.
IN_A_ROW = 12
PATIENCE = 30.0


def _published(base: str) -> int | None:
    with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # a new connection each time
        found = json.load(answer)["line"]["published"]
    return int(found) if found is not None else None


def _reached(bases: list[str], number: int, since: float) -> float:
    """Seconds from ``since`` until every server's answers name ``number`` :data:`IN_A_ROW` times in a row."""
    first_of_run = {base: None for base in bases}
    in_a_row = dict.fromkeys(bases, 0)
    while min(in_a_row.values()) < IN_A_ROW:
        if time.monotonic() - since > PATIENCE:
            raise click.ClickException(f"version {number} did not reach every worker in {PATIENCE:.0f} s")
        for base in bases:
            if in_a_row[base] >= IN_A_ROW:
                continue
            asked = time.monotonic()
            if _published(base) == number:
                first_of_run[base] = first_of_run[base] or asked  # type: ignore[assignment]
                in_a_row[base] += 1
            else:
                first_of_run[base], in_a_row[base] = None, 0
        time.sleep(0.01)
    return max(at for at in first_of_run.values() if at is not None) - since  # type: ignore[type-var]


def measure(database_url: str, rounds: int, folder: Path) -> list[float]:
    token = secrets.token_hex(16)
    servers = []
    for name in ("one", "two"):
        (folder / name).mkdir()
        server = line_server(2, token, folder / name)
        server.env["IVR_DATABASE_URL"] = database_url
        servers.append(server)
    store = Store.open(database_url, timeout=5.0)
    original = DEFAULT_LINE_FILE.read_bytes()
    changed = original.replace(b"within one to two days.", b"within two days at most.")
    seconds = []
    try:
        for server in servers:
            server.start()
        for n in range(rounds):
            time.sleep(0.5 + (n % 4) * 0.37)  # so that publishes fall at different points of the workers' polls
            started = time.monotonic()
            made = publish_text(store, changed if n % 2 == 0 else original, name="bench", by="the benchmark",
                                note=f"round {n + 1}")
            seconds.append(_reached([server.base for server in servers], made.number, started))
            click.echo(f"round {n + 1}: version {made.number} on every worker in {seconds[-1]:.2f} s", err=True)
    finally:
        for server in servers:
            server.stop()
        store.close()
    return seconds


def report(results: dict[str, list[float]], command: str) -> str:
    rows = [
        "## A published version reaching every worker\n",
        f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} with `{command}` (commit {commit()}), on"
        f" {os.cpu_count()} cores (load average {os.getloadavg()[0]:.2f} at the end). Two servers (`ivr serve`,"
        " two workers each, `IVR_LINE_RELOAD_SECONDS` 2) share one database; each round publishes a version"
        f" and asks each server's `/healthz` until {IN_A_ROW} answers in a row, each on a new connection, name"
        " it. Target: within 5 s.\n",
        "| database | rounds | median | 90th percentile | worst |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for database, seconds in results.items():
        ordered = sorted(seconds)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        rows.append(f"| {database} | {len(seconds)} | {statistics.median(seconds):.2f} s | {p90:.2f} s"
                    f" | {max(seconds):.2f} s |")
    return "\n".join(rows) + "\n"


@click.command()
@click.option("--rounds", type=int, default=20, show_default=True)
@click.option("--postgresql", "postgres_url", default=None, metavar="URL",
              help="Measure on this (empty) PostgreSQL database too.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=PROJECT_ROOT / "docs" / "benchmarks.md", show_default="docs/benchmarks.md")
def main(rounds: int, postgres_url: str | None, output: Path) -> None:
    """Publish ROUNDS versions and time each one's way to every worker of two servers."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="ivr-publish-") as work:
        sqlite_folder = Path(work) / "sqlite"
        sqlite_folder.mkdir()
        results["SQLite"] = measure(f"sqlite:///{Path(work) / 'records.sqlite3'}", rounds, sqlite_folder)
        if postgres_url:
            folder = Path(work) / "postgresql"
            folder.mkdir()
            results["PostgreSQL"] = measure(postgres_url, rounds, folder)
    command = " ".join(["python -m bench.publish_reach", *("<URL>" if a == postgres_url else a for a in sys.argv[1:])])
    write_section(output, "publish-reach", report(results, command))
    click.echo(f"wrote {output}")


if __name__ == "__main__":
    main()
