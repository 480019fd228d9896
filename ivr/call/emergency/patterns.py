"""Word patterns such as ``"<unable> ~2 <breathe>"``, matched against a caller's tagged words.

A pattern is a row of elements: ``<class>`` (any word of a class, ``<a|b>`` of either),
a plain word (``to|with``: either), ``~N`` (up to N words, none of them of the class
``stop``: "and", "but", where one thing said ends and another starts); ``?`` after a
class or word makes it optional. The language files in ``languages/`` are written in it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

#: The class of words a gap does not run across.
STOP = "stop"


class PatternError(ValueError):
    """A pattern in a language file that cannot be read."""


@dataclass(frozen=True)
class Word:
    """One word as heard, with the classes it belongs to ("cant" -> {"unable"})."""

    text: str
    classes: frozenset[str]


@dataclass(frozen=True)
class _Element:
    #: Classes or words this element accepts (exactly one of them is set), or neither for a gap.
    classes: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    optional: bool = False
    #: Up to this many words of anything.
    gap: int = 0

    def accepts(self, word: Word) -> bool:
        return word.text in self.words or not self.classes.isdisjoint(word.classes)


@dataclass(frozen=True)
class Pattern:
    text: str
    elements: tuple[_Element, ...]
    #: Counts only in an utterance of at most this many words.
    max_words: int | None = None
    #: Does not count right after a word this element accepts.
    not_after: _Element | None = None

    @classmethod
    def parse(cls, text: str, known_classes: set[str], max_words: int | None = None,
              not_after: str | None = None) -> Pattern:
        elements = tuple(_element(part, known_classes, text) for part in text.split())
        if not elements or elements[0].gap or elements[-1].gap:
            raise PatternError(f"pattern {text!r} must start and end with a word or a class")
        after = _element(not_after, known_classes, text) if not_after else None
        return cls(text, elements, max_words, after)

    def spans(self, words: Sequence[Word], utterance_length: int) -> Iterator[tuple[int, int]]:
        """Each place the pattern matches, as (first word, past the last word), the longest at each start."""
        if self.max_words is not None and utterance_length > self.max_words:
            return
        for start in range(len(words)):
            if self.not_after is not None and start > 0 and self.not_after.accepts(words[start - 1]):
                continue
            end = max(self._ends(words, 0, start), default=None)
            if end is not None and end > start:
                yield start, end

    def matches(self, words: Sequence[Word], utterance_length: int) -> bool:
        return next(self.spans(words, utterance_length), None) is not None

    def _ends(self, words: Sequence[Word], index: int, position: int) -> Iterator[int]:
        if index == len(self.elements):
            yield position
            return
        element = self.elements[index]
        if element.gap:
            for skipped in range(min(element.gap, len(words) - position) + 1):
                yield from self._ends(words, index + 1, position + skipped)
                if position + skipped < len(words) and STOP in words[position + skipped].classes:
                    break
            return
        if element.optional:
            yield from self._ends(words, index + 1, position)
        if position < len(words) and element.accepts(words[position]):
            yield from self._ends(words, index + 1, position + 1)


def _element(part: str, known_classes: set[str], pattern: str) -> _Element:
    if part.startswith("~"):
        if not part[1:].isdigit() or int(part[1:]) < 1:
            raise PatternError(f"in pattern {pattern!r}: {part!r} should be ~ and a number of words, such as ~2")
        return _Element(gap=int(part[1:]))
    optional = part.endswith("?")
    part = part.removesuffix("?")
    if part.startswith("<") and part.endswith(">"):
        names = frozenset(part[1:-1].split("|"))
        unknown = sorted(names - known_classes)
        if unknown:
            raise PatternError(f"in pattern {pattern!r}: no class {', '.join(unknown)} under words:")
        return _Element(classes=names, optional=optional)
    return _Element(words=frozenset(part.split("|")), optional=optional)
