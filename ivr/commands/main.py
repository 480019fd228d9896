"""The `ivr` command: serve a line, check a line file, try a line from the terminal.

Whatever goes wrong, a command ends with a message saying what to do and a non-zero
exit, never a traceback (``--verbose`` shows one, for a developer).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, get_args

import click

from ivr.config import bundled_line_folder
from ivr.line import EngineName

logger = logging.getLogger(__name__)

#: Commands that serve calls; their log lines are the server's record and are shown.
_SERVER_COMMANDS = frozenset({"serve"})
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CommandFailed(click.ClickException):
    """A command could not do its work; its message says why and what to do, on its own (no "Error:")."""

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


class _Commands(click.Group):
    """The `ivr` group: every failure becomes a short message and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            raise _failure(error, verbose=bool(ctx.obj)) from error

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx else "ivr"
            click.echo(f"Error: {error.format_message()} (see: {command} --help)", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Stopped.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _failure(error: Exception, verbose: bool) -> click.ClickException:
    """The message for an error no command expected: what it was, in one line."""
    if verbose:
        logger.exception("The command failed")
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        return CommandFailed(f"Error: {error.strerror}{where}")
    said = str(error).splitlines()[0] if str(error) else type(error).__name__
    hint = "" if verbose else " (run with --verbose for the details)"
    return CommandFailed(f"Error: {said}{hint}")


def _configure_logging(verbose: bool, command: str | None) -> None:
    """Log lines are the server's record; the staff's commands show none unless asked (``--verbose``).

    An error logged by a staff command still shows, as one line without its traceback.
    """
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format=_LOG_FORMAT)
    elif command in _SERVER_COMMANDS:
        logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT)
    else:
        handler = logging.StreamHandler()
        handler.setFormatter(_OneLine("%(message)s"))
        logging.basicConfig(level=logging.ERROR, handlers=[handler])


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"ivr: {record.getMessage()}"


@click.group(cls=_Commands)
@click.option("-v", "--verbose", is_flag=True, help="Show the log lines of the line and its libraries, and the full "
              "detail of any error.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """An accessible voice information line for clinics."""
    ctx.obj = verbose
    _configure_logging(verbose, ctx.invoked_subcommand)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check line files; print every problem with its file, line and node."""
    from ivr.line.validate import LineInvalid, format_problems, load_line

    failed = False
    for path in files:
        try:
            loaded = load_line(path)
        except LineInvalid as invalid:
            click.echo(format_problems(invalid.problems), err=True)
            _say_if_served_from_last_good(path)
            failed = True
            continue
        if loaded.warnings:
            click.echo(format_problems(loaded.warnings))
        click.echo(f"{path}: ok, {len(loaded.line.nodes)} nodes")
    sys.exit(1 if failed else 0)


def _say_if_served_from_last_good(path: Path) -> None:
    """A broken file that a server has answered with: say that it answers with the last good version."""
    from flask import Flask

    from ivr import settings
    from ivr.call.last_good import LastGoodLines, last_good_folder

    instance = Flask("ivr", instance_relative_config=True).instance_path
    kept = LastGoodLines(last_good_folder(settings()["LAST_GOOD_LINE_DIR"], instance)).kept(path)
    if kept is not None:
        click.echo(f"NOTE: {path} has been served: until it is fixed, servers answer with its last good version, "
                   f"kept at {kept.path} on {kept.kept_at:%Y-%m-%d %H:%M} UTC.", err=True)


def _at_least(smallest: int, value: int, param: click.Parameter) -> int:
    if value < smallest:
        raise click.BadParameter(f"{value} is too small: give {smallest} or more", param=param)
    return value


_LINE_HELP = "The line file (default: the LINE_FILE setting, or the Botox line, prompts/botox-inflammation.yaml)."


@main.command()
@click.option("--host", envvar="IVR_HOST", default="127.0.0.1", show_default=True, show_envvar=True,
              help="Address to listen on.")
@click.option("--port", envvar="IVR_PORT", type=int, default=8000, show_default=True, show_envvar=True,
              callback=lambda ctx, param, value: _at_least(1, value, param), help="Port to listen on.")
@click.option("--workers", envvar="IVR_WORKERS", type=int, default=2, show_default=True, show_envvar=True,
              callback=lambda ctx, param, value: _at_least(1, value, param), help="Gunicorn worker processes.")
@click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None, help=_LINE_HELP)
@click.option("--dev", is_flag=True, help="Development mode: do not check Twilio signatures (IVR_DEV_MODE).")
def serve(host: str, port: int, workers: int, line_file: str | None, dev: bool) -> None:
    """Answer calls: run the line's webhooks under gunicorn."""
    from ivr import UnsafeConfiguration
    from ivr.line.validate import LineInvalid, format_problems
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
@click.option("--url", default=None, help="Call a line served at this base URL (such as http://127.0.0.1:8000) "
              "instead of in this process; requests are signed with TWILIO_AUTH_TOKEN, which must be the server's.")
@click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The line file to call in this process (default: IVR_LINE_FILE, or the Botox line).")
@click.option("--at", "at_time", default=None, metavar="WHEN",
              help='Pretend the call is made at this time, in the clinic\'s time zone: "saturday 20:00", '
              '"monday", "13:30", or a full time such as 2026-11-28T20:00-05:00 (in process only).')
@click.option("--speak", is_flag=True, help="Also read every prompt aloud through this computer's sound output.")
@click.option("--language", default=None, metavar="CODE",
              help="Choose this language at the start of the call, as a caller does, by saying its name "
              '(es: "español"), in a line that offers it.')
def call(url: str | None, line_file: str | None, at_time: str | None, speak: bool, language: str | None) -> None:
    """Place a call on a line and hear it as text; type keys or words to answer."""
    from ivr.commands.call import place_call

    sys.exit(place_call(url=url, line_file=line_file, at_time=at_time, speak=speak, language=language))


def _default_schema_path() -> Path:
    """The repository's prompts/line.schema.json when run from a clone; else line.schema.json here."""
    folder = bundled_line_folder()
    return folder / "line.schema.json" if os.access(folder, os.W_OK) else Path("line.schema.json")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
def schema(path: Path | None) -> None:
    """Write the JSON Schema of line files, for editors that check YAML as it is typed.

    PATH defaults to prompts/line.schema.json beside the Botox line.
    """
    from ivr.line.validate import write_schema

    path = path or _default_schema_path()
    try:
        write_schema(path)
    except OSError as error:
        raise CommandFailed(f"Cannot write {path}: {error.strerror}") from None
    click.echo(f"wrote {path}")


@main.command()
@click.option("--older-than", "older_than", required=True, metavar="AGE",
              help="Remove calls that started longer ago than this: 90d (days) or 12w (weeks).")
def purge(older_than: str) -> None:
    """Remove old call records, with every turn of those calls."""
    from ivr import create_app
    from ivr.store import RecordsUnavailable
    from ivr.store.purge import parse_age
    from ivr.web import purge_records

    try:
        age = parse_age(older_than)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--older-than") from None
    # Purging answers no calls, so it needs no Twilio token.
    with create_app(serving=False).app_context():
        try:
            purged = purge_records(age)
        except RecordsUnavailable as unavailable:
            raise CommandFailed(f"Cannot purge: {unavailable} (check DATABASE_URL)") from None
    click.echo(f"Removed {purged.calls} calls and {purged.events} events older than {older_than.strip()}.")


_LINE_OPTION = click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None,
                            help=_LINE_HELP)
_AUDIO_DIR_OPTION = click.option(
    "--audio-dir", type=click.Path(file_okay=False), default=None,
    help="Where rendered audio is kept (default: the AUDIO_DIR setting, or audio/ in the instance folder).",
)


@main.command()
@_LINE_OPTION
@_AUDIO_DIR_OPTION
def render(line_file: str | None, audio_dir: str | None) -> None:
    """Render every prompt of a line, at each of its rates, to telephone audio; skip what is there."""
    from ivr.commands.audio import render_audio

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
@click.option("--language", default=None, metavar="LANGUAGE",
              help="Audit only this language of the line, such as es or es-US (default: every language).")
@click.option("--engine", type=click.Choice(get_args(EngineName)), default=None,
              help="Measure what this offline engine would give, instead of each language's own voice "
                   "(also for a language that Twilio's <Say> speaks).")
@click.option("--voice", default=None, metavar="NAME",
              help="With it, this voice of the engine, such as es-419 (default: the engine's voice for the language).")
def audit_audio(line_file: str | None, audio_dir: str | None, rates: tuple[int, ...], all_rates: bool,
                answers_only: bool, json_path: Path | None, language: str | None, engine: str | None,
                voice: str | None) -> None:
    """Measure how intelligible the rendered prompts are over a phone line (word error rate per prompt), in
    each language of the line.

    Prints every prompt worst first. Fails unless, at the default rate, the median is at most 0.05 over
    all prompts and over the answers and no prompt is above 0.25, and at every other rate the median
    is at most 0.10. A language that Twilio's <Say> speaks cannot be heard offline: it is reported as not
    audited (exit status 2 if nothing else was audited).
    """
    from ivr.commands.audio import audit_audio as run_audit

    sys.exit(run_audit(line_file, audio_dir, rates, all_rates, answers_only, json_path, language, engine, voice))
