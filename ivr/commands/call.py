"""`ivr call`: the text-mode phone (:mod:`ivr.phone`) on the terminal."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable, Iterator

import click

from ivr.commands.errors import BadOption, Command, CommandFailed
from ivr.phone import Call, FlaskTransport, HttpTransport, LineError, LineRefused, Listener, Transport


def place_call(url: str | None, line_file: str | None, at_time: str | None, speak: bool = False,
               language: str | None = None) -> None:
    """Place a call on a line from the terminal; raises CommandFailed if the line could not be called.

    ``language``: choose it at the start, as a caller does, by saying its name ("español").
    """
    token = os.environ.get("TWILIO_AUTH_TOKEN") or None
    transport: Transport
    if url:
        _check_url(url)
        if at_time:
            raise BadOption("a line called by URL keeps its own clock: leave out --at", "--at")
        transport, base = HttpTransport(token), url
    else:
        transport, base = _in_process(line_file, at_time), "http://localhost"
    words = _language_words(language) if language else None
    listener = Listener(show=click.echo, ask=_ask, transcript=_transcripts(transport))
    if speak:
        listener.speak = _speaker_or_none(None if url else _line_file(line_file), language)
    click.echo(click.style("Calling the line. Press Ctrl-D to hang up.", bold=True))
    try:
        Call(transport, listener, base, first_words=words, expect_language=language).run()
    except LineError as error:
        raise CommandFailed(_explain(error, token)) from None


def _ask(prompt: str) -> str | None:
    """The caller's answer; None when they hang up (Ctrl-D, Ctrl-C).

    The question goes to standard output, like what the line says, so it is seen even when
    standard error is redirected (input() without readline writes its prompt there).
    """
    if sys.stdin.isatty():
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing, where the terminal has it)
    click.echo(click.style(prompt, fg="cyan"))
    click.echo("> ", nl=False)
    sys.stdout.flush()
    try:
        return input()
    except (EOFError, KeyboardInterrupt):
        click.echo()
        return None


def _language_words(language: str) -> str:
    """What a caller says to choose ``language`` at the start of a call: "español" for "es"."""
    from ivr.languages import available, builtin

    code = language.strip().lower()
    if code not in available():
        raise BadOption(f"{language!r} is not a language the line knows: give {' or '.join(available())}", "--language")
    return builtin(code).offer_words[0]


def _check_url(url: str) -> None:
    if not re.match(r"^https?://[^/\s]+", url):
        raise BadOption(
            f"{url!r} is not the address of a line: give its base URL, such as https://line.example.org "
            "or http://127.0.0.1:8000",
            "--url",
        )


def _explain(error: LineError, token: str | None) -> str:
    """What went wrong calling the line, and what to do about it, in one line."""
    if isinstance(error, LineRefused) and error.status == 403:
        given = "is not the server's" if token else "is not set"
        return (
            f"The line at {error.url} refused the call (403): it checks Twilio's signature, and TWILIO_AUTH_TOKEN "
            f"{given}. Set TWILIO_AUTH_TOKEN to the server's token (and check that the server's IVR_PUBLIC_URL "
            "is the URL given to --url)."
        )
    if isinstance(error, LineRefused) and error.status == 404:
        return f"No line answers at {error.url} (404): give the base URL of a line, such as http://127.0.0.1:8000."
    if isinstance(error, LineRefused):
        return f"The line at {error.url} failed: {error.reason}."
    return f"Cannot call {error.url}: {error.reason}. Is the line running there (ivr serve), and is the address right?"


def _in_process(line_file: str | None, at_time: str | None) -> FlaskTransport:
    from ivr import create_app
    from ivr.line.validate import LineInvalid, format_problems, load_line

    path = _line_file(line_file)
    try:
        line = load_line(path).line
    except LineInvalid as invalid:
        problems = format_problems(invalid.problems)
        raise CommandFailed(f"Cannot call: the line file {path} has errors.\n{problems}") from None
    # A clinic trying its line is not a patient's call: keep it out of the call records.
    settings: dict[str, object] = {"DEV_MODE": True, "TWILIO_AUTH_TOKEN": "", "RECORD_CALLS": False}
    settings["LINE_FILE"] = path
    settings["AUDIO_DIR"] = _audio_dir()
    if at_time:
        moment = call_time(at_time, line.clinic.hours.timezone, now=dt.datetime.now(dt.UTC))
        settings["CLOCK"] = lambda: moment
    return FlaskTransport(create_app(settings, serving=False), token=None)


def call_time(text: str, zone: str, now: dt.datetime) -> dt.datetime:
    """When ``--at`` says the call is made (:func:`ivr.call.trial.when_called`)."""
    from ivr.call.trial import NotATime, when_called

    try:
        return when_called(text, zone, now)
    except NotATime as error:
        raise BadOption(str(error), "--at") from None


def _line_file(line_file: str | None) -> str:
    return line_file or os.environ.get("IVR_LINE_FILE") or _default_line()


def _default_line() -> str:
    from ivr.config import DEFAULT_LINE_FILE

    return str(DEFAULT_LINE_FILE)


def _audio_dir() -> str:
    """The audio `ivr render` fills by default, so that a call in process plays it."""
    from ivr import settings

    return str(settings()["AUDIO_DIR"])


def _transcripts(transport: Transport) -> Callable[[str], str | None]:
    """What the audio at a <Play> URL says: the line serves it beside the audio, as ``<name>.txt``."""

    def transcript(url: str) -> str | None:
        if not url.endswith(".wav"):
            return None
        text_url = url.removesuffix(".wav") + ".txt"
        if isinstance(transport, FlaskTransport):
            with transport.client.get(text_url) as response:
                return response.get_data(as_text=True) if response.status_code == 200 else None
        if isinstance(transport, HttpTransport):
            try:
                answer = transport.session.get(text_url, timeout=transport.timeout)
            except OSError:
                return None
            return answer.text if answer.status_code == 200 else None
        return None

    return transcript


def _speaker_or_none(line_file: str | None, language: str | None = None) -> Callable[[str], None] | None:
    """A speaker for the line's voice, or None (said once) when this computer cannot play sound."""
    problem = sound_output_problem()
    if problem is None:
        from ivr.speech.render import RenderError

        try:
            return _speaker(line_file, language)
        except RenderError as error:
            problem = str(error)
    click.echo(f"Cannot read the prompts aloud: {problem}. The call goes on as text.", err=True)
    return None


def sound_output_problem() -> str | None:
    """Why this computer cannot play sound, or None: checked once, by playing a moment of silence.

    pyttsx3 plays speech with aplay on Linux; without a sound device aplay prints dozens of
    ALSA lines for every prompt, so the phone checks before it speaks at all.
    """
    if not sys.platform.startswith("linux"):
        return None
    if shutil.which("aplay") is None:
        return "aplay, which plays the speech, is not installed (Debian: apt-get install alsa-utils)"
    with tempfile.NamedTemporaryFile(suffix=".wav") as silence:
        with wave.open(silence.name, "wb") as audio:
            audio.setnchannels(1)
            audio.setsampwidth(2)
            audio.setframerate(8000)
            audio.writeframes(b"\0\0" * 400)
        try:
            # The arguments in pyttsx3's order, so that what it runs is what was checked.
            played = subprocess.run(["aplay", silence.name, "-q"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return "aplay could not play a test sound"
    if played.returncode != 0:
        return "this computer has no sound device that aplay can play through"
    return None


def _speaker(line_file: str | None, language: str | None = None) -> Callable[[str], None]:
    """Reads each prompt aloud with the line's voice in ``language`` (its first by default; the default
    voice for a line called by URL)."""
    from ivr.line import Voice
    from ivr.line.validate import load_line
    from ivr.speech.render import speaker

    if not line_file:
        return speaker(Voice())
    line = load_line(line_file).line
    view = line.in_language(language) if language in line.language_codes else line
    return speaker(view.voice, language=view.call.speech_language)


@click.command(cls=Command)
@click.option("--url", default=None, help="Call a line served at this base URL (such as http://127.0.0.1:8000) "
              "instead of in this process; requests are signed with TWILIO_AUTH_TOKEN, which must be the server's.")
@click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The line file to call in this process (default: IVR_LINE_FILE, or the Botox line).")
@click.option("--at", "at_time", default=None, metavar="WHEN",
              help='Pretend the call is made at this time, in the clinic\'s time zone: "saturday 20:00", '
              '"monday", "13:30", or a full time such as 2026-11-28T20:00-05:00 (in process only).')
@click.option("--speak", is_flag=True, help="Also read every prompt aloud through this computer's sound output.")
@click.option("--language", default=None, metavar="CODE",
              help="Choose this language at the start of the call, as a caller does, by saying its name "
              '(es: "español"), in a line that offers it.')
@click.option("--explain", is_flag=True, help="Show how each spoken turn was understood: by the rules, or by its "
              "meaning (the place, its score, the next place, why, and whether the line asked back); in process only.")
def call(url: str | None, line_file: str | None, at_time: str | None, speak: bool, language: str | None,
         explain: bool) -> None:
    """Place a call on a line and hear it as text; type keys or words to answer."""
    if explain and url:
        raise BadOption("a line called by URL understands in its own server: leave out --explain", "--explain")
    with _explaining() if explain else contextlib.nullcontext():
        place_call(url=url, line_file=line_file, at_time=at_time, speak=speak, language=language)


@contextlib.contextmanager
def _explaining() -> Iterator[None]:
    """Show the call flow's account of how it understood each spoken turn, as the call goes."""
    flow_log = logging.getLogger("ivr.call.flow")
    handler = _Explainer()
    level, propagate = flow_log.level, flow_log.propagate
    flow_log.setLevel(logging.DEBUG)
    flow_log.propagate = False  # shown once, here, not again by --verbose's handler
    flow_log.addHandler(handler)
    try:
        yield
    finally:
        flow_log.removeHandler(handler)
        flow_log.setLevel(level)
        flow_log.propagate = propagate


class _Explainer(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Understood"):
            click.echo(click.style("  [" + record.getMessage() + "]", fg="yellow"))
