"""A line of several languages seen in one of them: a plain one-language line.

The file holds one tree of nodes, with each text a caller hears written in every language
(``{en: ..., es: ...}``). Everything that speaks to callers (the script, the matching, the
emergency understanding, rendering) works on the line in one language: every text in that
language alone, its ``speech_language``, voice and ``pronounce``, its built-in phrases and
command words where the file writes none. Each view is made once per line and kept
(:class:`Views`); :meth:`ivr.line.Line.in_language` asks for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from ivr.languages import builtin, has
from ivr.line.texts import Translations, picked

L = TypeVar("L")


class Views(Generic[L]):
    """The views of one line by language: each made by ``make`` when first asked for, then kept.

    Calls are answered by several threads at once, so a view is made under a lock, once.
    """

    def __init__(self, source: L, make: Callable[[str], L]) -> None:
        self.source = source
        self._make = make
        self._made: dict[str, L] = {}
        self._lock = threading.Lock()

    def of(self, code: str) -> L:
        made = self._made.get(code)
        if made is None:
            with self._lock:
                made = self._made.get(code)
                if made is None:
                    made = self._made[code] = self._make(code)
        return made


def seen_in(source: Any, code: str) -> dict[str, Any]:
    """What changes in the line ``source`` (as its file wrote it) seen in the language ``code``.

    Every text written in each language becomes that language's; the first language takes the line's
    own settings for those it leaves out.
    """
    languages = source.languages or {}
    settings = languages[code]
    written = settings.model_fields_set
    first = code == next(iter(languages))
    spoken = settings.speech_language or (source.call.speech_language if first else _fallback_tag(code))
    return {
        "greeting": picked(source.greeting, code),
        "topic": picked(source.topic, code),
        "nodes": {node_id: in_one_language(node, code) for node_id, node in source.nodes.items()},
        "phrases": _with_builtins(source.phrases, code, builtin(code).phrases if has(code) else {}),
        "command_words": _with_builtins(source.command_words, code, builtin(code).command_words if has(code) else {}),
        "emergency_phrases": list(picked(source.emergency_phrases, code)),
        "call": source.call.model_copy(update={"speech_language": spoken}),
        "voice": settings.voice if "voice" in written or not first else source.voice,
        "pronounce": settings.pronounce if "pronounce" in written or not first else source.pronounce,
    }


def in_one_language(part: BaseModel, code: str) -> Any:
    """A part of a line (a node, an option) with each of its texts in ``code`` alone."""
    update = {name: _value_in(getattr(part, name), code) for name in type(part).model_fields}
    changed = {name: value for name, value in update.items() if value is not getattr(part, name)}
    return part.model_copy(update=changed) if changed else part


def _value_in(value: Any, code: str) -> Any:
    if isinstance(value, Translations):
        chosen = picked(value, code)
        return list(chosen) if isinstance(chosen, list) else chosen
    if isinstance(value, BaseModel):
        return in_one_language(value, code)
    if isinstance(value, list):
        items = [_value_in(item, code) for item in value]
        return items if any(new is not old for new, old in zip(items, value, strict=True)) else value
    return value


def _fallback_tag(code: str) -> str:
    """Only a line refused for its missing speech_language is ever seen without one."""
    return code


def _with_builtins(section: BaseModel, code: str, own: Any) -> Any:
    """The file's phrase (or command words) where it words one, else the language's built-in one."""
    kind = type(section)
    values = {}
    for name in kind.model_fields:
        value = getattr(section, name)
        if name in section.model_fields_set:
            values[name] = picked(value, code)
        else:
            values[name] = own.get(name, value)
        if isinstance(values[name], list | tuple):
            values[name] = list(values[name])
    return kind.model_construct(section.model_fields_set, **values)
