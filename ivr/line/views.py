"""A line of several languages seen in one of them: a plain one-language line.

The file holds one tree of nodes, with each text a caller hears written in every language
(``{en: ..., es: ...}``). Everything that speaks to callers (the script, the matching, the
emergency understanding, rendering) works on the line in one language: every text in that
language alone, its ``speech_language``, voice and ``pronounce``, its built-in phrases and
command words where the file writes none. Each view is made once per line and kept.
"""

from __future__ import annotations

import threading
from typing import Any

from ivr.line.builtins import builtin, has
from ivr.line.model import (
    AnswerNode,
    CommandWords,
    EmergencyNode,
    Line,
    MenuNode,
    Node,
    Option,
    Phrases,
    TransferNode,
    Translations,
)


class Views:
    """The views of one line, by language."""

    def __init__(self, source: Line) -> None:
        self.source = source
        self._made: dict[str, Line] = {}
        self._lock = threading.Lock()

    def of(self, code: str) -> Line:
        made = self._made.get(code)
        if made is None:
            with self._lock:
                made = self._made.get(code) or self._made.setdefault(code, _view(self.source, code))
        return made


def view(line: Line, code: str) -> Line:
    """``line`` in the language ``code``; raises KeyError for a language it does not have.

    A view seen in its own language is itself, so that a copy of a view with a setting changed (another
    voice, to measure it) keeps the change."""
    if line._language == code:
        return line
    if not line.languages and line._views is None:
        if code != line.language:
            raise KeyError(f"the line speaks {line.language}, not {code}")
        return line
    views = line._views
    if views is None:  # the line as its file wrote it
        views = line._views = Views(line)
    if code not in (views.source.languages or {}):
        raise KeyError(f"{code!r} is not one of the line's languages")
    return views.of(code)


def picked(value: Any, code: str) -> Any:
    """The text of ``code`` in a value written in each language; a value written once as it is.

    A translation that is missing falls back to another language's: only a line that is refused for
    it (its problems name the missing text) is ever seen so.
    """
    if isinstance(value, Translations):
        if code in value:
            return value[code]
        return next(iter(value.values()), "")
    return value


def _view(source: Line, code: str) -> Line:
    languages = source.languages or {}
    settings = languages[code]
    written = settings.model_fields_set
    first = code == next(iter(languages))
    # The first language takes the line's own settings for those it leaves out.
    spoken = settings.speech_language or (source.call.speech_language if first else _fallback_tag(code))
    voice = settings.voice if "voice" in written or not first else source.voice
    pronounce = settings.pronounce if "pronounce" in written or not first else source.pronounce
    line = source.model_copy(update={
        "greeting": picked(source.greeting, code),
        "nodes": {node_id: _node(node, code) for node_id, node in source.nodes.items()},
        "phrases": _phrases(source.phrases, code),
        "command_words": _command_words(source.command_words, code),
        "emergency_phrases": list(picked(source.emergency_phrases, code)),
        "call": source.call.model_copy(update={"speech_language": spoken}),
        "voice": voice,
        "pronounce": pronounce,
    })
    line._views = source._views
    line._language = code
    return line


def _fallback_tag(code: str) -> str:
    """Only a line refused for its missing speech_language is ever seen without one."""
    return code


def _node(node: Node, code: str) -> Node:
    if isinstance(node, MenuNode):
        return node.model_copy(update={"prompt": picked(node.prompt, code), "options": _options(node.options, code)})
    if isinstance(node, AnswerNode):
        return node.model_copy(update={"text": picked(node.text, code), "options": _options(node.options, code)})
    if isinstance(node, TransferNode | EmergencyNode):
        return node.model_copy(update={"text": picked(node.text, code)})
    return node


def _options(options: list[Option], code: str) -> list[Option]:
    return [
        option.model_copy(update={"label": picked(option.label, code), "words": list(picked(option.words, code))})
        for option in options
    ]


def _phrases(phrases: Phrases, code: str) -> Phrases:
    """The file's phrase where it words one, else the language's built-in one."""
    own = builtin(code).phrases if has(code) else {}
    values = {
        name: picked(getattr(phrases, name), code) if name in phrases.model_fields_set
        else own.get(name, getattr(phrases, name))
        for name in Phrases.model_fields
    }
    return Phrases.model_construct(phrases.model_fields_set, **values)


def _command_words(words: CommandWords, code: str) -> CommandWords:
    own = builtin(code).command_words if has(code) else {}
    values = {
        name: list(picked(getattr(words, name), code)) if name in words.model_fields_set
        else list(own.get(name, getattr(words, name)))
        for name in CommandWords.model_fields
    }
    return CommandWords.model_construct(words.model_fields_set, **values)
