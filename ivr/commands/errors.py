"""What a command raises when it cannot do its work: a message for the person at the terminal and an exit status.

Each class carries its own exit status, as click's exceptions do, so that no command decides a number by
hand; the `ivr` group (:mod:`ivr.commands.main`) shows the message and exits with it.
"""

from __future__ import annotations

from typing import Any

import click


class CommandError(Exception):
    """A command could not do its work; its message says why and what to do, on its own (no "Error:").

    An empty message says nothing more: the command has printed its report already.
    """

    exit_code = 1

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def show(self) -> None:
        if self.message:
            click.echo(self.message, err=True)


class CommandFailed(CommandError):
    """The work failed (a line file with errors, a prompt not rendered, a bar missed): exit status 1."""


class CannotRun(CommandError):
    """The command cannot run as things are (an unsafe setting, a recogniser missing): exit status 2."""

    exit_code = 2


class BadOption(CommandError):
    """A value given to an option that cannot be used; said as click says a bad parameter (exit status 2)."""

    exit_code = click.UsageError.exit_code

    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


class Command(click.Command):
    """A command of the `ivr` group: a :class:`BadOption` raised by its function is said like click's own."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadOption as bad:
            raise click.BadParameter(bad.message, ctx=ctx, param_hint=bad.option) from None
