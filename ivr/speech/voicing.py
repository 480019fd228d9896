"""How one line's texts become audio files: their spoken form, the engine and voice, and the files' names."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ivr.line.model import Line
from ivr.speech.engine import engine_class, engine_name, voice_name
from ivr.speech.naming import audio_name
from ivr.speech.spoken import SpeechRules

#: Lines whose voicing is known, by identity: a server asks for the same few lines on every request.
_KNOWN: dict[int, tuple[Line, Voicing]] = {}
_KNOWN_LIMIT = 16
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Voicing:
    """What the audio of a line's texts depends on, besides the rate."""

    engine: str
    voice: str
    volume: float
    rules: SpeechRules
    #: The engine's :attr:`~ivr.speech.engine.Engine.sound`.
    sound: str = ""
    _spoken: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, line: Line, language: str | None = None) -> Voicing:
        """The voicing of ``line`` in ``language`` (the language it is seen in by default: see
        :meth:`~ivr.line.model.Line.in_language`), made once for each line object and language."""
        if language is not None:
            line = line.in_language(language)
        known = _KNOWN.get(id(line))
        if known is not None and known[0] is line:
            return known[1]
        engine = engine_name(line)
        voicing = cls(engine, voice_name(line), line.voice.volume, SpeechRules.of(line), engine_class(engine).sound)
        with _LOCK:
            if len(_KNOWN) >= _KNOWN_LIMIT:
                _KNOWN.clear()
            _KNOWN[id(line)] = (line, voicing)
        return voicing

    def spoken(self, text: str) -> str:
        """``text`` as the engine is given it (:mod:`ivr.speech.spoken`)."""
        said = self._spoken.get(text)
        if said is None:
            said = self._spoken[text] = self.rules.spoken(text)
        return said

    def name(self, text: str, rate: int) -> str:
        """The name of the file that says ``text`` at ``rate``."""
        return audio_name(self.spoken(text), f"{self.engine}:{self.sound}", self.voice, rate, self.volume)
