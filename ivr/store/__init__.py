"""Call records: each call's journey kept in a database. The only package that imports SQLAlchemy."""

from __future__ import annotations

from ivr.store.records import CallEnd, Outcome, TurnRecord
from ivr.store.store import RecordsUnavailable, Store

__all__ = ["CallEnd", "Outcome", "RecordsUnavailable", "Store", "TurnRecord"]
