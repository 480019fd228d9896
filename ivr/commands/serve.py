"""`ivr serve`: answer calls, with the line's webhooks under gunicorn."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ivr.commands.errors import CannotRun, Command, CommandFailed

LINE_HELP = "The line file (default: the LINE_FILE setting, or the Botox line, prompts/botox-inflammation.yaml)."


def serve_line(host: str, port: int, workers: int, line_file: str | None = None, dev: bool = False) -> None:
    """Serve the line until stopped; raises CommandFailed for a line file with errors, CannotRun for an unsafe
    setting."""
    from ivr import UnsafeConfiguration
    from ivr.line.validate import LineInvalid, format_problems
    from ivr.serving import serve

    if line_file:
        os.environ["IVR_LINE_FILE"] = str(Path(line_file).resolve())
    if dev:
        os.environ["IVR_DEV_MODE"] = "true"
    try:
        serve(host, port, workers)
    except LineInvalid as invalid:
        raise CommandFailed(f"Not serving: the line file has errors.\n{format_problems(invalid.problems)}") from None
    except UnsafeConfiguration as unsafe:
        raise CannotRun(f"Not serving: {unsafe}") from None


def _at_least(smallest: int, value: int, param: click.Parameter) -> int:
    if value < smallest:
        raise click.BadParameter(f"{value} is too small: give {smallest} or more", param=param)
    return value


@click.command(cls=Command)
@click.option("--host", envvar="IVR_HOST", default="127.0.0.1", show_default=True, show_envvar=True,
              help="Address to listen on.")
@click.option("--port", envvar="IVR_PORT", type=int, default=8000, show_default=True, show_envvar=True,
              callback=lambda ctx, param, value: _at_least(1, value, param), help="Port to listen on.")
@click.option("--workers", envvar="IVR_WORKERS", type=int, default=2, show_default=True, show_envvar=True,
              callback=lambda ctx, param, value: _at_least(1, value, param), help="Gunicorn worker processes.")
@click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None, help=LINE_HELP)
@click.option("--dev", is_flag=True, help="Development mode: do not check Twilio signatures (IVR_DEV_MODE).")
def serve(host: str, port: int, workers: int, line_file: str | None, dev: bool) -> None:
    """Answer calls: run the line's webhooks under gunicorn."""
    serve_line(host, port, workers, line_file, dev)
