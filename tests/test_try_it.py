"""The dashboard's phone to try the line on: signed-in form POSTs, as a browser sends them, and what the page shows."""

from __future__ import annotations

import html as htmllib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from ivr.config import DEFAULT_LINE_FILE
from ivr.dashboard.auth import hash_password
from ivr.store.staff import add_account
from tests.conftest import PASSWORD_COST
from tests.pages import Page, csrf_token, read
from tests.test_line_versions import LINE, NEW, OLD, publish_text_change
from tests.test_staff_accounts import PASSWORDS, signed_in_as, staff_app  # noqa: F401  (the fixture)

GREETING = "If you have trouble breathing, swallowing or speaking, hang up now and call 911."
SWELLING_MENU = "For how long swelling lasts"
CLOSED = "The clinic is closed right now."


@dataclass
class TrialPhone:
    """A signed-in browser on the try-it page: each method sends the form a person would."""

    client: FlaskClient
    html: str = ""
    status: int = 0

    @property
    def page(self) -> Page:
        return read(self.html)

    @property
    def heard(self) -> list[str]:
        found = re.search(r'<ol class="heard"[^>]*>(.*?)</ol>', self.html, re.S)
        return [htmllib.unescape(text).strip()
                for text in re.findall(r'<p class="prompt-text"[^>]*>(.*?)</p>', found.group(1) if found else "", re.S)]

    def start(self, **fields: object) -> TrialPhone:
        token = csrf_token(self.client.get("/dashboard/try").get_data(as_text=True))
        data = {"csrf_token": token, "line": "live", "when": "Tuesday 10:00", "language": "en", "place": "main",
                **fields}
        return self.send("/dashboard/try/start", data)

    def press(self, key: str) -> TrialPhone:
        return self._step(key=key)

    def say(self, words: str) -> TrialPhone:
        return self._step(words=words, say="1")

    def stay_silent(self) -> TrialPhone:
        return self._step(silence="1")

    def transfer(self, status: str) -> TrialPhone:
        return self._step(dial=status)

    def _step(self, **fields: str) -> TrialPhone:
        form = re.search(r'<form method="post" action="/dashboard/try/step".*?</form>', self.html, re.S)
        assert form, "the page offers no way to answer"
        hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form.group(0)))
        return self.send("/dashboard/try/step", {**{k: htmllib.unescape(v) for k, v in hidden.items()}, **fields})

    def send(self, path: str, data: dict[str, object]) -> TrialPhone:
        response = self.client.post(path, data=data, content_type="multipart/form-data")
        self.html, self.status = response.get_data(as_text=True), response.status_code
        return self


@pytest.fixture
def eddie(staff_app: Flask) -> TrialPhone:  # noqa: F811
    """An editor on the try-it page."""
    return TrialPhone(signed_in_as(staff_app, "Eddie"))


def test_an_editor_calls_the_line_presses_and_says_and_sees_how_each_was_understood(eddie: TrialPhone) -> None:
    eddie.start()
    assert eddie.status == 200
    assert eddie.heard[0] == GREETING and CLOSED not in eddie.heard

    eddie.press("2")
    assert eddie.status == 200
    assert "Understood as the choice \u201cFor swelling and other reactions\u201d, by key 2" in eddie.page.text
    assert any(SWELLING_MENU in text for text in eddie.heard)

    eddie.say("how long does it last")
    assert "by its words" in eddie.page.text and OLD in " ".join(eddie.heard)
    path = eddie.page.text.split("The path so far")[1]
    assert path.index("Main menu") < path.index("Pressed 2") < path.index("How long swelling lasts")

    eddie.say("purple elephants")
    assert "Not understood" in eddie.page.text
    assert eddie.heard[0] == "Sorry, I did not understand that."


def test_the_day_and_time_language_and_start_place_are_the_testers(eddie: TrialPhone) -> None:
    assert CLOSED in eddie.start(when="Saturday 20:00").heard
    assert "as if made on Saturday 20:00 (America/New_York)" in eddie.page.text

    eddie.start(language="es")
    assert eddie.heard[0].startswith("Si tiene dificultad para respirar")
    assert "read by Twilio's voice (<Say>) in Spanish" in eddie.page.text  # the Spanish of this line is <Say>'s

    eddie.start(place="swelling-duration")
    assert OLD in eddie.heard[0] and "Started at \u2018How long swelling lasts\u2019" in eddie.page.text
    assert '<audio controls preload="none" src="/dashboard/try/audio/' in eddie.html  # English is the line's own


def test_a_transfer_waits_for_the_clinics_phone_and_a_busy_one_offers_the_alternatives(eddie: TrialPhone) -> None:
    eddie.start(place="check-swelling")
    assert "The line puts the caller through" in eddie.page.text
    eddie.transfer("busy")
    assert eddie.status == 200
    assert "The phone dialled busy" in eddie.page.text
    assert eddie.heard[0].startswith("Sorry, nobody at") and "hang up now and call" in " ".join(eddie.heard)


def test_an_emergency_said_ends_the_trial_with_the_advice(eddie: TrialPhone) -> None:
    eddie.start()
    eddie.say("I can't breathe")
    assert "Heard as an emergency" in eddie.page.text
    assert eddie.heard.count(GREETING) == 0 and len(eddie.heard) == 2
    assert "The call has ended" in eddie.page.text and 'action="/dashboard/try/step"' not in eddie.html


def test_an_older_version_and_a_file_not_yet_published_are_tried_as_they_would_answer(staff_app: Flask) -> None:  # noqa: F811
    publish_text_change(staff_app)
    staff_app.extensions["ivr"].line.look()
    eddie = TrialPhone(signed_in_as(staff_app, "Eddie"))
    assert NEW in eddie.start(place="swelling-duration").heard[0]
    assert OLD in eddie.start(line="version-1", place="swelling-duration").heard[0]
    assert "A trial call to version 1" in eddie.page.text
    eddie.press("*")
    assert OLD in eddie.heard[0], "the next step goes on with version 1"

    draft = DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within three days, at most.")
    eddie.start(line="text", place="swelling-duration", file=(io.BytesIO(draft.encode()), "draft.yaml"))
    assert "within three days, at most." in eddie.heard[0]
    eddie.press("*")
    assert "within three days, at most." in eddie.heard[0], "the file travels with the trial"


def test_nothing_a_trial_does_is_recorded_as_a_call_or_counted(staff_app: Flask) -> None:  # noqa: F811
    eddie = TrialPhone(signed_in_as(staff_app, "Eddie"))
    eddie.start()
    for key in ("2", "1", "9", "0"):
        eddie.press(key)
    eddie.transfer("completed")
    staff_app.extensions["ivr"].recorder.flush(5)
    with staff_app.extensions["ivr.store"].engine.connect() as connection:
        counts = [connection.execute(sa.text(f"select count(*) from {table}")).scalar()
                  for table in ("calls", "events")]
    assert counts == [0, 0]
    assert "No calls in this period" in read(eddie.client.get("/dashboard").get_data(as_text=True)).text


ODD_INPUT: dict[str, Callable[[TrialPhone], TrialPhone]] = {
    "a letter for a key": lambda phone: phone.press("A"),
    "several keys at once, one odd": lambda phone: phone.press("12x"),
    "1,600 characters said": lambda phone: phone.say("swelling " * 177 + "abc"),
    "nothing said": lambda phone: phone.say(""),
    "a page's worth said": lambda phone: phone.say("x" * 5000),
    "a transfer's end nobody waits for": lambda phone: phone.transfer("busy"),
}


@pytest.mark.parametrize("odd", list(ODD_INPUT))
def test_odd_input_never_breaks_the_page(eddie: TrialPhone, odd: str) -> None:
    eddie.start()
    ODD_INPUT[odd](eddie)
    assert eddie.status in (200, 400)
    assert eddie.page.h1 == "Try the line"
    assert 'action="/dashboard/try/step"' in eddie.html, "the trial goes on"
    if eddie.status == 400:
        assert "Not tried:" in eddie.page.text


def test_a_line_that_fails_to_load_shows_its_errors(eddie: TrialPhone) -> None:
    broken = DEFAULT_LINE_FILE.read_text().replace("start: main", "start: nowhere")
    eddie.start(line="text", file=(io.BytesIO(broken.encode()), "broken.yaml"))
    assert eddie.status == 400
    assert "The file sent cannot be tried: it has 1 mistake" in eddie.page.text and "nowhere" in eddie.page.text
    assert eddie.start(line="version-99").status == 400 and "The line has no version 99" in eddie.page.text
    assert eddie.start(when="someday").status == 400 and "'someday' is not a time" in eddie.page.text
    assert eddie.start(place="nowhere").status == 400 and "it has no place 'nowhere'" in eddie.page.text

    eddie.start()
    eddie.html = eddie.html.replace('name="trial" value="', 'name="trial" value="x')
    eddie.press("1")
    assert eddie.status == 400 and "This trial call could not be read" in eddie.page.text


@pytest.mark.slow
def test_a_prompt_plays_in_the_lines_own_voice_rendered_once_when_first_played(eddie: TrialPhone) -> None:
    eddie.start(place="swelling-duration")
    link = htmllib.unescape(re.findall(r'<audio controls preload="none" src="([^"]+)"', eddie.html)[0])
    with eddie.client.get(link) as first:
        assert first.status_code == 200 and first.mimetype == "audio/wav"
        played = first.data
    assert played[:4] == b"RIFF" and len(played) > 8000  # a second of telephone audio at least
    audio_dir = Path(eddie.client.application.config["AUDIO_DIR"])
    rendered = list((audio_dir / "try-it").glob("*.wav"))
    assert len(rendered) == 1
    made = rendered[0].stat().st_mtime_ns
    with eddie.client.get(link) as again:
        assert again.data == played and rendered[0].stat().st_mtime_ns == made
    assert eddie.client.get(link[:-6] + "x.wav").status_code == 404, "a link the page did not make plays nothing"
    assert not list(audio_dir.glob("*.wav")), "the line's own audio folder is left as ivr render made it"


def test_a_publisher_tries_a_file_from_its_differences_before_publishing_it(staff_app: Flask) -> None:  # noqa: F811
    from tests.test_line_versions import _send_file

    pat = signed_in_as(staff_app, "Pat")
    changed = DEFAULT_LINE_FILE.read_text().replace("within one to two days.", "within two days at most.")
    _, review = _send_file(pat, changed, "Shorter")
    form = re.search(r'<form method="post" action="/dashboard/try/start".*?</form>', review, re.S)
    assert form, "the differences page offers to try the file"
    fields = {name: htmllib.unescape(value)
              for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form.group(0))}
    phone = TrialPhone(pat).send("/dashboard/try/start", {**fields, "place": "swelling-duration"})
    assert phone.status == 200 and NEW in phone.heard[0] and "A trial call to the line file sent" in phone.page.text


def test_where_the_server_sends_answers_by_text_a_trial_is_offered_them_and_sends_nothing(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    line_file = tmp_path / "texting.yaml"
    line_file.write_text(DEFAULT_LINE_FILE.read_text() + '\nmessaging:\n  number: "+12025550199"\n')
    # A Twilio API where nothing answers: a text really sent would fail, and the caller would hear so.
    app = make_app(LINE_FILE=str(line_file), SECRET_KEY="a-secret-key", TWILIO_ACCOUNT_SID="AC" + "0" * 32,
                   TWILIO_API_URL="http://127.0.0.1:9")
    add_account(app.extensions["ivr.store"], "Eddie", "editor", hash_password(PASSWORDS["Eddie"], PASSWORD_COST),
                app.config["CLOCK"]())
    eddie = TrialPhone(signed_in_as(app, "Eddie"))
    eddie.start(place="swelling-duration")
    assert "To get this answer by text message, press" in " ".join(eddie.heard)
    eddie.say("text me")
    assert "Heard as asking for the answer by text message" in eddie.page.text
    assert eddie.heard[0] == "I have sent this answer to your phone by text message."


def test_a_draft_is_tried_as_last_saved_from_its_own_page(staff_app: Flask) -> None:  # noqa: F811
    from ivr.store.drafts import create_draft, save_draft

    store = staff_app.extensions["ivr.store"]
    now = staff_app.config["CLOCK"]()
    text = DEFAULT_LINE_FILE.read_text()
    once, twice = (text.replace("within one to two days.", f"within a week, saved {n}.") for n in ("once", "twice"))
    made = create_draft(store, LINE, once, started_from="version 1", by="Eddie", now=now)
    save_draft(store, made.id, twice, opened_at=made.revision, by="Eddie", now=now)
    eddie = TrialPhone(signed_in_as(staff_app, "Eddie"))
    page = eddie.client.get(f"/dashboard/drafts/{made.id}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/dashboard/try/start".*?</form>', page, re.S)
    assert form, "the draft's page offers to try it"
    fields = {name: htmllib.unescape(value)
              for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form.group(0))}
    eddie.send("/dashboard/try/start", {**fields, "place": "swelling-duration"})
    assert eddie.status == 200 and f"A trial call to draft {made.id}" in eddie.page.text
    assert "within a week, saved twice." in eddie.heard[0]
    assert f"Draft {made.id}, as Eddie last saved it" in eddie.client.get("/dashboard/try").get_data(as_text=True)
    assert eddie.start(line="draft-99").status == 400 and "The line has no draft 99" in eddie.page.text
