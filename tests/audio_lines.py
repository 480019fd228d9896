"""Small lines with rendered audio, for the audio tests: rendering once per module is what takes time."""

from __future__ import annotations

import shutil
from pathlib import Path

from ivr.line.load import load_line
from ivr.line.model import Line
from ivr.speech.render import render_line
from tests.line_files import base_line, write_line

#: Two rates, so that a caller can slow down; the faster one is the default.
RATES = (120, 160)
#: Every offline engine, and a voice of each.
ENGINES = ("flite", "pyttsx3")
VOICES = {"flite": "rms", "pyttsx3": "en-us"}


def with_voice(text: str, mode: str = "play", name: str | None = None, rates: tuple[int, ...] = RATES,
               engine: str = "pyttsx3") -> str:
    """A line file's text with a ``voice:`` section."""
    listed = ", ".join(str(rate) for rate in rates)
    return text + (
        f"voice:\n  mode: {mode}\n  engine: {engine}\n  name: {name or VOICES[engine]}\n"
        f"  rates: [{listed}]\n  default_rate: {rates[-1]}\n"
    )


def small_line(folder: Path, mode: str = "play", name: str | None = None, engine: str = "pyttsx3") -> tuple[Path, Line]:
    """The small test line in ``folder``, spoken by the given engine and voice at :data:`RATES`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_line(folder, with_voice(base_line(), mode=mode, name=name, engine=engine))
    return path, load_line(path).line


def render_into(line: Line, directory: Path) -> Path:
    report = render_line(line, directory)
    assert report.ok, report.failed
    return directory


def copy_audio(source: Path, destination: Path) -> Path:
    """A test's own copy of rendered audio, to delete from or add to."""
    shutil.copytree(source, destination)
    return destination
