"""Load a line's YAML file like a compiler: check its shape, then its menu tree, and report every problem."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from ivr.line.checks import check_graph
from ivr.line.errors import (
    BadPhoneNumber,
    DuplicateYamlKey,
    EmptyText,
    LineInvalid,
    LineProblem,
    MissingField,
    NotAMapping,
    ShapeProblem,
    UnknownField,
    UnreadableFile,
    WrongType,
    YamlPath,
    YamlSyntax,
    at_path,
)
from ivr.line.model import (
    KEY_PATTERN,
    NODE_ID_PATTERN,
    EmptyTextError,
    Line,
    PhoneNumberError,
)

logger = logging.getLogger(__name__)

#: What a pattern from the model means, said for a person rather than as a regular expression.
_PATTERN_MEANINGS = {
    NODE_ID_PATTERN: "a node id is lower-case letters, digits, - and _, such as 'opening-hours'",
    KEY_PATTERN: "a key is one of 0-9, * or #",
}
_EMPTY_KEY = 'empty (in YAML, # starts a comment: write "#" and "*" in quotes)'


@dataclass(frozen=True)
class LoadedLine:
    """A valid line, where it came from, and what is worth improving in it."""

    line: Line
    path: Path
    warnings: tuple[LineProblem, ...]
    #: sha256 of the file's bytes, to notice when the file has changed.
    digest: str


@dataclass(frozen=True)
class YamlLocator:
    """Finds the line of a path in the parsed YAML, for problems to point at."""

    file: str
    root: object

    def line_of(self, *path: str | int) -> int | None:
        """The 1-based line of the deepest key or item along ``path`` that is in the file."""
        return self.walk(path)[0]

    def walk(self, path: YamlPath) -> tuple[int | None, YamlPath]:
        """The line of ``path`` in the file, and the path without parts the file does not have.

        A key that is not in a mapping is skipped unless it comes last: that is the tag
        pydantic puts in the path of a tagged union (``nodes.main.menu.options``); a last
        key that is not there is a missing field, and stays in the path.
        """
        line: int | None = None
        here: object = self.root
        kept: list[str | int] = []
        for index, part in enumerate(path):
            step = _step(here, part)
            if step is not None:
                line, here = step
            elif isinstance(here, Mapping) and index < len(path) - 1:
                continue
            else:
                here = None
            kept.append(part)
        return line, tuple(kept)


def load_line(path: str | Path) -> LoadedLine:
    """Read, check and build the line in ``path``.

    Raises LineInvalid with every error found (and the warnings) when the file has
    any error; the menu tree is checked only once every value has the right shape.
    """
    path = Path(path)
    raw = _read(path)
    text = _decode(raw, str(path))
    locate = YamlLocator(str(path), _parse(text, str(path)))
    problems = _duplicate_keys(text, locate.file)
    line = _validate(locate, problems)
    if line is not None:
        problems.extend(check_graph(line, locate))
    problems.sort(key=lambda problem: problem.line or 0)
    if line is None or any(problem.is_error for problem in problems):
        raise LineInvalid(problems)
    logger.info("loaded line %s: %d nodes, %d warnings", path, len(line.nodes), len(problems))
    return LoadedLine(line, path, tuple(problems), hashlib.sha256(raw).hexdigest())


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        message = f"cannot read the file: {error.strerror}"
        raise LineInvalid([UnreadableFile(str(path), None, None, message)]) from None


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        message = f"byte {raw[error.start]:#04x} is not UTF-8 text; save the file as UTF-8"
        raise LineInvalid([YamlSyntax(file, line, None, message)]) from None


def _parse(text: str, file: str) -> CommentedMap:
    """The file's mapping, with line numbers; anything else raises LineInvalid."""
    try:
        data = _yaml().load(text)
    except YAMLError as error:
        raise LineInvalid([_syntax_problem(error, text, file)]) from None
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


def _syntax_problem(error: YAMLError, text: str, file: str) -> LineProblem:
    if isinstance(error, ReaderError):
        line = text[: error.position].count("\n") + 1
        message = f"character U+{error.character:04X} is not allowed in YAML; delete it (it may be invisible)"
        return YamlSyntax(file, line, None, message)
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "not valid YAML"
        if error.problem and error.context and error.context_mark:
            message += f" ({error.context} on line {error.context_mark.line + 1})"
        return YamlSyntax(file, mark.line + 1 if mark else None, None, message)
    return YamlSyntax(file, None, None, str(error))


def _duplicate_keys(text: str, file: str) -> list[LineProblem]:
    """Every key that a mapping names twice (the text is known to be valid YAML)."""
    return list(_duplicates_below(_yaml().compose(text), file, (), set()))


def _duplicates_below(node: Node | None, file: str, path: YamlPath, seen: set[int]) -> Iterator[LineProblem]:
    if node is None or id(node) in seen:  # An alias repeats a node already walked.
        return
    seen.add(id(node))
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicates_below(item, file, (*path, index), seen)
    elif isinstance(node, MappingNode):
        first_lines: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else str(key.start_mark)
            if (str(key.tag), name) in first_lines:
                yield _duplicate_key(file, (*path, name), key, first_lines[str(key.tag), name])
            first_lines.setdefault((str(key.tag), name), key.start_mark.line + 1)
            yield from _duplicates_below(value, file, (*path, name), seen)


def _duplicate_key(file: str, path: YamlPath, key: Node, first_line: int) -> LineProblem:
    node_id, rest = _node_and_rest(path)
    message = at_path(rest, f"appears twice in this mapping (first on line {first_line}); keep one")
    return DuplicateYamlKey(file, key.start_mark.line + 1, node_id, message)


def _step(here: object, part: str | int) -> tuple[int, object] | None:
    """The line and value of ``part`` inside ``here``, or None if the file has no such part."""
    if isinstance(here, CommentedMap) and part in here:
        position = here.lc.data.get(part)  # Keys brought in by a merge (<<) have no position.
        return (position[0] if position else here.lc.line) + 1, here[part]
    if isinstance(here, CommentedSeq) and isinstance(part, int) and 0 <= part < len(here):
        return here.lc.item(part)[0] + 1, here[part]
    return None


def _validate(locate: YamlLocator, problems: list[LineProblem]) -> Line | None:
    """Pass 1: the model checks each value; its errors are added to ``problems``."""
    try:
        return Line.model_validate(_plain(locate.root))
    except ValidationError as error:
        problems.extend(_shape_problem(details, locate) for details in error.errors(include_url=False))
        return None


def _plain(value: object) -> object:
    """Plain dicts, lists, str, int, float and bool, as the model expects."""
    if isinstance(value, Mapping):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def _shape_problem(details: ErrorDetails, locate: YamlLocator) -> LineProblem:
    loc: YamlPath = details["loc"]
    if details["type"].startswith("union_tag_"):
        loc = (*loc, "type")
    line, path = locate.walk(loc)
    node_id, rest = _node_and_rest(path)
    rest = tuple(part for part in rest if part != "[key]")  # The node's own id: its name says it.
    return _problem_kind(details)(locate.file, line, node_id, at_path(rest, _message(details)))


def _node_and_rest(path: YamlPath) -> tuple[str | None, YamlPath]:
    """Split ``("nodes", "main", "options", 1)`` into ``"main"`` and ``("options", 1)``."""
    if len(path) >= 2 and path[0] == "nodes":
        return str(path[1]), path[2:]
    return None, path


def _problem_kind(details: ErrorDetails) -> type[LineProblem]:
    kind = details["type"]
    cause = details.get("ctx", {}).get("error")
    if kind == "extra_forbidden":
        return UnknownField
    if kind in ("missing", "union_tag_not_found"):
        return MissingField
    if isinstance(cause, EmptyTextError) or (kind == "string_type" and details["input"] is None):
        return EmptyText
    if isinstance(cause, PhoneNumberError):
        return BadPhoneNumber
    if kind.endswith(("_type", "_parsing")) or kind == "union_tag_invalid":
        return WrongType
    return ShapeProblem


def _is_key(details: ErrorDetails) -> bool:
    """Whether the value is a phone key (an option's, or one of the line's ``keys:``)."""
    loc = details["loc"]
    return loc[-1:] == ("key",) or loc[:1] == ("keys",)


def _message(details: ErrorDetails) -> str:
    """Pydantic's message, said for the person who edits the file."""
    kind, value, context = details["type"], details["input"], details.get("ctx", {})
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling and indentation)"
    if kind == "union_tag_not_found":
        return "required, but missing: say which kind of node this is, such as menu or answer"
    if kind == "union_tag_invalid":
        return f"{context['tag']!r} is not a node type: use one of {context['expected_tags']}"
    if kind == "value_error":
        return str(context["error"])
    if kind == "string_type" and value is None:
        return _EMPTY_KEY if _is_key(details) else "empty"
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"must be text: put {value} in quotes"
    if kind == "string_pattern_mismatch" and context.get("pattern") in _PATTERN_MEANINGS:
        return f"{value!r} is not allowed: {_PATTERN_MEANINGS[context['pattern']]}"
    if kind == "time_parsing":
        return f"{value!r} is not a time of day such as 09:00 or 17:30"
    return details["msg"]
