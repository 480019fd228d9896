"""The call records' database as a command reaches it: from the settings, with no app built."""

from __future__ import annotations

import getpass

from ivr.commands.errors import CannotRun
from ivr.store import Store


def open_records() -> Store:
    """The database DATABASE_URL names (or the instance folder's SQLite file), its tables up to date."""
    from flask import Flask

    from ivr import settings
    from ivr.store.engine import database_url

    config = settings()
    instance = Flask("ivr", instance_relative_config=True).instance_path
    setting = config.get("DATABASE_URL") or ""
    try:
        store = Store.open(database_url(str(setting), instance), timeout=float(config["RECORD_TIMEOUT_SECONDS"]))
        store.migrate()
    except Exception as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CannotRun(f"Cannot reach the database the line keeps its records in ({first}): check DATABASE_URL") \
            from None
    return store


def password_cost() -> int:
    from ivr import settings

    return int(settings()["DASHBOARD_PASSWORD_COST"])


def at_the_terminal() -> str:
    """Who runs this command, for the staff record."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "someone"
    return f"{user} (command line)"
