"""Load a line's YAML file like a compiler: check its shape, then its menu tree, and report every problem.

Only a file YAML cannot read stops the checks. Otherwise both passes run on all of it:
the shape of each value (:mod:`ivr.line.validate.shape`), and the menu tree as far as it can be
read (:mod:`ivr.line.validate.checks`), so a misspelt ``goto`` is reported beside a bad phone number.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ivr.line.model import Line
from ivr.line.validate.checks import WORD_RULES, check_graph
from ivr.line.validate.errors import (
    DuplicateYamlKey,
    LineInvalid,
    LineProblem,
    NotAMapping,
    UnreadableFile,
    YamlPath,
    YamlSyntax,
)
from ivr.line.validate.limits import MAX_BYTES, aliases, too_large
from ivr.line.validate.locate import YamlLocator
from ivr.line.validate.sentences import check_sentences
from ivr.line.validate.shape import check_shape
from ivr.line.validate.syntax import syntax_problems
from ivr.line.validate.translations import InLanguage, check_translations, line_languages
from ivr.line.validate.tree import read_tree

__all__ = ["LoadedLine", "YamlLocator", "load_line", "load_line_text"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedLine:
    """A valid line, where it came from, and what is worth improving in it."""

    #: The line in its first language (``line.in_language(code)`` in each of ``line.language_codes``).
    line: Line
    path: Path
    warnings: tuple[LineProblem, ...]
    #: sha256 of the file's bytes, to notice when the file has changed.
    digest: str


def load_line(path: str | Path) -> LoadedLine:
    """Read, check and build the line in ``path``.

    Raises LineInvalid with every error found (and the warnings) when the file has any error.
    """
    path = Path(path)
    return load_line_text(_read(path), str(path))


def load_line_text(raw: bytes, name: str) -> LoadedLine:
    """Check and build the line whose file's bytes are ``raw``; ``name`` stands for the file in problems.

    Raises LineInvalid as :func:`load_line` does. The same bytes give the same line, which is kept (the last
    few; its warnings name the file as ``name`` does): a server reads the one text as the file and as the
    database's version, and every app and worker starting on it would otherwise check it again, for a third of
    a second or more each time.
    """
    key = hashlib.sha256(raw).hexdigest()
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is None:
        kept = _check_and_build(raw, name)
        with _kept_lock:
            _kept[key] = kept
            while len(_kept) > KEPT_LINES:
                _kept.popitem(last=False)
    elif str(kept.path) != name:  # the same text read under another name: the file, then its version 1
        kept = dataclasses.replace(kept, path=Path(name), warnings=tuple(
            dataclasses.replace(warning, file=name) for warning in kept.warnings))
    logger.info("loaded line %s: %d nodes, %d warnings", kept.path, len(kept.line.nodes), len(kept.warnings))
    return kept


#: How many checked lines are kept, by their bytes' digest (a server needs one or two; tests a few more).
KEPT_LINES = 8
_kept: OrderedDict[str, LoadedLine] = OrderedDict()
_kept_lock = threading.Lock()


def _check_and_build(raw: bytes, name: str) -> LoadedLine:
    problem = too_large(len(raw), name)
    if problem is not None:
        raise LineInvalid([problem])
    path = Path(name)
    text = _decode(raw, str(path))
    refused = aliases(text, str(path))
    if refused:
        raise LineInvalid(_quoting_their_lines(refused, text))
    locate = YamlLocator(str(path), _parse(text, str(path)), text)
    line, problems = check_shape(locate)
    translations = check_translations(locate, locate.root)
    problems = [*_duplicate_keys(text, locate), *problems, *translations, *_tree_problems(locate)]
    # The sentences are filled from the whole line, so it must have its shape (and its texts' languages).
    if line is not None and (line.languages or not translations):
        problems.extend(_sentence_problems(line, locate))
    problems = _in_file_order(_quoting_their_lines(list(dict.fromkeys(problems)), text))
    if line is None or any(problem.is_error for problem in problems):
        raise LineInvalid(problems)
    return LoadedLine(line.in_language(), path, tuple(problems), hashlib.sha256(raw).hexdigest())


def _tree_problems(locate: YamlLocator) -> list[LineProblem]:
    """The tree's checks; in a line of several languages, those about words in each language too."""
    languages = line_languages(locate.root) or (None,)
    problems: list[LineProblem] = []
    for index, language in enumerate(languages):
        tree = read_tree(locate.root, language)
        if tree is not None:
            problems.extend(check_graph(tree, locate, None if index == 0 else WORD_RULES))
    return problems


def _sentence_problems(line: Line, locate: YamlLocator) -> list[LineProblem]:
    """The sentence checks, in each of the line's languages."""
    if not line.languages:
        return list(check_sentences(line, locate))
    return [
        problem
        for code in line.language_codes
        for problem in check_sentences(line.in_language(code), InLanguage(locate, locate.root, code))
    ]


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)  # no more: a file that size is refused unread
    except OSError as error:
        message = f"cannot read the file: {error.strerror}"
        raise LineInvalid([UnreadableFile(str(path), None, None, message)]) from None
    problem = too_large(len(raw), str(path))
    if problem is not None:
        raise LineInvalid([problem])
    return raw


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        message = f"byte {raw[error.start]:#04x} is not UTF-8 text: save the file as UTF-8 (in the editor's Save As)"
        column = len(before) - (before.rfind(b"\n") + 1)
        text = raw.decode("utf-8", errors="replace")
        problem = YamlSyntax(file, line, None, message, column=column)
        raise LineInvalid(_quoting_their_lines([problem], text)) from None


def _parse(text: str, file: str) -> CommentedMap:
    """The file's mapping, with line numbers; anything else raises LineInvalid."""
    try:
        data = _yaml().load(text)
    except YAMLError as error:
        raise LineInvalid(_quoting_their_lines(syntax_problems(error, text, file), text)) from None
    if not isinstance(data, CommentedMap):
        found = "nothing" if data is None else "a list" if isinstance(data, list) else "a single value"
        message = f"a line file must be a mapping of fields (name:, clinic:, nodes: ...), not {found}"
        raise LineInvalid([NotAMapping(file, None if data is None else 1, None, message)])
    return data


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    # Duplicate keys are found separately, all of them, rather than stopping at the first.
    yaml.allow_duplicate_keys = True
    return yaml


def _duplicate_keys(text: str, locate: YamlLocator) -> list[LineProblem]:
    """Every key that a mapping names twice (the text is known to be valid YAML)."""
    return list(_duplicates_below(_yaml().compose(text), locate, (), set()))


def _duplicates_below(node: Node | None, locate: YamlLocator, path: YamlPath, seen: set[int]) -> Iterator[LineProblem]:
    if node is None or id(node) in seen:  # An alias repeats a node already walked.
        return
    seen.add(id(node))
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicates_below(item, locate, (*path, index), seen)
    elif isinstance(node, MappingNode):
        first_lines: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else str(key.start_mark)
            if (str(key.tag), name) in first_lines:
                yield _duplicate_key(locate, (*path, name), key, first_lines[str(key.tag), name])
            first_lines.setdefault((str(key.tag), name), key.start_mark.line + 1)
            yield from _duplicates_below(value, locate, (*path, name), seen)


def _duplicate_key(locate: YamlLocator, path: YamlPath, key: Node, first_line: int) -> LineProblem:
    # The parsed file keeps the last of the two, so the path is named from it; the line is this key's own.
    node, name = locate.name(path)
    message = f"appears twice in this section (first on line {first_line}): keep one"
    text = f"{name}: {message}" if name else message
    return DuplicateYamlKey(locate.file, key.start_mark.line + 1, node, text, column=key.start_mark.column)


def _quoting_their_lines(problems: Iterable[LineProblem], text: str) -> list[LineProblem]:
    """Each problem with the text of its line, which is quoted under it."""
    lines = text.splitlines()
    return [
        dataclasses.replace(problem, source=lines[problem.line - 1])
        if problem.line is not None and problem.source is None and 1 <= problem.line <= len(lines)
        else problem
        for problem in problems
    ]


def _in_file_order(problems: list[LineProblem]) -> list[LineProblem]:
    return sorted(problems, key=lambda problem: problem.line or 0)
