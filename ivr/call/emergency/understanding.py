"""Whether what a caller said means they are in danger, at any place of any line.

The understanding is built from data: the language file of the line's recogniser
language (``languages/en.yaml``: words, misspellings, patterns, ways of saying one is
fine), plus the line's own ``emergency_number``, ``emergency_phrases`` and the words of
options that lead to an emergency node, which add to it. A caller's words are folded
(case, accents, apostrophes), rewritten ("cannot" -> "cant"), tagged with word classes (a
misspelling taken for the word it is one letter from), stripped of what says something is
fine, then matched against the signs.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from ivr.call.emergency.language import Language, Speller, fold, language_for, load_language
from ivr.call.emergency.patterns import Heard, Pattern, Word
from ivr.line import AnswerNode, EmergencyNode, Line, MenuNode

#: How close (0-100) a line's own emergency phrase must be to some of the caller's words.
PHRASE_CUTOFF = 88
#: The class a line's own emergency number is heard as: like "ambulance", on its own a sign.
_CALL_FOR_HELP = "ambulance"


class EmergencySense:
    """The emergency understanding of one line, prepared once."""

    def __init__(self, line: Line, language: Language | None = None) -> None:
        self.language = language or load_language(language_for(line.call.speech_language))
        number = line.clinic.emergency_number
        spoken = " ".join(self.language.digits[int(digit)] for digit in number) if self.language.digits else ""
        extra_rewrites = {" ".join(number): number, **({spoken: number} if spoken else {})}
        self._rewrite = self.language.rewriter(extra_rewrites)
        self._speller = Speller(self.language, {number: frozenset({_CALL_FOR_HELP})})
        #: The line's own signs, read like a caller's words: its emergency_phrases, and the words of every
        #: option that leads to an emergency node, which count at every place, not only where offered.
        signs = [*line.emergency_phrases, *_emergency_option_words(line)]
        self._phrases = [words for words in (self._words_of(sign) for sign in dict.fromkeys(signs)) if words]

    def heard_in(self, speech: str) -> bool:
        """Whether ``speech`` (a recogniser's transcript, or typed words) tells of an emergency."""
        words = self._words_of(speech)
        if not words:
            return False
        kept = self._without_fine(words)
        if _any_matches(self.language.signs, kept, len(words)):
            return True
        return any(_holds_phrase(kept, phrase) for phrase in self._phrases)

    def mild_told(self, speech: str) -> tuple[frozenset[str], frozenset[str]]:
        """The names of what ``speech`` tells that is mild when told alone (the pack's ``mild_alone``: pain far from
        the heart and the airway, a cough, a scratchy throat), and the names of those of the pack's mild things that
        something said could make grave (their ``unless``: for pain elsewhere, the chest, an arm, sweating; for a
        cough, a drink, breathing...), told or not: another language of the line may have told it.

        The meaning hears "sharp pain" louder than where it is, and "a cough" as near "a cough whenever I drink":
        such things may not have the emergency advice by their meaning alone. The rules' signs (:meth:`heard_in`)
        give it whatever else is said."""
        kept = self._without_fine(self._words_of(speech))
        classes = frozenset().union(*(word.classes for word in kept))
        mild_alone = self.language.mild_alone.items()
        return (frozenset(name for name, mild in mild_alone if _any_matches(mild.patterns, kept, len(kept))),
                frozenset(name for name, mild in mild_alone if not mild.unless.isdisjoint(classes)))

    def without_fine(self, speech: str) -> str | None:
        """``speech`` less what the caller says is fine ("no trouble breathing, just bruising" ->
        "just bruising"), or None when they say nothing is fine: an option is not chosen by words denied."""
        words = self._words_of(speech)
        kept = self._without_fine(words)
        if len(kept) == len(words):
            return None
        return " ".join(word.text.replace("_", " ") for word in kept)

    def _words_of(self, text: str) -> list[Word]:
        return [self._speller.word(token) for token in self._rewrite(fold(text)).split()]

    def _without_fine(self, words: list[Word]) -> list[Word]:
        """The words left once everything the caller says is fine is set aside."""
        fine = [False] * len(words)
        heard = Heard.of(words)
        for pattern in self.language.fine:
            if not pattern.possible(heard):
                continue
            for start, end in pattern.spans(words, len(words)):
                fine[start:end] = [True] * (end - start)
        return [word for word, is_fine in zip(words, fine, strict=True) if not is_fine]


def _any_matches(patterns: Sequence[Pattern], words: list[Word], utterance_length: int) -> bool:
    """Whether any of ``patterns`` matches somewhere in ``words``."""
    heard = Heard.of(words)
    return any(pattern.possible(heard) and pattern.matches(words, utterance_length) for pattern in patterns)


def _emergency_option_words(line: Line) -> list[str]:
    return [
        word
        for node in line.nodes.values()
        if isinstance(node, MenuNode | AnswerNode)
        for option in node.options
        if isinstance(line.nodes.get(option.goto), EmergencyNode)
        for word in option.words
    ]


def _holds_phrase(words: Sequence[Word], phrase: Sequence[Word]) -> bool:
    """Whether some run of ``words`` about as long as ``phrase`` reads like it, allowing for spelling."""
    target = " ".join(word.text for word in phrase)
    texts = [word.text for word in words]
    for size in range(max(1, len(phrase) - 1), len(phrase) + 2):
        for start in range(max(0, len(texts) - size) + 1):
            window = " ".join(texts[start : start + size])
            if window and fuzz.ratio(window, target) >= PHRASE_CUTOFF:
                return True
    return False
