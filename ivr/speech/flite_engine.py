"""Debian's flite: small, fast, deterministic, and through a phone line the clearest voice measured.

Each prompt is one run of the ``flite`` program with one of its built-in voices. Its pace is
set with its duration stretch: a rate in words a minute is turned into a stretch against the
voice's own pace (:data:`NATURAL_WPM`).
"""

from __future__ import annotations

import difflib
import functools
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from ivr.speech.engine import Engine, EngineUnavailable, PromptFailed, UnknownVoice
from ivr.speech.telephone import IncompleteAudio, wait_until_complete

#: Words a minute the built-in voices speak at a duration stretch of 1, measured over the Botox
#: line's answers (docs/audio.md): a rate of 140 is a stretch of NATURAL_WPM / 140.
NATURAL_WPM = 160
#: The voices Debian's flite is built with; ``flite -lv`` lists them.
VOICES = ("rms", "slt", "awb", "kal16", "kal", "awb_time")
#: flite renders far faster than speech; a prompt that takes longer has hung.
TIMEOUT_SECONDS = 60
_HINT = "`flite -lv` lists the voices; for an espeak-ng voice, write `engine: pyttsx3` in the line's voice section."


class FliteEngine(Engine):
    name: ClassVar[str] = "flite"
    sound: ClassVar[str] = f"natural-wpm={NATURAL_WPM}"
    #: Debian's flite has English voices only (and Debian no festival voice in another language).
    languages: ClassVar[tuple[str, ...]] = ("en",)

    def __init__(self) -> None:
        self._program = shutil.which("flite")
        if self._program is None:
            raise EngineUnavailable("the flite program is not installed (Debian: apt-get install flite)")

    @classmethod
    def default_voice(cls, language: str) -> str:
        return "rms"

    def check_voice(self, voice: str) -> None:
        voices = _voices(self._program or "flite")
        if voice not in voices:
            suggestions = tuple(difflib.get_close_matches(voice.lower(), voices, n=3, cutoff=0.3))
            raise UnknownVoice(voice, suggestions, hint=_HINT, engine=self.name)

    def synthesize(self, text: str, voice: str, rate: int, path: Path) -> None:
        stretch = NATURAL_WPM / max(rate, 1)
        command = [self._program or "flite", "-voice", voice, "--setf", f"duration_stretch={stretch:.4f}",
                   "-t", text, "-o", str(path)]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise PromptFailed(f"flite did not finish within {TIMEOUT_SECONDS} s") from None
        if finished.returncode != 0:
            raise PromptFailed(f"flite failed ({finished.returncode}): {finished.stderr.strip()[:200]}")
        try:
            wait_until_complete(path, timeout=1.0)
        except IncompleteAudio as error:
            raise PromptFailed(str(error)) from None


@functools.cache
def _voices(program: str) -> tuple[str, ...]:
    """The voices this flite has: ``flite -lv`` prints "Voices available: kal awb_time kal16 awb rms slt"."""
    try:
        listed = subprocess.run([program, "-lv"], capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise EngineUnavailable(f"flite does not run: {error}") from None
    _, _, names = listed.partition(":")
    return tuple(names.split()) or VOICES
