"""Changing a line file's text a value at a time, keeping everything else as it was written.

The file is read and written back with ruamel.yaml's round-trip mode, so staff's comments, the order of
fields and the style of each text (a folded paragraph, a quoted key) stay; a draft being edited need not
be a valid line, so every step here is defensive about what it finds.
"""

from __future__ import annotations

import difflib
import io
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString

from ivr.line.differences import Difference, differences

#: Where a value is in a line file: keys and list indexes, as the checker's problems give them.
Path = tuple[str | int, ...]
#: A text longer than this is written as a folded paragraph, as the line files write their answers, its lines
#: this long at most.
_FOLD_AFTER = 80
_FOLD_WIDTH = 76
_TRAILING_SPACES = re.compile(r"[ \t]+$", re.MULTILINE)


class NotEditable(ValueError):
    """The text is not a YAML mapping, so it can be edited only as text; the message says why."""


def read(text: str) -> CommentedMap:
    """The file's mapping, as ruamel.yaml's round-trip mode reads it."""
    try:
        data = _yaml().load(text)
    except YAMLError as error:
        raise NotEditable(f"it is not readable YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(data, CommentedMap):
        raise NotEditable("it is not a mapping of fields (name:, clinic:, nodes: ...)")
    return data


def write(data: CommentedMap, over: str) -> str:
    """The file's text with ``data``'s changes, ``over`` being the text ``data`` was read from.

    ruamel.yaml writes a few things its own way (a long list of words is wrapped at another place), so
    only the lines that differ between ``over`` and ``data`` as ruamel.yaml writes each are changed in
    ``over``: the rest of the file stays byte for byte as staff wrote it. When a change falls on a line
    that ruamel.yaml writes differently anyway, the whole file is written as ruamel.yaml writes it.
    """
    before, after = _dump(read(over)).splitlines(True), _dump(data).splitlines(True)
    original = over.splitlines(True)
    if before == original:
        return "".join(after)
    where = _where_in(before, original)
    merged = list(original)
    changes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for tag, start, end, new_start, new_end in reversed(changes):
        if tag == "equal":
            continue
        span = _span(where, start, end)
        if span is None:
            return "".join(after)
        merged[span[0]:span[1]] = after[new_start:new_end]
    # Lines alike in many places (a choice's "- key:") could in principle be matched to the wrong place: the
    # merged text must mean what ruamel.yaml's own does.
    return "".join(merged) if _same_values("".join(merged), "".join(after)) else "".join(after)


def _same_values(one: str, other: str) -> bool:
    plain = YAML(typ="safe", pure=True)
    try:
        return bool(plain.load(one) == plain.load(other))
    except YAMLError:
        return False


def _dump(data: CommentedMap) -> str:
    """The file as ruamel.yaml writes it; lines folded anew lose the spaces that would trail them."""
    out = io.StringIO()
    _yaml().dump(data, out)
    return _TRAILING_SPACES.sub("", out.getvalue())


def _where_in(written: list[str], original: list[str]) -> dict[int, int]:
    """For each line of ``written`` that is one of ``original``'s unchanged, its index there."""
    found: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, written, original, autojunk=False).get_matching_blocks():
        for offset in range(block.size):
            found[block.a + offset] = block.b + offset
    return found


def _span(where: dict[int, int], start: int, end: int) -> tuple[int, int] | None:
    """The lines of the original that lines ``start`` to ``end`` of ruamel.yaml's writing stand for, when each
    of them (or, for lines inserted, the line before or after) is one of the original's."""
    if start == end:
        if start - 1 in where:
            return where[start - 1] + 1, where[start - 1] + 1
        return (where[start], where[start]) if start in where else None
    if any(index not in where for index in range(start, end)):
        return None
    first = where[start]
    if [where[index] for index in range(start, end)] != list(range(first, first + end - start)):
        return None
    return first, first + end - start


def differences_between(old: str, new: str) -> list[Difference] | None:
    """What changed between two drafts' texts, in plain words; None when either is not readable YAML."""
    try:
        return differences(old, new)
    except YAMLError:
        return None


def get(data: object, path: Path) -> Any:
    """The value at ``path``, or None when any step of it is missing."""
    here: Any = data
    for part in path:
        if isinstance(here, Mapping):
            here = here.get(part)
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here = here[part]
        else:
            return None
    return here


def as_path(parts: Iterable[str], data: object) -> Path:
    """A path from its written parts ("nodes", "main", "options", "1"), list indexes as numbers."""
    path: list[str | int] = []
    for part in parts:
        here = get(data, tuple(path))
        path.append(int(part) if isinstance(here, list) and part.isdigit() else part)
    return tuple(path)


def put_text(data: CommentedMap, path: Path, value: str) -> None:
    """Set the text at ``path`` (making the mappings on the way), in the style of the text it replaces."""
    old = get(data, path)
    parent = _mapping_at(data, path[:-1])
    parent[path[-1]] = _styled(value, old)


def put_words(data: CommentedMap, path: Path, words: list[str]) -> None:
    """Set a list of words at ``path``, written on one line as the line files write them."""
    seq = CommentedSeq(words)
    seq.fa.set_flow_style()
    _mapping_at(data, path[:-1])[path[-1]] = seq


def remove(data: CommentedMap, path: Path) -> None:
    """Remove the item at ``path`` from its list, or the key from its mapping; nothing when it is not there."""
    parent = get(data, path[:-1])
    if isinstance(parent, list) and isinstance(path[-1], int) and 0 <= path[-1] < len(parent):
        del parent[path[-1]]
    elif isinstance(parent, Mapping) and path[-1] in parent:
        del parent[path[-1]]  # type: ignore[attr-defined]


def move(data: CommentedMap, path: Path, by: int) -> bool:
    """Move the list item at ``path`` up (-1) or down (+1); False when it cannot go that way."""
    items = get(data, path[:-1])
    index = path[-1]
    if not isinstance(items, list) or not isinstance(index, int) or not 0 <= index + by < len(items):
        return False
    items[index], items[index + by] = items[index + by], items[index]
    return True


def move_place(data: CommentedMap, node: str, by: int) -> bool:
    """Move a place up (-1) or down (+1) among the line's places; False when it cannot go that way.

    Callers never notice the order (a choice names the place it leads to): it is the order staff read them in,
    here and in the file. A comment written above a place stays where it was, above the place that follows it.
    """
    nodes = data.get("nodes")
    if not isinstance(nodes, CommentedMap) or node not in nodes:
        return False
    index = list(nodes).index(node)
    if not 0 <= index + by < len(nodes):
        return False
    nodes.insert(index + by, node, nodes.pop(node))
    return True


def add_choice(data: CommentedMap, node: str, languages: list[str], goto: str) -> int:
    """Add a choice at the end of a place's choices, on the first key free (1 to 6), with empty texts to fill in;
    its index."""
    place = get(data, ("nodes", node))
    if not isinstance(place, CommentedMap):
        raise NotEditable(f"the place {node!r} is not a mapping of fields")
    options = place.get("options")
    if not isinstance(options, list):
        options = CommentedSeq()
        place["options"] = options
    used = {str(get(option, ("key",))) for option in options}
    key = next((str(n) for n in range(1, 7) if str(n) not in used), str(len(options) + 1))
    choice = CommentedMap()
    choice["key"] = DoubleQuotedScalarString(key)
    choice["label"] = _in_languages(languages, "")
    words = _in_languages(languages, None)
    choice["words"] = words
    choice["goto"] = goto
    options.append(choice)
    return len(options) - 1


def add_place(data: CommentedMap, kind: str, title: str, languages: list[str]) -> str:
    """Add a place (a menu, an answer or a transfer) at the end of the line, with its texts empty to fill in and,
    for a menu, one choice; its id, made from its title."""
    nodes = data.get("nodes")
    if not isinstance(nodes, CommentedMap):
        raise NotEditable("the line's places (nodes:) are not a mapping")
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or kind
    node = next(name for n in range(1, len(nodes) + 2) if (name := base if n == 1 else f"{base}-{n}") not in nodes)
    place = CommentedMap()
    place["type"] = kind
    place["title"] = title.strip() or node
    place["prompt" if kind == "menu" else "text"] = _in_languages(languages, "")
    nodes[node] = place
    if kind == "menu":
        add_choice(data, node, languages, str(data.get("start", "")))
    return node


def _in_languages(languages: list[str], text: str | None) -> object:
    def one() -> object:
        if text is not None:
            return text
        seq = CommentedSeq()
        seq.fa.set_flow_style()
        return seq

    if not languages:
        return one()
    found = CommentedMap()
    for code in languages:
        found[code] = one()
    return found


def _mapping_at(data: CommentedMap, path: Path) -> CommentedMap:
    here = data
    for part in path:
        following = get(here, (part,))
        if not isinstance(following, (CommentedMap, CommentedSeq)):
            if isinstance(here, list):
                raise NotEditable("a list there is shorter than the form thought: open the draft again")
            following = CommentedMap()
            here[part] = following
        here = following
    if not isinstance(here, CommentedMap):
        raise NotEditable("a value there is not a mapping of fields")
    return here


def _styled(value: str, old: object) -> object:
    value = value.replace("\r\n", "\n").strip()
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(value)
    if isinstance(old, LiteralScalarString) and "\n" in value:
        return LiteralScalarString(value)
    if len(value) > _FOLD_AFTER or (isinstance(old, FoldedScalarString) and len(value) > 40):
        return _folded(" ".join(value.split()))
    return value


def _folded(text: str) -> FoldedScalarString:
    """A paragraph written over lines of :data:`_FOLD_WIDTH` characters at most, folded at spaces."""
    folded = FoldedScalarString(text)
    positions, at = [], 0
    for line in textwrap.wrap(text, _FOLD_WIDTH, break_long_words=False, break_on_hyphens=False)[:-1]:
        at += len(line)
        positions.append(at)
        at += 1
    folded.fold_pos = positions
    return folded


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml
