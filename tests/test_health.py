"""`/healthz` for load balancers and monitors, and the headers every response carries."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from ivr.config import DEFAULT_LINE_FILE
from tests.calls import CALLER, Caller, sign
from tests.conftest import TOKEN
from tests.served import ivr_serve, request


def health(app: Flask) -> dict[str, object]:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_health_names_the_line_version_answering_and_the_records_being_written(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'calls.sqlite3'}")
    caller = Caller(app.test_client(), TOKEN)
    caller.dial_in()
    caller.press("2")
    app.extensions["ivr"].recorder.flush(5)
    version = hashlib.sha256(DEFAULT_LINE_FILE.read_bytes()).hexdigest()[:12]
    assert health(app) == {"status": "ok", "line": {"version": version, "published": 1, "last_good": False},
                           "records": {"on": True, "writing": True, "waiting": 0, "dropped": 0}}
    text = app.test_client().get("/healthz").get_data(as_text=True)
    assert CALLER.lstrip("+") not in text and caller.sid not in text, "nothing of a call"


def test_health_says_when_records_are_not_being_written(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.write_text("a file where the records' folder should be")
    app = make_app(DATABASE_URL=f"sqlite:///{folder / 'calls.sqlite3'}", RECORD_TIMEOUT_SECONDS=0.2)
    Caller(app.test_client(), TOKEN).dial_in()
    app.extensions["ivr"].recorder.flush(5)
    found = health(app)
    assert found["status"] == "degraded"
    assert found["records"] == {"on": True, "writing": False, "waiting": 0, "dropped": 1}
    assert health(make_app(RECORD_CALLS=False))["records"] == {"on": False}


def test_health_says_when_the_last_good_line_answers(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    line_file = tmp_path / "line.yaml"
    shutil.copy(DEFAULT_LINE_FILE, line_file)
    app = make_app(LINE_FILE=str(line_file))
    before = health(app)["line"]
    line_file.write_text(line_file.read_text().replace("start: main", "start: nowhere"))
    deadline = time.monotonic() + 5
    while health(app)["line"] == before:
        assert time.monotonic() < deadline, "the broken file was not noticed"
        time.sleep(0.05)
    assert health(app)["status"] == "degraded"
    assert health(app)["line"] == {"version": before["version"], "published": 1,  # type: ignore[index]
                                   "last_good": True}


def test_every_response_has_a_permissions_policy_and_https_ones_keep_browsers_on_https(
    make_app: Callable[..., Flask]
) -> None:
    app = make_app(PROXY_HOPS=1)
    plain = app.test_client().get("/dashboard/login")
    assert "camera=()" in plain.headers["Permissions-Policy"] and "microphone=()" in plain.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in plain.headers, "HSTS over plain HTTP is ignored, and says nothing"
    secure = app.test_client().get("/dashboard/login", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    form = {"CallSid": "CA1", "From": CALLER}
    webhook = app.test_client().post("/voice", data=form, headers={
        "X-Forwarded-Proto": "https", "X-Twilio-Signature": sign(TOKEN, "https://localhost/voice", form)})
    assert webhook.status_code == 200 and "Strict-Transport-Security" in webhook.headers
    assert "Permissions-Policy" in webhook.headers


def test_the_served_line_names_no_server_software(tmp_path: Path) -> None:
    with ivr_serve(tmp_path, tmp_path / "server.log") as served:
        paths = ("/healthz", "/dashboard/static/dashboard.css", "/nowhere")
        responses = [request(served.base, "GET", path) for path in paths]
    assert [response.status for response in responses] == [200, 200, 404]
    for response in responses:
        assert "server" not in response.headers, response.headers
