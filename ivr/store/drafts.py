"""Drafts of a line in the shared database: each save kept whole, with who saved it and when.

A save names the revision it was made from; when someone else saved since, nothing is written and
:class:`DraftMoved` says which revision is the newest, so that no editor overwrites another unawares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from ivr.store.schema import LineDraft, LineDraftRevision
from ivr.store.store import Store


@dataclass(frozen=True)
class Draft:
    id: int
    line: str
    started_from: str
    created_by: str
    created_at: dt.datetime
    #: The newest save: its number, who made it and when.
    revision: int
    saved_by: str
    saved_at: dt.datetime
    published_as: int | None
    discarded: bool
    #: The newest save's text; empty in a list of drafts, which leaves it out.
    text: str = ""


class DraftGone(LookupError):
    """The draft does not exist, was thrown away or was published: it can no longer be saved."""


class DraftMoved(RuntimeError):
    """Someone saved the draft since the revision a save was made from."""

    def __init__(self, newest: int) -> None:
        super().__init__(f"the draft was saved again since, as revision {newest}")
        self.newest = newest


def create_draft(store: Store, line: str, text: str, *, started_from: str, by: str, now: dt.datetime) -> Draft:
    """A new draft of ``line`` holding ``text`` as its revision 1; its text need not be a valid line."""
    with store.reading(), store.writing() as connection:
        inserted = connection.execute(insert(LineDraft).values(
            line=line, started_from=started_from[:300], created_by=by[:200], created_at=now,
        )).inserted_primary_key
        made = int(inserted[0]) if inserted is not None else 0
        connection.execute(insert(LineDraftRevision).values(draft_id=made, revision=1, text=text, saved_by=by[:200],
                                                            saved_at=now))
    return Draft(made, line, started_from, by, now, 1, by, now, None, False, text)


def draft(store: Store, draft_id: int, revision: int | None = None) -> Draft | None:
    """A draft with the text of its newest save (or of ``revision``); None when there is no such draft."""
    with store.reading(), store.engine.connect() as connection:
        return _draft(connection, draft_id, revision)


def draft_text(store: Store, draft_id: int) -> str | None:
    """The YAML text of draft ``draft_id`` as last saved; None when there is no such draft."""
    found = draft(store, draft_id)
    return found.text if found is not None else None


def drafts(store: Store, line: str) -> list[Draft]:
    """The drafts of ``line`` still being edited, newest save first, without their texts."""
    newest = (select(LineDraftRevision.draft_id, func.max(LineDraftRevision.revision).label("revision"))
              .group_by(LineDraftRevision.draft_id).subquery())
    query = (
        select(*LineDraft.__table__.c, LineDraftRevision.revision, LineDraftRevision.saved_by,
               LineDraftRevision.saved_at)
        .join(newest, newest.c.draft_id == LineDraft.id)
        .join(LineDraftRevision, (LineDraftRevision.draft_id == LineDraft.id)
              & (LineDraftRevision.revision == newest.c.revision))
        .where(LineDraft.line == line, LineDraft.discarded_at.is_(None), LineDraft.published_as.is_(None))
        .order_by(LineDraftRevision.saved_at.desc(), LineDraft.id.desc())
    )
    with store.reading(), store.engine.connect() as connection:
        return [_made(row._mapping, "") for row in connection.execute(query)]


def save_draft(store: Store, draft_id: int, text: str, *, opened_at: int, by: str, now: dt.datetime) -> Draft:
    """Keep ``text`` as the draft's next revision, if ``opened_at`` is still its newest.

    Raises :class:`DraftMoved` when someone saved since, :class:`DraftGone` when it cannot be saved at all.
    """
    with store.reading():
        try:
            with store.writing() as connection:
                found = _draft(connection, draft_id, None)
                if found is None or found.discarded or found.published_as is not None:
                    raise DraftGone(f"draft {draft_id} is no longer being edited")
                if found.revision != opened_at:
                    raise DraftMoved(found.revision)
                connection.execute(insert(LineDraftRevision).values(
                    draft_id=draft_id, revision=opened_at + 1, text=text, saved_by=by[:200], saved_at=now))
        except IntegrityError:
            # Another save of the same revision got there first.
            newest = draft(store, draft_id)
            raise DraftMoved(newest.revision if newest else opened_at + 1) from None
    return Draft(found.id, found.line, found.started_from, found.created_by, found.created_at, opened_at + 1, by,
                 now, None, False, text)


def discard_draft(store: Store, draft_id: int, *, by: str, now: dt.datetime) -> None:
    """Throw a draft away: it is no longer listed or saved (its saves are kept)."""
    _close(store, draft_id, discarded_at=now, discarded_by=by[:200])


def mark_published(store: Store, draft_id: int, number: int) -> None:
    """Say that a draft was published as version ``number``: it is no longer edited."""
    _close(store, draft_id, published_as=number)


def _close(store: Store, draft_id: int, **values: object) -> None:
    with store.reading(), store.writing() as connection:
        done = connection.execute(update(LineDraft).where(
            LineDraft.id == draft_id, LineDraft.discarded_at.is_(None), LineDraft.published_as.is_(None),
        ).values(**values))
        if not done.rowcount:
            raise DraftGone(f"draft {draft_id} is no longer being edited")


def _draft(connection: Connection, draft_id: int, revision: int | None) -> Draft | None:
    query = (select(*LineDraft.__table__.c, LineDraftRevision.revision, LineDraftRevision.saved_by,
                    LineDraftRevision.saved_at, LineDraftRevision.text)
             .join(LineDraftRevision, LineDraftRevision.draft_id == LineDraft.id)
             .where(LineDraft.id == draft_id))
    if revision is not None:
        query = query.where(LineDraftRevision.revision == revision)
    row = connection.execute(query.order_by(LineDraftRevision.revision.desc()).limit(1)).first()
    return _made(row._mapping, row._mapping["text"]) if row is not None else None


def _made(values: RowMapping, text: str) -> Draft:
    return Draft(values["id"], values["line"], values["started_from"], values["created_by"], values["created_at"],
                 values["revision"], values["saved_by"], values["saved_at"], values["published_as"],
                 values["discarded_at"] is not None, text)
