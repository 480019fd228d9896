"""A language's words for the line by text message (``texts.yaml`` in its pack)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ivr.languages.text import plain, without_accents

#: The commands a whole message can name, as the phone's keys do.
KEYWORD_COMMANDS = ("main_menu", "back", "repeat", "clinic")
#: What can become of an answer a caller asked for by text: sent, or why not.
BY_CALL_RESULTS = ("sent", "landline", "withheld", "failed")


@dataclass(frozen=True)
class MessageWords:
    """What the line writes around the clinic's own texts, and the whole messages it takes as keywords."""

    phrases: Mapping[str, str]
    #: Each command a whole message may name, by its words as :func:`keyword` folds them.
    keywords: Mapping[str, frozenset[str]]
    stop_words: frozenset[str]
    start_words: frozenset[str]
    help_words: frozenset[str]
    greetings: frozenset[str]
    #: Said during a call, on a line with messaging on: the offer of an answer by text, and what became of it
    #: ("offer", and each of :data:`BY_CALL_RESULTS`).
    by_call: Mapping[str, str]
    #: What a caller may say instead of pressing the key for it, as they wrote them (matched as speech is).
    by_call_words: tuple[str, ...]


def keyword(message: str) -> str:
    """A whole message as keywords are compared: lower case, no accents, no punctuation ("Menú!" is "menu")."""
    return plain(without_accents(message))


def read_message_words(data: Mapping[str, Any]) -> MessageWords:
    def words(name: str) -> frozenset[str]:
        return frozenset(keyword(str(word)) for word in data.get(name) or ())

    keywords = data.get("keywords") or {}
    return MessageWords(
        phrases={str(name): " ".join(str(text).split()) for name, text in data["phrases"].items()},
        keywords={command: frozenset(keyword(str(word)) for word in keywords.get(command) or ())
                  for command in KEYWORD_COMMANDS},
        stop_words=words("stop_words"),
        start_words=words("start_words"),
        help_words=words("help_words"),
        greetings=words("greetings"),
        by_call={str(name): " ".join(str(text).split()) for name, text in (data.get("by_call") or {}).items()},
        by_call_words=tuple(str(word) for word in data.get("by_call_words") or ()),
    )
