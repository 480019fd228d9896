"""A safety sentence can never break during a call: a line's sentences are all built when it loads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from ivr.call import CallFlow, CallState, Connect, Listen, Turn
from ivr.commands.main import main
from ivr.line import END, Phrases, all_prompts, phrase_names
from ivr.line.validate import (
    EmptySentence,
    LineInvalid,
    MissingEmergencyAdvice,
    UnknownPlaceholder,
    UnmatchedBrace,
    load_line,
)
from ivr.phone import HttpTransport
from tests.calls import Caller
from tests.conftest import CLOSED, OPEN, TOKEN
from tests.line_files import LineFile, base_line, edit
from tests.test_clinic_lines import example_line

GREETING = "greeting: Thank you for calling Riverside Clinic. If you have trouble breathing, hang up now and call 911."


def _with_phrases(**phrases: str) -> str:
    lines = "".join(f"  {name}: {json.dumps(text)}\n" for name, text in phrases.items())
    return base_line() + "phrases:\n" + lines


@pytest.mark.parametrize(
    ("phrases", "kind", "said"),
    [
        ({"emergency": "Hang up and call {emergency_numbr}."}, UnknownPlaceholder, "did you mean {emergency_number}?"),
        ({"transferring": "Please hold for {clinc}."}, UnknownPlaceholder, "did you mean {clinic}?"),
        ({"goodbye": "Goodbye from {clinic.name}."}, UnknownPlaceholder, "write a name alone in braces"),
        ({"emergency": "Hang up and call {emergency_number."}, UnmatchedBrace, "is not closed"),
        ({"clinic_unavailable": "Sorry, nobody at clinic} could answer."}, UnmatchedBrace, "has no '{' before it"),
        ({"emergency": "Hang up and call an ambulance."}, MissingEmergencyAdvice, "emergency number 911"),
        ({"no_input": "..."}, EmptySentence, "nothing a caller could hear"),
    ],
)
def test_a_broken_phrase_is_refused_where_it_is_written(
    tmp_path: Path, phrases: dict[str, str], kind: type, said: str
) -> None:
    file = LineFile.write(tmp_path, _with_phrases(**phrases))
    problem = file.problem(kind)
    (name,) = phrases
    assert problem.line == file.line(json.dumps(phrases[name]))
    assert problem.message.startswith(f"phrases.{name}: ")
    assert said in problem.message


def test_a_misspelt_placeholder_in_a_label_names_its_node(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "label: For our opening hours", "label: For the hours of {clinc}")
    problem = file.problem(UnknownPlaceholder)
    assert (problem.node, problem.line) == ("main", file.line("{clinc}"))
    assert "option on key 1, label" in problem.message


def test_a_greeting_without_the_lines_emergency_number_is_refused(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, GREETING, "greeting: Thank you for calling Riverside Clinic.")
    problem = file.problem(MissingEmergencyAdvice)
    assert problem.line == file.line("greeting:")
    assert "call the emergency number 911" in problem.message


def test_a_greeting_that_names_another_emergency_number_is_refused(tmp_path: Path) -> None:
    text = edit(example_line(), "hang up now and call 999.", "hang up now and call 911.")
    file = LineFile.write(tmp_path, text)
    assert "it says 911, but the line's emergency_number is 999" in file.problem(MissingEmergencyAdvice).message


def test_the_greeting_may_say_the_number_with_a_placeholder_spoken_digit_by_digit(caller_for) -> None:  # type: ignore[no-untyped-def]
    text = edit(example_line(), "hang up now and call 999.", "hang up now and call {emergency_number}.")
    heard = caller_for(text).dial_in().heard
    assert heard.startswith("If you have trouble breathing, swallowing or speaking, hang up now and call 9 9 9.")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("start: main\n", 'phrases:\n  emergency: "Call {emergency_numbr} now."\n\nstart: main\n',
         "{emergency_numbr} is not something this sentence can fill in"),
        ("start: main\n", 'phrases:\n  transferring: "Please hold for {clinic."\n\nstart: main\n',
         "a '{' is not closed"),
        ("hang up now and call 999.\n", "hang up now and ask for help.\n", "must tell callers to call the emergency"),
    ],
)
def test_ivr_validate_refuses_each_with_file_and_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = tmp_path / "knee.yaml"
    path.write_text(edit(example_line(), old, new))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(str(path))}:\d+: error: .*{re.escape(message)}", result.output), result.output


def test_the_emergency_node_and_the_fallbacks_say_the_lines_own_number(caller_for, clock) -> None:  # type: ignore[no-untyped-def]
    caller = caller_for(example_line())  # emergency_number 999
    caller.press("0")
    fallback = caller.dial_ends("busy")
    assert "hang up now and call 9 9 9." in fallback.heard
    clock.now = CLOSED
    caller.dial_in()
    for _ in range(3):
        last = caller.stay_silent()
    assert last.dialled_number == "+442079460999", "put through to the after-hours line"
    assert "hang up now and call 9 9 9." in caller.dial_ends("failed").heard


@pytest.fixture
def caller_for(make_app, tmp_path: Path):  # type: ignore[no-untyped-def]
    def call(text: str) -> Caller:
        path = tmp_path / "line.yaml"
        path.write_text(text)
        caller = Caller(make_app(LINE_FILE=str(path)).test_client(), TOKEN)
        caller.dial_in()
        return caller

    return call


# -- a running server keeps its last good line -------------------------------------------------


@dataclass
class _Server:
    line: Path
    base: str
    process: subprocess.Popen[bytes]

    def stop(self) -> str:
        """Stops the server; everything it logged."""
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.communicate(timeout=20)[0].decode()


@pytest.fixture
def knee_server(tmp_path: Path) -> Iterator[_Server]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    line = tmp_path / "knee.yaml"
    line.write_text(example_line())
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_LINE_FILE": str(line), "IVR_LINE_RELOAD_SECONDS": "0",
           "IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'calls.sqlite3'}", "IVR_CALLER_HASH_KEY": "sentences-test"}
    process = subprocess.Popen([sys.executable, "-m", "ivr", "serve", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = _Server(line, f"http://127.0.0.1:{port}", process)
    try:
        yield server
    finally:
        server.stop()


def _until_every_worker_answers_with_its_last_good_line(base: str) -> None:
    """Each worker's watcher looks at the file in the background: wait until /healthz, asked on a new
    connection each time, says the last good version answers six times in a row (both workers, surely)."""
    deadline = time.monotonic() + 30
    in_a_row = 0
    while in_a_row < 6:
        assert time.monotonic() < deadline, "the servers never noticed the broken file"
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            in_a_row = in_a_row + 1 if json.load(response)["line"]["last_good"] else 0
        time.sleep(0.05)


def _a_call(base: str) -> tuple[str, str]:
    """A new call: what the caller hears first, and after a transfer nobody answered."""
    transport = HttpTransport(TOKEN)
    form = {"CallSid": "CA" + "2" * 32, "From": "+12025550100"}
    deadline = time.monotonic() + 30
    while True:
        try:
            first = transport.post(f"{base}/voice", form)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    busy = transport.post(f"{base}/voice/dial-finished?node=main&target=clinic&tries=0&rate=140",
                          {**form, "DialCallStatus": "busy"})
    return _said(first), _said(busy)


def _said(document: str) -> str:
    return " ".join(re.findall(r"<Say[^>]*>([^<]*)</Say>", document))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("start: main\n", 'phrases:\n  clinic_unavailable: "Sorry, nobody at {clinc} could answer."\n\nstart: main\n'),
        ("start: main\n", 'phrases:\n  emergency: "Hang up and call {emergency_number"\n\nstart: main\n'),
        ("hang up now and call 999.\n", "hang up now.\n"),
    ],
)
def test_a_running_server_refuses_a_broken_sentence_and_keeps_its_last_good_line(
    knee_server: _Server, old: str, new: str
) -> None:
    greeting, busy = _a_call(knee_server.base)
    assert "nobody at Riverside Knee Clinic could answer" in busy and "call 9 9 9." in busy
    knee_server.line.write_text(edit(example_line(), old, new).replace("Main menu.", "The new main menu."))
    later = time.time() + 5
    os.utime(knee_server.line, (later, later))
    _until_every_worker_answers_with_its_last_good_line(knee_server.base)
    for _ in range(3):
        assert _a_call(knee_server.base) == (greeting, busy), "the last good line goes on serving"
    output = knee_server.stop()
    assert "still serving the last good version" in output
    assert re.search(rf"{re.escape(str(knee_server.line))}:\d+: error: ", output), output


# -- whatever a clinic writes in its phrases, a call never breaks ---------------------------------

_PIECES = st.sampled_from([
    "{", "}", "{{", "}}", "{}", "{0}", "{clinic}", "{clinc}", "{emergency_number}", "{clinic!r}", "{clinic:>40}",
    "{key}", "{label}", "{hours}", "{number}", "{limit}", "{repeat}", "{back}", "{a.b}", "{x[0]}", "911", " call ",
])
_PHRASE = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=8).map("".join)
_FUZZED = st.dictionaries(st.sampled_from(sorted(Phrases.model_fields)), _PHRASE, min_size=1, max_size=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phrases=_FUZZED, greeting=_PHRASE, label=_PHRASE)
def test_any_phrases_are_refused_at_load_or_never_break_a_call(
    phrases: dict[str, str], greeting: str, label: str
) -> None:
    data = YAML(typ="safe").load(base_line())
    data["phrases"] = phrases
    data["greeting"] = greeting + " call 911"
    data["nodes"]["main"]["options"][0]["label"] = label
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "line.yaml"
        path.write_text(json.dumps(data))  # JSON is YAML
        try:
            line = load_line(path).line
        except LineInvalid:
            return  # refused, with its problems: the server keeps its last good line
    texts = all_prompts(line)
    assert all(text.strip() for text in texts)
    for turn in _every_turn(CallFlow(line)):
        assert turn.texts, "a turn always says something"


def _every_turn(flow: CallFlow) -> Iterator[Turn]:
    """Every kind of turn of a call, open and closed: each node, key, silence, transfer result, error."""
    for now in (OPEN, CLOSED):
        yield flow.start(now)
        yield flow.apologise(None, now)
        for node in [*flow.line.nodes, END]:
            state = CallState(node, rate=flow.line.voice.default_rate)
            for key in "0123456789*#":
                yield flow.respond(state, key, "", now)
            yield flow.respond(state, "", "purple elephants", now)
            yield flow.respond(state, "", "I can't breathe", now)
            yield flow.respond(CallState(node, tries=flow.line.call.max_tries - 1, rate=state.rate), "", "", now)
            for target in ("clinic", "after_hours"):
                for status in ("completed", "busy", "no-answer", "failed"):
                    turn = flow.dial_finished(state, target, status, now)
                    yield turn
                    if isinstance(turn.then, Listen | Connect):
                        yield flow.respond(turn.then.state, "", "", now)


def test_every_phrase_fills_every_placeholder_it_is_allowed() -> None:
    """A line whose phrases use every name they may: no brace is left in anything a caller hears."""
    phrases = {name: f"{getattr(Phrases(), name)} " + " ".join(f"{{{n}}}" for n in sorted(phrase_names(name)))
               for name in Phrases.model_fields}
    text = _with_phrases(**phrases)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "line.yaml"
        path.write_text(text)
        texts = all_prompts(load_line(path).line)
    assert not [t for t in texts if "{" in t or "}" in t]
