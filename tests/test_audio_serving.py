"""A line in "play" mode: its webhooks <Play> rendered audio that the audio route serves, and <Say> what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from ivr.commands.main import main
from ivr.line import Line, all_prompts
from ivr.speech.voicing import Voicing
from tests.audio_lines import ENGINES, RATES, copy_audio, render_into, small_line
from tests.calls import Answer, Caller
from tests.conftest import TOKEN

ONE_YEAR = "max-age=31536000"


@pytest.fixture(scope="module", params=ENGINES)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Line, Path]:
    """The small line rendered by each engine: every test here is a line served with that engine's audio."""
    folder = tmp_path_factory.mktemp(f"served-{request.param}")
    path, line = small_line(folder, engine=request.param)
    return path, line, render_into(line, folder / "audio")


@pytest.fixture
def audio(rendered: tuple[Path, Line, Path], tmp_path: Path) -> Path:
    """This test's own copy of the rendered audio."""
    return copy_audio(rendered[2], tmp_path / "rendered")


@pytest.fixture
def line(rendered: tuple[Path, Line, Path]) -> Line:
    return rendered[1]


@pytest.fixture
def app(make_app: Callable[..., Flask], rendered: tuple[Path, Line, Path], audio: Path) -> Flask:
    return make_app(LINE_FILE=str(rendered[0]), AUDIO_DIR=str(audio))


def _expected_url(line: Line, text: str, rate: int, base: str = "http://localhost") -> str:
    return f"{base}/audio/{Voicing.of(line).name(text, rate)}.wav"


def _text(client: FlaskClient, url: str) -> str:
    with client.get(url) as response:
        assert response.status_code == 200
        return response.get_data(as_text=True)


def _walk(caller: Caller) -> list[Answer]:
    """A call that hears the greeting, both answers, a wrong key and the transfer."""
    answers = [caller.dial_in(), caller.press("1"), caller.press("#"), caller.press("2"), caller.press("5")]
    answers.append(caller.press("#"))
    answers.append(caller.press("3"))
    return answers


def test_every_answer_of_a_rendered_line_plays_audio_that_the_audio_route_serves(
    caller: Caller, client: FlaskClient, line: Line
) -> None:
    answers = _walk(caller)
    for answer in answers:
        assert answer.status == 200
        assert answer.played, answer.document
        assert answer.heard == "", "every text is rendered, so nothing is left to <Say>"
    urls = {url for answer in answers for url in answer.played}
    for url in urls:
        assert url.startswith("http://localhost/audio/") and url.endswith(".wav")
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.mimetype == "audio/wav"
            assert response.headers["ETag"]
            cache = response.headers["Cache-Control"]
            assert "public" in cache and ONE_YEAR in cache and "immutable" in cache
            assert response.data[:4] == b"RIFF"
    texts = set(all_prompts(line))
    heard = {_text(client, url.removesuffix(".wav") + ".txt") for url in urls}
    assert heard <= texts
    assert line.greeting in heard


def test_the_first_answer_plays_the_greeting_at_the_default_rate(caller: Caller, line: Line) -> None:
    answer = caller.dial_in()
    assert answer.played[0] == _expected_url(line, line.greeting, line.voice.default_rate)


def test_audio_is_revalidated_with_its_etag(caller: Caller, client: FlaskClient) -> None:
    url = caller.dial_in().played[0]
    with client.get(url) as first:
        etag = first.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.data == b""


def test_the_transcript_route_says_what_the_audio_says(caller: Caller, client: FlaskClient, line: Line) -> None:
    url = caller.dial_in().played[0].removesuffix(".wav") + ".txt"
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        assert response.mimetype_params["charset"] == "utf-8"
        assert response.get_data(as_text=True) == line.greeting
        assert ONE_YEAR in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/audio/" + "0" * 32 + ".wav",
        "/audio/" + "0" * 32 + ".txt",
        "/audio/nothing.wav",
        "/audio/" + "A" * 32 + ".wav",
        "/audio/" + "0" * 31 + ".wav",
        "/audio/" + "0" * 32 + ".mp3",
        "/audio/..%2F" + "0" * 29 + ".wav",
        "/audio/",
    ],
)
def test_unknown_and_malformed_names_are_not_found(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        assert response.status_code == 404


def test_a_text_whose_audio_is_missing_is_said_and_the_rest_played(
    caller: Caller, line: Line, audio: Path
) -> None:
    rate = line.voice.default_rate
    greeting = Voicing.of(line).name(line.greeting, rate)
    (audio / f"{greeting}.wav").unlink()
    answer = caller.dial_in()
    assert answer.heard == line.greeting
    assert answer.verbs[0] == "Gather"
    assert answer.played, "the other texts still play"
    assert _expected_url(line, line.greeting, rate) not in answer.played


def test_with_no_audio_at_all_every_text_is_said(make_app: Callable[..., Flask], rendered: tuple[Path, Line, Path],
                                                 tmp_path: Path) -> None:
    app = make_app(LINE_FILE=str(rendered[0]), AUDIO_DIR=str(tmp_path / "nothing-here"))
    answer = Caller(app.test_client(), TOKEN).dial_in()
    assert not answer.played
    assert rendered[1].greeting in answer.heard


def test_a_line_in_say_mode_never_plays(make_app: Callable[..., Flask], audio: Path, tmp_path: Path) -> None:
    path, line = small_line(tmp_path / "say", mode="say")
    render_into(line, audio)
    caller = Caller(make_app(LINE_FILE=str(path), AUDIO_DIR=str(audio)).test_client(), TOKEN)
    for answer in [caller.dial_in(), caller.press("1"), caller.press("#"), caller.press("2")]:
        assert not answer.played
        assert answer.heard


def test_after_asking_to_slow_down_the_caller_hears_audio_rendered_at_the_slower_rate(
    caller: Caller, line: Line
) -> None:
    slow, fast = RATES
    caller.dial_in()
    slower = caller.press("7")
    assert slower.played[0] == _expected_url(line, line.phrases.pace_changed, slow)
    answer = caller.press("1")
    text = line.nodes["opening-hours"].text  # type: ignore[union-attr]
    assert _expected_url(line, text, slow) in answer.played
    assert _expected_url(line, text, fast) not in answer.played
    faster = caller.press("8")
    assert faster.played[0] == _expected_url(line, line.phrases.pace_changed, fast)


def test_behind_a_proxy_audio_urls_are_under_the_public_url(
    make_app: Callable[..., Flask], rendered: tuple[Path, Line, Path], audio: Path
) -> None:
    app = make_app(LINE_FILE=str(rendered[0]), AUDIO_DIR=str(audio), PUBLIC_URL="https://line.example.org")
    caller = Caller(app.test_client(), TOKEN, base="https://line.example.org")
    answer = caller.dial_in()
    assert answer.played
    for url in answer.played:
        assert url.startswith("https://line.example.org/audio/")
        with app.test_client().get(urlparse(url).path) as response:
            assert response.status_code == 200


def test_audio_is_served_without_a_twilio_signature(client: FlaskClient, caller: Caller) -> None:
    url = caller.dial_in().played[0]
    with client.get(url) as response:
        assert response.status_code == 200


# -- the text-mode phone ------------------------------------------------------------------


def test_the_text_phone_shows_what_played_audio_says(rendered: tuple[Path, Line, Path], audio: Path) -> None:
    path, line, _ = rendered
    result = CliRunner().invoke(main, ["call", "--line", str(path)], input="", env={"IVR_AUDIO_DIR": str(audio)})
    assert result.exit_code == 0, result.output
    assert line.greeting in result.output
    assert "[audio" not in result.output


def test_the_phone_can_read_each_prompt_aloud(rendered: tuple[Path, Line, Path], tmp_path: Path) -> None:
    """`ivr call --speak` speaks through pyttsx3, which plays with aplay: here a stand-in that keeps the sound."""
    path, line, _ = rendered
    bin_dir, played = tmp_path / "bin", tmp_path / "played"
    bin_dir.mkdir()
    played.mkdir()
    aplay = bin_dir / "aplay"
    aplay.write_text(f'#!/bin/sh\ncp "$1" "{played}/$(date +%s%N).wav"\n')
    aplay.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "IVR_AUDIO_DIR": str(tmp_path / "a")}
    result = subprocess.run(
        [sys.executable, "-m", "ivr", "call", "--line", str(path), "--speak"],
        input="", capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert line.greeting in result.stdout
    spoken = sorted(played.glob("*.wav"))
    assert len(spoken) >= 3, "the greeting, the pace keys and the main menu at least"


# -- <Say>, where there is no audio -------------------------------------------------------


def _say_line(folder: Path, say_voice: str | None) -> Path:
    path, _ = small_line(folder, mode="say")
    if say_voice:
        path.write_text(path.read_text() + f"  say_voice: {say_voice}\n")
    return path


@pytest.mark.parametrize("voice", ["Polly.Joanna", "Google.en-US-Standard-C"])
def test_say_changes_pace_with_ssml_prosody_for_voices_that_take_it(
    make_app: Callable[..., Flask], tmp_path: Path, voice: str
) -> None:
    caller = Caller(make_app(LINE_FILE=str(_say_line(tmp_path, voice))).test_client(), TOKEN)
    first = caller.dial_in()
    assert first.root is not None and not list(first.root.iter("prosody")), "the default pace needs none"
    slower = caller.press("7")
    slow, fast = RATES
    says = list(slower.root.iter("Say"))  # type: ignore[union-attr]
    assert says and all(say.get("voice") == voice for say in says)
    assert [say.find("prosody").get("rate") for say in says] == [f"{round(100 * slow / fast)}%"] * len(says)  # type: ignore[union-attr]
    assert "I will speak at this pace from now on." in slower.heard
    faster = caller.press("8")
    assert not list(faster.root.iter("prosody")), "back at the default pace"  # type: ignore[union-attr]


def test_say_with_a_basic_voice_keeps_its_one_pace(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    caller = Caller(make_app(LINE_FILE=str(_say_line(tmp_path, "alice"))).test_client(), TOKEN)
    caller.dial_in()
    slower = caller.press("7")
    assert slower.heard and not list(slower.root.iter("prosody"))  # type: ignore[union-attr]
