"""Text conversations in the database, on a SQLite file and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

from ivr.store import Store
from ivr.store.conversations import keep, kept, start, stop

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
HOURS = dt.timedelta(hours=4)
TEXTER = "a" * 64
OTHER = "b" * 64


def test_a_place_is_kept_for_its_texter_and_line_until_it_expires(store: Store) -> None:
    keep(store, TEXTER, "Line", '{"node": "swelling"}', NOW, NOW - HOURS)
    keep(store, TEXTER, "Line", '{"node": "main"}', NOW + dt.timedelta(minutes=1), NOW - HOURS)
    assert kept(store, TEXTER, "Line", NOW - HOURS).state == '{"node": "main"}'
    assert kept(store, TEXTER, "Other line", NOW - HOURS).state is None
    assert kept(store, OTHER, "Line", NOW - HOURS).state is None
    later = NOW + HOURS + dt.timedelta(minutes=2)
    assert kept(store, TEXTER, "Line", later - HOURS).state is None


def test_an_expired_place_is_removed_when_another_is_kept(store: Store) -> None:
    keep(store, TEXTER, "Line", "{}", NOW, NOW - HOURS)
    later = NOW + dt.timedelta(hours=5)
    keep(store, OTHER, "Line", "{}", later, later - HOURS)
    assert kept(store, TEXTER, "Line", dt.datetime.min.replace(tzinfo=dt.UTC)).state is None


def test_stop_holds_until_start_and_forgets_the_conversation(store: Store) -> None:
    keep(store, TEXTER, "Line", "{}", NOW, NOW - HOURS)
    stop(store, TEXTER, NOW)
    stop(store, TEXTER, NOW)  # twice changes nothing
    found = kept(store, TEXTER, "Line", NOW - HOURS)
    assert found.stopped and found.state is None
    assert not kept(store, OTHER, "Line", NOW - HOURS).stopped
    start(store, TEXTER)
    assert not kept(store, TEXTER, "Line", NOW - HOURS).stopped
