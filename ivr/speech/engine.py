"""The speech engine interface: what rendering needs from an offline engine, and which engines there are.

An engine turns one text into speech samples in a file. Everything else (the speech-text
step, the telephone format, names, files, processes) is the renderer's, so adding an
engine is one module with one :class:`Engine` subclass and one entry in :data:`ENGINES`.
"""

from __future__ import annotations

import importlib
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import numpy as np
import soundfile

from ivr.line import Voice

#: ``voice.engine`` -> "module:class" of the engine; modules are imported when first used.
ENGINES: dict[str, str] = {
    "flite": "ivr.speech.flite_engine:FliteEngine",
    "pyttsx3": "ivr.speech.pyttsx3_engine:Pyttsx3Engine",
}


class RenderError(RuntimeError):
    """Rendering could not be done."""


class EngineUnavailable(RenderError):
    """The speech engine does not start on this machine (is its Debian package installed?)."""


class UnknownVoice(RenderError):
    """The line names a voice the speech engine does not have."""

    def __init__(
        self, name: str, suggestions: tuple[str, ...] = (), detail: str = "", hint: str = "", engine: str = ""
    ) -> None:
        super().__init__(name, suggestions, detail, hint, engine)
        self.name = name
        self.suggestions = suggestions
        self.detail = detail
        self.hint = hint
        self.engine = engine

    def __str__(self) -> str:
        message = f"the {self.engine or 'speech'} engine has no voice {self.name!r}"
        if self.detail:
            message += f" ({self.detail})"
        if self.suggestions:
            message += "; close matches: " + ", ".join(self.suggestions)
        return message + (f". {self.hint}" if self.hint else ".")


class UnsupportedLanguage(RenderError):
    """The line asks an engine for a language it does not speak."""


class PromptFailed(RenderError):
    """One prompt could not be rendered."""


class Engine(ABC):
    """One offline speech engine in one process, used from one thread."""

    #: What a line writes as ``voice.engine``.
    name: ClassVar[str]
    #: Everything about the engine that changes how a text sounds besides voice and rate (a
    #: calibration, a version of its own processing); part of every file's name, so that a change
    #: renders the files again.
    sound: ClassVar[str] = ""
    #: True for an engine whose output depends on what it rendered before: each prompt then gets
    #: a process of its own, so that the same text always sounds the same.
    one_prompt_per_process: ClassVar[bool] = False
    #: The languages the engine speaks ("en"), or () for an engine whose voices speak many.
    languages: ClassVar[tuple[str, ...]] = ()

    @classmethod
    @abstractmethod
    def default_voice(cls, language: str) -> str:
        """The voice a line in ``language`` (such as "en-US") gets when it names none."""

    @classmethod
    def check_language(cls, language: str) -> None:
        """Raise :class:`UnsupportedLanguage` if the engine cannot speak ``language`` ("es-US") at all."""
        code = language.split("-")[0].lower()
        if cls.languages and code not in cls.languages:
            raise UnsupportedLanguage(
                f"the {cls.name} engine speaks only {', '.join(cls.languages)}, not {language}: for {language} write "
                "engine: pyttsx3 (espeak-ng) in that language's voice section, or mode: say with a Twilio voice"
            )

    @abstractmethod
    def check_voice(self, voice: str) -> None:
        """Raise :class:`UnknownVoice` unless this engine really speaks with ``voice``."""

    @abstractmethod
    def synthesize(self, text: str, voice: str, rate: int, path: Path) -> None:
        """Write ``text`` spoken at ``rate`` words a minute to the WAV file ``path`` (any sample rate).

        Raise :class:`PromptFailed` when it cannot; return only once the file is whole.
        """

    def speech(self, text: str, voice: str, rate: int, scratch: Path) -> tuple[np.ndarray, int]:
        """``text`` as float samples and their sample rate, through a file in ``scratch`` that is removed."""
        path = scratch / f"speech-{os.getpid()}.wav"
        try:
            self.synthesize(text, voice, rate, path)
            samples, sample_rate = soundfile.read(path, dtype="float32")
        finally:
            path.unlink(missing_ok=True)
        if samples.size == 0:
            raise PromptFailed(f"the {self.name} engine produced no audio for {text[:60]!r}")
        return samples, sample_rate


def engine_class(name: str) -> type[Engine]:
    """The engine a line names (imported now); :class:`EngineUnavailable` for one that is not known."""
    try:
        module_name, _, class_name = ENGINES[name].partition(":")
    except KeyError:
        raise EngineUnavailable(f"there is no speech engine {name!r}; known: {', '.join(ENGINES)}") from None
    return getattr(importlib.import_module(module_name), class_name)


def engine_name(voice: Voice, language: str) -> str:
    """The engine that renders ``language`` ("en-US") with ``voice``: its ``engine``, or flite for English and
    pyttsx3 otherwise (flite speaks only English)."""
    if voice.engine:
        return voice.engine
    return "flite" if language.lower().startswith("en") else "pyttsx3"


def voice_name(voice: Voice, language: str) -> str:
    """The engine voice that renders ``language`` with ``voice``: its ``name``, or its engine's default voice
    for the language."""
    return voice.name or engine_class(engine_name(voice, language)).default_voice(language)
