"""The clinic's dashboard: behind its password, its figures are the calls that were made."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

import ivr
from ivr import create_app
from ivr.config import DEFAULT_LINE_FILE
from ivr.dashboard.exports import safe_cell
from ivr.line.validate import load_line
from ivr.speech.catalog import store_rendered
from ivr.speech.telephone import TELEPHONE_RATE, write_telephone_wav
from ivr.speech.voicing import Voicing
from tests.conftest import OPEN, TOKEN, Clock
from tests.delivery import Call, sid
from tests.known_calls import TODAY, make_the_days_calls, make_the_days_spanish_calls
from tests.line_files import base_line, write_line
from tests.pages import Page, csrf_token, read, sign_in
from tests.texts import Texter

PASSWORD = "correct horse battery staple"
TONE_SECONDS = 0.6
LINE = load_line(DEFAULT_LINE_FILE).line
SECRET = "a-secret-key-every-server-shares"


@pytest.fixture
def dashboard_app(make_app: Callable[..., Flask], database_url: str) -> Flask:
    return make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD=PASSWORD, SECRET_KEY=SECRET)


@pytest.fixture
def clinic(dashboard_app: Flask) -> FlaskClient:
    """Somebody at the clinic, signed in to the dashboard."""
    client = dashboard_app.test_client()
    sign_in(client, PASSWORD)
    return client


@pytest.fixture
def days_calls(dashboard_app: Flask, clock: Clock) -> None:
    make_the_days_calls(dashboard_app, clock)


@pytest.fixture
def days_calls_in_two_languages(dashboard_app: Flask, clock: Clock) -> None:
    make_the_days_calls(dashboard_app, clock)
    make_the_days_spanish_calls(dashboard_app, clock)


def page(client: FlaskClient, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return read(response.get_data(as_text=True))


def rows(page: Page, caption: str) -> dict[str, dict[str, str]]:
    """A table's rows by their first cell, each as {column heading: cell}."""
    header, *body = page.table(caption)
    return {cells[0]: dict(zip(header, cells, strict=True)) for cells in body}


def csv_rows(response: object) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))  # type: ignore[attr-defined]


def render_a_tone(app: Flask, text: str) -> None:
    """Put a short tone where the audio catalog expects ``text`` rendered at the line's usual pace."""
    line = app.extensions["ivr"].line.current().loaded.line
    catalog = app.extensions["ivr"].audio
    catalog.directory.mkdir(parents=True, exist_ok=True)
    name = Voicing.of(line).name(text, line.voice.default_rate)
    seconds = np.arange(int(TELEPHONE_RATE * TONE_SECONDS)) / TELEPHONE_RATE
    tone = 0.5 * np.sin(2 * np.pi * 440 * seconds)
    store_rendered(catalog.directory, name, text, lambda path: write_telephone_wav(path, tone))


# -- switched off, and signing in ------------------------------------------------------------------


def test_without_a_password_the_dashboard_is_switched_off(make_app: Callable[..., Flask]) -> None:
    client = make_app().test_client()
    off = page(client, "/dashboard", 404)
    assert off.h1 == "The dashboard is switched off"
    assert "IVR_DASHBOARD_PASSWORD" in off.text
    assert client.get("/dashboard/login").status_code == 404
    style = client.get("/dashboard/static/dashboard.css")
    style.close()
    assert style.status_code == 200, "the page is styled all the same"


def test_every_page_asks_to_sign_in_first(dashboard_app: Flask) -> None:
    client = dashboard_app.test_client()
    for url in ("/dashboard", "/dashboard/map", "/dashboard/calls", f"/dashboard/calls/{sid(1)}",
                "/dashboard/export/calls.csv?from=2026-11-01", "/dashboard/export/steps.csv"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/dashboard/login?next=/dashboard")
    assert page(client, "/dashboard/login").h1 == "Sign in to the clinic dashboard"


def test_signing_in_gives_a_secure_http_only_same_site_session(dashboard_app: Flask) -> None:
    client = dashboard_app.test_client()
    login = client.get("/dashboard/login?next=/dashboard/map").get_data(as_text=True)
    response = client.post("/dashboard/login?next=/dashboard/map",
                           data={"password": PASSWORD, "csrf_token": csrf_token(login)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/map"
    for cookie in response.headers.getlist("Set-Cookie"):
        for attribute in ("Secure", "HttpOnly", "SameSite=Lax"):
            assert attribute in cookie
    assert page(client, "/dashboard/map").h1 == "Line map"


def test_a_wrong_password_is_refused(dashboard_app: Flask) -> None:
    client = dashboard_app.test_client()
    token = csrf_token(client.get("/dashboard/login").get_data(as_text=True))
    response = client.post("/dashboard/login", data={"password": "guess", "csrf_token": token})
    assert response.status_code == 401
    assert "That password is not right" in read(response.get_data(as_text=True)).text
    assert client.get("/dashboard").status_code == 302


def test_the_password_is_kept_only_as_a_hash_that_every_server_with_the_same_key_makes_alike(
    make_app: Callable[..., Flask], dashboard_app: Flask, database_url: str
) -> None:
    assert dashboard_app.config["DASHBOARD_PASSWORD"] == ""
    gate = dashboard_app.extensions["ivr.dashboard"]
    assert PASSWORD not in gate.password_hash
    assert gate.password_hash.startswith("scrypt:")
    twin = make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD=PASSWORD, SECRET_KEY=SECRET)
    assert twin.extensions["ivr.dashboard"].password_hash == gate.password_hash
    other = make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD=PASSWORD, SECRET_KEY="another key")
    assert other.extensions["ivr.dashboard"].password_hash != gate.password_hash


def test_a_server_hashes_the_password_at_scrypts_full_cost_unless_told_otherwise(tmp_path: Path) -> None:
    """The tests sign in with a cheap hash (conftest's PASSWORD_COST); a server keeps werkzeug's 2**15."""
    app = create_app({"TESTING": True, "TWILIO_AUTH_TOKEN": "t", "DASHBOARD_PASSWORD": PASSWORD, "SECRET_KEY": SECRET,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'calls.sqlite3'}", "AUDIO_DIR": str(tmp_path)})
    assert app.extensions["ivr.dashboard"].password_hash.startswith("scrypt:32768:8:1$")
    app.extensions["ivr"].recorder.flush(5)


def test_a_form_without_its_csrf_token_is_refused(dashboard_app: Flask, clinic: FlaskClient) -> None:
    stranger = dashboard_app.test_client()
    refused = stranger.post("/dashboard/login", data={"password": PASSWORD})
    assert refused.status_code == 400
    assert read(refused.get_data(as_text=True)).h1 == "The form has expired"
    assert clinic.post("/dashboard/logout").status_code == 400
    assert clinic.get("/dashboard").status_code == 200, "still signed in"


def copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser holding a copy of ``client``'s cookies."""
    copy = app.test_client()
    for cookie in client._cookies.values():
        copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return copy


def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(dashboard_app: Flask, clinic: FlaskClient) -> None:
    stolen = copy_of(clinic, dashboard_app)
    assert stolen.get("/dashboard").status_code == 200
    token = csrf_token(clinic.get("/dashboard").get_data(as_text=True))
    assert clinic.post("/dashboard/logout", data={"csrf_token": token}).status_code == 302
    assert clinic.get("/dashboard").status_code == 302
    assert stolen.get("/dashboard").status_code == 302, "the session is over on the server, not only in one browser"


def test_a_sign_in_holds_on_every_server_sharing_the_database_and_key(
    make_app: Callable[..., Flask], dashboard_app: Flask, clinic: FlaskClient, database_url: str
) -> None:
    second = make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD=PASSWORD, SECRET_KEY=SECRET)
    assert copy_of(clinic, second).get("/dashboard/map").status_code == 200


def test_changing_the_password_signs_everybody_out(
    make_app: Callable[..., Flask], clinic: FlaskClient, database_url: str
) -> None:
    changed = make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD="a new password", SECRET_KEY=SECRET)
    assert copy_of(clinic, changed).get("/dashboard").status_code == 302


def test_a_sign_in_lasts_eight_hours(clinic: FlaskClient, clock: Clock) -> None:
    clock.now = OPEN + dt.timedelta(hours=7, minutes=59)
    assert clinic.get("/dashboard/map").status_code == 200
    clock.now = OPEN + dt.timedelta(hours=8, seconds=1)
    assert clinic.get("/dashboard/map").status_code == 302


def wrong_password(client: FlaskClient) -> int:
    token = csrf_token(client.get("/dashboard/login").get_data(as_text=True))
    return client.post("/dashboard/login", data={"password": "guess", "csrf_token": token}).status_code


def test_sign_in_attempts_are_limited_to_five_a_minute_across_servers(
    make_app: Callable[..., Flask], dashboard_app: Flask, database_url: str, clock: Clock
) -> None:
    second = make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD=PASSWORD, SECRET_KEY=SECRET)
    statuses = [wrong_password(app.test_client()) for app in (dashboard_app, second, dashboard_app, second,
                                                               dashboard_app)]
    assert statuses == [401] * 5
    client = second.test_client()
    token = csrf_token(client.get("/dashboard/login").get_data(as_text=True))
    blocked = client.post("/dashboard/login", data={"password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "Too many sign-in attempts" in read(blocked.get_data(as_text=True)).text
    elsewhere = dashboard_app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    sign_in(elsewhere, PASSWORD)  # another address is not limited
    clock.now = OPEN + dt.timedelta(minutes=2)
    sign_in(client, PASSWORD)  # and a minute later the first may try again


def test_a_browser_that_signed_in_before_is_not_locked_out_by_guesses_from_its_address(
    dashboard_app: Flask, clinic: FlaskClient
) -> None:
    """Behind a proxy every browser may have the proxy's address: a stranger's guesses must not lock staff out."""
    token = csrf_token(clinic.get("/dashboard").get_data(as_text=True))
    clinic.post("/dashboard/logout", data={"csrf_token": token})
    stranger = dashboard_app.test_client()
    # The clinic's own first sign-in, from a browser not yet known, counted against the address too.
    assert [wrong_password(stranger) for _ in range(5)] == [401] * 4 + [429]
    sign_in(clinic, PASSWORD)
    assert clinic.get("/dashboard").status_code == 200
    new_browser = dashboard_app.test_client()
    assert wrong_password(new_browser) == 429, "a browser never signed in counts with its address"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/voice", "/dashboard%0d%0aX:1", "/dashboard\r\nX: 1",
    "/dashboard/../voice", "/dashboard\\..\\voice", "/dashboard/é", "/dashboard?" + "x" * 5000, "/dashboard/login",
    "javascript:alert(1)", "/dashboard//evil.example",
])
def test_after_signing_in_no_next_page_is_an_error_or_another_site(dashboard_app: Flask, target: str) -> None:
    client = dashboard_app.test_client()
    token = csrf_token(client.get("/dashboard/login", query_string={"next": target}).get_data(as_text=True))
    response = client.post("/dashboard/login", query_string={"next": target},
                           data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/dashboard", target)
    assert response.headers["Location"].startswith("/dashboard")
    assert "\n" not in response.headers["Location"] and ".." not in response.headers["Location"]


def test_after_signing_in_the_page_asked_for_is_shown(dashboard_app: Flask) -> None:
    client = dashboard_app.test_client()
    first = client.get("/dashboard/calls?period=7d")
    target = first.headers["Location"]
    token = csrf_token(client.get(target).get_data(as_text=True))
    response = client.post(target, data={"password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/dashboard/calls?period=7d"


def test_twilios_webhooks_need_no_csrf_token_with_the_dashboard_on(dashboard_app: Flask) -> None:
    call = Call(dashboard_app, sid(9))
    assert call.dial_in().status == 200
    assert call.press("2").status == 200
    assert call.hang_up().status == 204


# -- the figures --------------------------------------------------------------------------------------


def test_the_safety_figures_come_first_and_are_the_calls_that_were_made(
    clinic: FlaskClient, days_calls: None
) -> None:
    figures = page(clinic, "/dashboard?period=today")
    assert figures.title == f"Call figures - {LINE.name} - clinic dashboard"
    html = clinic.get("/dashboard?period=today").get_data(as_text=True)
    assert html.index('id="safety-heading"') < html.index('id="when-heading"') < html.index('id="places-heading"')

    assert {term: value.split(" ", 1)[0] for term, value in figures.terms.items() if term in (
        "Calls", "Got the emergency advice", "Put through to the clinic", "Dropped or gave up")} == {
        "Calls": "10", "Got the emergency advice": "3", "Put through to the clinic": "5", "Dropped or gave up": "1",
    }
    assert figures.terms["Transfers answered"].startswith("2 of 5 (40%)")
    assert "3 calls got the emergency advice: 1 pressed a key for it and 2 said an emergency phrase." in figures.text
    assert rows(figures, "Emergency advice by place") == {
        "Main menu": {"Where the caller was": "Main menu", "Pressed a key for it": "0",
                      "Said a menu choice that leads to it": "0", "Said an emergency phrase": "1", "Calls": "1"},
        "Worrying symptoms": {"Where the caller was": "Worrying symptoms", "Pressed a key for it": "1",
                              "Said a menu choice that leads to it": "0", "Said an emergency phrase": "1",
                              "Calls": "2"},
    }
    assert {reason: (row["Transfers"], row["Answered"]) for reason, row in
            rows(figures, "Transfers by reason").items()} == {
        "What they described (a place that puts callers through)": ("1", "0"),
        "Asked for the clinic (key 0 or in words)": ("2", "2"),
        "Silence: the line stopped asking": ("1", "0"),
        "A problem in the line": ("1", "0"),
    }
    assert {result: (row["The clinic"], row["The after-hours line"], row["All"]) for result, row in
            rows(figures, "Transfers by result").items()} == {
        "Answered": ("1", "1", "2"), "Busy": ("1", "0", "1"), "No answer": ("1", "0", "1"),
        "Could not be connected": ("1", "0", "1"),
    }
    assert "5 transfers (4 to the clinic and 1 to the after-hours line); somebody answered 2 of 5 (40%)." \
        in figures.text
    assert {ending: row["Calls"] for ending, row in rows(figures, "How calls ended").items()} == {
        "Heard the emergency advice": "3", "Put through, and somebody answered": "2",
        "Put through, but nobody answered": "3", "Heard an answer, then hung up": "1",
        "Hung up before making any choice": "1",
    }


def test_the_figures_say_when_people_call_where_they_go_and_how_long_calls_take(
    clinic: FlaskClient, days_calls: None
) -> None:
    figures = page(clinic, "/dashboard?period=today")
    by_hour = rows(figures, "Calls by hour of the day")
    assert (by_hour["10 AM to 11 AM"]["Calls"], by_hour["11 PM to Midnight"]["Calls"]) == ("9", "1")
    assert rows(figures, "Calls by day of the week")["Tuesday"]["Calls"] == "10"
    assert {when: row["Calls"] for when, row in rows(figures, "Calls in and out of opening hours").items()} == {
        "While the clinic was open": "9", "While it was closed": "1"}

    places = rows(figures, "Calls at each place")
    assert places["Main menu"]["Reached"] == "10"
    assert places["How long swelling lasts"] == {
        "Place": "How long swelling lasts", "Reached": "2", "Moved on": "1", "Heard it, then hung up": "1",
        "Went silent": "0", "Gave up": "0", "Put through": "0", "Got the emergency advice": "0",
        "Ended otherwise": "0",
    }
    assert places["Emergency advice"]["Got the emergency advice"] == "1"
    assert places["Worrying symptoms"]["Got the emergency advice"] == "1", "an emergency phrase said there"

    assert figures.terms["Median call length"] == "50 s"  # of 5, 20, 25, 30, 40, 60, 90, 120, 200 and 300 s
    assert figures.terms["9 in 10 calls were no longer than"] == "3 min 20 s"
    assert figures.terms["Median time to an answer"] == "0 s", "the test's clock stands still"
    assert rows(figures, "Most-heard answers")["How long swelling lasts"]["Times heard"] == "3"
    assert rows(figures, "Silences and answers that are not a choice, by place")["Main menu"]["Silence"] == "4"
    assert "10 calls in 1 day." in figures.text
    assert "8 different callers; 1 caller called more than once." in figures.text


def test_each_headline_is_beside_the_same_figure_for_the_period_before(
    dashboard_app: Flask, days_calls: None, clock: Clock
) -> None:
    clinic = dashboard_app.test_client()
    clock.now = OPEN + dt.timedelta(days=7)
    sign_in(clinic, PASSWORD)
    figures = page(clinic, "/dashboard?period=7d")
    assert "In the 7 days before there were 10 calls." in figures.text
    clock.now = OPEN + dt.timedelta(days=3)
    figures = page(clinic, "/dashboard?period=7d")
    assert figures.terms["Calls"] == "10 0 in the 7 days before"
    assert figures.terms["Got the emergency advice"] == "3 0 in the 7 days before"


def test_an_empty_period_says_so_once(clinic: FlaskClient) -> None:
    empty = page(clinic, "/dashboard?period=today")
    assert "No calls in this period" in empty.text
    assert "No call to the line started on Tue 24 Nov 2026." in empty.text
    assert "In the 1 day before there were 0 calls." in empty.text
    assert empty.tables == {}, "no empty sections"


def test_one_call_is_counted_in_the_singular(dashboard_app: Flask, clinic: FlaskClient) -> None:
    call = Call(dashboard_app, sid(1))
    call.dial_in()
    call.hang_up(7)
    figures = page(clinic, "/dashboard?period=today")
    assert "1 call in 1 day." in figures.text
    assert "1 different caller; 0 callers called more than once." in figures.text


def test_the_presets_cover_today_7_and_30_days(clinic: FlaskClient) -> None:
    for preset, lead in (("today", "Today: Tue 24 Nov 2026."),
                         ("7d", "Last 7 days: Wed 18 Nov 2026 to Tue 24 Nov 2026."),
                         ("30d", "Last 30 days: Mon 26 Oct 2026 to Tue 24 Nov 2026.")):
        assert lead in page(clinic, f"/dashboard?period={preset}").text
    assert "Last 30 days" in page(clinic, "/dashboard").text
    chosen = page(clinic, "/dashboard?from=2026-11-01&to=2026-11-02")
    assert "Chosen days: Sun 1 Nov 2026 to Mon 2 Nov 2026." in chosen.text


@pytest.mark.parametrize(("query", "problem"), [
    ("from=2026-11-30&to=2026-11-01", "The last day must be on or after the first day."),
    ("from=9999-12-01&to=9999-12-31", "Choose a first day between 1 January 2000 and"),
    ("from=0001-01-01&to=0001-01-02", "Choose a first day between 1 January 2000 and"),
    ("from=2026-02-30&to=2026-03-01", "The first day is not a date the dashboard can read."),
    ("from=yesterday", "The first day is not a date the dashboard can read."),
    ("from=&to=2026-11-01", "Choose the first day."),
    ("from=2020-01-01&to=2026-01-01", "Choose a period of at most 366 days."),
    ("from=" + "9" * 5000, "The first day is not a date the dashboard can read."),
])
@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/map", "/dashboard/calls", "/dashboard/export/calls.csv",
                                  "/dashboard/export/steps.csv"])
def test_no_period_is_an_error_and_a_wrong_one_is_explained(
    clinic: FlaskClient, path: str, query: str, problem: str
) -> None:
    response = clinic.get(f"{path}?{query}")
    assert response.status_code == 400
    assert problem in read(response.get_data(as_text=True)).text
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_a_call_is_on_the_dashboard_as_soon_as_its_status_callback_is_in(
    dashboard_app: Flask, clinic: FlaskClient
) -> None:
    call = Call(dashboard_app, sid(1))
    call.dial_in()
    call.press("1")
    call.press("2")
    call.dial_ends("busy")
    assert call.hang_up(61).status == 204
    figures = page(clinic, "/dashboard?period=today")
    assert figures.terms["Calls"].startswith("1 ")
    assert rows(figures, "Calls a day")[TODAY]["Calls"] == "1"


# -- languages ----------------------------------------------------------------------------------------


def test_the_safety_figures_of_a_line_of_two_languages_say_what_happened_in_each(
    clinic: FlaskClient, days_calls_in_two_languages: None
) -> None:
    html = clinic.get("/dashboard?period=today").get_data(as_text=True)
    figures = read(html)
    assert html.index('id="safety-heading"') < html.index('id="languages-heading"') < html.index('id="when-heading"')
    assert figures.terms["Calls"].startswith("14 ")
    assert figures.terms["Got the emergency advice"].startswith("5 ")
    assert figures.terms["Put through to the clinic"].startswith("7 ")
    assert "Of 14 calls, 10 in English and 4 in Spanish." in figures.text
    assert {name: (row["Calls"], row["Share"]) for name, row in rows(figures, "Calls by language").items()} == {
        "English": ("10", "71%"), "Spanish": ("4", "29%")}
    assert rows(figures, "Emergency advice by language") == {
        "English": {"Language": "English", "Calls that got it": "3", "By a key": "1", "By speech": "2"},
        "Spanish": {"Language": "Spanish", "Calls that got it": "2", "By a key": "1", "By speech": "1"},
    }
    assert rows(figures, "Transfers by language") == {
        "English": {"Language": "English", "Transfers": "5", "Somebody answered": "2"},
        "Spanish": {"Language": "Spanish", "Transfers": "2", "Somebody answered": "1"},
    }
    assert ("In Spanish: 2 calls got the emergency advice (1 by a key, 1 by speech); 2 transfers, and somebody "
            "answered 1 of 2 (50%).") in figures.text
    assert '<a href="#languages">Languages</a>' in html, "listed with the safety figures"


def test_a_line_of_two_languages_shows_a_languages_calls_even_when_it_had_none(
    dashboard_app: Flask, clinic: FlaskClient
) -> None:
    call = Call(dashboard_app, sid(1))
    call.dial_in()
    call.press("2")
    call.hang_up(30)
    figures = page(clinic, "/dashboard?period=today")
    assert "Of 1 call, 1 in English." in figures.text
    assert rows(figures, "Calls by language")["Spanish"]["Calls"] == "0"
    assert "In Spanish" not in figures.text


def test_a_call_whose_language_was_not_recorded_is_counted_as_such(dashboard_app: Flask, clinic: FlaskClient) -> None:
    """Twilio's report of a call's end can be all that is kept of it: the caller hung up before the line answered."""
    Call(dashboard_app, sid(1)).hang_up(3)
    spanish = Call(dashboard_app, sid(2))
    spanish.dial_in()
    spanish.press("9")
    spanish.hang_up(20)
    figures = page(clinic, "/dashboard?period=today")
    assert "Of 2 calls, 1 in Spanish and 1 with no language recorded." in figures.text
    assert {name: row["Calls"] for name, row in rows(figures, "Calls by language").items()} == {
        "English": "0", "Spanish": "1", "Not recorded": "1"}
    calls = {row["Call"]: row["Language"] for row in csv_rows(clinic.get("/dashboard/export/calls.csv?period=today"))}
    assert calls == {sid(1): "", sid(2): "Spanish"}


def test_the_exports_the_calls_and_each_journey_name_the_language_of_the_call(
    clinic: FlaskClient, days_calls_in_two_languages: None
) -> None:
    calls = {row["Call"]: row for row in csv_rows(clinic.get("/dashboard/export/calls.csv?period=today"))}
    assert {call: row["Language"] for call, row in calls.items()} == {
        **{sid(n): "English" for n in range(1, 11)}, **{sid(n): "Spanish" for n in range(11, 15)}}
    assert calls[sid(11)]["Emergency advice"] == "Yes: pressed a key for it, at Worrying symptoms"
    steps = [row for row in csv_rows(clinic.get("/dashboard/export/steps.csv?period=today")) if row["Call"] == sid(12)]
    assert [row["What happened"] for row in steps][:2] == [
        "The call began: the greeting and the first menu", "Chose a language: the greeting and the first menu in it"]
    assert {row["Language of the call"] for row in steps} == {"Spanish"}, "every step, the first in English too"

    listed = page(clinic, "/dashboard/calls?period=today").table("Calls, newest first (times in America/New_York)")
    assert listed[0][2] == "Language"
    assert sorted(row[2] for row in listed[1:]) == ["English"] * 10 + ["Spanish"] * 4
    assert page(clinic, f"/dashboard/calls/{sid(13)}").terms["Language"] == "Spanish"
    assert page(clinic, f"/dashboard/calls/{sid(3)}").terms["Language"] == "English"


def test_a_line_of_one_language_shows_nothing_of_languages_and_exports_its_language(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(LINE_FILE=str(write_line(tmp_path, base_line())), DASHBOARD_PASSWORD=PASSWORD,
                   DATABASE_URL=f"sqlite:///{tmp_path / 'c.sqlite3'}")
    call = Call(app, sid(1))
    call.dial_in()
    call.press("1")
    call.hang_up(20)
    client = app.test_client()
    sign_in(client, PASSWORD)
    html = client.get("/dashboard?period=today").get_data(as_text=True)
    figures = read(html)
    assert figures.terms["Calls"].startswith("1 ")
    assert "languages-heading" not in html and "Languages" not in figures.text
    assert not [caption for caption in figures.tables if "language" in caption.lower()]
    assert "Language" not in page(client, "/dashboard/calls?period=today").table(
        "Calls, newest first (times in America/New_York)")[0]
    assert "Language" not in page(client, f"/dashboard/calls/{sid(1)}").terms
    assert [row["Language"] for row in csv_rows(client.get("/dashboard/export/calls.csv?period=today"))] == [
        "English"]
    assert {row["Language of the call"] for row in csv_rows(client.get("/dashboard/export/steps.csv?period=today"))} \
        == {"English"}


# -- exports, calls and journeys --------------------------------------------------------------------


def test_the_calls_export_has_one_readable_row_a_call_in_the_clinics_time(
    clinic: FlaskClient, days_calls: None
) -> None:
    response = clinic.get("/dashboard/export/calls.csv?from=2026-11-24&to=2026-11-24")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="calls-botox-swelling-and-inflammation-2026-11-24-to-2026-11-24.csv"' in \
        response.headers["Content-Disposition"]
    calls = {row["Call"]: row for row in csv_rows(response)}
    assert len(calls) == 10
    b = calls[sid(2)]
    assert b["Started (America/New_York)"] == "2026-11-24 10:00:00"
    assert b["Length (seconds)"] == "120"
    assert b["Places reached"] == ("Main menu > Swelling and reactions > How long swelling lasts > "
                                   "Swelling to be checked")
    assert b["How it ended"] == "Put through, but nobody answered"
    assert b["Transfers"] == "The clinic: busy"
    assert b["Emergency advice"] == "No"
    assert calls[sid(6)]["Emergency advice"] == "Yes: said an emergency phrase, at Main menu"
    assert calls[sid(10)]["Transfers"] == "The after-hours line: answered"
    assert calls[sid(10)]["In opening hours"] == "No"
    assert calls[sid(10)]["Started (America/New_York)"] == "2026-11-24 23:00:00"
    assert calls[sid(5)]["Caller (a code for the number, never the number)"] == "", "a withheld number"
    assert len({row["Caller (a code for the number, never the number)"] for row in calls.values()} - {""}) == 8
    assert "2025550" not in response.get_data(as_text=True)


def test_the_steps_export_has_one_readable_row_a_step(clinic: FlaskClient, days_calls: None) -> None:
    response = clinic.get("/dashboard/export/steps.csv?from=2026-11-24&to=2026-11-24")
    steps = csv_rows(response)
    assert len({row["Call"] for row in steps}) == 10
    c = [row for row in steps if row["Call"] == sid(3)]
    assert [row["What happened"] for row in c] == [
        "The call began: the greeting and the first menu", "Said nothing; asked again",
        "Gave an answer that is not a choice; asked again", "Made a choice", "Asked for the clinic",
        "The transfer ended: answered",
    ]
    assert [row["Place"] for row in c][-1] == "Swelling and reactions"
    assert c[4]["Put through to"] == "The clinic" and c[5]["Transfer result"] == "Answered"
    assert c[3]["Answered with"] == "Words" and c[2]["Key pressed"] == "5"
    text = response.get_data(as_text=True)
    for internal in ("_end", "dial:", "gave_up", "no_input", "clinic_key"):
        assert internal not in text


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), (" =1+1", "' =1+1"),
    ("\n=1+1", "'\n=1+1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("\uff1d1+1", "'\uff1d1+1"),
    ("\u3000=1", "'\u3000=1"), ("\u200b=1", "'\u200b=1"), ("\uff0b1", "'\uff0b1"), ("\tplain", "'\tplain"),
    ("plain words", "plain words"), ("", ""), ("1+1", "1+1"), ("Main menu > Swelling", "Main menu > Swelling"),
])
def test_every_cell_of_an_export_is_safe_from_formulas(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe


def test_odd_values_from_a_request_are_exported_formula_safe(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    line = DEFAULT_LINE_FILE.read_text().replace("record_speech: false", "record_speech: true")
    (tmp_path / "line.yaml").write_text(line)
    app = make_app(LINE_FILE=str(tmp_path / "line.yaml"), DATABASE_URL=f"sqlite:///{tmp_path / 'c.sqlite3'}",
                   DASHBOARD_PASSWORD=PASSWORD)
    call = Call(app, sid(1))
    call.dial_in()
    call.say(" =HYPERLINK(\"http://evil.example\")")
    call.caller.post(call.caller._gather_action(), {"Digits": "\n=cmd"})
    client = app.test_client()
    sign_in(client, PASSWORD)
    steps = csv_rows(client.get("/dashboard/export/steps.csv?period=today"))
    cells = [cell for row in steps for cell in row.values()]
    assert "' =HYPERLINK(\"http://evil.example\")" in cells
    assert not any(re.match("\\s*[=+\\-@\uff1d]", cell) for cell in cells)


def test_the_calls_page_lists_the_periods_calls_and_each_journey_shows_its_steps(
    clinic: FlaskClient, days_calls: None
) -> None:
    listed = clinic.get("/dashboard/calls?period=today").get_data(as_text=True)
    assert "10 calls" in read(listed).text
    assert f'href="/dashboard/calls/{sid(2)}"' in listed
    journey = page(clinic, f"/dashboard/calls/{sid(2)}")
    assert journey.h1 == "A call's journey"
    assert journey.terms["How it ended"] == "Put through, but nobody answered, at Swelling to be checked"
    steps = journey.table("Every step of the call")
    assert [row[3] for row in steps[1:]] == [
        "The call began: the greeting and the first menu", "Made a choice", "Made a choice", "Asked to hear it again",
        "Made a choice", "The transfer ended: busy"]
    assert "2025550" not in clinic.get(f"/dashboard/calls/{sid(2)}").get_data(as_text=True)
    assert page(clinic, "/dashboard/calls/CA-no-such-call", 404).h1 == "Page not found"


def test_the_map_shows_every_node_with_what_callers_hear_and_where_its_keys_lead(clinic: FlaskClient) -> None:
    response = clinic.get("/dashboard/map")
    html = response.get_data(as_text=True)
    line_map = read(html)

    assert line_map.h1 == "Line map"
    for node_id, node in LINE.nodes.items():
        assert f'id="node-{node_id}"' in html
        assert node.title in line_map.text
    assert LINE.nodes["swelling-duration"].text in line_map.text  # type: ignore[union-attr]
    assert line_map.column("Keys at Worrying symptoms", "1")["Goes to"] == "Emergency advice"
    assert 'href="#node-emergency"' in html
    assert line_map.column("Keys that work everywhere", "0")["What it does"] == "Speak to the clinic"
    assert "No audio rendered yet" in line_map.text


def test_the_map_shows_the_calls_at_each_place_beside_it(clinic: FlaskClient, days_calls: None) -> None:
    html = clinic.get("/dashboard/map?period=today").get_data(as_text=True)
    section = html[html.index('id="node-swelling-duration"'):]
    section = read(section[: section.index("</section>")])
    assert section.terms == {"Reached it": "2", "Moved on": "1", "Heard it, then hung up": "1"}
    assert "Main menu (Menu, where calls start): reached by 10 calls" in read(html).text


def test_the_map_plays_a_prompts_rendered_audio(dashboard_app: Flask, clinic: FlaskClient) -> None:
    swelling = LINE.nodes["swelling"].prompt  # type: ignore[union-attr]
    render_a_tone(dashboard_app, swelling)
    html = clinic.get("/dashboard/map").get_data(as_text=True)

    players = re.findall(r'<audio controls preload="none" src="([^"]+)"', html)
    assert len(players) == 1
    section = html[html.index('id="node-swelling"'):]
    assert section.index(players[0]) < section.index("</section>"), "the player is in the node's section"
    audio = clinic.get(players[0])
    audio.close()
    assert (audio.status_code, audio.mimetype) == (200, "audio/wav")


def test_an_unknown_page_is_the_dashboards_own_not_found_page(dashboard_app: Flask, clinic: FlaskClient) -> None:
    for client in (clinic, dashboard_app.test_client()):
        missing = client.get("/dashboard/no-such-page")
        assert missing.status_code == 404
        assert read(missing.get_data(as_text=True)).h1 == "Page not found"
        assert "script-src 'none'" in missing.headers["Content-Security-Policy"]
    assert "Page not found" not in dashboard_app.test_client().get("/no-such-page").get_data(as_text=True)


def test_the_dashboard_with_a_trailing_slash_is_the_figures_page(dashboard_app: Flask, clinic: FlaskClient) -> None:
    """People type /dashboard/ as often as /dashboard: both reach the figures, with the period asked for."""
    arrived = clinic.get("/dashboard/?period=today", follow_redirects=True)
    assert arrived.status_code == 200
    assert "Today: Tue 24 Nov 2026." in read(arrived.get_data(as_text=True)).text
    stranger = dashboard_app.test_client().get("/dashboard/", follow_redirects=True)
    assert read(stranger.get_data(as_text=True)).h1 != "Page not found", "signing in first, then the figures"


def test_the_dashboard_and_the_webhooks_check_what_they_rely_on_without_assert() -> None:
    """python -O removes every assert: a page or a webhook must not rely on one."""
    package = Path(ivr.__file__).parent
    found = [f"{path.relative_to(package)}:{node.lineno}"
             for folder in ("dashboard", "web") for path in sorted((package / folder).rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Assert)]
    assert found == []


def test_dashboard_pages_are_not_cached_framed_or_scripted(clinic: FlaskClient) -> None:
    response = clinic.get("/dashboard")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<script" not in response.get_data(as_text=True)


def test_when_the_records_cannot_be_read_signing_in_says_so(make_app: Callable[..., Flask]) -> None:
    app = make_app(DATABASE_URL="postgresql://nobody@127.0.0.1:9/none", RECORD_TIMEOUT_SECONDS=0.5,
                   DASHBOARD_PASSWORD=PASSWORD)
    client = app.test_client()
    token = csrf_token(client.get("/dashboard/login").get_data(as_text=True))
    response = client.post("/dashboard/login", data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 503
    assert read(response.get_data(as_text=True)).h1 == "Signing in is not possible just now"


def test_with_call_records_off_the_dashboard_still_signs_in_and_says_there_are_no_figures(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(RECORD_CALLS=False, DATABASE_URL=f"sqlite:///{tmp_path / 'c.sqlite3'}",
                   DASHBOARD_PASSWORD=PASSWORD)
    client = app.test_client()
    sign_in(client, PASSWORD)
    assert page(client, "/dashboard", 404).h1 == "Call records are switched off"
    assert page(client, "/dashboard/map").h1 == "Line map"


def test_a_password_of_digits_from_the_environment_is_taken_as_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """IVR_* values are read as JSON, which would make 1234 a number."""
    for name, value in {"DASHBOARD_PASSWORD": "1234", "SECRET_KEY": "0042", "CALLER_HASH_KEY": "7",
                        "DEV_MODE": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}",
                        "AUDIO_DIR": str(tmp_path / "audio")}.items():
        monkeypatch.setenv(f"IVR_{name}", value)
    client = create_app().test_client()
    sign_in(client, "1234")
    assert client.get("/dashboard/map").status_code == 200


def test_every_page_tells_signed_in_staff_when_callers_hear_the_last_good_line(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    line_file = write_line(tmp_path, base_line())
    app = make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD=PASSWORD, SECRET_KEY=SECRET,
                   LINE_FILE=str(line_file))
    clinic = app.test_client()
    sign_in(clinic, PASSWORD)
    assert "last good version" not in clinic.get("/dashboard").get_data(as_text=True)
    line_file.write_text(base_line().replace("start: main", "start: nowhere"))
    for _ in range(100):  # the file is looked at in the background, within a moment
        page = clinic.get("/dashboard/map").get_data(as_text=True)
        if "last good version" in page:
            break
        time.sleep(0.05)
    assert re.search(r'role="alert"><strong>Callers hear the last good version of the line:</strong>\s+the line '
                     rf"file {re.escape(str(line_file))} has 1 error \(ivr validate", page), page[:3000]
    stranger = app.test_client().get("/dashboard/login").get_data(as_text=True)
    assert "last good version" not in stranger, "the file's path is for staff only"


# -- text conversations beside calls ------------------------------------------------------------------


def make_the_days_texts(app: Flask, clock: Clock) -> None:
    """Five text conversations: an answer read, the emergency advice, the clinic's number, a STOP at the main
    menu, and a texter who went quiet at a menu."""
    clock.now = OPEN
    client = app.test_client()
    for number, messages in (
        ("+12025550211", ["hi", "2", "1"]),
        ("+12025550222", ["hi", "I can't breathe"]),
        ("+12025550233", ["hi", "0"]),
        ("+12025550244", ["hi", "STOP"]),
        ("+12025550255", ["hi", "2"]),
    ):
        texter = Texter(client, TOKEN, number=number)
        for message in messages:
            texter.send(message)


@pytest.fixture
def days_calls_and_texts(dashboard_app: Flask, clock: Clock) -> None:
    make_the_days_calls(dashboard_app, clock)
    make_the_days_texts(dashboard_app, clock)


def test_text_conversations_are_counted_beside_calls_with_their_safety_figures(
    clinic: FlaskClient, days_calls_and_texts: None
) -> None:
    figures = page(clinic, "/dashboard?period=today")
    assert figures.terms["Calls"].startswith("10 ") and figures.terms["Text conversations"].startswith("5 ")
    assert rows(figures, "Calls and text conversations") == {
        "Calls or conversations": {"Figure": "Calls or conversations", "Phone calls": "10", "Text conversations": "5"},
        "Got the emergency advice": {"Figure": "Got the emergency advice", "Phone calls": "3",
                                     "Text conversations": "1"},
        "Put through, or given the clinic's number": {"Figure": "Put through, or given the clinic's number",
                                                      "Phone calls": "5", "Text conversations": "1"},
        "Dropped or gave up": {"Figure": "Dropped or gave up", "Phone calls": "1", "Text conversations": "2"},
    }
    assert ("5 text conversations: 1 got the emergency advice, 1 were given the clinic's number to call, and 2 "
            "gave up") in figures.text
    assert rows(figures, "Where texters gave up") == {
        "Main menu": {"Where the texter was": "Main menu", "Conversations that reached it": "5", "Gave up there": "1"},
        "Swelling and reactions": {"Where the texter was": "Swelling and reactions",
                                   "Conversations that reached it": "2", "Gave up there": "1"},
    }


def test_both_exports_say_each_rows_channel(clinic: FlaskClient, days_calls_and_texts: None) -> None:
    calls = csv_rows(clinic.get("/dashboard/export/calls.csv?period=today"))
    channel = "Channel (voice or text)"
    assert sorted(row[channel] for row in calls) == ["text"] * 5 + ["voice"] * 10
    endings = sorted(row["How it ended"] for row in calls if row[channel] == "text")
    assert endings == sorted(["Heard an answer, then hung up", "Heard the emergency advice",
                              "Given the clinic's number to call, by text", "Texted STOP", "Hung up at a menu"])
    steps = csv_rows(clinic.get("/dashboard/export/steps.csv?period=today"))
    by_call = {row["Call"]: row[channel] for row in steps}
    assert {by_call[row["Call"]] for row in calls if row[channel] == "text"} == {"text"}
    assert {by_call[sid(n)] for n in range(1, 11)} == {"voice"}
    stopped = [row["What happened"] for row in steps if row[channel] == "text"]
    assert "Texted STOP: the line writes to them no more" in stopped
    assert "2025550" not in clinic.get("/dashboard/export/calls.csv?period=today").get_data(as_text=True)
