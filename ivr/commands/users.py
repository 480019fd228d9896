"""`ivr users`: the dashboard's staff accounts and their roles."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ivr.commands.errors import BadOption, Command, CommandFailed
from ivr.commands.records_db import at_the_terminal, open_records, password_cost

ROLE_CHOICE = click.Choice(["viewer", "editor", "publisher"])


def read_password(password_file: Path | None) -> str:
    """The new password: from the file (``-`` for standard input), from standard input when it is not a
    terminal (a script), else asked twice, hidden."""
    from ivr.dashboard.accounts import password_problem

    if password_file is not None or not sys.stdin.isatty():
        try:
            text = sys.stdin.read() if password_file is None or str(password_file) == "-" else \
                password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise BadOption(f"cannot read the password from {password_file}: {error}", "--password-file") from None
        password = text.splitlines()[0] if text.splitlines() else ""
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="The password again")
    problem = password_problem(password)
    if problem:
        raise CommandFailed(f"Not done: {problem}")
    return password


def _account_change(change: str, *args: object) -> None:
    """Run one of :mod:`ivr.dashboard.accounts`' changes; its refusal said in plain words."""
    from ivr.dashboard import accounts
    from ivr.store.staff import AccountProblem
    from ivr.web.services import utc_now

    store = open_records()
    try:
        getattr(accounts, change)(store, *args, by=at_the_terminal(), now=utc_now())
    except AccountProblem as problem:
        raise CommandFailed(f"Not done: {problem}.") from None
    finally:
        store.close()


@click.group()
def users() -> None:
    """The dashboard's staff accounts: viewer (figures, exports), editor (drafts, trying them), publisher
    (publishing, rolling back, accounts)."""


@users.command(cls=Command)
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, required=True, help="What the account may do.")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Read the password from the first line of this file (- for standard input), for scripts.")
def add(name: str, role: str, password_file: Path | None) -> None:
    """Add an account; its password is asked for (or read from --password-file, or standard input)."""
    from ivr.dashboard.accounts import a_role
    from ivr.dashboard.auth import hash_password

    password = read_password(password_file)
    _account_change("make_account", name, role, hash_password(password, password_cost()))
    click.echo(f"{name} can now sign in to the dashboard as {a_role(role)}.")


@users.command(name="list", cls=Command)
def list_accounts() -> None:
    """Every account and its role."""
    from ivr.store.staff import accounts

    store = open_records()
    try:
        found = accounts(store)
    finally:
        store.close()
    if not found:
        click.echo("No accounts: the dashboard signs in with IVR_DASHBOARD_PASSWORD, if it is set.")
    for account in found:
        click.echo(f"{account.name}\t{account.role}\tsince {account.created_at:%Y-%m-%d}")


@users.command(cls=Command)
@click.argument("name")
def remove(name: str) -> None:
    """Remove an account; its sign-ins end at once. The last publisher cannot be removed."""
    _account_change("drop_account", name)
    click.echo(f"{name}'s account is removed.")


@users.command(cls=Command)
@click.argument("name")
@click.argument("role", type=ROLE_CHOICE)
def role(name: str, role: str) -> None:
    """Give an account another role."""
    from ivr.dashboard.accounts import a_role

    _account_change("change_role", name, role)
    click.echo(f"{name} is now {a_role(role)}.")


@users.command(cls=Command)
@click.argument("name")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Read the password from the first line of this file (- for standard input), for scripts.")
def password(name: str, password_file: Path | None) -> None:
    """Give an account a new password; its sign-ins end."""
    from ivr.dashboard.auth import hash_password

    new = read_password(password_file)
    _account_change("change_password", name, hash_password(new, password_cost()))
    click.echo(f"{name}'s password is changed.")
