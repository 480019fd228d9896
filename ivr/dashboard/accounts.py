"""Staff accounts, made and changed from the dashboard or the command line, each change kept in the staff record.

Plain functions over the store, so that ``ivr users`` and the accounts page do the same thing.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from ivr.store import Store
from ivr.store.staff import ROLES, AccountProblem, add_account, record_action, remove_account, set_password, set_role

#: The shortest password an account may have.
SHORTEST_PASSWORD = 10
LONGEST_NAME = 100


def a_role(role: str) -> str:
    """"a viewer", "an editor", "a publisher"."""
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as an account's name, in plain words; None when nothing is."""
    if not name.strip():
        return "Give the person's name."
    if len(name) > LONGEST_NAME:
        return f"A name can be {LONGEST_NAME} characters at most."
    if name != name.strip() or any(unicodedata.category(c).startswith("C") for c in name):
        return "A name cannot start or end with a space, or hold invisible characters."
    return None


def password_problem(password: str) -> str | None:
    if len(password) < SHORTEST_PASSWORD:
        return f"A password needs {SHORTEST_PASSWORD} characters at least."
    return None


def make_account(store: Store, name: str, role: str, password_hash: str, *, by: str, now: dt.datetime) -> None:
    """Add an account (its password hashed already) and keep who made it; raises AccountProblem."""
    problem = name_problem(name)
    if problem:
        raise AccountProblem(problem)
    if role not in ROLES:
        raise AccountProblem(f"{role!r} is not a role: give one of {', '.join(ROLES)}")
    add_account(store, name, role, password_hash, now)
    record_action(store, now, by, "account added", f"{name} ({role})")


def change_role(store: Store, name: str, role: str, *, by: str, now: dt.datetime) -> None:
    set_role(store, name, role)
    record_action(store, now, by, "role changed", f"{name} is now {a_role(role)}")


def change_password(store: Store, name: str, password_hash: str, *, by: str, now: dt.datetime) -> None:
    set_password(store, name, password_hash)
    record_action(store, now, by, "password changed", name)


def drop_account(store: Store, name: str, *, by: str, now: dt.datetime) -> None:
    remove_account(store, name, now)
    record_action(store, now, by, "account removed", name)
