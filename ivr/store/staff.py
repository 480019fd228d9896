"""Staff accounts for the dashboard, with their roles, and the record of what staff did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ivr.store.schema import DashboardSession, StaffAccount, StaffAction
from ivr.store.store import Store

#: The roles, each allowed what the ones before it are: viewer (figures and exports), editor (drafts and
#: trying them), publisher (publishing, rolling back and accounts).
ROLES = ("viewer", "editor", "publisher")


class AccountProblem(ValueError):
    """An account change that cannot be made; the message says why, in plain words."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Action:
    at: dt.datetime
    who: str
    action: str
    detail: str


def accounts(store: Store) -> list[Account]:
    """Every account, by name."""
    with store.reading(), store.engine.connect() as connection:
        rows = connection.execute(select(*StaffAccount.__table__.c).order_by(StaffAccount.name))
        return [Account(row.name, row.role, row.password_hash, row.created_at) for row in rows]


def account(store: Store, name: str) -> Account | None:
    query = select(*StaffAccount.__table__.c).where(StaffAccount.name == name)
    with store.reading(), store.engine.connect() as connection:
        row = connection.execute(query).first()
    return Account(row.name, row.role, row.password_hash, row.created_at) if row else None


def any_account(store: Store) -> bool:
    """Whether any account exists: until one does, the clinic's shared password signs in."""
    with store.reading(), store.engine.connect() as connection:
        return connection.execute(select(StaffAccount.name).limit(1)).first() is not None


def add_account(store: Store, name: str, role: str, password_hash: str, now: dt.datetime) -> None:
    _check_role(role)
    with store.reading():
        try:
            with store.writing() as connection:
                connection.execute(insert(StaffAccount).values(name=name, role=role, password_hash=password_hash,
                                                               created_at=now))
        except IntegrityError:
            raise AccountProblem(f"there is already an account named {name!r}") from None


def set_role(store: Store, name: str, role: str) -> None:
    """Give ``name`` another role; the last publisher keeps theirs, so that someone can always manage accounts."""
    _check_role(role)
    with store.reading(), store.writing() as connection:
        found = _role_of(connection, name)
        if role != "publisher" and found == "publisher":
            _keep_a_publisher(connection, name)
        connection.execute(update(StaffAccount).where(StaffAccount.name == name).values(role=role))


def set_password(store: Store, name: str, password_hash: str) -> None:
    """A new password for ``name``: their sign-ins end (each was made with the old one)."""
    with store.reading(), store.writing() as connection:
        _role_of(connection, name)
        connection.execute(update(StaffAccount).where(StaffAccount.name == name).values(password_hash=password_hash))


def remove_account(store: Store, name: str, now: dt.datetime) -> None:
    """Remove ``name`` and end their sign-ins; never the last publisher."""
    with store.reading(), store.writing() as connection:
        if _role_of(connection, name) == "publisher":
            _keep_a_publisher(connection, name)
        connection.execute(delete(StaffAccount).where(StaffAccount.name == name))
        connection.execute(update(DashboardSession).where(DashboardSession.account == name,
                                                          DashboardSession.ended_at.is_(None)).values(ended_at=now))


def record_action(store: Store, at: dt.datetime, who: str, action: str, detail: str = "") -> None:
    with store.reading(), store.writing() as connection:
        connection.execute(insert(StaffAction).values(at=at, who=who[:200], action=action[:40], detail=detail))


def actions(store: Store, since: dt.datetime | None = None, until: dt.datetime | None = None) -> Iterator[Action]:
    """What staff did, newest first, between ``since`` and ``until`` (both optional)."""
    query = select(StaffAction.at, StaffAction.who, StaffAction.action, StaffAction.detail)
    if since is not None:
        query = query.where(StaffAction.at >= since)
    if until is not None:
        query = query.where(StaffAction.at < until)
    with store.reading(), store.engine.connect() as connection:
        rows = connection.execute(query.order_by(StaffAction.at.desc(), StaffAction.id.desc())).all()
    return (Action(row.at, row.who, row.action, row.detail) for row in rows)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountProblem(f"{role!r} is not a role: give one of {', '.join(ROLES)}")


def _role_of(connection: Connection, name: str) -> str:
    role = connection.execute(select(StaffAccount.role).where(StaffAccount.name == name)).scalar()
    if role is None:
        raise AccountProblem(f"there is no account named {name!r}")
    return str(role)


def _keep_a_publisher(connection: Connection, leaving: str) -> None:
    others = connection.execute(select(func.count()).where(StaffAccount.role == "publisher",
                                                           StaffAccount.name != leaving)).scalar()
    if not others:
        raise AccountProblem(f"{leaving!r} is the only publisher: make another account a publisher first, so "
                             "that someone can still manage accounts and publish")
