"""`ivr purge`: remove old call records."""

from __future__ import annotations

import click

from ivr.commands.errors import BadOption, Command, CommandFailed


def purge_older_than(older_than: str) -> str:
    """Remove the calls that started longer ago than ``older_than`` ("90d", "12w"); what was removed."""
    from ivr import create_app
    from ivr.store import RecordsUnavailable
    from ivr.store.purge import parse_age
    from ivr.web import purge_records

    try:
        age = parse_age(older_than)
    except ValueError as error:
        raise BadOption(str(error), "--older-than") from None
    # Purging answers no calls, so it needs no Twilio token.
    with create_app(serving=False).app_context():
        try:
            purged = purge_records(age)
        except RecordsUnavailable as unavailable:
            raise CommandFailed(f"Cannot purge: {unavailable} (check DATABASE_URL)") from None
    return f"Removed {purged.calls} calls and {purged.events} events older than {older_than.strip()}."


@click.command(cls=Command)
@click.option("--older-than", "older_than", required=True, metavar="AGE",
              help="Remove calls that started longer ago than this: 90d (days) or 12w (weeks).")
def purge(older_than: str) -> None:
    """Remove old call records, with every turn of those calls."""
    click.echo(purge_older_than(older_than))
