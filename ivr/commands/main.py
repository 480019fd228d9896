"""The `ivr` command: serve a line, check a line file, try a line from the terminal, render and audit its
audio, purge old records (one module of :mod:`ivr.commands` for each).

Whatever goes wrong, a command ends with a message saying what to do and a non-zero
exit, never a traceback (``--verbose`` shows one, for a developer).
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any, cast

import click

from ivr.commands.errors import CommandError, CommandFailed

logger = logging.getLogger(__name__)

#: Commands that serve calls; their log lines are the server's record and are shown.
_SERVER_COMMANDS = frozenset({"serve"})
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Each command: the module of :mod:`ivr.commands` that holds it, and its function there. A command's module is
#: imported only when the command is run (or listed by --help): `ivr validate` need not load what
#: `ivr users` needs (the database, the dashboard), so each command starts in a fraction of the time.
_COMMANDS = {
    "validate": ("line", "validate"),
    "schema": ("line", "schema"),
    "serve": ("serve", "serve"),
    "call": ("call", "call"),
    "text": ("text", "text"),
    "purge": ("records", "purge"),
    "render": ("audio", "render"),
    "audit-audio": ("audio", "audit_audio"),
    "line": ("versions", "line"),
    "users": ("users", "users"),
}


class _Commands(click.Group):
    """The `ivr` group: every failure becomes a short message and an exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, name = _COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"ivr.commands.{module}"), name)
        assert isinstance(command, click.Command), f"ivr.commands.{module}.{name} is not a command"
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (CommandError, click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            raise _failure(error, verbose=bool(ctx.obj)) from error

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        run = cast(Callable[..., Any], super().main)  # click's overloads cannot be matched with *args
        if not standalone_mode:
            return run(*args, standalone_mode=False, **kwargs)
        try:
            result = run(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx else "ivr"
            click.echo(f"Error: {error.format_message()} (see: {command} --help)", err=True)
            sys.exit(error.exit_code)
        except (CommandError, click.ClickException) as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Stopped.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _failure(error: Exception, verbose: bool) -> CommandError:
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

