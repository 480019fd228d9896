"""Every `ivr` command, run as staff run it (the console script, in its own process), given bad input:
a short message saying what to do, a non-zero exit, and never a traceback."""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from flask import Flask

from ivr.commands.call import sound_output_problem
from ivr.config import DEFAULT_LINE_FILE, PROJECT_ROOT
from ivr.line.validate import load_line
from ivr.speech.catalog import store_rendered
from ivr.speech.render import plan_line
from ivr.speech.telephone import TELEPHONE_RATE, write_telephone_wav
from tests.conftest import OWN_INSTANCE, TOKEN
from tests.line_files import base_line, edit

IVR = Path(sys.executable).parent / "ivr"
BOTOX_GREETING = "If you have trouble breathing, swallowing or speaking, hang up now and call 911."


@dataclass(frozen=True)
class Ran:
    status: int
    out: str
    err: str


def ivr(*args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None) -> Ran:
    """Run the console script as a person would, with no Twilio token unless ``env`` gives one (and the
    test's own instance folder: :data:`tests.conftest.OWN_INSTANCE`)."""
    environment = {name: value for name, value in os.environ.items()
                   if (not name.startswith("IVR_") or name in OWN_INSTANCE) and name != "TWILIO_AUTH_TOKEN"}
    environment.update(env or {})
    done = subprocess.run([str(IVR), *args], input=stdin, capture_output=True, text=True, env=environment,
                          cwd=cwd, timeout=120, check=False)
    return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def broken_line(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(edit(base_line(), "goto: desk", "goto: dsek"), encoding="utf-8")
    return path


@pytest.fixture
def good_line(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(base_line(), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: Bad input for each command, and what the one line it gets back must say.
ONE_LINE_REFUSALS = {
    "call at a time that is not one": (["call", "--at", "someday"], 2, "'someday' is not a time"),
    "call a URL without its scheme": (["call", "--url", "line.example.org"], 2, "is not the address of a line"),
    "call a line file that is not there": (["call", "--line", "/nonexistent/line.yaml"], 2, "does not exist"),
    "call at a time of a line called by URL": (
        ["call", "--url", "http://127.0.0.1:9", "--at", "monday"], 2, "keeps its own clock"
    ),
    "text at a time that is not one": (["text", "--at", "someday"], 2, "'someday' is not a time"),
    "text a URL without its scheme": (["text", "--url", "line.example.org"], 2, "is not the address of a line"),
    "write the schema where no folder is": (
        ["schema", "/nonexistent/x.json"], 1, "Cannot write /nonexistent/x.json: No such file or directory"
    ),
    "purge records of an age that is not one": (["purge", "--older-than", "banana"], 2, "'banana' is not an age"),
    "purge without saying how old": (["purge"], 2, "Missing option '--older-than'"),
    "validate nothing": (["validate"], 2, "Missing argument"),
    "serve on a port that is not a number": (["serve", "--port", "abc"], 2, "'abc' is not a valid integer"),
    "serve with no workers": (["serve", "--workers", "0"], 2, "0 is too small: give 1 or more"),
    "serve a line file that is not there": (["serve", "--line", "/nonexistent/line.yaml"], 2, "does not exist"),
    "render a line file that is not there": (["render", "--line", "/nonexistent/line.yaml"], 2, "does not exist"),
    "audit a line file that is not there": (
        ["audit-audio", "--line", "/nonexistent/line.yaml"], 2, "does not exist"
    ),
    "a command there is not": (["sing"], 2, "No such command 'sing'"),
    "an option there is not": (["validate", "--colour", "x.yaml"], 2, "No such option '--colour'"),
}


@pytest.mark.parametrize(("args", "status", "said"), ONE_LINE_REFUSALS.values(), ids=list(ONE_LINE_REFUSALS))
def test_bad_arguments_get_one_line_and_a_non_zero_exit(args: list[str], status: int, said: str) -> None:
    ran = ivr(*args)
    assert ran.status == status, ran
    assert said in ran.err and len(ran.err.strip().splitlines()) == 1, ran.err
    assert "Traceback" not in ran.out + ran.err


def test_a_line_nothing_answers_at_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    ran = ivr("call", "--url", url)
    assert ran.status == 1
    assert ran.err.strip() == (
        f"Cannot call {url}/voice: nothing answers there. Is the line running there (ivr serve), "
        "and is the address right?"
    )
    assert "Traceback" not in ran.out + ran.err


def test_serving_without_a_token_is_refused_in_one_line(good_line: Path) -> None:
    ran = ivr("serve", "--line", str(good_line))
    assert ran.status == 2
    assert ran.err.strip().splitlines() == [
        "Not serving: TWILIO_AUTH_TOKEN is not set, so webhook requests cannot be checked. "
        "Set it, or set IVR_DEV_MODE=true to run unchecked on a development machine."
    ]


@pytest.mark.parametrize("command", ["call", "render", "audit-audio", "serve"])
def test_an_invalid_line_file_is_listed_not_a_traceback(command: str, broken_line: Path) -> None:
    ran = ivr(command, "--line", str(broken_line), env={"TWILIO_AUTH_TOKEN": TOKEN})
    assert ran.status == 1, ran
    assert "there is no node 'dsek' (did you mean 'desk'?)" in ran.err
    assert ran.err.strip().splitlines()[-1] == "1 error, 0 warnings"
    assert "Traceback" not in ran.out + ran.err


def test_validate_lists_every_problem_and_exits_1(broken_line: Path, tmp_path: Path) -> None:
    ran = ivr("validate", str(broken_line), str(tmp_path / "missing.yaml"))
    assert ran.status == 1
    assert "error: node 'main': option on key 3, goto: there is no node 'dsek'" in ran.err
    assert f"{tmp_path / 'missing.yaml'}: error: cannot read the file: No such file or directory" in ran.err
    assert "Traceback" not in ran.out + ran.err


def test_validate_says_that_a_broken_file_once_served_is_answered_with_its_last_good_version(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    line, kept = tmp_path / "line.yaml", tmp_path / "kept"
    line.write_text(base_line())
    make_app(LINE_FILE=str(line), LAST_GOOD_LINE_DIR=str(kept))  # a server answers with it
    line.write_text(edit(base_line(), "start: main", "start: nowhere"))
    ran = ivr("validate", str(line), env={"IVR_LAST_GOOD_LINE_DIR": str(kept)})
    assert ran.status == 1
    assert "there is no node 'nowhere'" in ran.err
    assert f"NOTE: {line} has been served: until it is fixed, servers answer with its last good version" in ran.err
    assert "NOTE" not in ivr("validate", str(line), env={"IVR_LAST_GOOD_LINE_DIR": str(tmp_path / "none")}).err


def test_validate_refuses_a_folder_in_one_line(tmp_path: Path) -> None:
    ran = ivr("validate", str(tmp_path))
    assert ran.status == 2
    assert "is a directory" in ran.err and len(ran.err.strip().splitlines()) == 1


def test_purge_needs_no_twilio_token_and_prints_no_log_lines(tmp_path: Path) -> None:
    ran = ivr("purge", "--older-than", "90d", env={"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'calls.sqlite3'}"})
    assert (ran.status, ran.err) == (0, "")
    assert ran.out == "Removed 0 calls and 0 events older than 90d.\n"


def rendered_as_tones(line_file: Path, directory: Path) -> None:
    """Put a short tone, and its transcript, where rendering puts each English prompt of a line at its usual pace,
    as ``ivr render`` would (each prompt in the order it renders them, a name once)."""
    line = load_line(line_file).line
    plan = plan_line(line, directory, rates=[line.voice.default_rate])
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(TELEPHONE_RATE // 5) / TELEPHONE_RATE)
    directory.mkdir(parents=True, exist_ok=True)
    for job in plan.jobs:
        store_rendered(directory, job.name, job.text, lambda path: write_telephone_wav(path, tone))


@pytest.mark.parametrize("audio", ["none", "rendered"])
def test_the_text_phone_prints_what_callers_hear_and_no_log_lines(audio: str, tmp_path: Path) -> None:
    """The same words with or without the line's audio: the texts as written ("call 911."), not as they were
    given to the speech engine ("call 9 1 1.")."""
    if audio == "rendered":
        rendered_as_tones(DEFAULT_LINE_FILE, tmp_path / "audio")
    ran = ivr("call", stdin="\n", env={"IVR_AUDIO_DIR": str(tmp_path / "audio")})
    assert ran.status == 0
    assert ran.err == "", "no library log lines, and no development-mode warning: no server is started"
    greeting = load_line(DEFAULT_LINE_FILE).line.greeting
    assert ran.out.splitlines()[1:4] == [
        greeting.split(". ")[0] + ".", "Para español, oprima 9.", greeting.split(". ", 1)[1]
    ], "the emergency sentence, the offer of Spanish, then the rest of the greeting"


def test_verbose_shows_the_log_lines() -> None:
    ran = ivr("--verbose", "call", stdin="")
    assert ran.status == 0
    assert "INFO ivr.line.validate.load: loaded line" in ran.err


def test_the_transfer_question_asks_again_until_it_gets_an_answer(good_line: Path) -> None:
    ran = ivr("call", "--line", str(good_line), "--at", "tuesday 10:00", stdin="3\n\nyes\nbusy\n")
    assert ran.status == 0, ran.err
    assert ran.out.count("How did the transfer go?") == 3
    assert ran.out.count("[Type c, b, n or f: how the clinic's phone answered]") == 2
    assert "Sorry, nobody at Riverside Clinic could answer just now." in ran.out


def test_call_at_a_day_and_time_uses_the_clinics_time_zone(good_line: Path) -> None:
    closed = ivr("call", "--line", str(good_line), "--at", "saturday 11:00", stdin="")
    opened = ivr("call", "--line", str(good_line), "--at", "friday 11:00", stdin="")
    assert "The clinic is closed right now." in closed.out
    assert "The clinic is closed right now." not in opened.out


def test_help_shows_defaults_plainly() -> None:
    ran = ivr("serve", "--help")
    assert "[env var: IVR_HOST; default: 127.0.0.1]" in " ".join(ran.out.split())
    assert "(127.0.0.1)" not in ran.out


def test_the_phone_asks_on_the_terminal_even_when_standard_error_is_redirected() -> None:
    """A person running ``ivr call 2>/dev/null`` still sees the question before typing."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: stderr to /dev/null, stdin and stdout the terminal
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        os.execv(str(IVR), [str(IVR), "call"])
    try:
        seen = _read_until(terminal, b"> ", seconds=60)
        for _ in range(20):  # Ctrl-D hangs up, once the phone is reading (an earlier one may be lost)
            os.write(terminal, b"\x04")
            seen += _read_until(terminal, b"[You hung up]", seconds=1)
            if b"[You hung up]" in seen:
                break
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert b"Press a key, say something, or press Enter to stay silent" in seen
    assert b"[You hung up]" in seen


def _read_until(terminal: int, wanted: bytes, seconds: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


@pytest.mark.skipif(sound_output_problem() is None, reason="this computer can play sound")
def test_speak_without_sound_says_so_once_and_the_call_goes_on(good_line: Path) -> None:
    ran = ivr("call", "--line", str(good_line), "--speak", stdin="1\n\n")
    assert ran.status == 0
    assert ran.err.count("Cannot read the prompts aloud") == 1 and len(ran.err.strip().splitlines()) == 1
    assert "We are open from nine to five" in ran.out


@pytest.fixture
def signed_server(good_line: Path, tmp_path: Path) -> Iterator[str]:
    """``ivr serve`` with a Twilio token: it answers 403 to a request not signed with that token."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("IVR_") or name in OWN_INSTANCE}
    env.update(TWILIO_AUTH_TOKEN=TOKEN, IVR_LINE_FILE=str(good_line), IVR_CALLER_HASH_KEY="commands-test",
               IVR_DATABASE_URL=f"sqlite:///{tmp_path / 'calls.sqlite3'}")
    server = subprocess.Popen([str(IVR), "serve", "--port", str(port), "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.slow
def test_call_by_url_signs_with_the_token_and_says_when_it_is_wrong(signed_server: str) -> None:
    wrong = ivr("call", "--url", signed_server, env={"TWILIO_AUTH_TOKEN": "not-the-token"})
    assert wrong.status == 1
    assert wrong.err.strip().startswith(
        f"The line at {signed_server}/voice refused the call (403): it checks Twilio's signature, "
        "and TWILIO_AUTH_TOKEN is not the server's."
    )
    missing = ivr("call", "--url", signed_server)
    assert "TWILIO_AUTH_TOKEN is not set" in missing.err
    right = ivr("call", "--url", signed_server, env={"TWILIO_AUTH_TOKEN": TOKEN}, stdin="1\n")
    assert (right.status, right.err) == (0, "")
    assert "We are open from nine to five on weekdays" in right.out


@pytest.mark.slow
def test_a_plain_pip_install_runs_its_default_line(tmp_path: Path) -> None:
    """`pip install .` (not editable) ships the default line: it is found outside the repository."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # pip --python installs into that environment only (--prefix would uninstall this one's editable ivr).
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
               "--disable-pip-version-check", "--no-deps", str(PROJECT_ROOT)]
    subprocess.run(install, check=True, capture_output=True, timeout=600)
    site_packages = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    # The installed package, with this environment's libraries for its dependencies (not its editable ivr).
    (site_packages / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    where = subprocess.run(
        [str(python), "-c", "import ivr, ivr.config; print(ivr.__file__); print(ivr.config.DEFAULT_LINE_FILE)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.splitlines()
    assert all(Path(path).is_relative_to(venv) for path in where), where
    env = {name: value for name, value in os.environ.items() if not name.startswith("IVR_")}
    called = subprocess.run([str(python), "-m", "ivr", "call"], input="", capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120, check=False)
    assert called.returncode == 0, called.stderr
    assert BOTOX_GREETING in called.stdout


def test_the_text_line_on_the_terminal_shows_each_reply_with_its_segments() -> None:
    ran = ivr("text", "--at", "saturday 20:00", stdin="hi\n0\n[picture]\nSTOP\nhello\n")
    assert ran.status == 0, ran.err
    assert ran.err == "", "no log lines, and no development-mode warning: no server is started"
    greeting = load_line(DEFAULT_LINE_FILE).line.greeting
    assert greeting.split(". ")[0] in ran.out
    assert "1 For a worrying symptom" in ran.out
    assert "[322 characters, 3 segment(s), GSM-7]" in ran.out
    assert "call the after-hours line on +1 202-555-0188" in ran.out, "Saturday evening: the clinic is closed"
    assert "Sorry, I can read only words, not pictures." in ran.out
    assert ran.out.count("[No reply: the line writes nothing to a number that said STOP.]") == 2
