"""What can be wrong with a line file: one class a rule, each pointing at file, line and node."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
#: Where a value is in a line file: keys and list indexes, such as ``("nodes", "main", "options", 1)``.
YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class LineProblem:
    """One thing wrong with a line file, located where a person must edit it.

    ``line`` is 1-based, or None when the problem belongs to the whole file;
    ``node`` names the node the problem is inside, if any; ``column`` (0-based) is
    where on the line it is, when known; ``source`` is the text of that line, which
    is quoted under the problem (the loader fills it in). ``path`` is where the value is
    in the file's data, such as ``("nodes", "main", "options", 1, "goto")``, and ``field``
    names it for people ("option on key 2, goto"), as the message begins; an editor or a
    test can tell problems apart by these rather than by reading the message.
    """

    file: str
    line: int | None
    node: str | None
    message: str
    severity: Severity = "error"
    column: int | None = None
    source: str | None = None
    path: YamlPath = ()
    field: str = ""

    def __str__(self) -> str:
        """``prompts/x.yaml:42: error: node 'swelling': option on key 2, goto: ...``"""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        inside = "" if self.node is None else f"node {self.node!r}: "
        return f"{where}: {self.severity}: {inside}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def excerpt(self) -> list[str]:
        """The line quoted, with a caret under the column: empty when the line is not known."""
        if self.line is None or self.source is None:
            return []
        gutter = f"{self.line:>5} | "
        text = self.source.rstrip("\r\n")
        lines = [gutter + _visible(text)]
        if self.column is not None:
            offset = len(_visible(text[: self.column]))
            lines.append(" " * (len(gutter) - 2) + "| " + " " * offset + "^")
        return lines

    def described(self) -> str:
        """The problem, then the line it is on, as ``ivr validate`` prints it."""
        return "\n".join([str(self), *self.excerpt()])


# Pass 0: reading the file.


class UnreadableFile(LineProblem):
    """The file could not be read at all."""


class YamlSyntax(LineProblem):
    """The text is not YAML (or not UTF-8), so nothing else can be checked."""


class DuplicateYamlKey(LineProblem):
    """A mapping names the same key twice; YAML would silently keep only one."""


class NotAMapping(LineProblem):
    """The file is empty, or holds something other than a mapping of fields."""


class FileTooLarge(LineProblem):
    """The file is far larger than a line: it is not read."""


class YamlAlias(LineProblem):
    """YAML anchors and aliases, which can make a small file stand for millions of values, are refused."""


# Pass 1: the shape of each value (from the pydantic model).


class UnknownField(LineProblem):
    """A field the line format does not have, often a misspelling."""


class MissingField(LineProblem):
    """A required field is not there."""


class WrongType(LineProblem):
    """A value of the wrong kind: a list where text belongs, text where a number does."""


class EmptyText(LineProblem):
    """Text with nothing to say once control characters and spaces are removed."""


class BadPhoneNumber(LineProblem):
    """A phone number not in E.164 form (+ country code and number, no spaces)."""


class ShapeProblem(LineProblem):
    """Any other value the model refuses (out of range, badly written, inconsistent)."""


# Pass 2: the menu tree as a whole.


class MissingNode(LineProblem):
    """``start`` or an option's ``goto`` names a node that does not exist."""


class DuplicateOptionKey(LineProblem):
    """Two options of one menu or answer use the same key."""


class AmbiguousWord(LineProblem):
    """Two options of one menu or answer share a spoken word, so speech cannot tell them apart."""


class ReservedKeyUsed(LineProblem):
    """An option uses one of the line-wide keys (repeat, back, main menu, clinic, slower, faster)."""


class UnreachableNode(LineProblem):
    """No caller can get to the node from ``start``."""


class UnknownPlaceholder(LineProblem):
    """A ``{name}`` in a sentence that the line cannot fill in, often a misspelling such as ``{clinc}``."""


class UnmatchedBrace(LineProblem):
    """A ``{`` without its ``}``, or the other way round."""


class EmptySentence(LineProblem):
    """A sentence with nothing a caller could hear, such as "..."."""


class MissingEmergencyAdvice(LineProblem):
    """The greeting or the emergency advice does not tell callers to call the line's emergency number."""


# Lines in several languages.


class MissingTranslation(LineProblem):
    """A text callers hear is not written in one of the line's languages."""


class NotTranslated(LineProblem):
    """A line of several languages has a text written once, for one language only."""


class UnknownLanguage(LineProblem):
    """A text is written for a language the line does not name in ``languages:``."""


class LanguageSetting(LineProblem):
    """The languages of a line are set up wrongly: a voice in the wrong place, a speech_language of
    another language, more languages than the first menu has keys to offer."""


@dataclass(frozen=True)
class NoEmergencyUnderstanding(LineProblem):
    """A language for which the line has no built-in understanding of emergencies."""

    severity: Severity = "warning"


@dataclass(frozen=True)
class TooManyOptions(LineProblem):
    """More options than a caller can hold in mind; the line still works."""

    severity: Severity = "warning"


class LineInvalid(Exception):
    """A line file has errors; carries every problem found, warnings included."""

    def __init__(self, problems: Iterable[LineProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(format_problems(self.problems))

    @property
    def errors(self) -> tuple[LineProblem, ...]:
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[LineProblem, ...]:
        return tuple(problem for problem in self.problems if not problem.is_error)


def format_path(parts: YamlPath) -> str:
    """``("options", 1, "key")`` -> ``options[1].key``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def at_path(parts: YamlPath, message: str) -> str:
    """Prefix a message with the path it is about, if any."""
    path = format_path(parts)
    return f"{path}: {message}" if path else message


def summary(problems: Sequence[LineProblem]) -> str:
    """``2 errors, 1 warning``, and a note when YAML could not read the file, so nothing else was checked."""
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    counts = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    if any(isinstance(problem, YamlSyntax) for problem in problems):
        counts += " (YAML could not read the file, so nothing else in it was checked: fix this, then check again)"
    return counts


def format_problems(problems: Sequence[LineProblem]) -> str:
    """Every problem with the line it is on quoted under it, then the count."""
    return "\n".join([*(problem.described() for problem in problems), summary(problems)])


def _visible(text: str) -> str:
    """A quoted line with each tab shown as an arrow, since a tab is often the mistake."""
    return text.replace("\t", "\u2192\t").expandtabs(4)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
