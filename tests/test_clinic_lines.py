"""A clinic that writes its own line from docs/line-file.md gets a working line without code."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.commands.main import main
from ivr.config import PROJECT_ROOT
from tests.calls import Caller
from tests.conftest import TOKEN
from tests.line_files import line_number

REFERENCE = PROJECT_ROOT / "docs" / "line-file.md"


def example_line() -> str:
    match = re.search(r"<!-- example-line.*?-->\n```yaml\n(.*?)```", REFERENCE.read_text(), re.S)
    assert match, "docs/line-file.md shows an example line"
    return match.group(1)


@pytest.fixture
def knee_line(tmp_path: Path) -> Path:
    path = tmp_path / "knee.yaml"
    path.write_text(example_line())
    return path


def test_the_example_line_validates(knee_line: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(knee_line)])
    assert result.exit_code == 0, result.output
    assert "ok, 3 nodes" in result.output


def test_the_example_line_answers_calls(make_app, knee_line: Path) -> None:  # type: ignore[no-untyped-def]
    caller = Caller(make_app(LINE_FILE=str(knee_line)).test_client(), TOKEN)
    greeting = caller.dial_in()
    assert greeting.heard.startswith("If you have trouble breathing, swallowing or speaking, hang up now and call 999.")
    assert "For care after knee surgery, press 1." in greeting.heard
    aftercare = caller.press("1").heard
    assert "Keep the dressing dry" in aftercare
    assert "For the main menu, press hash." in aftercare, "a British line says hash"
    assert caller.press("1").dialled_number == "+442079460123"


def test_the_example_line_answers_calls_in_spanish(make_app, knee_line: Path) -> None:  # type: ignore[no-untyped-def]
    caller = Caller(make_app(LINE_FILE=str(knee_line)).test_client(), TOKEN)
    assert "Para español, oprima 9." in caller.dial_in().heard
    start = caller.press("9")
    assert start.heard.startswith("Si tiene dificultad para respirar, tragar o hablar, cuelgue ahora y llame al 9 9 9.")
    assert "Para los cuidados después de la operación de rodilla, oprima 1." in start.heard
    assert start.root is not None
    assert {(say.get("voice"), say.get("language")) for say in start.root.iter("Say")} == {("Polly.Lucia", "es-ES")}
    aftercare = caller.say("los cuidados").heard
    assert "Mantenga el vendaje seco" in aftercare
    assert "Para el menú principal, oprima almohadilla." in aftercare, "a line for Spain says almohadilla"
    assert caller.press("1").dialled_number == "+442079460123"


def test_the_text_phone_calls_the_example_line_in_spanish(knee_line: Path) -> None:
    result = CliRunner().invoke(main, ["call", "--line", str(knee_line), "--language", "es", "--at",
                                       "2026-11-24T10:00+00:00"], input="1\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "> español" in result.output
    assert "Mantenga el vendaje seco durante las dos primeras semanas." in result.output
    assert "No escuché ninguna opción." in result.output
    assert "does not offer" not in result.output


def test_the_text_phone_says_when_a_line_does_not_offer_the_language(tmp_path: Path) -> None:
    from tests.line_files import base_line

    one = tmp_path / "one.yaml"
    one.write_text(base_line())
    result = CliRunner().invoke(main, ["call", "--line", str(one), "--language", "es"], input="\n")
    assert result.exit_code == 0, result.output
    assert "[This line does not offer es: the call goes on in en-US]" in result.output


def test_validate_reports_every_problem_with_file_line_and_node(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        example_line()
        .replace("goto: see-nurse\n\n  aftercare", "goto: nowhere\n\n  aftercare")
        .replace('- key: "2"', '- key: "1"')
    )
    result = CliRunner().invoke(main, ["validate", str(broken)])
    assert result.exit_code == 1
    name = re.escape(str(broken))
    assert re.search(rf"{name}:\d+: error: node 'main'.*'nowhere'", result.output), result.output
    assert re.search(rf"{name}:\d+: error: node 'main': option on key 1: another option", result.output), result.output
    assert "2 errors" in result.output


def test_validate_reports_every_shape_problem_at_once(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        example_line()
        .replace('phone: "+442079460123"', 'phone: "020 7946 0123"')
        .replace("title: Care after surgery", "title: Care after surgery\n    colour: blue")
    )
    result = CliRunner().invoke(main, ["validate", str(broken)])
    assert result.exit_code == 1
    name = re.escape(str(broken))
    line = line_number(broken.read_text(), "020 7946 0123")
    assert re.search(rf"{name}:{line}: error: clinic.phone: '020 7946 0123'", result.output), result.output
    assert re.search(rf"{name}:\d+: error: node 'aftercare'.*colour", result.output), result.output
    assert "2 errors" in result.output


def test_the_server_refuses_to_start_on_an_invalid_file(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ivr.line.validate import LineInvalid

    broken = tmp_path / "broken.yaml"
    broken.write_text(example_line().replace("start: main", "start: nowhere"))
    with pytest.raises(LineInvalid, match="nowhere"):
        make_app(LINE_FILE=str(broken))


def test_a_changed_line_file_is_taken_when_valid_and_ignored_when_not(
    make_app, knee_line: Path, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    caller = Caller(make_app(LINE_FILE=str(knee_line)).test_client(), TOKEN)
    assert "For care after knee surgery" in caller.dial_in().heard

    _rewrite(knee_line, example_line().replace("en: For care after knee surgery", "en: For knee aftercare"))
    _within_seconds(lambda: "For knee aftercare" in caller.dial_in().heard)

    with caplog.at_level(logging.ERROR):
        _rewrite(knee_line, example_line().replace("start: main", "start: nowhere"))
        _within_seconds(lambda: "still serving the last good version" in caplog.text)
        answer = caller.dial_in()
    assert answer.status == 200
    assert "For knee aftercare" in answer.heard, "the last good line goes on serving"
    assert "still serving the last good version" in caplog.text
    assert "nowhere" in caplog.text


def _within_seconds(happened: Callable[[], bool], seconds: float = 5) -> None:
    """The line file is looked at in the background, a moment after it changes."""
    deadline = time.monotonic() + seconds
    while not happened():
        assert time.monotonic() < deadline, "the server did not take the change"
        time.sleep(0.05)


def _rewrite(path: Path, text: str) -> None:
    """Write a new version with a later modification time, as an editor would."""
    path.write_text(text)
    later = time.time() + 5
    os.utime(path, (later, later))


def test_the_text_phone_plays_a_call_from_the_keyboard(knee_line: Path) -> None:
    keys = "\n".join(["1", "", "1", "b", "", "", ""]) + "\n"
    result = CliRunner().invoke(main, ["call", "--line", str(knee_line), "--at", "2026-11-24T10:00+00:00"],
                                input=keys)
    assert result.exit_code == 0, result.output
    assert "Keep the dressing dry" in result.output
    assert "I did not hear a choice" in result.output
    assert "[Connecting you to +442079460123]" in result.output
    assert "nobody at Riverside Knee Clinic could answer" in result.output
    assert "Goodbye" in result.output
    assert "[The line hung up]" in result.output


def test_ivr_serve_answers_calls_under_gunicorn(knee_line: Path, unused_port: int, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "IVR_LINE_FILE": str(knee_line),
        "IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'calls.sqlite3'}",
        "IVR_CALLER_HASH_KEY": "gunicorn-test-key",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "ivr", "serve", "--port", str(unused_port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        from ivr.phone import HttpTransport

        base = f"http://127.0.0.1:{unused_port}"
        document = _first_answer(HttpTransport(TOKEN), base)
        assert "<Gather" in document and "care after knee surgery" in document
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "+12025550100" not in output, "callers' numbers are never logged"


def _first_answer(transport, base: str) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while True:
        try:
            return transport.post(f"{base}/voice", {"CallSid": "CA1", "From": "+12025550100"})
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ivr_serve_refuses_an_invalid_line_with_its_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(example_line().replace("start: main", "start: nowhere"))
    result = CliRunner().invoke(main, ["serve", "--line", str(broken)], env=_serve_env(TOKEN))
    assert result.exit_code == 1
    assert "Not serving: the line file has errors." in result.output
    assert "there is no node 'nowhere'" in result.output


def test_ivr_serve_refuses_to_run_unchecked_without_saying_so(tmp_path: Path, knee_line: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--line", str(knee_line)], env=_serve_env(""))
    assert result.exit_code == 2
    assert "IVR_DEV_MODE" in result.output


def _serve_env(token: str) -> dict[str, str | None]:
    """The command sets IVR_* variables for its workers; naming them here restores them after."""
    return {"TWILIO_AUTH_TOKEN": token, "IVR_LINE_FILE": None, "IVR_DEV_MODE": None}
