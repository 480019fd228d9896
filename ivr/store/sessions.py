"""Dashboard sign-ins and sign-in attempts, kept in the call records' database.

Every worker of a server, and every server sharing the database, sees the same sign-ins and
counts the same attempts: a session opened on one is open on all, and signing out ends it on all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update

from ivr.store.schema import DashboardSession, SignInAttempt, StaffAccount
from ivr.store.store import Store


def open_session(store: Store, session_id: str, mark: str, now: dt.datetime, lifetime: dt.timedelta,
                 account: str | None = None) -> None:
    """Keep a new sign-in (of ``account``, or with the shared password) until ``now + lifetime``; sign-ins that
    ended or expired are forgotten."""
    with store.reading(), store.writing() as connection:
        connection.execute(
            delete(DashboardSession).where(
                (DashboardSession.expires_at < now) | (DashboardSession.ended_at.is_not(None))
            )
        )
        connection.execute(
            insert(DashboardSession).values(
                id=session_id, password_mark=mark, created_at=now, expires_at=now + lifetime, account=account
            )
        )


@dataclass(frozen=True)
class OpenSession:
    #: Which password the sign-in was made with (and the secret key): the caller checks it is still the one.
    mark: str
    #: The account signed in; None for the shared password.
    account: str | None
    #: The account's role and password hash now; None for the shared password or an account since removed.
    role: str | None
    password_hash: str | None


def open_sign_in(store: Store, session_id: str, now: dt.datetime) -> OpenSession | None:
    """The sign-in, if it is open (not signed out, not expired), with its account as it is now."""
    query = (
        select(DashboardSession.password_mark, DashboardSession.account, StaffAccount.role,
               StaffAccount.password_hash)
        .outerjoin(StaffAccount, StaffAccount.name == DashboardSession.account)
        .where(DashboardSession.id == session_id, DashboardSession.ended_at.is_(None),
               DashboardSession.expires_at > now)
    )
    with store.reading(), store.engine.connect() as connection:
        row = connection.execute(query).first()
    return OpenSession(row.password_mark, row.account, row.role, row.password_hash) if row else None


def end_session(store: Store, session_id: str, now: dt.datetime) -> None:
    with store.reading(), store.writing() as connection:
        connection.execute(update(DashboardSession).where(DashboardSession.id == session_id).values(ended_at=now))


def count_attempt(store: Store, who: str, now: dt.datetime, window: dt.timedelta, allowed: int) -> float:
    """Count an attempt by ``who`` against ``allowed`` attempts in any ``window``: 0 if it is within
    the limit, otherwise the seconds until ``who`` may try again.

    Every attempt counts, refused ones too. Each is committed before it is counted, so attempts
    made at the same moment on different workers each count all those committed before them:
    however many arrive at once, no more than ``allowed`` are let through.
    """
    since = now - window
    with store.reading():
        with store.writing() as connection:
            connection.execute(delete(SignInAttempt).where(SignInAttempt.at <= since))
            connection.execute(insert(SignInAttempt).values(who=who, at=now))
        with store.engine.connect() as connection:
            mine = (SignInAttempt.who == who, SignInAttempt.at > since)
            count = int(connection.execute(select(func.count()).where(*mine)).scalar() or 0)
            if count <= allowed:
                return 0.0
            # The next attempt is let through once enough of these have left the window.
            freed_by = connection.execute(
                select(SignInAttempt.at).where(*mine).order_by(SignInAttempt.at).offset(count - allowed).limit(1)
            ).scalar()
    return max(((freed_by or now) + window - now).total_seconds(), 1.0)
