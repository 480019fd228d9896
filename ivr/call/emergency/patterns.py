"""Word patterns such as ``"<unable> ~2 <breathe>"``, matched against a caller's tagged words.

A pattern is a row of elements: ``<class>`` (any word of a class, ``<a|b>`` of either),
a plain word (``to|with``: either), ``~N`` (up to N words, none of them of the class
``stop``: "and", "but", where one thing said ends and another starts); ``?`` after a
class or word makes it optional. The language files in ``languages/`` are written in it.

A pattern may be kept from counting after certain words (``not_after``): ``"<no>"`` right after such a word,
``"<not> ~2"`` after one at most two words before it, in the same stretch of speech (no ``stop`` between), so
that "I am not able to breathe well" is not read as saying the breathing is fine. A pattern may also be kept
from counting wherever a word of certain classes is said anywhere in the utterance (``unless``): trouble told as
over ("I choked on a crisp but it came out") is not over where the caller says it is back or worse.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass, field

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
class Heard:
    """Every text and class among the words of what was said, for :meth:`Pattern.possible`."""

    texts: Set[str]
    classes: Set[str]

    @classmethod
    def of(cls, words: Sequence[Word]) -> Heard:
        return cls({word.text for word in words}, {name for word in words for name in word.classes})


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
    #: Does not count after a word one of these accepts: right after it, or up to its gap's words after it.
    not_after: tuple[_Element, ...] = ()
    #: Does not count in an utterance with a word of any of these classes.
    unless: frozenset[str] = frozenset()
    #: The elements every match has a word for (neither optional nor a gap).
    required: tuple[_Element, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        required = tuple(element for element in self.elements if not element.optional and not element.gap)
        object.__setattr__(self, "required", required)

    @classmethod
    def parse(cls, text: str, known_classes: set[str], max_words: int | None = None,
              not_after: str | list[str] | None = None, unless: list[str] | None = None) -> Pattern:
        elements = tuple(_element(part, known_classes, text) for part in text.split())
        if not elements or elements[0].gap or elements[-1].gap:
            raise PatternError(f"pattern {text!r} must start and end with a word or a class")
        befores = [not_after] if isinstance(not_after, str) else not_after or []
        unknown = sorted(set(unless or ()) - known_classes)
        if unknown:
            raise PatternError(f"in pattern {text!r}: unless names no class {', '.join(unknown)} under words:")
        return cls(text, elements, max_words, tuple(_before(before, known_classes, text) for before in befores),
                   frozenset(unless or ()))

    def possible(self, heard: Heard) -> bool:
        """Whether each word the pattern cannot do without is among those ``heard``: if one is not, the pattern
        matches nowhere in them, which this tells at the cost of a few set look-ups instead of a try at each word;
        nor can it match where a word of a class it is ``unless`` was heard."""
        return self.unless.isdisjoint(heard.classes) and all(
            not element.words.isdisjoint(heard.texts) or not element.classes.isdisjoint(heard.classes)
            for element in self.required)

    def spans(self, words: Sequence[Word], utterance_length: int) -> Iterator[tuple[int, int]]:
        """Each place the pattern matches, as (first word, past the last word), the longest at each start."""
        if self.max_words is not None and utterance_length > self.max_words:
            return
        if self.unless and any(not self.unless.isdisjoint(word.classes) for word in words):
            return
        for start in range(len(words)):
            if any(_follows(before, words, start) for before in self.not_after):
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


def _before(text: str, known_classes: set[str], pattern: str) -> _Element:
    """A ``not_after``: one word or class, and the words it reaches over (``"<not> ~2"``) as its gap."""
    parts = text.split()
    reach = _element(parts[1], known_classes, pattern).gap if len(parts) == 2 else 0
    if len(parts) > 2 or (len(parts) == 2 and not reach):
        raise PatternError(f"in pattern {pattern!r}: not_after {text!r} should be a word or a class, then ~N or not")
    element = _element(parts[0], known_classes, pattern)
    if element.gap:
        raise PatternError(f"in pattern {pattern!r}: not_after {text!r} should start with a word or a class")
    return _Element(element.classes, element.words, gap=reach)


def _follows(before: _Element, words: Sequence[Word], start: int) -> bool:
    """Whether the word at ``start`` comes right after a word ``before`` accepts, or at most its gap's words
    after one, none of those between a ``stop``."""
    for back in range(start - 1, max(-1, start - 2 - before.gap), -1):
        if before.accepts(words[back]):
            return True
        if STOP in words[back].classes:
            return False
    return False


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
    if "<" in part or ">" in part:
        raise PatternError(f"in pattern {pattern!r}: {part!r} mixes classes and words; write <a|b> or a|b, not both")
    return _Element(words=frozenset(part.split("|")), optional=optional)
