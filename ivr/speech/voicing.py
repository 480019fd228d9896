"""How one line's texts in one language become audio files: their spoken form, the engine and voice, and the
files' names."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ivr.line import Line, Voice
from ivr.speech.engine import engine_class, engine_name, voice_name
from ivr.speech.naming import audio_name
from ivr.speech.spoken import SpeechRules

#: Voicings known, by the identity of their line and voice and by language: a server asks for the same few
#: on every request.
_KNOWN: dict[tuple[int, int, str], tuple[Line, Voice, Voicing]] = {}
_KNOWN_LIMIT = 16
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Voicing:
    """What the audio of a line's texts in one language depends on, besides the rate."""

    engine: str
    voice: str
    volume: float
    rules: SpeechRules
    #: The engine's :attr:`~ivr.speech.engine.Engine.sound`.
    sound: str = ""
    _spoken: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, line: Line, language: str | None = None, voice: Voice | None = None) -> Voicing:
        """The voicing of ``line`` in ``language`` spoken by ``voice``, made once for each line, voice and language.

        ``language`` is one of the line's languages ("es": the line seen in it, with that language's voice and
        pronounce; see :meth:`~ivr.line.model.Line.in_language`) or a speech language to voice the line's texts
        in ("es-MX"); None: the line's own. ``voice`` replaces the line's, as the audit does to measure another
        engine.
        """
        if language is not None and language in line.language_codes:
            line, language = line.in_language(language), None
        language = language or line.call.speech_language
        voice = voice or line.voice
        key = (id(line), id(voice), language)
        known = _KNOWN.get(key)
        if known is not None and known[0] is line and known[1] is voice:
            return known[2]
        engine = engine_name(voice, language)
        voicing = cls(
            engine, voice_name(voice, language), voice.volume, SpeechRules.of(line, language),
            engine_class(engine).sound,
        )
        with _LOCK:
            if len(_KNOWN) >= _KNOWN_LIMIT:
                _KNOWN.clear()
            _KNOWN[key] = (line, voice, voicing)
        return voicing

    @property
    def language(self) -> str:
        return self.rules.language

    def spoken(self, text: str) -> str:
        """``text`` as the engine is given it (:mod:`ivr.speech.spoken`)."""
        said = self._spoken.get(text)
        if said is None:
            said = self._spoken[text] = self.rules.spoken(text)
        return said

    def name(self, text: str, rate: int) -> str:
        """The name of the file that says ``text`` at ``rate``."""
        return audio_name(
            self.spoken(text), f"{self.engine}:{self.sound}", self.voice, rate, self.volume, self.language, text
        )
