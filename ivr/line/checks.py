"""Checks that need the whole menu tree: pass 2 of validating a line file.

Each rule is a function from the line to the problems it finds; they all run,
so a person sees every problem at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from ivr.line.errors import (
    AmbiguousWord,
    DuplicateOptionKey,
    LineProblem,
    MissingNode,
    ReservedKeyUsed,
    TooManyOptions,
    UnreachableNode,
    YamlPath,
    at_path,
)
from ivr.line.model import AnswerNode, EmergencyNode, Line, MenuNode, Option, TransferNode
from ivr.line.sentences import check_sentences

#: A caller keeps about five choices in mind; more is a warning, not an error.
MAX_OPTIONS = 5


class Locate(Protocol):
    """Where things are in the line's file, so that problems point at a line to edit."""

    @property
    def file(self) -> str: ...

    def line_of(self, *path: str | int) -> int | None:
        """The 1-based line of the key or item at ``path``, such as ``("nodes", "main", "options", 1)``."""
        ...


def check_graph(line: Line, locate: Locate) -> list[LineProblem]:
    """Every problem of the menu tree, in the order of the rules."""
    return [problem for rule in RULES for problem in rule(line, locate)]


def _missing_start(line: Line, locate: Locate) -> Iterator[LineProblem]:
    if line.start not in line.nodes:
        message = f"start: there is no node {line.start!r}{_did_you_mean(line.start, line.nodes)}"
        yield MissingNode(locate.file, locate.line_of("start"), None, message)


def _missing_targets(line: Line, locate: Locate) -> Iterator[LineProblem]:
    for node_id, index, option in _options(line):
        if option.goto not in line.nodes:
            message = f"there is no node {option.goto!r}{_did_you_mean(option.goto, line.nodes)}"
            yield _in_node(MissingNode, locate, node_id, ("options", index, "goto"), message)


def _duplicate_keys(line: Line, locate: Locate) -> Iterator[LineProblem]:
    for node_id, options in _option_lists(line):
        first: dict[str, int] = {}
        for index, option in enumerate(options):
            if option.key in first:
                message = f"key {option.key!r} is already used by options[{first[option.key]}]"
                yield _in_node(DuplicateOptionKey, locate, node_id, ("options", index, "key"), message)
            first.setdefault(option.key, index)


def _ambiguous_words(line: Line, locate: Locate) -> Iterator[LineProblem]:
    """A word two options share: a caller who says it could mean either."""
    for node_id, options in _option_lists(line):
        for index, word_index, word, owner in _shared_words(options):
            message = f"{word!r} is also a word of options[{owner}]; a caller saying it could mean either"
            path = ("options", index, "words", word_index)
            yield _in_node(AmbiguousWord, locate, node_id, path, message)


def _command_words_used(line: Line, locate: Locate) -> Iterator[LineProblem]:
    """An option word that is also a line-wide command word ("clinic", "repeat"...)."""
    commands = {
        word.lower(): command for command, words in line.command_words.model_dump().items() for word in words
    }
    for node_id, index, option in _options(line):
        for word_index, word in enumerate(option.words):
            command = commands.get(word.lower())
            if command is not None:
                message = f"{word!r} is also a word for the line's {command!r} command; choose another word"
                path = ("options", index, "words", word_index)
                yield _in_node(AmbiguousWord, locate, node_id, path, message)


def _reserved_keys(line: Line, locate: Locate) -> Iterator[LineProblem]:
    reserved = line.keys.by_key()
    for node_id, index, option in _options(line):
        if option.key in reserved:
            message = (
                f"key {option.key!r} is the line's {reserved[option.key]!r} key, which works everywhere; "
                "choose another key"
            )
            yield _in_node(ReservedKeyUsed, locate, node_id, ("options", index, "key"), message)


def _too_many_options(line: Line, locate: Locate) -> Iterator[LineProblem]:
    for node_id, options in _option_lists(line):
        if len(options) > MAX_OPTIONS:
            message = (
                f"{len(options)} options; callers remember about {MAX_OPTIONS}, "
                "so consider splitting this menu"
            )
            yield _in_node(TooManyOptions, locate, node_id, ("options",), message)


def _unreachable(line: Line, locate: Locate) -> Iterator[LineProblem]:
    if line.start not in line.nodes:
        return  # Already a MissingNode; every node would be reported again.
    reached = _reachable(line)
    for node_id in line.nodes:
        if node_id not in reached:
            message = f"no option leads here from start ({line.start!r}), so no caller can hear it"
            yield _in_node(UnreachableNode, locate, node_id, (), message)


RULES: tuple[Callable[[Line, Locate], Iterator[LineProblem]], ...] = (
    _missing_start,
    _missing_targets,
    _duplicate_keys,
    _ambiguous_words,
    _command_words_used,
    _reserved_keys,
    _too_many_options,
    _unreachable,
    check_sentences,
)


def _reachable(line: Line) -> set[str]:
    reached = {line.start}
    waiting = [line.start]
    while waiting:
        for option in _options_of(line.nodes[waiting.pop()]):
            if option.goto in line.nodes and option.goto not in reached:
                reached.add(option.goto)
                waiting.append(option.goto)
    return reached


def _shared_words(options: list[Option]) -> Iterator[tuple[int, int, str, int]]:
    """Words an option shares with an earlier one: (option, word index, word, earlier option)."""
    owners: dict[str, int] = {}
    for index, option in enumerate(options):
        for word_index, word in enumerate(option.words):
            owner = owners.setdefault(word.casefold(), index)
            if owner != index:
                yield index, word_index, word, owner


def _options_of(node: MenuNode | AnswerNode | TransferNode | EmergencyNode) -> list[Option]:
    return node.options if isinstance(node, MenuNode | AnswerNode) else []


def _option_lists(line: Line) -> Iterator[tuple[str, list[Option]]]:
    for node_id, node in line.nodes.items():
        yield node_id, _options_of(node)


def _options(line: Line) -> Iterator[tuple[str, int, Option]]:
    for node_id, options in _option_lists(line):
        for index, option in enumerate(options):
            yield node_id, index, option


def _in_node(
    kind: type[LineProblem], locate: Locate, node_id: str, path: YamlPath, message: str
) -> LineProblem:
    return kind(locate.file, locate.line_of("nodes", node_id, *path), node_id, at_path(path, message))


def _did_you_mean(name: str, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(names), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
