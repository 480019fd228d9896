"""The `ivr` command: serve a line, check a line file, try a line from the terminal."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from ivr.config import DEFAULT_LINE_FILE


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """An accessible voice information line for clinics."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check line files; print every problem with its file, line and node."""
    from ivr.line.errors import LineInvalid, format_problems
    from ivr.line.load import load_line

    failed = False
    for path in files:
        try:
            loaded = load_line(path)
        except LineInvalid as invalid:
            click.echo(format_problems(invalid.problems), err=True)
            failed = True
            continue
        if loaded.warnings:
            click.echo(format_problems(loaded.warnings))
        click.echo(f"{path}: ok, {len(loaded.line.nodes)} nodes")
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--host", default=lambda: os.environ.get("IVR_HOST", "127.0.0.1"), show_default="127.0.0.1",
              help="Address to listen on (IVR_HOST).")
@click.option("--port", type=int, default=lambda: int(os.environ.get("IVR_PORT", "8000")), show_default="8000",
              help="Port to listen on (IVR_PORT).")
@click.option("--workers", type=int, default=lambda: int(os.environ.get("IVR_WORKERS", "2")),
              show_default="2", help="Gunicorn worker processes (IVR_WORKERS).")
@click.option("--line", "line_file", type=click.Path(dir_okay=False), default=None,
              help="The line file (IVR_LINE_FILE); the Botox line by default.")
@click.option("--dev", is_flag=True, help="Development mode: do not check Twilio signatures (IVR_DEV_MODE).")
def serve(host: str, port: int, workers: int, line_file: str | None, dev: bool) -> None:
    """Answer calls: run the line's webhooks under gunicorn."""
    from ivr import UnsafeConfiguration
    from ivr.line.errors import LineInvalid, format_problems
    from ivr.serving import serve as run_server

    if line_file:
        os.environ["IVR_LINE_FILE"] = str(Path(line_file).resolve())
    if dev:
        os.environ["IVR_DEV_MODE"] = "true"
    try:
        run_server(host, port, workers)
    except LineInvalid as invalid:
        click.echo(f"Not serving: the line file has errors.\n{format_problems(invalid.problems)}", err=True)
        sys.exit(1)
    except UnsafeConfiguration as unsafe:
        click.echo(f"Not serving: {unsafe}", err=True)
        sys.exit(2)


@main.command()
@click.option("--url", default=None, help="Call a line served at this base URL instead of in this process.")
@click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The line file to call in process (default: IVR_LINE_FILE or the Botox line).")
@click.option("--at", "at_time", default=None, metavar="ISO-TIME",
              help="Pretend the call is made at this time, e.g. 2026-11-24T20:00-05:00 (in process only).")
@click.option("--speak", is_flag=True, help="Also read every prompt aloud through this computer's sound output.")
def call(url: str | None, line_file: str | None, at_time: str | None, speak: bool) -> None:
    """Place a call on a line and hear it as text; type keys or words to answer."""
    from ivr.phone_cli import place_call

    sys.exit(place_call(url=url, line_file=line_file, at_time=at_time, speak=speak))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path),
                default=DEFAULT_LINE_FILE.parent / "line.schema.json")
def schema(path: Path) -> None:
    """Write the JSON Schema of line files, for editors that check YAML as it is typed."""
    from ivr.line.schema import write_schema

    write_schema(path)
    click.echo(f"wrote {path}")


@main.command()
@click.option("--older-than", "older_than", required=True, metavar="AGE",
              help="Remove calls that started longer ago than this: 90d (days) or 12w (weeks).")
def purge(older_than: str) -> None:
    """Remove old call records, with every turn of those calls."""
    from ivr import create_app
    from ivr.store.purge import parse_age
    from ivr.web.records import purge_records

    try:
        age = parse_age(older_than)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--older-than") from None
    with create_app().app_context():
        purged = purge_records(age)
    click.echo(f"Removed {purged.calls} calls and {purged.events} events older than {older_than.strip()}.")


_LINE_OPTION = click.option(
    "--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None,
    help="The line file (default: the LINE_FILE setting, the Botox line).",
)
_AUDIO_DIR_OPTION = click.option(
    "--audio-dir", type=click.Path(file_okay=False), default=None,
    help="Where rendered audio is kept (default: the AUDIO_DIR setting, audio/ in the instance folder).",
)


@main.command()
@_LINE_OPTION
@_AUDIO_DIR_OPTION
def render(line_file: str | None, audio_dir: str | None) -> None:
    """Render every prompt of a line, at each of its rates, to telephone audio; skip what is there."""
    from ivr.audio_cli import render_audio

    sys.exit(render_audio(line_file, audio_dir))


@main.command("audit-audio")
@_LINE_OPTION
@_AUDIO_DIR_OPTION
@click.option("--rate", "rates", type=int, multiple=True,
              help="Audit at this rate in words a minute (repeatable; default: the line's default rate).")
@click.option("--all-rates", is_flag=True, help="Audit at every rate of the line.")
@click.option("--answers-only", is_flag=True, help="Audit only the answers, which is faster.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every score and what was heard to this JSON file.")
def audit_audio(line_file: str | None, audio_dir: str | None, rates: tuple[int, ...], all_rates: bool,
                answers_only: bool, json_path: Path | None) -> None:
    """Measure how intelligible the rendered prompts are over a phone line (word error rate per prompt).

    Prints every prompt worst first. Fails unless, at the default rate, the median is at most 0.05 over
    all prompts and over the answers and no prompt is above 0.25, and at every other rate the median
    is at most 0.10.
    """
    from ivr.audio_cli import audit_audio as run_audit

    sys.exit(run_audit(line_file, audio_dir, rates, all_rates, answers_only, json_path))


if __name__ == "__main__":
    main()
