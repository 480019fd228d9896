"""Dashboard sign-ins and sign-in attempts, kept in the call records' database.

Every worker of a server, and every server sharing the database, sees the same sign-ins and
counts the same attempts: a session opened on one is open on all, and signing out ends it on all.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select, update

from ivr.store.schema import DashboardSession, SignInAttempt
from ivr.store.store import Store


def open_session(store: Store, session_id: str, mark: str, now: dt.datetime, lifetime: dt.timedelta) -> None:
    """Keep a new sign-in until ``now + lifetime``; sign-ins that ended or expired are forgotten."""
    with store.reading(), store.writing() as connection:
        connection.execute(
            delete(DashboardSession).where(
                (DashboardSession.expires_at < now) | (DashboardSession.ended_at.is_not(None))
            )
        )
        connection.execute(
            insert(DashboardSession).values(
                id=session_id, password_mark=mark, created_at=now, expires_at=now + lifetime
            )
        )


def session_is_open(store: Store, session_id: str, mark: str, now: dt.datetime) -> bool:
    """Whether the sign-in is open: not signed out, not expired, and made with the current password."""
    query = select(DashboardSession.id).where(
        DashboardSession.id == session_id,
        DashboardSession.password_mark == mark,
        DashboardSession.ended_at.is_(None),
        DashboardSession.expires_at > now,
    )
    with store.reading(), store.engine.connect() as connection:
        return connection.execute(query).first() is not None


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
