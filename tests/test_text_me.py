"""'Text me this answer': after an answer, a caller on a line with messaging on can have it by text.

A stand-in for Twilio's REST API listens on loopback; the app's twilio client is pointed at it, and each test
reads what the client sent (the account, From, To, Body) as Twilio would. Calls are signed webhook POSTs.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from flask import Flask

from ivr.config import DEFAULT_LINE_FILE
from ivr.line import all_prompts
from ivr.line.validate import LineInvalid, load_line
from ivr.messages import encoding, segments
from tests.calls import CALLER, Answer, Caller
from tests.conftest import TOKEN

ACCOUNT = "AC" + "5" * 32
LINE_NUMBER = "+12025550199"
OFFER = "To get this answer by text message, press 6, or say text."
SENT = "I have sent this answer to your phone by text message."
LANDLINE = "Sorry, I cannot send a text message to the phone you are calling from. It looks like a landline."
WITHHELD = "Sorry, I cannot send a text message, because your phone number is hidden."
FAILED = "Sorry, the text message could not be sent just now. Please try again later, or call the clinic."
SWELLING = "It should go down within one to two days."
NAVIGATION = "To hear this again, press star."
SPANISH_MOBILE = "+34612345678"
SPANISH_LANDLINE = "+34912345678"


@dataclass
class StandIn:
    """Twilio's REST API as far as sending a message goes: what it was sent, and what it answers."""

    url: str
    sent: list[dict[str, str]] = field(default_factory=list)
    #: The HTTP status it answers with, and seconds it waits first.
    status: int = 201
    delay: float = 0.0
    #: Answer with something that is not JSON.
    garbled: bool = False
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[StandIn]:
    stand_in = StandIn("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            form = {name: values[0] for name, values in
                    parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
            user, _, password = base64.b64decode(self.headers["Authorization"].split()[1]).decode().partition(":")
            stand_in.sent.append({**form, "path": self.path, "user": user, "password": password})
            if stand_in.delay:
                stand_in.release.wait(stand_in.delay)
            body = ("<html>Bad gateway</html>" if stand_in.garbled else
                    json.dumps({"sid": "SM" + "0" * 32, "status": "queued"}) if stand_in.status == 201 else
                    json.dumps({"code": 21211, "message": f"The 'To' number {form.get('To')} is not valid",
                                "status": stand_in.status}))
            try:
                self.send_response(stand_in.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the line gave up waiting, as it should

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    stand_in.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def api(twilio_api: StandIn) -> StandIn:
    twilio_api.sent.clear()
    twilio_api.status, twilio_api.delay, twilio_api.garbled = 201, 0.0, False
    twilio_api.release.clear()
    return twilio_api


@pytest.fixture(scope="module")
def messaging_line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Botox line, with the line's messaging number."""
    path = tmp_path_factory.mktemp("line") / "botox-texting.yaml"
    path.write_text(DEFAULT_LINE_FILE.read_text(encoding="utf-8") + f'\nmessaging:\n  number: "{LINE_NUMBER}"\n',
                    encoding="utf-8")
    return path


@pytest.fixture
def texting_app(make_app: Callable[..., Flask], messaging_line: Path, api: StandIn) -> Flask:
    return make_app(LINE_FILE=str(messaging_line), TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_API_URL=api.url,
                    TEXT_SEND_SECONDS=2.0)


@dataclass
class PhoneCaller(Caller):
    """A caller whose phone shows ``number`` to the line (Twilio's From)."""

    number: str = CALLER

    def post(self, url: str, form: dict[str, str] | None = None, *, signed: bool = True) -> Answer:
        return super().post(url, {"From": self.number, **(form or {})}, signed=signed)


def at_the_swelling_answer(app: Flask, number: str = CALLER, sid: str = "CA" + "1" * 32) -> PhoneCaller:
    caller = PhoneCaller(app.test_client(), TOKEN, sid=sid, number=number)
    caller.dial_in()
    caller.press("2")
    answer = caller.press("1")
    assert SWELLING in answer.heard
    return caller


def test_after_an_answer_the_caller_hears_the_offer_by_text_and_gets_it_on_their_mobile(
        texting_app: Flask, api: StandIn) -> None:
    caller = at_the_swelling_answer(texting_app, SPANISH_MOBILE)
    heard = caller.last.heard  # type: ignore[union-attr]
    assert heard.index(SWELLING) < heard.index(OFFER) < heard.index(NAVIGATION)
    assert "text me" in (caller.last.gather.get("hints") or "").split(", ")  # type: ignore[union-attr]

    answer = caller.press("6")
    assert answer.heard.startswith(SENT)
    assert NAVIGATION in answer.heard and answer.gather is not None, "the call carries on at the answer"
    # The answer is longer than three segments: two messages, numbered, each fitting a phone, as the text line's.
    assert [message["Body"][:6] for message in api.sent] == ["(1/2) ", "(2/2) "]
    for sent in api.sent:
        assert sent["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
        assert (sent["user"], sent["password"]) == (ACCOUNT, TOKEN)
        assert (sent["To"], sent["From"]) == (SPANISH_MOBILE, LINE_NUMBER)
        assert segments(sent["Body"]) <= 3 and encoding(sent["Body"]) == "GSM-7"
    written = " ".join(sent["Body"][6:] for sent in api.sent)
    assert SWELLING in written
    assert written.endswith("From the phone line of Example Skin Clinic. To reach the clinic, call +1 202-555-0143. "
                            "In an emergency, call 911.")

    caller.press("1")  # and the menu goes on as before
    assert "cool compress" in caller.last.heard  # type: ignore[union-attr]


def test_saying_text_sends_it_too(texting_app: Flask, api: StandIn) -> None:
    caller = at_the_swelling_answer(texting_app)
    assert caller.say("text me").heard.startswith(SENT)
    assert {message["To"] for message in api.sent} == {CALLER}


@pytest.mark.parametrize(("number", "said"), [
    (SPANISH_LANDLINE, LANDLINE),
    ("+442079460958", LANDLINE),
    ("anonymous", WITHHELD),
    ("+266696687", WITHHELD),
    ("client:anna", WITHHELD),
    ("", WITHHELD),
    ("+1202", WITHHELD),
])
def test_a_landline_or_a_hidden_number_is_refused_and_told_why(texting_app: Flask, api: StandIn, number: str,
                                                               said: str) -> None:
    caller = at_the_swelling_answer(texting_app, number)
    answer = caller.press("6")
    assert answer.heard.startswith(said)
    assert NAVIGATION in answer.heard and answer.gather is not None
    assert api.sent == []


@pytest.mark.parametrize("status", [400, 500])
def test_twilio_refusing_is_survived_and_the_caller_told(texting_app: Flask, api: StandIn, status: int,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    api.status = status
    caller = at_the_swelling_answer(texting_app)
    answer = caller.press("6")
    assert answer.status == 200
    assert answer.heard.startswith(FAILED)
    assert answer.gather is not None and answer.dial is None, "not the apology and transfer of a broken webhook"
    assert f"HTTP {status}" in caplog.text


def test_an_answer_twilio_never_gives_is_survived(texting_app: Flask, api: StandIn) -> None:
    api.garbled = True
    answer = at_the_swelling_answer(texting_app).press("6")
    assert answer.heard.startswith(FAILED) and answer.gather is not None


def test_a_twilio_that_does_not_answer_in_time_is_given_up_on(make_app: Callable[..., Flask], messaging_line: Path,
                                                              api: StandIn) -> None:
    app = make_app(LINE_FILE=str(messaging_line), TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_API_URL=api.url,
                   TEXT_SEND_SECONDS=0.4)
    api.delay = 10.0
    caller = at_the_swelling_answer(app)
    answer = caller.press("6")
    api.release.set()
    assert answer.heard.startswith(FAILED) and answer.gather is not None


def test_nowhere_unreachable_is_survived(make_app: Callable[..., Flask], messaging_line: Path) -> None:
    app = make_app(LINE_FILE=str(messaging_line), TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_API_URL="http://127.0.0.1:9")
    assert at_the_swelling_answer(app).press("6").heard.startswith(FAILED)


def test_the_callers_number_is_in_neither_the_records_nor_the_logs(
        make_app: Callable[..., Flask], messaging_line: Path, api: StandIn, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    database = tmp_path / "calls.sqlite3"
    app = make_app(LINE_FILE=str(messaging_line), TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_API_URL=api.url,
                   DATABASE_URL=f"sqlite:///{database}")
    at_the_swelling_answer(app, SPANISH_MOBILE).press("6")
    api.status = 400  # Twilio's errors quote the number
    at_the_swelling_answer(app, SPANISH_MOBILE, sid="CA" + "2" * 32).press("6")
    app.extensions["ivr"].recorder.flush(5)

    digits = SPANISH_MOBILE.lstrip("+")
    assert len(api.sent) == 3  # the answer's two parts, and the first again, refused
    assert digits not in caplog.text
    with sqlite3.connect(database) as connection:
        kinds = [kind for (kind,) in connection.execute("SELECT kind FROM events WHERE kind LIKE 'text_me%'")]
        assert kinds == ["text_me:sent", "text_me:failed"]
        for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                assert digits not in " ".join(map(str, row)), f"the caller's number is kept in {table}"


def test_without_a_twilio_account_the_offer_is_never_made(make_app: Callable[..., Flask], messaging_line: Path,
                                                          api: StandIn) -> None:
    caller = at_the_swelling_answer(make_app(LINE_FILE=str(messaging_line), TWILIO_API_URL=api.url))
    assert OFFER not in caller.last.heard  # type: ignore[union-attr]
    assert not caller.press("6").heard.startswith(SENT)
    assert api.sent == []


def test_without_a_messaging_number_the_offer_is_never_made(make_app: Callable[..., Flask], api: StandIn) -> None:
    caller = at_the_swelling_answer(make_app(TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_API_URL=api.url))
    assert "text message" not in caller.last.heard  # type: ignore[union-attr]
    assert "Sorry, that is not one of the choices." in caller.press("6").heard
    assert api.sent == []


def test_in_spanish_the_offer_the_result_and_the_text_are_spanish(texting_app: Flask, api: StandIn) -> None:
    caller = PhoneCaller(texting_app.test_client(), TOKEN, number=SPANISH_MOBILE)
    caller.dial_in()
    caller.press("9")  # para español
    caller.press("2")
    answer = caller.press("1")
    assert "Para recibir esta respuesta por mensaje de texto, oprima 6, o diga mensaje." in answer.heard
    assert OFFER not in answer.heard
    assert caller.say("mándemelo por mensaje").heard.startswith(
        "Le envié esta respuesta a su teléfono por mensaje de texto.")
    assert all(segments(sent["Body"]) <= 3 for sent in api.sent)
    written = " ".join(sent["Body"] for sent in api.sent)
    assert "hinchazón" in written
    assert "De la línea telefónica de Example Skin Clinic." in written


def test_an_emergency_said_at_an_answer_is_still_an_emergency(texting_app: Flask, api: StandIn) -> None:
    caller = at_the_swelling_answer(texting_app)
    answer = caller.say("text me, I can't breathe")
    assert "call 9 1 1" in answer.heard.lower() or "911" in answer.heard
    assert api.sent == []


def messaging_file(directory: Path, section: str) -> Path:
    path = directory / "line.yaml"
    path.write_text(DEFAULT_LINE_FILE.read_text(encoding="utf-8") + "\nmessaging:\n" + section, encoding="utf-8")
    return path


@pytest.mark.parametrize(("section", "said"), [
    ('  number: "+1202"\n', "messaging.number: '+1202' is n"),
    ('  number: "+12025550199"\n  key: "0"\n', "messaging.key '0' is the line's key for clinic"),
    ('  number: "+12025550199"\n  key: "1"\n', "messaging.key '1' is an option of answer 'swelling-duration'"),
])
def test_a_messaging_number_or_key_that_cannot_work_is_refused(tmp_path: Path, section: str, said: str) -> None:
    with pytest.raises(LineInvalid) as refused:
        load_line(messaging_file(tmp_path, section))
    assert said in str(refused.value)


def test_the_offer_and_each_result_are_among_the_prompts_rendered_in_each_language(messaging_line: Path) -> None:
    """So that a line in "play" mode says them with its own voice, as the rest of the call."""
    line = load_line(messaging_line).line
    english = all_prompts(line, "en")
    assert {OFFER, SENT, LANDLINE, WITHHELD, FAILED} <= set(english)
    assert "Le envié esta respuesta a su teléfono por mensaje de texto." in all_prompts(line, "es")
    assert OFFER not in all_prompts(load_line(DEFAULT_LINE_FILE).line, "en")
