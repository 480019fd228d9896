"""The line as versions in the database, in process: what a worker answers with, and the Line versions page."""

from __future__ import annotations

import hashlib
import html as htmllib
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ivr.config import DEFAULT_LINE_FILE
from ivr.dashboard.auth import hash_password
from ivr.speech.catalog import AudioCatalog
from ivr.speech.voicing import Voicing
from ivr.store import Store
from ivr.store.staff import add_account
from ivr.store.versions import history, publish
from tests.calls import Caller, transcripts_from
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
    return caller.press("1").heard_with(transcripts_from(app.test_client()))


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


def _publisher(app: Flask) -> FlaskClient:
    add_account(_store(app), "Pat", "publisher", hash_password("a-long-password", PASSWORD_COST), app.config["CLOCK"]())
    pat = app.test_client()
    sign_in(pat, "Pat", "a-long-password")
    return pat


def _send_file(client: FlaskClient, text: str, note: str) -> tuple[int, str]:
    token = csrf_token(client.get("/dashboard/line").get_data(as_text=True))
    response = client.post("/dashboard/line/review", content_type="multipart/form-data", data={
        "csrf_token": token, "note": note, "file": (io.BytesIO(text.encode("utf-8")), "line.yaml")})
    return response.status_code, response.get_data(as_text=True)


def _form(html: str) -> dict[str, str]:
    """The review page's publish form, as the browser would send it (hidden fields and the note)."""
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html))
    fields["note"] = re.search(r'id="publish-note" name="note" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]
    return {name: htmllib.unescape(value) for name, value in fields.items()}


def test_a_publisher_sends_a_file_sees_what_changes_in_plain_words_and_publishes_it(
    make_app: Callable[..., Flask]
) -> None:
    app = make_app(SECRET_KEY="a-secret-key")
    pat = _publisher(app)
    changed = DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most.")
    status, html = _send_file(pat, changed, "Shorter, as the nurse asked")
    assert status == 200
    rows = read(html).table("Differences from the live version")
    assert rows[1][:2] == ["Answer 'How long swelling lasts'", "text in English changed"]
    assert "within one to two days." in rows[1][2] and "within two days at most." in rows[1][3]
    assert OLD in _how_long_swelling_lasts(app), "nothing is published before the button is pressed"

    published = pat.post("/dashboard/line/publish", data=_form(html))
    assert published.status_code == 302
    app.extensions["ivr"].line.look()
    assert NEW in _how_long_swelling_lasts(app)
    newest = history(_store(app), LINE)[0]
    assert (newest.number, newest.published_by, newest.note) == (2, "Pat", "Shorter, as the nurse asked")


def test_a_change_to_the_clinics_number_needs_a_second_confirmation(make_app: Callable[..., Flask]) -> None:
    app = make_app(SECRET_KEY="a-secret-key")
    pat = _publisher(app)
    changed = DEFAULT_LINE_FILE.read_text().replace('phone: "+12025550143"', 'phone: "+12025550199"')
    status, html = _send_file(pat, changed, "The new desk")
    assert status == 200
    assert read(html).table("Differences from the live version")[1] == [
        "The clinic's phone number (callers' safety)", "changed", "+12025550143", "+12025550199"]
    unconfirmed = pat.post("/dashboard/line/publish", data=_form(html))
    assert unconfirmed.status_code == 400
    assert "tick the box" in read(unconfirmed.get_data(as_text=True)).text
    assert len(history(_store(app), LINE)) == 1
    assert pat.post("/dashboard/line/publish", data={**_form(html), "safety": "checked"}).status_code == 302
    assert len(history(_store(app), LINE)) == 2


def test_a_file_with_mistakes_is_explained_and_never_published(make_app: Callable[..., Flask]) -> None:
    app = make_app(SECRET_KEY="a-secret-key")
    pat = _publisher(app)
    status, html = _send_file(pat, DEFAULT_LINE_FILE.read_text().replace("start: main", "start: nowhere"), "oops")
    assert status == 400
    page = read(html)
    assert "Not published: the file has mistakes" in page.text and "nowhere" in page.text
    assert len(history(_store(app), LINE)) == 1


def test_a_second_publisher_is_told_when_the_live_version_changed_since_they_looked(
    make_app: Callable[..., Flask]
) -> None:
    app = make_app(SECRET_KEY="a-secret-key")
    pat = _publisher(app)
    _, html = _send_file(pat, DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "in two days."), "a")
    publish_text_change(app)  # someone else, meanwhile
    response = pat.post("/dashboard/line/publish", data=_form(html))
    assert response.status_code == 400
    assert "Someone published another version since you opened this page" in read(
        response.get_data(as_text=True)).text
    assert len(history(_store(app), LINE)) == 2


def test_choices_put_in_another_order_are_said_as_such_and_a_removed_place_by_its_title() -> None:
    from ivr.line.differences import differences

    text = DEFAULT_LINE_FILE.read_text()
    body = re.search(r"\n  body:\n.*?\n  spread:", text, re.S)
    assert body is not None
    menu = body.group()
    first, second = (re.search(rf'      - key: "{key}"\n.*?(?=\n      - key|\n\n)', menu, re.S) for key in "12")
    assert first is not None and second is not None
    reordered = text.replace(menu, menu.replace(first.group(), "\0").replace(second.group(), first.group())
                             .replace("\0", second.group()))
    said = [(d.where, d.what, d.before, d.after) for d in differences(text, reordered)]
    assert said == [("Menu 'Botox and the body'", "choices in another order", "1, 2, 3", "2, 1, 3")]

    without = text.replace("\n  botulism:\n    type: answer\n", "\n  botulism-gone:\n    type: answer\n")
    said = [(d.where, d.what) for d in differences(text, without)]
    assert ("Answer 'Botulism from Botox'", "added") in said and ("Answer 'Botulism from Botox'", "removed") in said


def _catalog(app: Flask) -> AudioCatalog:
    catalog: AudioCatalog = app.extensions["ivr"].audio
    return catalog


@pytest.mark.slow
def test_publishing_renders_the_changed_answer_first_and_shows_how_clearly_it_is_heard(
    make_app: Callable[..., Flask]
) -> None:
    app = make_app(SECRET_KEY="a-secret-key", PUBLISH_AUDIT=True)
    pat = _publisher(app)
    changed = DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most.")
    status, html = _send_file(pat, changed, "Shorter")
    assert status == 200
    rows = read(html).table("How clearly the changed prompts are heard")
    assert len(rows) == 2, "only the changed answer is rendered and audited"
    prompt, heard, wer, met = rows[1]
    assert NEW in prompt
    assert "(answer, en-US)" in prompt and "two days" in heard.lower()
    assert float(wer) <= 0.25 and met == "yes"
    voicing = Voicing.of(app.extensions["ivr"].line.current().loaded.line)
    new_text = next(text for text in _answer_texts(changed) if NEW in text)
    assert all(_catalog(app).has(voicing.name(new_text, rate)) for rate in (125, 150, 175)), \
        "rendered at every pace before anyone publishes"
    assert pat.post("/dashboard/line/publish", data=_form(html)).status_code == 302


def test_a_version_whose_changed_prompts_cannot_be_rendered_is_not_published(make_app: Callable[..., Flask]) -> None:
    app = make_app(SECRET_KEY="a-secret-key")
    pat = _publisher(app)
    changed = DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most.")
    no_voice = changed.replace("  engine: flite\n  name: rms\n", "  engine: flite\n  name: nobody-at-all\n")
    status, html = _send_file(pat, no_voice, "Another voice")
    assert status == 400
    assert "could not be rendered" in read(html).text and 'action="/dashboard/line/publish"' not in html
    forced = pat.post("/dashboard/line/publish", data={"csrf_token": csrf_token(html), "text": no_voice,
                                                       "note": "Another voice", "base": "1"})
    assert forced.status_code == 400 and "could not be rendered" in read(forced.get_data(as_text=True)).text
    assert len(history(_store(app), LINE)) == 1


def test_ivr_line_publish_renders_the_changed_prompts_first(tmp_path: Path) -> None:
    from tests.test_commands import ivr

    env = {"IVR_DATABASE_URL": f"sqlite:///{tmp_path}/records.sqlite3", "IVR_AUDIO_DIR": str(tmp_path / "audio")}
    assert "No version of this line is live yet" in ivr("line", "publish", str(DEFAULT_LINE_FILE), "--note", "first",
                                                        env=env).out
    changed = tmp_path / "line.yaml"
    changed.write_text(DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most."))
    published = ivr("line", "publish", str(changed), "--note", "Shorter", env=env)
    assert published.status == 0, published.err
    assert "1 changed prompt rendered" in published.out and "(3 files" in published.out
    assert len(list((tmp_path / "audio").glob("*.wav"))) == 3


def _answer_texts(text: str) -> list[str]:
    from ivr.line.validate import load_line_text

    line = load_line_text(text.encode("utf-8"), "changed").line
    return [node.text for node in line.nodes.values() if hasattr(node, "text") and isinstance(node.text, str)]
