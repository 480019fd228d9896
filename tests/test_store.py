"""The call records' store, on a SQLite file and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ivr.store import CallEnd, Store, TurnRecord
from ivr.store.engine import database_url
from ivr.store.export import export_rows
from ivr.store.figures import Period, figures
from ivr.store.purge import parse_age, purge
from ivr.store.schema import Base
from tests.databases import dump_tables

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30), NEW_YORK)


def turn(
    sid: str, key: str, kind: str = "option", node: str = "main", at: dt.datetime = NOW, **facts: object
) -> TurnRecord:
    return TurnRecord(call_sid=sid, key=key, at=at, line="Line", node=node, kind=kind,
                      outcome=facts.pop("outcome", "listen"), **facts)  # type: ignore[arg-type]


def test_a_call_keeps_its_turns_and_its_end(store: Store) -> None:
    store.add_turn(turn("CA1", "a", "start", caller_hash="h" * 64))
    store.add_turn(turn("CA1", "b", "option", "swelling", from_node="main", input="key", digits="2"))
    store.end_call(CallEnd("CA1", "Line", NOW + dt.timedelta(seconds=40), "completed", 40))

    rows = list(export_rows(store, "Line", NOVEMBER))
    assert [(r["event"], r["node"], r["digits"]) for r in rows] == [("start", "main", ""), ("option", "swelling", "2")]
    assert {(r["call_status"], r["duration_seconds"], r["call_ended_at"]) for r in rows} == {
        ("completed", "40", "2026-11-24T15:00:40+00:00")
    }


def test_a_webhook_delivered_twice_makes_one_row(store: Store) -> None:
    for _ in range(2):
        store.add_turn(turn("CA1", "a", "start", caller_hash="h" * 64))
        store.add_turn(turn("CA1", "b", input="key", digits="1"))
        store.end_call(CallEnd("CA1", "Line", NOW, "completed", 40))
    store.end_call(CallEnd("CA1", "Line", NOW + dt.timedelta(seconds=5), "completed", 45))

    tables = dump_tables(store)
    assert len(tables["calls"]) == 1
    assert len(tables["events"]) == 2
    assert [r["duration_seconds"] for r in export_rows(store, "Line", NOVEMBER)] == ["40", "40"], "the first wins"


def test_a_turn_written_before_the_calls_start_keeps_the_start_time_and_caller(store: Store) -> None:
    """Behind a load balancer, another server may write a later turn first."""
    store.add_turn(turn("CA1", "b", at=NOW + dt.timedelta(seconds=20)))
    store.add_turn(turn("CA1", "a", "start", caller_hash="h" * 64))

    (row, _) = export_rows(store, "Line", NOVEMBER)
    assert row["call_started_at"] == "2026-11-24T15:00:00+00:00"
    assert row["caller"] == "h" * 16


def test_an_end_without_any_turn_still_makes_a_call(store: Store) -> None:
    store.end_call(CallEnd("CA9", "Line", NOW, "no-answer", 0))
    (row,) = export_rows(store, "Line", NOVEMBER)
    assert (row["call"], row["call_status"], row["event"]) == ("CA9", "no-answer", "")


def test_migrating_again_changes_nothing_and_the_tables_match_the_models(store: Store) -> None:
    store.migrate()
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_figures_count_calls_callers_and_repeat_callers(store: Store) -> None:
    store.add_turn(turn("CA1", "1", "start", caller_hash="a" * 64))
    store.add_turn(turn("CA2", "2", "start", caller_hash="a" * 64, at=NOW + dt.timedelta(days=1)))
    store.add_turn(turn("CA3", "3", "start", caller_hash="b" * 64))
    store.add_turn(turn("CA4", "4", "start"))  # a withheld number
    store.add_turn(turn("CA5", "5", "start", at=dt.datetime(2026, 12, 1, 4, 59, tzinfo=dt.UTC)))
    store.add_turn(turn("CA6", "6", "start", at=dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)))

    found = figures(store, "Line", NOVEMBER)
    assert (found.calls, found.callers, found.repeat_callers) == (5, 2, 1)
    assert dict(found.per_day)[dt.date(2026, 11, 24)] == 3
    assert dict(found.per_day)[dt.date(2026, 11, 25)] == 1
    assert dict(found.per_day)[dt.date(2026, 11, 30)] == 1, "04:59 UTC on 1 December is still 30 November in New York"
    assert figures(store, "Another line", NOVEMBER).calls == 0


def test_purge_removes_calls_older_than_the_age_with_their_turns(store: Store) -> None:
    old = NOW - dt.timedelta(days=91)
    store.add_turn(turn("CA1", "1", "start", at=old))
    store.add_turn(turn("CA1", "2", at=old))
    store.add_turn(turn("CA2", "3", "start"))

    purged = purge(store, before=NOW - parse_age("90d"))

    assert (purged.calls, purged.events) == (1, 2)
    assert [row[1] for row in dump_tables(store)["calls"]] == ["CA2"]


@pytest.mark.parametrize(("text", "days"), [("90d", 90), ("12w", 84), (" 1D ", 1)])
def test_an_age_is_days_or_weeks(text: str, days: int) -> None:
    assert parse_age(text) == dt.timedelta(days=days)


@pytest.mark.parametrize("text", ["90", "d", "0d", "3m", "-1d"])
def test_an_age_without_days_or_weeks_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="age"):
        parse_age(text)


def test_without_a_database_url_the_records_are_a_sqlite_file_in_the_instance_folder() -> None:
    assert database_url("", "/srv/ivr/instance") == "sqlite:////srv/ivr/instance/calls.sqlite3"
    assert database_url("postgres://u:p@db/ivr", "x") == "postgresql+psycopg://u:p@db/ivr"
    assert database_url("postgresql://db/ivr", "x") == "postgresql+psycopg://db/ivr"


def test_a_new_sqlite_file_and_its_journal_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    store = Store.open(database_url("", tmp_path), timeout=2.0)
    store.migrate()
    store.add_turn(turn("CA1", "a", "start"))
    try:
        files = {path.name: path.stat().st_mode & 0o777 for path in tmp_path.glob("calls.sqlite3*")}
    finally:
        store.close()
    assert files["calls.sqlite3"] == files["calls.sqlite3-wal"] == 0o600


def test_servers_starting_together_migrate_once(database_url: str) -> None:
    stores = [Store.open(database_url, timeout=5.0) for _ in range(4)]
    errors: list[BaseException] = []

    def start(store: Store) -> None:
        try:
            store.migrate()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        assert len(dump_tables(stores[0])["alembic_version"]) == 1
    finally:
        for store in stores:
            store.close()
