"""The tables of the call records. Alembic's migrations create and change them; this is their shape now."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment, kept as UTC without a zone in every database and read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("call records take aware datetimes only")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None else None


class Base(DeclarativeBase):
    #: Named constraints, so that migrations can name what they change on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Call(Base):
    """One phone call: when it started and ended, and whose it was as a keyed hash."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    line: Mapped[str] = mapped_column(String(200))
    caller_hash: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(String(20))
    #: The language the call was answered in (a BCP 47 tag such as "es"); None for a line's only language.
    language: Mapped[str | None] = mapped_column(String(16))
    #: "voice" for a phone call, "text" for a conversation by text message (its turns are its messages).
    channel: Mapped[str] = mapped_column(String(8), default="voice", server_default="voice")

    __table_args__ = (
        Index("ix_calls_line_started_at", "line", "started_at"),
        # A caller's last call, for the language they chose (call.remember_language).
        Index("ix_calls_caller_hash_started_at", "caller_hash", "started_at"),
    )


class Event(Base):
    """One turn of a call: a node reached, an answer given, a transfer and its result."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    call_sid: Mapped[str] = mapped_column(String(64), ForeignKey("calls.call_sid", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    node: Mapped[str] = mapped_column(String(64))
    from_node: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(8))
    input: Mapped[str | None] = mapped_column(String(8))
    digits: Mapped[str | None] = mapped_column(String(32))
    speech: Mapped[str | None] = mapped_column(Text)
    transfer_to: Mapped[str | None] = mapped_column(String(16))
    dial_status: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (Index("ix_events_call_sid_at", "call_sid", "at"),)


class DashboardSession(Base):
    """A sign-in to the dashboard, so that every worker and server sees it, and signing out ends it."""

    __tablename__ = "dashboard_sessions"

    #: SHA-256 of the token in the browser's cookie: the table alone opens no session.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Which password (and secret key) the session was opened with: changing either ends it.
    password_mark: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The staff account signed in; None for a sign-in with the clinic's shared password.
    account: Mapped[str | None] = mapped_column(String(100))


class SignInAttempt(Base):
    """One attempt to sign in to the dashboard, counted against the limit by every worker and server."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A keyed hash of who tried (an address, or a browser that signed in before), never the address.
    who: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_sign_in_attempts_who_at", "who", "at"),)


class TextConversation(Base):
    """Where a texter is on a line, so that their next message, on any worker or server, goes on from there."""

    __tablename__ = "text_conversations"

    #: The keyed hash of the texter's number, as the call records keep callers: never the number.
    caller_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    line: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The place in the line's call flow, as JSON.
    state: Mapped[str] = mapped_column(Text)
    #: The conversation's id in the call records (its ``calls.call_sid``), so that its messages are counted as one.
    conversation: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_text_conversations_updated_at", "updated_at"),)


class TextOptOut(Base):
    """A number that said STOP: nothing is written to it, by any line sharing the database, until START."""

    __tablename__ = "text_opt_outs"

    caller_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LineVersion(Base):
    """One version of a line, as published: never changed, never removed; the newest is the one served."""

    __tablename__ = "line_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The line's name, as its file gives it.
    line: Mapped[str] = mapped_column(String(200))
    #: 1 for the line's first version, then one more for each publish.
    number: Mapped[int]
    #: The line file's text, exactly.
    text: Mapped[str] = mapped_column(Text)
    #: sha256 of the text's UTF-8 bytes.
    digest: Mapped[str] = mapped_column(String(64))
    #: How it came: "file" (the line file changed), "publish" or "rollback".
    source: Mapped[str] = mapped_column(String(20))
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
    #: For a rollback, the number of the version published again.
    again_of: Mapped[int | None]

    __table_args__ = (UniqueConstraint("line", "number"),)


class StaffAccount(Base):
    """A named account for the dashboard, with its role; only the password's hash is kept."""

    __tablename__ = "staff_accounts"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class StaffAction(Base):
    """Something a member of staff did (signed in, published, changed an account): who, when, what. Never
    anything about a caller."""

    __tablename__ = "staff_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    who: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_staff_actions_at", "at"),)


class LineDraft(Base):
    """A draft of a line, edited on the dashboard until it is published or thrown away."""

    __tablename__ = "line_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(200))
    #: Where it started, in plain words: "version 3", "the file line.yaml".
    started_from: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: When it was thrown away, and by whom; None while it is being edited.
    discarded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    discarded_by: Mapped[str | None] = mapped_column(String(200))
    #: The version it was published as, if it was.
    published_as: Mapped[int | None]

    __table_args__ = (Index("ix_line_drafts_line", "line"),)


class LineDraftRevision(Base):
    """One save of a draft: its whole text, who saved it and when. Two saves of the same revision cannot both be
    kept (the unique constraint), which is how a second editor's save is noticed rather than written over."""

    __tablename__ = "line_draft_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("line_drafts.id", ondelete="CASCADE"))
    #: 1 for the text it started with, then one more for each save.
    revision: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("draft_id", "revision"),)
