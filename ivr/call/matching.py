"""Turn what a caller pressed or said into a choice at one node.

Speech recognisers return small variations ("swellin", "Two.", "go back please"), so
spoken words are matched with tolerance; keys are matched exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from ivr.call.emergency import EmergencySense
from ivr.call.meaning import MeaningSense, Reading, load_understanding
from ivr.call.plain import plain_words
from ivr.languages import SpokenKeys, builtin
from ivr.line import Line, Option

Command = Literal["repeat", "back", "main_menu", "clinic", "slower", "faster"]

#: Below this similarity (0-100) a spoken word is not taken as an option.
WORD_MATCH_CUTOFF = 85

#: What the rules chose from this many words or fewer ("swellin", "go back") stands: the meaning is read from a
#: caller's descriptions, not from an option's word said alone.
SHORT_WORDS = 2
#: Words this long or shorter ("me", "se", "it") said alone choose an option only if it is exactly them.
LONE_SHORT_WORD = 2

@dataclass(frozen=True)
class Chose:
    """The caller chose one of the node's options."""

    option: Option


@dataclass(frozen=True)
class Commanded:
    """The caller used a line-wide key or command (repeat, back, clinic...)."""

    command: Command


@dataclass(frozen=True)
class Emergency:
    """The caller said something that signals an emergency."""


@dataclass(frozen=True)
class Meant:
    """The caller's words were understood by their meaning, not by the words of an option here."""

    reading: Reading
    #: The options' or commands' words understood something else, which the meaning overruled.
    overruled: bool = False


@dataclass(frozen=True)
class Invalid:
    """A key that is not a choice here, or words that match nothing."""

    spoken: bool


@dataclass(frozen=True)
class Silence:
    """No key and no words: the caller has not answered yet."""


Choice = Chose | Commanded | Emergency | Meant | Invalid | Silence
#: An answer to the question back: yes, no, or something else said.
Answer = Literal["yes", "no"] | None


def normalise(speech: str) -> str:
    """Lower-case, no accents (recognisers write "atras" and "atrás"), straight apostrophes, no punctuation,
    single spaces."""
    return plain_words(speech)


def normalised_keys(keys: SpokenKeys) -> SpokenKeys:
    """A language's words for keys, normalised as what callers say is."""
    return SpokenKeys(
        {normalise(word): key for word, key in keys.words.items()},
        frozenset(map(normalise, keys.before)),
        frozenset(map(normalise, keys.after)),
        frozenset(map(normalise, keys.only_after_before)),
    )


def spoken_key(words: str, keys: SpokenKeys) -> str | None:
    """"2", "two", "press two", "option 2", "la opción dos", "dos por favor" -> "2"; anything else is not a key.

    ``words`` and ``keys`` are normalised.
    """
    tokens = words.split()
    start, end = 0, len(tokens)
    while start < end - 1 and tokens[start] in keys.before:
        start += 1
    while end - 1 > start and tokens[end - 1] in keys.after:
        end -= 1
    if end - start != 1:
        return None
    token = tokens[start]
    if len(token) == 1 and token in "0123456789":
        return token
    if token in keys.only_after_before and start == 0:
        return None
    return keys.words.get(token)


class Matcher:
    """What callers of one line may press or say, prepared once: the words normalised, the keys indexed.

    A webhook then only compares; preparing takes longer than matching one caller's words.
    """

    def __init__(self, line: Line) -> None:
        self.line = line
        self._commands_by_key = line.keys.by_key()
        self.emergency = EmergencySense(line)
        #: Every language's ways of saying one is fine, set aside before the meaning is read: a caller may say
        #: "my breathing is fine" in another of the line's languages than the call's.
        self._fine = [self.emergency, *(EmergencySense(line.in_language(code)) for code in line.language_codes
                                        if code != line.language)]
        self._spoken_keys = normalised_keys(builtin(line.language).spoken_keys)
        self._command_words: list[tuple[str, Chose | Commanded]] = [
            (normalise(w), Commanded(command))  # type: ignore[arg-type]
            for command, spoken in line.command_words.model_dump().items()
            for w in spoken
        ]
        data = load_understanding(line.language)
        #: The understanding by meaning, where the line's language has its data.
        self.meaning = MeaningSense(line, data) if data is not None else None
        self._yes = frozenset(normalise(word) for word in data.yes) if data else frozenset()
        self._no = frozenset(normalise(word) for word in data.no) if data else frozenset()
        #: Each option's normalised words, by the option's identity (the options live as long as the line).
        self._option_words = {
            id(option): self._prepare(option)
            for node in line.nodes.values()
            for option in getattr(node, "options", None) or ()
        }

    def key_said(self, speech: str) -> str | None:
        """The key a caller named ("nine", "oprima nueve" -> "9"), or None."""
        return spoken_key(normalise(speech), self._spoken_keys)

    def interpret(self, options: list[Option], digits: str, speech: str, *, emergency_checked: bool = False) -> Choice:
        """What the caller meant at a node offering ``options`` (``emergency_checked``: the caller's words are
        known to tell of no emergency)."""
        digits = digits.strip()
        if digits:
            return self._by_key(options, digits, spoken=False)
        words = normalise(speech)
        if not words:
            return Silence()
        if not emergency_checked and self.emergency.heard_in(speech):
            return Emergency()
        key = spoken_key(words, self._spoken_keys)
        if key is not None:
            return self._by_key(options, key, spoken=True)
        rest = self.emergency.without_fine(speech)
        heard = words if rest is None else normalise(rest)
        ruled = self._by_words(options, heard)
        if self.meaning is None or (isinstance(ruled, Chose | Commanded) and (
                self._exactly(ruled, options, heard) or len(heard.split()) <= SHORT_WORDS)):
            return ruled
        said = self._without_fine(speech)
        if not said:
            return ruled  # nothing but "I'm fine"
        reading = self.meaning.read(said, mild_alone=self._only_mild(speech))
        if reading.decision == "none":
            return ruled
        if isinstance(ruled, Chose) and reading.kind == "place" and ruled.option.goto == reading.target:
            return ruled
        return Meant(reading, overruled=isinstance(ruled, Chose | Commanded))

    def answer(self, digits: str, speech: str) -> Answer:
        """What a caller answered to the question back: key 1 or a word of yes, key 2 or a word of no."""
        key = digits.strip() or self.key_said(speech) or ""
        if key in ("1", "2"):
            return "yes" if key == "1" else "no"
        tokens = normalise(speech).split()
        if not tokens:
            return None
        said = " ".join(tokens)
        if said in self._no or tokens[0] in self._no:
            return "no"
        if said in self._yes or tokens[0] in self._yes:
            return "yes"
        return None

    def _only_mild(self, speech: str) -> str:
        """What ``speech`` tells, in some language of the line, that is mild alone ("a sharp pain in my knee", "this
        cough won't go"), with nothing said, in any of them, that could make it an emergency; or ""."""
        told: set[str] = set()
        grave: set[str] = set()
        for sense in self._fine:
            told_here, grave_here = sense.mild_told(speech)
            told |= told_here
            grave |= grave_here
        return min(told - grave, default="")

    def _without_fine(self, speech: str) -> str:
        """What the caller said, less what says, in any of the line's languages, that something is fine: the words
        as said where nothing was set aside (the meaning reads their accents), else what is left, normalised."""
        said = speech
        for sense in self._fine:
            rest = sense.without_fine(said)
            said = said if rest is None else rest
        return speech if said == speech else normalise(said)

    def _exactly(self, ruled: Chose | Commanded, options: list[Option], said: str) -> bool:
        """Whether the caller said no more than a word of what the rules chose ("go back", "swelling")."""
        if isinstance(ruled, Chose):
            return said in {phrase for phrase, _ in self._words_of(ruled.option)}
        return said in {phrase for phrase, choice in self._command_words if choice == ruled}

    def _by_key(self, options: list[Option], key: str, *, spoken: bool) -> Choice:
        for option in options:
            if option.key == key:
                return Chose(option)
        command = self._commands_by_key.get(key)
        if command is not None:
            return Commanded(command)  # type: ignore[arg-type]
        return Invalid(spoken=spoken)

    @staticmethod
    def _prepare(option: Option) -> list[tuple[str, Chose | Commanded]]:
        return [(normalise(w), Chose(option)) for w in option.words]

    def _words_of(self, option: Option) -> list[tuple[str, Chose | Commanded]]:
        return self._option_words.get(id(option)) or self._prepare(option)

    def _by_words(self, options: list[Option], words: str) -> Choice:
        """Match against option words and command words; a tie is broken by how many of the caller's words
        a phrase accounts for ("regresar al menú principal" is the main menu's "al menú principal", not
        "regresar"), and a tie left after that is not a match."""
        if not words:
            return Invalid(spoken=True)
        candidates = [candidate for option in options for candidate in self._words_of(option)]
        candidates += self._command_words
        if all(len(word) <= LONE_SHORT_WORD for word in words.split()):
            # "me" is wholly within "me preocupa" to a set ratio: a recogniser's fragment, or what is left once the
            # caller's "me atraganté de risa" is set aside, would choose it. Words this short choose only themselves.
            candidates = [candidate for candidate in candidates if candidate[0] == words]
        scored = process.extract(
            words, [c[0] for c in candidates], scorer=fuzz.token_set_ratio, score_cutoff=WORD_MATCH_CUTOFF,
            limit=None,
        )
        if not scored:
            return Invalid(spoken=True)
        said = set(words.split())
        ranked = [(score, len(said & set(phrase.split())), index) for phrase, score, index in scored]
        best = max((score, shared) for score, shared, _ in ranked)
        winners = {
            _identity(candidates[index][1]): candidates[index][1]
            for score, shared, index in ranked
            if (score, shared) == best
        }
        if len(winners) != 1:
            return Invalid(spoken=True)
        return next(iter(winners.values()))


def _identity(choice: Chose | Commanded) -> str:
    return f"key {choice.option.key}" if isinstance(choice, Chose) else f"command {choice.command}"
