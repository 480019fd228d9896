"""Named staff accounts with roles: who may do what on the dashboard, the move from the shared password, the
accounts page and `ivr users`, and the staff record."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ivr.dashboard.auth import hash_password
from ivr.store import Store
from ivr.store.staff import add_account
from tests.conftest import PASSWORD_COST, Clock
from tests.pages import csrf_token, read
from tests.pages import sign_in as sign_in_with_the_shared_password
from tests.test_commands import ivr

SHARED = "the-clinics-old-shared-password"
PASSWORDS = {"Vera": "viewer-password-1", "Eddie": "editor-password-1", "Pat": "publisher-password-1"}
ROLE_OF = {"Vera": "viewer", "Eddie": "editor", "Pat": "publisher"}

#: Every page and action of the dashboard, and the least role that may use it. A page added to the dashboard
#: without a row here fails test_every_dashboard_page_is_in_the_table.
TABLE: list[tuple[str, str, str, str]] = [
    # (endpoint, method, path, least role)
    ("dashboard.figures", "GET", "/dashboard", "viewer"),
    ("dashboard.figures_with_a_slash", "GET", "/dashboard/", "viewer"),
    ("dashboard.calls", "GET", "/dashboard/calls", "viewer"),
    ("dashboard.journey", "GET", "/dashboard/calls/CAnone", "viewer"),
    ("dashboard.map_page", "GET", "/dashboard/map", "viewer"),
    ("dashboard.export_calls", "GET", "/dashboard/export/calls.csv", "viewer"),
    ("dashboard.export_steps", "GET", "/dashboard/export/steps.csv", "viewer"),
    ("dashboard.versions", "GET", "/dashboard/line", "viewer"),
    ("dashboard.version_file", "GET", "/dashboard/line/1.yaml", "viewer"),
    ("dashboard.rollback", "POST", "/dashboard/line/99/rollback", "publisher"),
    ("dashboard.review", "POST", "/dashboard/line/review", "publisher"),
    ("dashboard.publish_reviewed", "POST", "/dashboard/line/publish", "publisher"),
    ("dashboard.drafts_page", "GET", "/dashboard/drafts", "editor"),
    ("dashboard.start_draft", "POST", "/dashboard/drafts", "editor"),
    ("dashboard.draft_page", "GET", "/dashboard/drafts/99", "editor"),
    ("dashboard.save_form", "POST", "/dashboard/drafts/99", "editor"),
    ("dashboard.draft_yaml", "GET", "/dashboard/drafts/99/yaml", "editor"),
    ("dashboard.save_yaml", "POST", "/dashboard/drafts/99/yaml", "editor"),
    ("dashboard.draft_file", "GET", "/dashboard/drafts/99.yaml", "editor"),
    ("dashboard.discard", "POST", "/dashboard/drafts/99/discard", "editor"),
    ("dashboard.review_draft", "POST", "/dashboard/drafts/99/review", "publisher"),
    ("dashboard.try_it", "GET", "/dashboard/try", "editor"),
    ("dashboard.try_start", "POST", "/dashboard/try/start", "editor"),
    ("dashboard.try_step", "POST", "/dashboard/try/step", "editor"),
    ("dashboard.try_audio", "GET", "/dashboard/try/audio/none.wav", "editor"),
    ("dashboard.accounts", "GET", "/dashboard/accounts", "publisher"),
    ("dashboard.accounts", "POST", "/dashboard/accounts", "publisher"),
    ("dashboard.account_role", "POST", "/dashboard/accounts/nobody/role", "publisher"),
    ("dashboard.account_remove", "POST", "/dashboard/accounts/nobody/remove", "publisher"),
    ("dashboard.staff_record", "GET", "/dashboard/staff-record", "publisher"),
    ("dashboard.export_staff_record", "GET", "/dashboard/export/staff-record.csv", "publisher"),
    ("dashboard.logout", "POST", "/dashboard/logout", "viewer"),
]
RANKS = ("viewer", "editor", "publisher")


@pytest.fixture
def staff_app(make_app: Callable[..., Flask]) -> Flask:
    """A dashboard with the three accounts, and the old shared password still set."""
    return with_staff(make_app)


def with_staff(make_app: Callable[..., Flask]) -> Flask:
    """An app whose dashboard has the three accounts, and the old shared password still set."""
    app = make_app(DASHBOARD_PASSWORD=SHARED, SECRET_KEY="a-secret-key")
    for name, password in PASSWORDS.items():
        add_account(_store(app), name, ROLE_OF[name], hash_password(password, PASSWORD_COST), app.config["CLOCK"]())
    return app


def _store(app: Flask) -> Store:
    store: Store = app.extensions["ivr.store"]
    return store


def sign_in(client: FlaskClient, name: str, password: str, status: int = 302) -> str:
    token = csrf_token(client.get("/dashboard/login").get_data(as_text=True))
    response = client.post("/dashboard/login", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def signed_in_as(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, name, PASSWORDS[name])
    return client


def test_every_dashboard_page_is_in_the_table(staff_app: Flask) -> None:
    endpoints = {rule.endpoint for rule in staff_app.url_map.iter_rules() if rule.endpoint.startswith("dashboard.")}
    assert endpoints - {"dashboard.static", "dashboard.login"} == {row[0] for row in TABLE}


def test_each_role_may_do_what_its_role_allows_and_is_told_why_not_otherwise(staff_app: Flask) -> None:
    outcomes: dict[tuple[str, str, str], str] = {}
    for name, role in ROLE_OF.items():
        client = signed_in_as(staff_app, name)  # signing out is the table's last row
        for _endpoint, method, path, least in TABLE:
            token = csrf_token(client.get("/dashboard/login").get_data(as_text=True)) if method == "POST" else ""
            response = (client.post(path, data={"csrf_token": token}) if method == "POST" else client.get(path))
            allowed = RANKS.index(role) >= RANKS.index(least)
            outcomes[(role, method, path)] = "forbidden" if response.status_code == 403 else "allowed"
            if not allowed:
                assert f"This needs the {least} role" in read(response.get_data(as_text=True)).text
            else:
                assert response.status_code in (200, 302, 400, 404), (role, path, response.status_code)
    expected = {(role, method, path): "allowed" if RANKS.index(role) >= RANKS.index(least) else "forbidden"
                for role in RANKS for _, method, path, least in TABLE}
    assert outcomes == expected


def test_the_shared_password_signs_in_only_until_the_first_account_exists(make_app: Callable[..., Flask]) -> None:
    app = make_app(DASHBOARD_PASSWORD=SHARED, SECRET_KEY="a-secret-key")
    before = app.test_client()
    sign_in_with_the_shared_password(before, SHARED)
    page = read(before.get("/dashboard/accounts").get_data(as_text=True))
    assert page.h1 == "Staff accounts" and "There are no accounts yet" in page.text

    token = csrf_token(before.get("/dashboard/accounts").get_data(as_text=True))
    made = before.post("/dashboard/accounts", data={"name": "Pat", "role": "publisher", "password": "a-long-password",
                                                    "again": "a-long-password", "csrf_token": token})
    assert made.status_code == 302
    assert before.get("/dashboard").status_code == 302, "the shared password's sign-in ended"
    later = app.test_client()
    assert "do not match an account" in sign_in(later, "", SHARED, status=401)
    sign_in(later, "Pat", "a-long-password")
    assert read(later.get("/dashboard").get_data(as_text=True)).h1 != "Sign in to the clinic dashboard"


def test_a_new_accounts_mistakes_are_shown_beside_their_fields(staff_app: Flask) -> None:
    client = signed_in_as(staff_app, "Pat")
    token = csrf_token(client.get("/dashboard/accounts").get_data(as_text=True))
    response = client.post("/dashboard/accounts", data={"name": "Vera", "role": "viewer", "password": "short",
                                                        "again": "other", "csrf_token": token})
    text = read(response.get_data(as_text=True)).text
    assert response.status_code == 400
    assert "A password needs 10 characters at least." in text
    assert "The two passwords are not the same." in text


def test_the_last_publisher_can_neither_leave_nor_stop_publishing(staff_app: Flask) -> None:
    client = signed_in_as(staff_app, "Pat")
    token = csrf_token(client.get("/dashboard/accounts").get_data(as_text=True))
    response = client.post("/dashboard/accounts/Pat/role", data={"role": "viewer", "csrf_token": token})
    assert response.status_code == 400
    assert "only publisher" in read(response.get_data(as_text=True)).text
    response = client.post("/dashboard/accounts/Pat/remove", data={"csrf_token": token})
    assert response.status_code == 400


def test_a_removed_account_is_signed_out_at_once_and_a_demoted_one_loses_its_pages(staff_app: Flask) -> None:
    eddie, pat = signed_in_as(staff_app, "Eddie"), signed_in_as(staff_app, "Pat")
    vera = signed_in_as(staff_app, "Vera")
    token = csrf_token(pat.get("/dashboard/accounts").get_data(as_text=True))
    assert pat.post("/dashboard/accounts/Eddie/remove", data={"csrf_token": token}).status_code == 302
    assert eddie.get("/dashboard").status_code == 302  # to the sign-in
    assert vera.get("/dashboard/staff-record").status_code == 403
    assert pat.post("/dashboard/accounts/Vera/role", data={"role": "publisher", "csrf_token": token}).status_code == 302
    assert vera.get("/dashboard/staff-record").status_code == 200


def test_what_staff_do_is_recorded_with_who_and_when_and_can_be_downloaded(staff_app: Flask, clock: Clock) -> None:
    stranger = staff_app.test_client()
    sign_in(stranger, "Vera", "not her password", status=401)
    sign_in(stranger, "Mallory", "a guess", status=401)
    pat = signed_in_as(staff_app, "Pat")
    token = csrf_token(pat.get("/dashboard/accounts").get_data(as_text=True))
    pat.post("/dashboard/accounts/Vera/role", data={"role": "editor", "csrf_token": token})

    rows = read(pat.get("/dashboard/staff-record").get_data(as_text=True)).table(
        "What staff did, newest first (times in America/New_York)")
    said = [(who, what, detail) for _, who, what, detail in rows[1:]]
    assert said[:4] == [("Pat", "role changed", "Vera is now an editor"), ("Pat", "signed in", ""),
                        ("a name with no account", "sign-in failed", "wrong name or password"),
                        ("Vera", "sign-in failed", "wrong name or password")]
    assert "a guess" not in str(said) and "not her password" not in str(said)
    download = pat.get("/dashboard/export/staff-record.csv")
    table = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["When (America/New_York)", "Who", "What", "Detail"]
    assert table[1][1:] == ["Pat", "role changed", "Vera is now an editor"]


def test_ivr_users_makes_accounts_from_a_script_and_refuses_in_plain_words(tmp_path: object) -> None:
    env = {"IVR_DATABASE_URL": f"sqlite:///{tmp_path}/records.sqlite3", "IVR_DASHBOARD_PASSWORD_COST": "8"}
    made = ivr("users", "add", "Pat", "--role", "publisher", stdin="a-long-password\n", env=env)
    assert made.status == 0, made.err
    assert "Pat can now sign in to the dashboard as a publisher." in made.out
    again = ivr("users", "add", "Pat", "--role", "viewer", stdin="a-long-password\n", env=env)
    short = ivr("users", "add", "Sam", "--role", "viewer", stdin="short\n", env=env)
    last = ivr("users", "remove", "Pat", env=env)
    missing = ivr("users", "add", "Sam", "--role", "viewer", "--password-file", str(tmp_path) + "/none", env=env)
    for refused in (again, short, last, missing):
        assert refused.status != 0 and "Traceback" not in refused.err and refused.err.strip()
    assert "already an account named 'Pat'" in again.err
    assert "10 characters" in short.err
    assert "only publisher" in last.err
    listed = ivr("users", "list", env=env)
    assert listed.out.split("\t")[:2] == ["Pat", "publisher"]
