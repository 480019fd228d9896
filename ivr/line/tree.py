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

from ivr.line.model import CommandWords, Keys, Line, Option, Word


@dataclass(frozen=True)
class TreeOption:
    """What could be read of one option: None (or a None word) where a value is wrong."""

    key: str | None
    words: tuple[str | None, ...]
    #: The node it leads to, as written (the shape pass reports one that is not a valid id).
    goto: str | None
    #: Whether ``goto`` is a valid node id.
    goto_valid: bool = True


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


def read_tree(root: object) -> Tree | None:
    """The tree of a parsed line file, or None when it has no ``nodes`` mapping to read."""
    if not isinstance(root, Mapping) or not isinstance(root.get("nodes"), Mapping):
        return None
    nodes = {str(node_id): _options(node) for node_id, node in root["nodes"].items()}
    start = _readable(Line, "start", root.get("start"))
    keys = Keys.model_construct(**_readable_fields(Keys, root.get("keys")))
    words = CommandWords.model_construct(**_readable_fields(CommandWords, root.get("command_words")))
    commands = {word.lower(): command for command, spoken in words.model_dump().items() for word in spoken}
    return Tree(start, nodes, keys.by_key(), commands)


def readable_keys(root: object) -> dict[str, str]:
    """The line's own keys as far as they can be read (the defaults where they cannot): key -> command."""
    section = root.get("keys") if isinstance(root, Mapping) else None
    return Keys.model_construct(**_readable_fields(Keys, section)).by_key()


def _options(node: object) -> tuple[TreeOption, ...]:
    if not isinstance(node, Mapping) or node.get("type") in _WITHOUT_OPTIONS:
        return ()
    options = node.get("options")
    if not isinstance(options, list):
        return ()
    return tuple(_option(option) for option in options)


def _option(option: object) -> TreeOption:
    if not isinstance(option, Mapping):
        return TreeOption(key=None, words=(), goto=None)
    words = option.get("words")
    readable = tuple(_word(word) for word in words) if isinstance(words, list) else ()
    goto = option.get("goto")
    return TreeOption(
        key=_readable(Option, "key", option.get("key")),
        words=readable,
        goto=goto.strip() if isinstance(goto, str) else None,
        goto_valid=_readable(Option, "goto", goto) is not None,
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
    if not field.metadata:
        return TypeAdapter(field.annotation)
    return TypeAdapter(Annotated[(field.annotation, *field.metadata)])  # type: ignore[misc]


@functools.cache
def _adapter_of(annotation: object) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)
