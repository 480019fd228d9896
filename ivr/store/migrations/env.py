"""Alembic's entry point, always called with a connection by :func:`ivr.store.migrate.upgrade`."""

from __future__ import annotations

from alembic import context

from ivr.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters a table by copying it; Alembic's batch mode does that.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
