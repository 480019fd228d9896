"""The menu tree as far as it can be read, for pass 2, even when other values are wrong.

A file with a bad phone number still has its nodes and options; reading them here,
value by value with the model's own validators, lets the tree's checks run on the
whole file, so that a misspelt ``goto`` is reported beside the phone number.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ivr.languages import builtin, has
from ivr.line.model import CommandWords, Keys, Line, Option
from ivr.line.texts import Word, picked


@dataclass(frozen=True)
class TreeOption:
    """What could be read of one option: None (or a None word) where a value is wrong."""

    key: str | None
    words: tuple[str | None, ...]
    #: The node it leads to, as written (the shape pass reports one that is not a valid id).
    goto: str | None
    #: Whether ``goto`` is a valid node id.
    goto_valid: bool = True
    #: Where the words are in the option: ``("words",)``, or ``("words", "es")`` in a line of several languages.
    words_at: tuple[str, ...] = ("words",)


@dataclass(frozen=True)
class Tree:
    """The parts of a line its tree checks need."""

    start: str | None
    #: Every node the file names (valid id or not), with the options callers can be offered there.
    nodes: dict[str, tuple[TreeOption, ...]]
    #: The line's own keys: key -> command, such as "0" -> "clinic".
    reserved: dict[str, str]
    #: The line's command words, lower case: word -> command, such as "nurse" -> "clinic".
    commands: dict[str, str]


#: Node types that have no options (the shape pass reports any they are given).
_WITHOUT_OPTIONS = ("transfer", "emergency")


def read_tree(root: object, language: str | None = None) -> Tree | None:
    """The tree of a parsed line file, or None when it has no ``nodes`` mapping to read.

    In a line of several languages, the words are those of ``language``, and so are the command words.
    """
    if not isinstance(root, Mapping) or not isinstance(root.get("nodes"), Mapping):
        return None
    nodes = {str(node_id): _options(node, language) for node_id, node in root["nodes"].items()}
    start = _readable(Line, "start", root.get("start"))
    keys = Keys.model_construct(**_readable_fields(Keys, root.get("keys")))
    commands = {
        word.lower(): command
        for command, spoken in _command_words(root.get("command_words"), language).items()
        for word in spoken
    }
    return Tree(start, nodes, keys.by_key(), commands)


def _command_words(section: object, language: str | None) -> dict[str, list[str]]:
    """The line's command words in ``language``: the file's where it words them, else the built-in ones."""
    written = section if isinstance(section, Mapping) else {}
    readable = _readable_fields(CommandWords, section)
    own = builtin(language).command_words if language and has(language) else {}
    return {
        name: list(picked(value, language or "")) if name in written else list(own.get(name, value))
        for name, value in readable.items()
    }


def readable_keys(root: object) -> dict[str, str]:
    """The line's own keys as far as they can be read (the defaults where they cannot): key -> command."""
    section = root.get("keys") if isinstance(root, Mapping) else None
    return Keys.model_construct(**_readable_fields(Keys, section)).by_key()


def _options(node: object, language: str | None) -> tuple[TreeOption, ...]:
    if not isinstance(node, Mapping) or node.get("type") in _WITHOUT_OPTIONS:
        return ()
    options = node.get("options")
    if not isinstance(options, list):
        return ()
    return tuple(_option(option, language) for option in options)


def _option(option: object, language: str | None) -> TreeOption:
    if not isinstance(option, Mapping):
        return TreeOption(key=None, words=(), goto=None)
    words = option.get("words")
    words_at: tuple[str, ...] = ("words",)
    if isinstance(words, Mapping):
        words_at = ("words", language or "")
        words = words.get(language) if language else None
    readable = tuple(_word(word) for word in words) if isinstance(words, list) else ()
    goto = option.get("goto")
    return TreeOption(
        key=_readable(Option, "key", option.get("key")),
        words=readable,
        goto=goto.strip() if isinstance(goto, str) else None,
        goto_valid=_readable(Option, "goto", goto) is not None,
        words_at=words_at,
    )


def _word(word: object) -> str | None:
    try:
        return _adapter_of(Word).validate_python(word)
    except ValidationError:
        return None


def _readable_fields(model: type[BaseModel], section: object) -> dict[str, Any]:
    """Each field of ``model`` that ``section`` sets validly; the default for the others."""
    values: dict[str, Any] = {name: field.get_default() for name, field in model.model_fields.items()}
    if isinstance(section, Mapping):
        for name in values:
            if name in section:
                readable = _readable(model, name, section[name])
                values[name] = values[name] if readable is None else readable
    return values


def _readable(model: type[BaseModel], name: str, value: object) -> Any:
    """``value`` as field ``name`` of ``model`` reads it, or None when it is not valid there."""
    if value is None:
        return None
    try:
        return _field_adapter(model, name).validate_python(value)
    except ValidationError:
        return None


@functools.cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    annotation: Any = field.annotation
    if field.metadata:
        annotation = Annotated[(annotation, *field.metadata)]
    return TypeAdapter(annotation)


@functools.cache
def _adapter_of(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)
