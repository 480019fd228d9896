"""Checks that need the whole menu tree: pass 2 of validating a line file.

Each rule is a function from the tree to the problems it finds; they all run, on
whatever of the tree could be read (see :mod:`ivr.line.validate.tree`), so a person sees
every problem at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from ivr.line.validate.errors import (
    AmbiguousWord,
    DuplicateOptionKey,
    LineProblem,
    MissingNode,
    ReservedKeyUsed,
    TooManyOptions,
    UnreachableNode,
    YamlPath,
)
from ivr.line.validate.tree import Tree, TreeOption
from ivr.line.validate.wording import COMMAND_PURPOSES, key_name, keys_rule

#: A caller keeps about five choices in mind; more is a warning, not an error.
MAX_OPTIONS = 5


class Locate(Protocol):
    """Where things are in the line's file, so that problems point at a line to edit."""

    @property
    def file(self) -> str: ...

    def line_of(self, *path: str | int) -> int | None:
        """The 1-based line of the key or item at ``path``, such as ``("nodes", "main", "options", 1)``."""
        ...

    def problem(
        self, kind: type[LineProblem], path: YamlPath, message: str, *, at_key: bool = False
    ) -> LineProblem:
        """A problem about ``path``, at its line and column, with the path named for people."""
        ...


def check_graph(tree: Tree, locate: Locate, rules: tuple[Rule, ...] | None = None) -> list[LineProblem]:
    """Every problem of the menu tree, in the order of the rules (or of ``rules`` only)."""
    return [problem for rule in rules or RULES for problem in rule(tree, locate)]


def _missing_start(tree: Tree, locate: Locate) -> Iterator[LineProblem]:
    if tree.start is not None and tree.start not in tree.nodes:
        message = f"there is no node {tree.start!r}{_did_you_mean(tree.start, tree.nodes)}"
        yield locate.problem(MissingNode, ("start",), message)


def _missing_targets(tree: Tree, locate: Locate) -> Iterator[LineProblem]:
    for node_id, index, option in _options(tree):
        if option.goto is not None and option.goto_valid and option.goto not in tree.nodes:
            message = f"there is no node {option.goto!r}{_did_you_mean(option.goto, tree.nodes)}"
            yield locate.problem(MissingNode, _option_path(node_id, index, "goto"), message)


def _duplicate_keys(tree: Tree, locate: Locate) -> Iterator[LineProblem]:
    for node_id, options in tree.nodes.items():
        first: dict[str, int] = {}
        for index, option in enumerate(options):
            if option.key is None:
                continue
            if option.key in first:
                line = locate.line_of(*_option_path(node_id, first[option.key]))
                message = f"another option on line {line} uses this key too: give each option its own key"
                yield locate.problem(DuplicateOptionKey, _option_path(node_id, index, "key"), message)
            first.setdefault(option.key, index)


def _ambiguous_words(tree: Tree, locate: Locate) -> Iterator[LineProblem]:
    """A word two options share: a caller who says it could mean either."""
    for node_id, options in tree.nodes.items():
        for index, word_index, word, owner in _shared_words(options):
            other = options[owner].key
            whose = f"the option on key {key_name(other)}" if other else "another option"
            message = f"{word!r} is also a word of {whose}; a caller saying it could mean either, so keep it for one"
            yield locate.problem(AmbiguousWord, _option_path(node_id, index, *options[index].words_at, word_index),
                                 message)


def _command_words_used(tree: Tree, locate: Locate) -> Iterator[LineProblem]:
    """An option word that is also a line-wide command word ("nurse", "repeat", "menu"...)."""
    for node_id, index, option in _options(tree):
        for word_index, word in enumerate(option.words):
            command = tree.commands.get(word.lower()) if word else None
            if command is not None:
                purpose = COMMAND_PURPOSES.get(command, f"for {command}")
                message = (
                    f"{word!r} is one of the line's own words, which callers say anywhere {purpose}: "
                    "choose another word (or change command_words)"
                )
                yield locate.problem(AmbiguousWord, _option_path(node_id, index, *option.words_at, word_index), message)


def _reserved_keys(tree: Tree, locate: Locate) -> Iterator[LineProblem]:
    for node_id, index, option in _options(tree):
        if option.key in tree.reserved:
            command = tree.reserved[option.key]
            purpose = COMMAND_PURPOSES.get(command, f"for {command}")
            own = f"{key_name(option.key)} is the line's own key {purpose}, from anywhere"
            message = f"{own}: {keys_rule(tree.reserved)}"
            yield locate.problem(ReservedKeyUsed, _option_path(node_id, index, "key"), message)


def _too_many_options(tree: Tree, locate: Locate) -> Iterator[LineProblem]:
    for node_id, options in tree.nodes.items():
        if len(options) > MAX_OPTIONS:
            message = (
                f"{len(options)} options; callers remember about {MAX_OPTIONS}, "
                "so consider splitting this menu"
            )
            yield locate.problem(TooManyOptions, ("nodes", node_id, "options"), message, at_key=True)


def _unreachable(tree: Tree, locate: Locate) -> Iterator[LineProblem]:
    start = _meant(tree.start, tree.nodes) if tree.start is not None else None
    if start is None:
        return  # Missing, or a MissingNode with no likely node: every node would be reported again.
    reached = _reachable(tree, start)
    for node_id in tree.nodes:
        if node_id not in reached:
            message = (
                f"no option leads here from start ({start!r}), so no caller can hear it: "
                f"add an option with goto: {node_id}, or remove the node"
            )
            yield locate.problem(UnreachableNode, ("nodes", node_id), message, at_key=True)


Rule = Callable[[Tree, Locate], Iterator[LineProblem]]
RULES: tuple[Rule, ...] = (
    _missing_start,
    _missing_targets,
    _duplicate_keys,
    _ambiguous_words,
    _command_words_used,
    _reserved_keys,
    _too_many_options,
    _unreachable,
)
#: The rules about words, which a line of several languages checks in each of them.
WORD_RULES: tuple[Rule, ...] = (_ambiguous_words, _command_words_used)


def _reachable(tree: Tree, start: str) -> set[str]:
    """The nodes callers can get to; a misspelt goto counts as leading where it was meant to.

    Its MissingNode says "did you mean ...?" already: the node it meant is not reported again.
    """
    reached = {start}
    waiting = [start]
    while waiting:
        for option in tree.nodes[waiting.pop()]:
            target = _meant(option.goto, tree.nodes) if option.goto is not None else None
            if target is not None and target not in reached:
                reached.add(target)
                waiting.append(target)
    return reached


def _meant(goto: str, nodes: Iterable[str]) -> str | None:
    names = list(nodes)
    if goto in names:
        return goto
    close = difflib.get_close_matches(goto, names, n=1)
    return close[0] if close else None


def _shared_words(options: tuple[TreeOption, ...]) -> Iterator[tuple[int, int, str, int]]:
    """Words an option shares with an earlier one: (option, word index, word, earlier option)."""
    owners: dict[str, int] = {}
    for index, option in enumerate(options):
        for word_index, word in enumerate(option.words):
            if word is None:
                continue
            owner = owners.setdefault(word.casefold(), index)
            if owner != index:
                yield index, word_index, word, owner


def _options(tree: Tree) -> Iterator[tuple[str, int, TreeOption]]:
    for node_id, options in tree.nodes.items():
        for index, option in enumerate(options):
            yield node_id, index, option


def _option_path(node_id: str, index: int, *rest: str | int) -> YamlPath:
    return ("nodes", node_id, "options", index, *rest)


def _did_you_mean(name: str, names: Iterable[str]) -> str:
    meant = _meant(name, names)
    return f" (did you mean {meant!r}?)" if meant else ""
