"""Where a value is in a line file, and how to name it for the person who edits it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ivr.line.validate.errors import LineProblem, YamlPath


@dataclass(frozen=True)
class Position:
    """A 1-based line and a 0-based column (None when not known)."""

    line: int | None
    column: int | None = None


@dataclass(frozen=True)
class YamlLocator:
    """Finds paths in the parsed YAML (with ruamel's line and column marks) for problems to point at."""

    file: str
    root: object
    text: str = ""
    _lines: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lines", self.text.splitlines())

    def line_of(self, *path: str | int) -> int | None:
        """The 1-based line of the deepest key or item along ``path`` that is in the file."""
        return self.walk(path)[0].line

    def position(self, path: YamlPath, *, at_key: bool = False) -> Position:
        """Where ``path`` is: its value's column, or its key's with ``at_key``."""
        return self.walk(path, at_key=at_key)[0]

    def walk(self, path: YamlPath, *, at_key: bool = False) -> tuple[Position, YamlPath]:
        """The position of ``path`` in the file, and the path without parts the file does not have.

        A key that is not in a mapping is skipped unless it comes last: that is the tag
        pydantic puts in the path of a tagged union (``nodes.main.menu.options``); a last
        key that is not there is a missing field, and stays in the path.
        """
        where = Position(None)
        here: object = self.root
        kept: list[str | int] = []
        for index, part in enumerate(path):
            last = index == len(path) - 1
            step = _step(here, part, at_key=at_key and last)
            if step is not None:
                where, here = step
            elif isinstance(here, Mapping) and not last:
                continue
            else:
                here = None
            kept.append(part)
        return where, tuple(kept)

    def value(self, path: YamlPath) -> object:
        """The parsed value at ``path``, or None."""
        here: object = self.root
        for part in path:
            step = _step(here, part, at_key=False)
            if step is None:
                return None
            here = step[1]
        return here

    def source_line(self, line: int | None) -> str | None:
        """The text of a 1-based line of the file."""
        if line is None or not 1 <= line <= len(self._lines):
            return None
        return self._lines[line - 1]

    def written(self, path: YamlPath) -> str | None:
        """A scalar exactly as the file writes it (before YAML reads ``+1202...`` as a number), if known."""
        where = self.position(path)
        text = self.source_line(where.line)
        if text is None or where.column is None:
            return None
        value = text[where.column :].split(" #", 1)[0].strip()
        return value or None

    def name(self, path: YamlPath) -> tuple[str | None, str]:
        """The node a path is inside, and the rest of it named for people.

        ``("nodes", "main", "options", 2, "goto")`` -> ``("main", "option on key 3, goto")``:
        an option is named by its key rather than its place in the list.
        """
        node: str | None = None
        parts = list(path)
        prefix: YamlPath = ()
        if len(parts) >= 2 and parts[0] == "nodes":
            node, prefix, parts = str(parts[1]), tuple(parts[:2]), parts[2:]
        groups: list[list[str]] = [[]]
        for index, part in enumerate(parts):
            previous = parts[index - 1] if index else None
            if part == "[key]":  # A dict's own key: a node's id, which the node's name says already.
                continue
            if isinstance(part, int):
                if previous == "options":
                    groups[-1].pop()
                    groups.append([self._option_name((*prefix, *parts[: index + 1]))])
                elif previous != "words":  # A word is named by the message itself.
                    groups.append([f"{ordinal(part + 1)} item"])
                groups.append([])
                continue
            if part == "key" and groups[-2:-1] and groups[-2][0].startswith("option on key") and not groups[-1]:
                continue  # "option on key 3" says the key already.
            groups[-1].append(str(part))
        return node, ", ".join(".".join(group) for group in groups if group)

    def problem(
        self, kind: type[LineProblem], path: YamlPath, message: str, *, at_key: bool = False
    ) -> LineProblem:
        """A problem of ``kind`` about ``path``, at its line and column, named for people."""
        where, kept = self.walk(path, at_key=at_key)
        node, name = self.name(kept)
        text = f"{name}: {message}" if name else message
        return kind(self.file, where.line, node, text, column=where.column, path=kept, field=name)

    def _option_name(self, path: YamlPath) -> str:
        option = self.value(path)
        key = option.get("key") if isinstance(option, Mapping) else None
        if isinstance(key, str | int) and not isinstance(key, bool) and str(key).strip():
            return f"option on key {key}"
        return f"the {ordinal(int(path[-1]) + 1)} option"


def ordinal(number: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th"."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _step(here: object, part: str | int, *, at_key: bool) -> tuple[Position, object] | None:
    """The position and value of ``part`` inside ``here``, or None if the file has no such part."""
    if isinstance(here, CommentedMap) and part in here:
        marks = here.lc.data.get(part)  # Keys brought in by a merge (<<) have no position.
        value = here[part]
        if not marks:
            return Position(here.lc.line + 1, here.lc.col), value
        key_line, key_column, value_line, value_column = marks
        if at_key or isinstance(value, CommentedMap | CommentedSeq) or value_line != key_line:
            return Position(key_line + 1, key_column), value
        return Position(value_line + 1, value_column), value
    if isinstance(here, CommentedSeq) and isinstance(part, int) and 0 <= part < len(here):
        line, column = here.lc.item(part)
        return Position(line + 1, column), here[part]
    return None
