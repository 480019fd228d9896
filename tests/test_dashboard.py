"""The clinic's dashboard: behind its password, its figures are the calls that were made."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from ivr import create_app
from ivr.config import DEFAULT_LINE_FILE
from ivr.line.load import load_line
from ivr.speech.catalog import store_rendered
from ivr.speech.telephone import TELEPHONE_RATE, write_telephone_wav
from ivr.speech.voicing import Voicing
from tests.delivery import Call, sid
from tests.pages import Page, csrf_token, read, sign_in

PASSWORD = "correct horse battery staple"
TONE_SECONDS = 0.6
LINE = load_line(DEFAULT_LINE_FILE).line
TODAY = "Tue 24 Nov 2026"


@pytest.fixture
def dashboard_app(make_app: Callable[..., Flask], database_url: str) -> Flask:
    return make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD=PASSWORD)


@pytest.fixture
def clinic(dashboard_app: Flask) -> FlaskClient:
    """Somebody at the clinic, signed in to the dashboard."""
    client = dashboard_app.test_client()
    sign_in(client, PASSWORD)
    return client


def page(client: FlaskClient, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return read(response.get_data(as_text=True))


def make_the_days_calls(app: Flask) -> None:
    """Five calls with known paths (the clinic is open)."""
    a = Call(app, sid(1), "+12025550111")
    a.dial_in()
    a.press("2")  # swelling and reactions
    a.press("1")  # how long swelling lasts
    a.hang_up(40)

    b = Call(app, sid(2), "+12025550122")
    b.dial_in()
    b.press("2")
    b.press("1")
    b.press("*")  # hear it again
    b.press("2")  # have the swelling checked: put through
    b.dial_ends("busy")
    b.hang_up(120)

    c = Call(app, sid(3), "+12025550133")
    c.dial_in()
    c.stay_silent()
    c.press("5")  # not a choice at the main menu
    c.say("swelling")
    c.press("0")  # the clinic
    c.dial_ends("completed")
    c.hang_up(300)

    d = Call(app, sid(4), "+12025550111")  # the first caller again
    d.dial_in()
    d.hang_up(5)

    e = Call(app, sid(5), "+266696687")  # a withheld number
    e.dial_in()
    e.press("1")  # worrying symptoms
    e.press("1")  # the emergency advice
    e.hang_up(30)


def render_a_tone(app: Flask, text: str) -> None:
    """Put a short tone where the audio catalog expects ``text`` rendered at the line's usual pace."""
    line = app.extensions["ivr"].line.current().loaded.line
    catalog = app.extensions["ivr"].audio
    catalog.directory.mkdir(parents=True, exist_ok=True)
    name = Voicing.of(line).name(text, line.voice.default_rate)
    seconds = np.arange(int(TELEPHONE_RATE * TONE_SECONDS)) / TELEPHONE_RATE
    tone = 0.5 * np.sin(2 * np.pi * 440 * seconds)
    store_rendered(catalog.directory, name, text, lambda path: write_telephone_wav(path, tone))


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
    for url in ("/dashboard", "/dashboard/map", "/dashboard/export.csv?from=2026-11-01"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/dashboard/login?next=/dashboard")
    assert page(client, "/dashboard/login").h1 == "Sign in to the clinic dashboard"


def test_signing_in_gives_a_secure_http_only_same_site_session(dashboard_app: Flask) -> None:
    client = dashboard_app.test_client()
    login = client.get("/dashboard/login?next=/dashboard/map").get_data(as_text=True)
    response = client.post("/dashboard/login?next=/dashboard/map",
                           data={"password": PASSWORD, "csrf_token": csrf_token(login)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/map"
    cookie = response.headers["Set-Cookie"]
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


def test_the_password_is_kept_only_as_a_hash(dashboard_app: Flask) -> None:
    assert dashboard_app.config["DASHBOARD_PASSWORD"] == ""
    gate = dashboard_app.extensions["ivr.dashboard"]
    assert PASSWORD not in gate.password_hash
    assert gate.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_a_form_without_its_csrf_token_is_refused(dashboard_app: Flask, clinic: FlaskClient) -> None:
    stranger = dashboard_app.test_client()
    refused = stranger.post("/dashboard/login", data={"password": PASSWORD})
    assert refused.status_code == 400
    assert read(refused.get_data(as_text=True)).h1 == "The form has expired"
    assert clinic.post("/dashboard/logout").status_code == 400
    assert clinic.get("/dashboard").status_code == 200, "still signed in"


def test_signing_out_ends_the_session(clinic: FlaskClient) -> None:
    token = csrf_token(clinic.get("/dashboard").get_data(as_text=True))
    assert clinic.post("/dashboard/logout", data={"csrf_token": token}).status_code == 302
    assert clinic.get("/dashboard").status_code == 302


def test_sign_in_attempts_are_limited_to_five_a_minute(dashboard_app: Flask) -> None:
    client = dashboard_app.test_client()
    token = csrf_token(client.get("/dashboard/login").get_data(as_text=True))
    for _ in range(5):
        assert client.post("/dashboard/login", data={"password": "guess", "csrf_token": token}).status_code == 401
    blocked = client.post("/dashboard/login", data={"password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "Too many sign-in attempts" in read(blocked.get_data(as_text=True)).text
    elsewhere = dashboard_app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    sign_in(elsewhere, PASSWORD)  # another address is not limited


def test_after_signing_in_only_dashboard_pages_are_offered(dashboard_app: Flask) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/voice"):
        client = dashboard_app.test_client()
        token = csrf_token(client.get("/dashboard/login").get_data(as_text=True))
        response = client.post(f"/dashboard/login?next={target}", data={"password": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == "/dashboard"


def test_twilios_webhooks_need_no_csrf_token_with_the_dashboard_on(dashboard_app: Flask) -> None:
    call = Call(dashboard_app, sid(9))
    assert call.dial_in().status == 200
    assert call.press("2").status == 200
    assert call.hang_up().status == 204


def test_a_call_is_on_the_dashboard_within_a_second_of_its_status_callback(
    dashboard_app: Flask, clinic: FlaskClient
) -> None:
    call = Call(dashboard_app, sid(1))
    call.dial_in()
    call.press("1")  # worrying symptoms
    call.press("2")  # have the swelling checked: put through
    call.dial_ends("busy")

    began = time.perf_counter()
    assert call.hang_up(61).status == 204
    figures = page(clinic, "/dashboard")
    elapsed = time.perf_counter() - began

    assert figures.terms["Calls"] == "1"
    assert figures.column("Calls a day (figures)", TODAY)["Calls"] == "1"
    assert figures.terms["Calls whose end is not reported yet"] == "0"
    assert elapsed < 1.0


def test_the_figures_are_the_calls_that_were_made(dashboard_app: Flask, clinic: FlaskClient) -> None:
    make_the_days_calls(dashboard_app)
    figures = page(clinic, "/dashboard")

    assert figures.title == f"Call figures - {LINE.name} - clinic dashboard"
    assert figures.h1 == "Call figures"
    assert figures.terms == {
        "Calls": "5",
        "Different callers": "3",
        "Callers who called more than once": "1",
        "Calls that reached somebody at the clinic": "1",
        "Transfers started": "2",
        "Calls whose end is not reported yet": "0",
    }
    assert figures.column("Calls a day (figures)", TODAY)["Calls"] == "5"
    assert figures.table("Most-heard answers (figures)")[1:] == [["How long swelling lasts", "3", "2"]]
    assert sorted(figures.table("Transfers and their results (figures)")[1:]) == [
        ["Answered, call completed", "1"],
        ["Busy", "1"],
    ]
    assert sorted(figures.table("Where callers hang up (figures)")[1:]) == [
        ["How else to reach the clinic", "1"],
        ["How long swelling lasts", "1"],
        ["Main menu", "1"],
    ]
    assert figures.column("No input and invalid keys (figures)", "Main menu") == {
        "Place": "Main menu", "Answers": "6", "Silence": "1", "Silence rate": "17%",
        "Invalid": "1", "Invalid rate": "17%",
    }
    assert figures.table("Speech and keys (figures)")[1:] == [
        ["A key pressed", "10", "83%"],
        ["Words spoken", "1", "8%"],
        ["Silence", "1", "8%"],
    ]


def test_the_csv_export_has_every_turn_of_the_periods_calls(dashboard_app: Flask, clinic: FlaskClient) -> None:
    make_the_days_calls(dashboard_app)
    response = clinic.get("/dashboard/export.csv?from=2026-11-24&to=2026-11-24")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 19
    assert {row["call"] for row in rows} == {sid(n) for n in range(1, 6)}
    assert [row["event"] for row in rows if row["call"] == sid(3)] == [
        "start", "no_input", "invalid", "option", "clinic_key", "dial:completed",
    ]
    assert {row["dial_status"] for row in rows} == {"", "busy", "completed"}
    assert len({row["caller"] for row in rows if row["caller"]}) == 3
    assert "2025550" not in response.get_data(as_text=True)
    assert len(clinic.get("/dashboard/export.csv?from=2026-11-25&to=2026-11-30").get_data().splitlines()) == 1


def test_a_period_with_impossible_dates_is_explained(clinic: FlaskClient) -> None:
    response = clinic.get("/dashboard?from=2026-11-30&to=2026-11-01")
    assert response.status_code == 400
    problems = read(response.get_data(as_text=True))
    assert "The last day must be on or after the first day." in problems.text
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert "The first day is not a date" in page(clinic, "/dashboard?from=yesterday", 400).text


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


def test_dashboard_pages_are_not_cached_framed_or_scripted(clinic: FlaskClient) -> None:
    response = clinic.get("/dashboard")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<script" not in response.get_data(as_text=True)


def test_when_the_records_cannot_be_read_the_dashboard_says_so(make_app: Callable[..., Flask]) -> None:
    app = make_app(DATABASE_URL="postgresql://nobody@127.0.0.1:9/none", RECORD_TIMEOUT_SECONDS=0.5,
                   DASHBOARD_PASSWORD=PASSWORD)
    client = app.test_client()
    sign_in(client, PASSWORD)
    unavailable = page(client, "/dashboard", 503)
    assert unavailable.h1 == "The call records cannot be read just now"
    assert page(client, "/dashboard/map").h1 == "Line map", "the map needs no records"


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
