"""The line as versions in the database, in process: what a worker answers with, and the Line versions page."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from ivr.config import DEFAULT_LINE_FILE
from ivr.dashboard.auth import hash_password
from ivr.store import Store
from ivr.store.staff import add_account
from ivr.store.versions import history, publish
from tests.calls import Caller
from tests.conftest import PASSWORD_COST, TOKEN
from tests.pages import csrf_token, read
from tests.test_staff_accounts import sign_in

OLD = "It should go down within one to two days."
NEW = "It should go down within two days at most."
LINE = "Botox swelling and inflammation"


def _store(app: Flask) -> Store:
    store: Store = app.extensions["ivr.store"]
    return store


def _how_long_swelling_lasts(app: Flask) -> str:
    caller = Caller(app.test_client(), TOKEN)
    caller.dial_in()
    caller.press("2")
    return caller.press("1").heard


def _publish(app: Flask, text: str, note: str) -> int:
    raw = text.encode("utf-8")
    return publish(_store(app), LINE, text, hashlib.sha256(raw).hexdigest(), by="a test", note=note,
                   now=app.config["CLOCK"]()).number


def publish_text_change(app: Flask, line: str = LINE) -> int:
    """Publish the Botox line with one answer's text changed; the new version's number."""
    return _publish(app, DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most."),
                    "Shorter")


def test_the_line_file_seeds_version_1_and_each_valid_change_of_it_is_published(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    line_file = tmp_path / "line.yaml"
    shutil.copy(DEFAULT_LINE_FILE, line_file)
    app = make_app(LINE_FILE=str(line_file))
    assert [(v.number, v.source) for v in history(_store(app), LINE)] == [(1, "file")]

    line_file.write_text(line_file.read_text().replace("start: main", "start: nowhere"))
    app.extensions["ivr"].line.look()
    assert len(history(_store(app), LINE)) == 1, "a broken file is not published"
    line_file.write_text(DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most."))
    app.extensions["ivr"].line.look()
    newest = history(_store(app), LINE)[0]
    assert (newest.number, newest.note) == (2, "The line file changed")
    assert NEW in _how_long_swelling_lasts(app)


def test_a_version_that_fails_to_load_is_never_answered_with(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    broken = DEFAULT_LINE_FILE.read_text().replace("start: main", "start: nowhere")
    _publish(app, broken, "written straight into the database, as an older version of the code might have")
    app.extensions["ivr"].line.look()
    assert OLD in _how_long_swelling_lasts(app)
    assert app.test_client().get("/healthz").get_json()["line"]["published"] == 1

    _publish(app, DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most."), "ok")
    app.extensions["ivr"].line.look()
    assert NEW in _how_long_swelling_lasts(app)


def test_a_publisher_rolls_back_on_the_versions_page_and_callers_hear_the_old_text(
    make_app: Callable[..., Flask]
) -> None:
    app = make_app(SECRET_KEY="a-secret-key")
    add_account(_store(app), "Pat", "publisher", hash_password("a-long-password", PASSWORD_COST), app.config["CLOCK"]())
    _publish(app, DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most."),
             "Shorter")
    app.extensions["ivr"].line.look()
    assert NEW in _how_long_swelling_lasts(app)

    pat = app.test_client()
    sign_in(pat, "Pat", "a-long-password")
    page = pat.get("/dashboard/line").get_data(as_text=True)
    table = read(page).table("Versions, newest first (times in America/New_York)")
    assert [row[0] for row in table[1:]] == ["2 (callers hear this)", "1"]
    response = pat.post("/dashboard/line/1/rollback", data={"note": "Callers asked what 'at most' meant",
                                                            "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    app.extensions["ivr"].line.look()
    assert OLD in _how_long_swelling_lasts(app)

    after = read(pat.get(response.headers["Location"]).get_data(as_text=True))
    assert "Version 1 is published again, as version 3." in after.text
    newest = after.table("Versions, newest first (times in America/New_York)")[1]
    assert newest[0] == "3 (callers hear this)" and newest[2] == "Pat"
    assert newest[3] == "Callers asked what 'at most' meant (version 1 again)"
    assert pat.get("/dashboard/line/1.yaml").get_data(as_text=True) == DEFAULT_LINE_FILE.read_text()
    record = read(pat.get("/dashboard/staff-record").get_data(as_text=True)).table(
        "What staff did, newest first (times in America/New_York)")
    assert record[1][1:] == ["Pat", "rolled back",
                             "to version 1, published again as version 3: Callers asked what 'at most' meant"]


def test_ivr_line_refuses_in_plain_words_what_it_cannot_do(tmp_path: Path) -> None:
    from tests.test_commands import ivr

    env = {"IVR_DATABASE_URL": f"sqlite:///{tmp_path}/records.sqlite3"}
    broken = tmp_path / "broken.yaml"
    broken.write_text(DEFAULT_LINE_FILE.read_text().replace("start: main", "start: nowhere"))
    nothing_yet = ivr("line", "history", env=env)
    no_note = ivr("line", "publish", str(DEFAULT_LINE_FILE), "--note", " ", env=env)
    with_errors = ivr("line", "publish", str(broken), "--note", "a try", env=env)
    for refused in (nothing_yet, no_note, with_errors):
        assert refused.status != 0 and refused.err.strip() and "Traceback" not in refused.err
    assert "no version of any line yet" in nothing_yet.err
    assert "say why, in a note" in no_note.err
    assert with_errors.err.startswith(f"Not published: {broken} has errors.")
    assert "nowhere" in with_errors.err
    assert ivr("line", "publish", str(DEFAULT_LINE_FILE), "--note", "first", env=env).status == 0
    same = ivr("line", "rollback", "1", env=env)
    assert same.status == 1 and "version 1 is the one answering already" in same.err
