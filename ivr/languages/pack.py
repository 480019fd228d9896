"""One language's pack, read from its folder ``ivr/languages/<code>/`` (see the package's README)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from ruamel.yaml import YAML

from ivr.languages.messaging import MessageWords, read_message_words
from ivr.languages.numbers import SpokenNumbers
from ivr.languages.words import BuiltIn, read_words

_T = TypeVar("_T")

#: The language of a line that names none, and of everything a language leaves out.
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class RecogniserSettings:
    """How the audit's offline listener hears the language."""

    #: The Whisper model: "tiny.en" (English only) or "base" (multilingual).
    model: str = "base"
    #: Told to the recogniser when a test needs numbers written as they were said; None: it cannot be asked.
    numbers_in_words: str | None = None


@dataclass(frozen=True)
class AuditBars:
    """The audit's bars, at the line's default rate: the median word error rate over all prompts and over the
    answers, and the worst prompt; and at every other rate, the median over all prompts."""

    median: float
    worst: float
    other_rate_median: float


@dataclass(frozen=True)
class Pack:
    """Everything the line knows about one language."""

    code: str
    #: The language's English name, for messages to staff: "Spanish".
    name: str
    #: The line's built-in phrases, command words, spoken keys, opening hours' words and offer words.
    words: BuiltIn
    #: The star and hash keys' names: "default", and by speech_language ("en-US") where they differ.
    key_names: Mapping[str, Mapping[str, str]]
    numbers: SpokenNumbers
    #: The espeak-ng voice of a line that names none: "default", and by speech_language where it differs.
    voices: Mapping[str, str]
    recogniser: RecogniserSettings
    #: The audit's bars, where the language sets its own.
    audit: AuditBars | None
    #: How the audit compares what was meant with what was heard; None: :func:`ivr.languages.text.plain`.
    normalise: Callable[[str], str] | None
    #: What the emergency understanding reads (``emergency.yaml``), where the language has it.
    emergency: Traversable | None
    #: How callers are understood by meaning (``understanding.yaml``), where the language has it.
    understanding: Traversable | None
    #: What the line writes by text message (``texts.yaml``; English's where the language has none).
    messages: MessageWords

    @functools.cached_property
    def emergency_hints(self) -> tuple[str, ...]:
        """The phrases of danger the speech recogniser should expect (``hints`` in ``emergency.yaml``)."""
        if self.emergency is None:
            return ()
        return tuple(str(hint) for hint in _yaml(self.emergency).get("hints") or ())

    def key_name(self, key: str, tag: str) -> str:
        """How ``key`` is said in ``tag`` ("#" is "pound" in en-US, "hash" in en-AU, "gato" in es-MX)."""
        return {**self.key_names.get("default", {}), **_for_tag(self.key_names, tag, {})}.get(key, key)

    def voice(self, tag: str) -> str | None:
        """The espeak-ng voice for ``tag`` ("es-ES" -> "es"), None when the pack names none."""
        return _for_tag(self.voices, tag, self.voices.get("default"))


def _for_tag(table: Mapping[str, _T], tag: str, otherwise: _T) -> _T:
    """``tag``'s own entry of ``table`` (tags compared in any case), else ``otherwise``."""
    return next((value for where, value in table.items() if where.lower() == tag.lower()), otherwise)


def folder() -> Traversable:
    return resources.files("ivr.languages")


@functools.cache
def available() -> tuple[str, ...]:
    """The codes of the languages that have a pack, such as ("en", "es")."""
    return tuple(sorted(entry.name for entry in folder().iterdir() if (entry / "line.yaml").is_file()))


@functools.cache
def read_pack(code: str) -> Pack:
    """The pack in ``ivr/languages/<code>/``."""
    home = folder() / code
    speech = _yaml(home / "speech.yaml") if (home / "speech.yaml").is_file() else {}
    words_data = _yaml(home / "line.yaml")
    numbers = speech.get("numbers") or {}
    recogniser = speech.get("recogniser") or {}
    audit = speech.get("audit")
    module = importlib.import_module(f"ivr.languages.{code}")
    emergency = home / "emergency.yaml"
    understanding = home / "understanding.yaml"
    texts = home / "texts.yaml" if (home / "texts.yaml").is_file() else folder() / DEFAULT_LANGUAGE / "texts.yaml"
    return Pack(
        code=code,
        name=str(words_data["name"]),
        words=read_words(code, words_data),
        key_names={str(where): {str(k): str(v) for k, v in names.items()}
                   for where, names in words_data["key_names"].items()},
        numbers=SpokenNumbers(
            digit_pause=str(numbers.get("digit_pause", " ")),
            group_pause=str(numbers.get("group_pause", ", ")),
            clear_digits=tuple((str(digit), str(said)) for digit, said in (numbers.get("clear_digits") or {}).items()),
            clock=getattr(module, "clock", None),
        ),
        voices={str(where): str(voice) for where, voice in (speech.get("voices") or {}).items()},
        recogniser=RecogniserSettings(
            model=str(recogniser.get("model", "base")),
            numbers_in_words=" ".join(str(recogniser["numbers_in_words"]).split())
            if recogniser.get("numbers_in_words") else None,
        ),
        audit=AuditBars(float(audit["median"]), float(audit["worst"]), float(audit["other_rate_median"]))
        if audit else None,
        normalise=getattr(module, "normalise", None),
        emergency=emergency if emergency.is_file() else None,
        understanding=understanding if understanding.is_file() else None,
        messages=read_message_words(_yaml(texts)),
    )


@functools.cache
def other_key_names() -> Mapping[str, Mapping[str, str]]:
    """The key names of languages without a pack (``key_names.yaml``), by language."""
    data = _yaml(folder() / "key_names.yaml")
    return {str(code): {str(k): str(v) for k, v in names.items()} for code, names in data.items()}


def _yaml(path: Traversable) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    return data
