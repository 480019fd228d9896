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
from ivr.store.figures import Figures, Period, figures
from ivr.store.fitting import INTEGER_MAX, fitted
from ivr.store.journeys import END, Journey, Step, summarise
from ivr.store.purge import parse_age, purge
from ivr.store.reading import journeys
from ivr.store.schema import Base
from tests.databases import dump_tables

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30), NEW_YORK)


PLACES = {"main": "menu", "swelling": "menu", "swelling-duration": "answer", "check": "transfer",
          "emergency": "emergency"}


def export_rows(store: Store, line: str, period: Period) -> list[dict[str, str]]:
    """The period's calls and steps as flat rows, one a step (or one for a call without any)."""
    found = []
    for call in journeys(store, line, period):
        facts = {"call": call.call_sid, "caller": (call.caller_hash or "")[:16],
                 "call_started_at": call.started_at.isoformat(timespec="seconds"),
                 "call_ended_at": call.ended_at.isoformat(timespec="seconds") if call.ended_at else "",
                 "duration_seconds": "" if call.duration is None else str(call.duration),
                 "call_status": call.status or ""}
        for step in call.steps or [None]:
            found.append({**facts, "event": step.kind if step else "", "node": step.node if step else "",
                          "digits": (step.digits or "") if step else ""})
    return found


def everything(store: Store) -> Figures:
    return figures(store, "Line", NOVEMBER, PLACES, lambda moment: True)


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

    found = everything(store)
    assert (found.calls, found.callers, found.repeat_callers) == (5, 2, 1)
    assert found.per_day[dt.date(2026, 11, 24)] == 3
    assert found.per_day[dt.date(2026, 11, 25)] == 1
    assert found.per_day[dt.date(2026, 11, 30)] == 1, "04:59 UTC on 1 December is still 30 November in New York"
    assert figures(store, "Another line", NOVEMBER, PLACES, lambda moment: True).calls == 0


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


def test_values_that_do_not_fit_their_columns_are_cut_before_they_are_written(store: Store) -> None:
    """One odd request (a long DialCallStatus, a NUL byte, a twenty-digit duration) must not fail a batch."""
    odd = [
        fitted(turn("CA1", "a", "start", caller_hash="h" * 64)),
        fitted(turn("CA1", "b", "dial:" + "x" * 100, node=END, outcome="listen", dial_status="y" * 100)),
        fitted(turn("CA1", "c", input="key", digits="1\x00" + "2" * 50, speech="\ud800words\x00")),
        fitted(CallEnd("CA1", "Line" * 100, NOW, "completed\x00" * 5, 99999999999999999999)),
    ]
    store.write([*odd, fitted(turn("CA2", "d", "start"))])

    assert len(dump_tables(store)["events"]) == 4
    (first, second) = list(journeys(store, "Line", NOVEMBER))
    steps = {step.kind[:4]: step for step in first.steps}
    assert len(steps["dial"].kind) == 40 and len(steps["dial"].dial_status or "") == 20
    assert steps["opti"].digits == "1" + "2" * 31
    assert steps["opti"].speech == "?words"
    assert first.duration == INTEGER_MAX
    assert second.call_sid == "CA2"


def step(kind: str, node: str, outcome: str = "listen", **facts: object) -> Step:
    return Step(at=NOW, node=node, from_node=facts.pop("from_node", None), kind=kind, outcome=outcome,
                **facts)  # type: ignore[arg-type]


def ended(*steps: Step, status: str = "completed") -> Journey:
    return Journey("CA1", NOW, steps, ended_at=NOW, duration=30, status=status)


def test_a_journey_says_how_the_call_reached_the_emergency_advice() -> None:
    by_words = summarise(ended(step("start", "main"), step("option", "emergency", "finish", from_node="main",
                                                           input="speech")), PLACES)
    assert (by_words.emergency.route, by_words.emergency.place) == ("words", "main")  # type: ignore[union-attr]
    assert (by_words.ending, by_words.ending_place) == ("emergency", "emergency")
    by_phrase = summarise(ended(step("start", "main"), step("emergency_phrase", "swelling", "finish",
                                                            from_node="swelling", input="speech")), PLACES)
    assert (by_phrase.emergency.route, by_phrase.emergency.place) == ("phrase", "swelling")  # type: ignore[union-attr]
    assert summarise(ended(step("start", "main")), PLACES).emergency is None


def test_a_journey_pairs_each_transfer_with_its_result() -> None:
    summary = summarise(ended(
        step("start", "main"),
        step("gave_up:no_input", "main", "connect", from_node="main", input="none", transfer_to="clinic"),
        step("dial:busy", END, from_node="main", dial_status="busy"),
        step("main_menu", "main", from_node=END, input="key"),
        step("clinic_key", "main", "connect", from_node="main", input="key", transfer_to="after_hours"),
        step("dial:completed", END, "finish", from_node="main", dial_status="completed"),
    ), PLACES)
    assert [(t.reason, t.target, t.result) for t in summary.transfers] == [
        ("no_input", "clinic", "busy"), ("asked", "after_hours", "completed")]
    assert summary.answered and summary.ending == "answered"


@pytest.mark.parametrize(("steps", "ending", "place"), [
    ([step("start", "main")], "before_choosing", "main"),
    ([step("start", "main"), step("option", "swelling", input="key")], "at_menu", "swelling"),
    ([step("start", "main"), step("option", "swelling-duration", input="key")], "heard_answer", "swelling-duration"),
    ([step("start", "main"), step("no_input", "main", input="none")], "silent", "main"),
    ([step("start", "main"), step("gave_up:no_input", "main", "finish", input="none")], "silent", "main"),
    ([step("start", "main"), step("invalid", "main", input="key")], "not_understood", "main"),
    ([step("start", "main"), step("option", "check", "connect", transfer_to="clinic")], "in_transfer", "check"),
    ([step("start", "main"), step("option", END, from_node="main", input="key")], "other_numbers", "main"),
    ([step("start", "main"), step("clinic_key", "main", "connect", transfer_to="clinic"),
      step("dial:no-answer", END, from_node="main", dial_status="no-answer"),
      step("end", END, "finish", from_node=END, input="none")], "not_answered", "main"),
    ([], "no_steps", ""),
])
def test_a_journey_says_how_and_where_the_call_ended(steps: list[Step], ending: str, place: str) -> None:
    summary = summarise(ended(*steps), PLACES)
    assert (summary.ending, summary.ending_place) == (ending, place)


def test_a_call_twilio_reports_failed_was_dropped_and_one_not_ended_is_in_progress() -> None:
    assert summarise(ended(step("start", "main"), status="failed"), PLACES).ending == "dropped"
    assert summarise(Journey("CA1", NOW, (step("start", "main"),)), PLACES).ending == "in_progress"


def test_an_event_nobody_has_described_yet_is_shown_under_its_own_name() -> None:
    from ivr.store.events import event_label, meaning

    assert event_label("transfer_offered") == "Transfer offered"
    assert event_label("dial:busy") == "The transfer ended: busy"
    assert event_label("gave_up:too_slow") == "The line stopped asking after too many tries (too slow)"
    assert meaning("gave_up:too_slow").gave_up
    summary = summarise(ended(step("start", "main"), step("transfer_offered", "main")), PLACES)
    assert summary.ending == "at_menu"


def test_every_event_the_call_flow_names_is_described_for_staff() -> None:
    """A call's journey and the exports say in words what each turn did: no name the flow gives a turn is
    shown raw, and the flow names its events through one typed vocabulary the records read back."""
    from ivr.call.events import EVENT_NAMES, Event
    from ivr.store.events import EVENTS, event_label

    assert [name for name in EVENT_NAMES if name not in EVENTS] == []
    assert Event.read(str(Event.named("dial", "no-answer"))) == Event("dial", "no-answer")
    assert event_label(Event.named("dial", "no-answer")) == event_label("dial:no-answer") == (
        "The transfer ended: no answer"
    )
