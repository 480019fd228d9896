"""Text conversations kept in the call records' database, by the keyed hash of the texter's number.

Every worker and server sharing the database sees the same place and the same STOP: a texter's next
message goes on from where the last left them, wherever it is answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ivr.store.schema import TextConversation, TextOptOut
from ivr.store.store import Store


@dataclass(frozen=True)
class Kept:
    """What the database holds of a texter: their place on the line (None: none, or expired), and whether
    they said STOP."""

    state: str | None
    stopped: bool
    #: The conversation's id in the call records, while its place is kept.
    conversation: str | None = None


def kept(store: Store, caller_hash: str, line: str, since: dt.datetime) -> Kept:
    """The texter's place if it was kept after ``since``, and whether they said STOP."""
    with store.reading(), store.engine.connect() as connection:
        found = connection.execute(
            select(TextConversation.state, TextConversation.conversation).where(
                TextConversation.caller_hash == caller_hash, TextConversation.line == line,
                TextConversation.updated_at > since)
        ).first()
        stopped = connection.execute(select(TextOptOut.caller_hash).where(TextOptOut.caller_hash == caller_hash))
        state, conversation = found if found is not None else (None, None)
        return Kept(state, stopped.first() is not None, conversation)


def keep(store: Store, caller_hash: str, line: str, state: str | None, now: dt.datetime,
         expired: dt.datetime, conversation: str | None = None) -> None:
    """Keep the texter's place (None: forget it) and the conversation's id in the records; conversations of
    the line last moved before ``expired`` are forgotten on the way, so that no place outlives its few hours."""
    insert = postgresql.insert if store.engine.dialect.name == "postgresql" else sqlite.insert
    with store.writing() as connection:
        connection.execute(delete(TextConversation).where(TextConversation.line == line,
                                                          TextConversation.updated_at <= expired))
        if state is None:
            connection.execute(delete(TextConversation).where(TextConversation.caller_hash == caller_hash,
                                                              TextConversation.line == line))
            return
        row = insert(TextConversation).values(caller_hash=caller_hash, line=line, state=state, updated_at=now,
                                              conversation=conversation)
        connection.execute(row.on_conflict_do_update(
            index_elements=["caller_hash", "line"],
            set_={"state": state, "updated_at": now, "conversation": conversation}))


def stop(store: Store, caller_hash: str, now: dt.datetime) -> None:
    """The texter said STOP: nothing is written to them again, and their conversations are forgotten."""
    insert = postgresql.insert if store.engine.dialect.name == "postgresql" else sqlite.insert
    with store.writing() as connection:
        connection.execute(insert(TextOptOut).values(caller_hash=caller_hash, at=now)
                           .on_conflict_do_nothing(index_elements=["caller_hash"]))
        connection.execute(delete(TextConversation).where(TextConversation.caller_hash == caller_hash))


def start(store: Store, caller_hash: str) -> None:
    """The texter said START: they may be written to again."""
    with store.writing() as connection:
        connection.execute(delete(TextOptOut).where(TextOptOut.caller_hash == caller_hash))
