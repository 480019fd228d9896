"""espeak-ng through pyttsx3: many languages, and the voice ``ivr call --speak`` reads prompts aloud with.

The only module that imports pyttsx3. pyttsx3 2.99 on Linux drives espeak-ng in its
asynchronous mode, and has pitfalls this module works around:

- Its driver's ``stop()``, which every ``runAndWait()`` calls, cancels espeak-ng whenever
  espeak-ng is busy: as it is just after a rate or volume is set, and for about 150 ms after
  every command while espeak-ng's own thread checks whether it has gone idle. A cancel puts
  the rate back to the last utterance's, drops the end-of-message command pyttsx3 waits
  for before it writes a file (so the file is never written), and leaves a flag set that
  cancels the *next* utterance as it starts. That was the cause of prompts rendered at the
  wrong pace and of prompts with no audio. Nothing here is ever interrupted, so
  :class:`_Driver` is pyttsx3's driver without that cancel.
- Two engines in threads of one process crash it; the renderer uses processes.
- An engine's output depends on what it rendered before (the same text came out up to
  80 ms longer or shorter), so each prompt is rendered in a fresh process
  (:attr:`Pyttsx3Engine.one_prompt_per_process`).
- ``runAndWait()`` can return before the file is written: the engine's own end-of-utterance
  notice is waited for, and then the WAV file until it is whole.
- An unknown voice name is silently ignored: it is checked against the engine's voices,
  and its variant against what the engine then uses.
- After ``save_to_file``, ``say`` writes to that file instead of speaking: the driver
  forgets the file when asked to speak.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import shutil
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pyttsx3
from pyttsx3.drivers.espeak import EspeakDriver

from ivr.languages import find, language_code
from ivr.speech.engine import Engine, EngineUnavailable, PromptFailed, UnknownVoice
from ivr.speech.telephone import IncompleteAudio, wait_until_complete

_HINT = "`espeak-ng --voices` lists the voices, `espeak-ng --voices=variant` the variants."
#: The name pyttsx3 loads :class:`_Driver` by (pyttsx3 finds drivers as modules of pyttsx3.drivers).
_DRIVER_MODULE = "pyttsx3.drivers.ivr_espeak"


class _Driver(EspeakDriver):  # type: ignore[misc]  # pyttsx3 has no type hints
    """pyttsx3's espeak-ng driver, without the cancel that lost prompts (see the module's notes)."""

    def stop(self) -> None:
        """Do not cancel: the line never interrupts an utterance, and a cancel drops the next one."""

    def say(self, text: str) -> None:
        self._save_file = None  # speak aloud, not into the last file saved
        super().say(text)


def _register_driver() -> None:
    module = types.ModuleType(_DRIVER_MODULE)
    module.buildDriver = _Driver  # type: ignore[attr-defined]
    sys.modules.setdefault(_DRIVER_MODULE, module)


class Pyttsx3Engine(Engine):
    """The one pyttsx3 engine of this process, used from one thread."""

    name: ClassVar[str] = "pyttsx3"
    one_prompt_per_process: ClassVar[bool] = True

    def __init__(self) -> None:
        _register_driver()
        try:
            self.engine = pyttsx3.init(_DRIVER_MODULE.rsplit(".", 1)[-1])
        except Exception as error:
            raise EngineUnavailable(f"pyttsx3 could not start its engine: {error} (is espeak-ng installed?)") from None
        self._finished = threading.Event()
        self._completed = True
        self._errors: list[str] = []
        self.engine.connect("finished-utterance", self._on_finished)
        self.engine.connect("error", self._on_error)
        self._voices = list(self.engine.getProperty("voices"))
        #: Voice names a line may use, checked, and the names the engine takes for them.
        self._resolved: dict[str, str] = {}
        # pyttsx3 holds properties back until its first run: run it once, empty, so that from now on
        # a property is set when it is asked for, and a bad voice is reported at once.
        self.engine.runAndWait()

    @classmethod
    def default_voice(cls, language: str) -> str:
        """The language pack's voice (``voices`` in its ``speech.yaml``), else the espeak-ng voice named by the
        language's code."""
        pack = find(language)
        return (pack.voice(language) if pack is not None else None) or language_code(language)

    def _on_finished(self, completed: bool = True, **_: object) -> None:
        self._completed = completed
        self._finished.set()

    def _on_error(self, exception: BaseException | None = None, **_: object) -> None:
        self._errors.append(str(exception))

    def check_voice(self, voice: str) -> None:
        """``voice`` is a voice's id ("gmw/en-us"), its file name ("en-us"), its name ("English (America)")
        or a language it speaks ("en-gb"), and may add an espeak-ng variant ("en-us+m3")."""
        if voice in self._resolved:
            return
        base, plus, variant = voice.partition("+")
        engine_name = _engine_voice_name(self._voices, base)
        if engine_name is None:
            labels = sorted({label for known in self._voices for label in _labels(known)})
            suggestions = tuple(difflib.get_close_matches(base.lower(), labels, n=5))
            raise UnknownVoice(voice, suggestions, hint=_HINT, engine=self.name)
        self._errors.clear()
        self.engine.setProperty("voice", engine_name + plus + variant)
        if self._errors:
            raise UnknownVoice(voice, detail="; ".join(self._errors), hint=_HINT, engine=self.name)
        current = str(self.engine.getProperty("voice") or "").lower()
        if variant and not current.endswith("+" + variant.lower()):
            raise UnknownVoice(voice, detail=f"the engine has no variant {variant!r} and would use {current!r}",
                               hint=_HINT, engine=self.name)
        self._resolved[voice] = engine_name + plus + variant

    def synthesize(self, text: str, voice: str, rate: int, path: Path) -> None:
        self.check_voice(voice)
        path.unlink(missing_ok=True)
        timeout = _timeout(text, rate)
        # The espeak driver prints "Audio saved to ..." from its own thread: keep it off our output.
        with contextlib.redirect_stdout(io.StringIO()):
            self._run(voice, rate, lambda: self.engine.save_to_file(text, str(path)), timeout)
        try:
            wait_until_complete(path, timeout)
        except IncompleteAudio as error:
            raise PromptFailed(str(error)) from None

    def say(self, text: str, voice: str, rate: int) -> None:
        """Speak through the sound output; returns when the engine has finished."""
        self.check_voice(voice)
        self._run(voice, rate, lambda: self.engine.say(text), _timeout(text, rate, playing=True))

    def _run(self, voice: str, rate: int, utter: Callable[[], None], timeout: float) -> None:
        """One utterance in one ``runAndWait``, with its voice and rate set just before it.

        espeak-ng applies properties and utterances in the order they are given, so the rate set
        here is the rate of this utterance.
        """
        self._finished.clear()
        self._errors.clear()
        self.engine.setProperty("voice", self._resolved[voice])
        self.engine.setProperty("rate", rate)
        self.engine.setProperty("volume", 1.0)
        utter()
        self.engine.runAndWait()
        # runAndWait may return while the engine is still speaking: wait for its own word.
        if not self._finished.wait(timeout):
            raise PromptFailed(f"the speech engine did not finish within {timeout:.0f} s")
        if self._errors:
            raise PromptFailed("the speech engine failed: " + "; ".join(self._errors))
        if not self._completed:
            raise PromptFailed("the speech engine stopped before the end of the text")


def speaker(voice: str, rate: int) -> Callable[[str], None]:
    """A function that reads a text aloud through this computer's sound output and returns when done.

    The engine lives in the calling process: call the function from one thread only.
    """
    if sys.platform.startswith("linux") and shutil.which("aplay") is None:
        raise EngineUnavailable("pyttsx3 plays speech with aplay, which is not installed (Debian: alsa-utils)")
    engine = Pyttsx3Engine()
    engine.check_voice(voice)
    return lambda text: engine.say(text, voice, rate)


def _engine_voice_name(voices: list[object], wanted: str) -> str | None:
    """The name the engine takes for the voice a line calls ``wanted``, or None if it has no such voice."""
    wanted = wanted.lower()
    for voice in voices:
        if wanted in _names(voice):
            return wanted
    for voice in voices:
        if wanted in _languages(voice):
            return str(getattr(voice, "id", ""))
    return None


def _names(voice: object) -> set[str]:
    voice_id = str(getattr(voice, "id", "") or "")
    names = {voice_id, voice_id.rsplit("/", 1)[-1], str(getattr(voice, "name", "") or "")}
    return {name.lower() for name in names if name}


def _languages(voice: object) -> set[str]:
    return {str(language).lower() for language in getattr(voice, "languages", None) or [] if language}


def _labels(voice: object) -> set[str]:
    """What a line may call an engine voice: its id ("gmw/en-us"), the id's last part, name, languages."""
    return _names(voice) | _languages(voice)


def _timeout(text: str, rate: int, playing: bool = False) -> float:
    """A generous bound on the time one prompt may take: rendering is far faster than speaking."""
    seconds_of_speech = len(text.split()) / max(rate, 1) * 60
    return 30.0 + seconds_of_speech * (2.0 if playing else 0.5)
