"""One language's data for understanding emergencies: its words, spellings and patterns.

Read from a language's pack, ``ivr/languages/<code>/emergency.yaml``; the file's own comments say how it
is written.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from ruamel.yaml import YAML

from ivr.call.emergency.patterns import Pattern, PatternError, Word
from ivr.call.emergency.real_words import SortedWords, real_words
from ivr.languages import DEFAULT_LANGUAGE, find, language

#: Words shorter than this are never taken as misspellings: too many real words are one letter apart.
MIN_MISSPELT_LENGTH = 5
#: At most this many distinct words' spellings are remembered, however much a caller says.
_SPELLING_MEMORY = 20_000
_NOT_LETTERS = re.compile(r"[^\w]+|_")
_APOSTROPHE_S = re.compile(r"'s\b")


def fold(text: str) -> str:
    """Lower case, no accents, no apostrophes ("Can't" -> "cant"), words split by single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    # "tongue's" is "tongue s" ("s" reads as "is"); other apostrophes go: "can't" -> "cant".
    text = _APOSTROPHE_S.sub(" s", text).replace("'", "")
    return " ".join(_NOT_LETTERS.sub(" ", text).split())


@dataclass(frozen=True)
class MildAlone:
    """One thing mild when told alone: the patterns that tell it, and the classes of words that, anywhere beside
    it, could make it an emergency after all (a pain in the back and sweating, a cough whenever one drinks)."""

    patterns: tuple[Pattern, ...]
    unless: frozenset[str]


@dataclass(frozen=True)
class Language:
    """What a language file says, ready to read utterances with."""

    code: str
    digits: tuple[str, ...]
    rewrites: Mapping[str, str]
    classes_by_word: Mapping[str, frozenset[str]]
    #: Words a misspelling may be taken for, and the dictionary that tells real words from misspellings.
    spelling_words: tuple[str, ...]
    dictionary: str
    real_word_count: int
    fine: tuple[Pattern, ...]
    signs: tuple[Pattern, ...]
    #: What is mild told alone (pain far from the heart, a cough), by name: the meaning alone gives no emergency
    #: advice for it (:meth:`EmergencySense.mild_told`).
    mild_alone: Mapping[str, MildAlone] = field(default_factory=dict)
    #: Look words up in the dictionary folded as callers' words are (for a language that writes accents).
    fold_dictionary: bool = False

    def rewriter(self, extra: Mapping[str, str] = {}) -> _Rewriter:
        return _Rewriter({**self.rewrites, **extra})

    def known_class_names(self) -> set[str]:
        return {name for classes in self.classes_by_word.values() for name in classes}


class _Rewriter:
    """Replaces whole phrases in folded text, longest first."""

    def __init__(self, rewrites: Mapping[str, str]) -> None:
        # A phrase joined into one word ("passed_out") keeps its "_", which folding would remove.
        self._rewrites = {fold(old): new if "_" in new else fold(new) for old, new in rewrites.items()}
        phrases = sorted(self._rewrites, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\S)(" + "|".join(map(re.escape, phrases)) + r")(?!\S)") if phrases else None
        )

    def __call__(self, folded: str) -> str:
        if self._pattern is None:
            return folded
        return self._pattern.sub(lambda match: self._rewrites[match.group(1)], folded)


class Speller:
    """Tags words with their classes, taking a misspelt word for the class word it is one letter from."""

    def __init__(self, language: Language, extra_classes: Mapping[str, frozenset[str]] = {}) -> None:
        self._language = language
        self._classes = {**language.classes_by_word, **extra_classes}
        self._seen: dict[str, frozenset[str]] = {}
        # Read now, not during a caller's first turn.
        _real_words(language)

    def word(self, text: str) -> Word:
        classes = self._classes.get(text)
        if classes is None:
            classes = self._seen.get(text)
        if classes is None:
            classes = self._misspelt(text)
            if len(self._seen) >= _SPELLING_MEMORY:
                self._seen.clear()
            self._seen[text] = classes
        return Word(text, classes)

    def _misspelt(self, text: str) -> frozenset[str]:
        language = self._language
        if len(text) < MIN_MISSPELT_LENGTH or not text.isalpha() or _is_real_word(language, text):
            return frozenset()
        found = process.extractOne(text, language.spelling_words, scorer=Levenshtein.distance, score_cutoff=1)
        return self._classes[found[0]] if found else frozenset()


def _is_real_word(language: Language, text: str) -> bool:
    return text in _real_words(language)


def _real_words(language: Language) -> SortedWords:
    return real_words(language.dictionary, language.real_word_count, fold if language.fold_dictionary else None)


def language_for(speech_language: str) -> str:
    """The language whose emergency data a recogniser language such as "en-GB" reads; English when its own
    language has none."""
    pack = find(speech_language)
    return pack.code if pack is not None and pack.emergency is not None else DEFAULT_LANGUAGE


@functools.cache
def load_language(code: str) -> Language:
    """The emergency data of ``code``'s pack (``ivr/languages/<code>/emergency.yaml``), such as "en"."""
    path = language(code).emergency
    if path is None:
        raise LookupError(f"no emergency data for {code!r}")
    return read_language(path, code)


def read_language(path: Any, code: str) -> Language:
    """A language file, from the package or anywhere else (a new language is tried this way)."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    rewrites = {str(old): str(new) for old, new in (data.get("rewrite") or {}).items()}
    classes: dict[str, set[str]] = {}
    #: Classes that take in every word of another ("trouble: [<breathe>, <swallow>]"), added once all are read.
    taken_in: list[tuple[str, str]] = []
    for name, words in data["words"].items():
        for word in map(str, words):
            if word.startswith("<") and word.endswith(">"):
                taken_in.append((name, word[1:-1]))
                continue
            folded = fold(word)
            if " " in folded:  # a phrase becomes one word, "passed out" -> "passed_out"
                joined = folded.replace(" ", "_")
                rewrites[folded] = joined
                folded = joined
            classes.setdefault(folded, set()).add(name)
    for name, other in taken_in:
        members = [word for word, found in classes.items() if other in found]
        if not members:
            raise PatternError(f"words: {name}: <{other}> names no class under words: with words of its own")
        for word in members:
            classes[word].add(name)
    classes_by_word = {word: frozenset(names) for word, names in classes.items()}
    names = {name for found in classes.values() for name in found}
    spelling = data.get("spelling") or {}
    misspellable = set(spelling.get("classes") or ())
    return Language(
        code=code,
        digits=tuple(fold(str(d)) for d in data.get("digits") or ()),
        rewrites=rewrites,
        classes_by_word=classes_by_word,
        spelling_words=tuple(
            sorted(word for word, found in classes_by_word.items() if found & misspellable and "_" not in word)
        ),
        dictionary=str(spelling.get("dictionary", code)),
        real_word_count=int(spelling.get("real_word_count", 100)),
        fold_dictionary=bool(spelling.get("fold_dictionary", False)),
        fine=tuple(_patterns(data.get("fine") or [], names)),
        signs=tuple(_patterns(data["signs"], names)),
        mild_alone={
            str(name): MildAlone(tuple(_patterns(entry.get("patterns") or [], names)),
                                 _class_names(entry.get("unless") or [], names, f"mild_alone: {name}: unless"))
            for name, entry in (data.get("mild_alone") or {}).items()
        },
    )


def _class_names(listed: list[str], names: set[str], where: str) -> frozenset[str]:
    unknown = sorted(set(map(str, listed)) - names)
    if unknown:
        raise PatternError(f"{where} names no class {', '.join(unknown)} under words:")
    return frozenset(map(str, listed))


def _patterns(entries: list[dict[str, Any]], names: set[str]) -> list[Pattern]:
    return [
        Pattern.parse(str(entry["pattern"]), names, entry.get("max_words"), entry.get("not_after"), entry.get("unless"))
        for entry in entries
    ]
