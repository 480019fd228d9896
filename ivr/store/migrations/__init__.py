"""Alembic migrations of the call records; run at start-up by :func:`ivr.store.migrate.upgrade`."""
