"""YAML syntax errors, said in plain words at the line a person must fix.

The YAML library reports where it gave up, in its own terms ("expected <block end>,
but found '<scalar>'"), often a line or two after the mistake. Each diagnosis here
recognises one common mistake from the library's error and the text around it; the
first that fits names the line and column of the mistake and says what to write.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.tokens import (
    FlowMappingStartToken,
    FlowSequenceStartToken,
    ScalarToken,
    Token,
)

from ivr.line.validate.errors import LineProblem, YamlSyntax

_KEY_LINE = re.compile(r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[^\s:#][^:#]*?):(?:\s+(?P<value>.*?))?\s*(?:\s#.*)?$")


@dataclass(frozen=True)
class _Trouble:
    """A syntax error and the text it is in."""

    error: MarkedYAMLError
    text: str
    lines: list[str]
    tokens: list[Token]

    @property
    def problem(self) -> str:
        return self.error.problem or ""

    @property
    def context(self) -> str:
        return self.error.context or ""

    @property
    def line(self) -> int:
        """0-based line of the place the library gave up."""
        mark = self.error.problem_mark or self.error.context_mark
        return mark.line if mark else 0

    @property
    def column(self) -> int:
        mark = self.error.problem_mark or self.error.context_mark
        return mark.column if mark else 0

    def source(self, line: int) -> str:
        return self.lines[line] if 0 <= line < len(self.lines) else ""

    def previous_content_line(self, line: int) -> int | None:
        """The nearest line above ``line`` that holds something (not blank, not a comment)."""
        for number in range(min(line, len(self.lines)) - 1, -1, -1):
            stripped = self.lines[number].strip()
            if stripped and not stripped.startswith("#"):
                return number
        return None


#: A problem's 0-based line and column, and its message.
_Found = tuple[int, int, str]


def syntax_problems(error: YAMLError, text: str, file: str) -> list[LineProblem]:
    """What is wrong, in plain words, with the file's text that YAML could not read."""
    if isinstance(error, ReaderError):
        before = text[: error.position]
        line = before.count("\n")
        column = len(before) - (before.rfind("\n") + 1)
        message = (
            f"character U+{error.character:04X} is not allowed in a line file: delete it "
            "(it may be invisible, pasted from another program)"
        )
        return [_problem(file, text, (line, column, message))]
    if not isinstance(error, MarkedYAMLError):
        return [YamlSyntax(file, None, None, f"YAML cannot read this file: {error}")]
    trouble = _Trouble(error, text, text.splitlines(), _tokens(text))
    for diagnose in _DIAGNOSES:
        found = diagnose(trouble)
        if found:
            return [_problem(file, text, each) for each in found]
    return [_problem(file, text, _unrecognised(trouble))]


def _problem(file: str, text: str, found: _Found) -> LineProblem:
    line, column, message = found
    return YamlSyntax(file, line + 1, None, message, column=column)


def _tokens(text: str) -> list[Token]:
    """The YAML tokens of ``text`` up to where scanning fails."""
    tokens: list[Token] = []
    with contextlib.suppress(YAMLError):
        tokens.extend(YAML(typ="rt").scan(text))  # keeps the tokens scanned before an error
    return tokens


# -- the diagnoses, in the order they are tried --------------------------------------------


def _tabs(trouble: _Trouble) -> list[_Found]:
    """Every line indented with a tab (they are all the same mistake), or the one tab found elsewhere."""
    if "'\\t'" not in trouble.problem:
        return []
    indented = [number for number, line in enumerate(trouble.lines) if "\t" in _leading_space(line)]
    if indented:
        return [(number, trouble.lines[number].index("\t"), "a tab is used to indent this line: use spaces")
                for number in indented]
    return [(trouble.line, trouble.column, "a tab here: YAML allows only spaces between the parts of a line")]


def _unclosed_quote(trouble: _Trouble) -> list[_Found]:
    """A quote opened on an earlier line and closed only by the next quote, or never."""
    if "while scanning a quoted scalar" in trouble.context and trouble.error.context_mark:
        mark = trouble.error.context_mark
        return [(mark.line, mark.column, _unclosed_message(trouble.source(mark.line)[mark.column]))]
    for token in trouble.tokens:
        if (
            isinstance(token, ScalarToken)
            and token.style in ('"', "'")
            and token.start_mark.line < token.end_mark.line == trouble.line
        ):
            start = token.start_mark
            return [(start.line, start.column, _unclosed_message(str(token.style)))]
    return []


def _unclosed_message(quote: str) -> str:
    return f"the text opened with {quote} here is not closed on this line: end it with {quote} too"


def _text_after_closing(trouble: _Trouble) -> list[_Found]:
    """Quoted text, a [list] or a {section} that the line goes on after: meant as one text."""
    if "expected <block end>, but found '<scalar>'" not in trouble.problem:
        return []
    opened: Token | None = None
    for token in trouble.tokens:
        if token.start_mark.line != trouble.line or token.end_mark.column > trouble.column:
            continue
        quoted = isinstance(token, ScalarToken) and token.style in ('"', "'")
        bracket = isinstance(token, FlowMappingStartToken | FlowSequenceStartToken) and opened is None
        if quoted or bracket:
            opened = token
    if opened is None:
        return []
    source = trouble.source(trouble.line)
    if isinstance(opened, ScalarToken):
        quote = str(opened.style)
        other = "single" if quote == '"' else "double"
        message = (
            f"the text goes on after its closing {quote}: to use {quote} inside a text, "
            f"put the whole text in {other} quotes instead"
        )
        suggestion = _requoted(source, quote)
    else:
        opener = source[opened.start_mark.column]
        kind = "a list" if opener == "[" else "a section of fields"
        message = f"a text that begins with {opener} is read as {kind}: put the whole text in quotes"
        suggestion = _quoted(source)
    if suggestion:
        message += f", as in {suggestion}"
    return [(trouble.line, opened.start_mark.column, message)]


def _unclosed_bracket(trouble: _Trouble) -> list[_Found]:
    mark = trouble.error.context_mark
    if mark is None or not trouble.context.startswith("while parsing a flow"):
        return []
    if "flow sequence" in trouble.context:
        return [(mark.line, mark.column, "the list opened with [ here is not closed: end it with ] on this line")]
    return [(mark.line, mark.column, "the { here opens a section that is not closed: if it is text, put it in quotes")]


def _colon_in_text(trouble: _Trouble) -> list[_Found]:
    """``title: Main menu: the first one``: the second ": " reads as another field."""
    if "mapping values are not allowed here" not in trouble.problem:
        return []
    source = trouble.source(trouble.line)
    first = source.find(": ")
    if first < 0 or first + 2 > trouble.column or not source[first + 2 :].strip():
        return []
    suggestion = _quoted(source)
    message = 'the text has ": " in it, which YAML reads as the start of another field: put the whole text in quotes'
    return [(trouble.line, trouble.column, message + (f", as in {suggestion}" if suggestion else ""))]


def _missing_colon(trouble: _Trouble) -> list[_Found]:
    """A field written without its colon, or without a space after it."""
    if "could not find expected ':'" in trouble.problem and trouble.error.context_mark:
        line = trouble.error.context_mark.line
    elif "mapping values are not allowed here" in trouble.problem:
        previous = trouble.previous_content_line(trouble.line)
        if previous is None or ":" in trouble.source(previous):
            return []
        if _key_column(trouble.source(previous)) != _key_column(trouble.source(trouble.line)):
            return []
        line = previous
    else:
        return []
    source = trouble.source(line)
    body = source.strip()
    prefix = source[: len(source) - len(source.lstrip())]
    if body.startswith("- "):
        prefix, body = prefix + "- ", body[2:].lstrip()
    squeezed = re.match(r"^([^\s:]+):(\S.*)$", body)
    if squeezed:
        return [(line, len(prefix) + len(squeezed.group(1)) + 1,
                 f'put a space after the colon: write "{squeezed.group(1)}: {squeezed.group(2)}"')]
    name, _, rest = body.partition(" ")
    if not rest:
        return [(line, len(prefix) + len(name), f'a colon is missing after "{name}": write "{name}:"')]
    advice = f'write "{name}: {rest}" (the name, a colon and a space, then the value)'
    return [(line, len(prefix) + len(name), f'a colon is missing after "{name}": {advice}')]


def _dash_without_space(trouble: _Trouble) -> list[_Found]:
    """``-key: "1"`` among ``- key:`` items: without its space, the dash is part of the name."""
    mark = trouble.error.context_mark
    first = mark.line if mark is not None else trouble.line
    for number in range(first, trouble.line + 1):
        squeezed = re.match(r"^(\s*)-([^\s-].*)$", trouble.source(number))
        if squeezed:
            return [(number, len(squeezed.group(1)) + 1,
                     f'put a space after the "-" that starts this list item: "- {squeezed.group(2)}"')]
    return []


def _missing_dash(trouble: _Trouble) -> list[_Found]:
    """A field at the level of the list items above, without their "- "."""
    if trouble.context != "while parsing a block collection" or "found '?'" not in trouble.problem:
        return []
    return [(trouble.line, trouble.column,
             'this line is at the level of the list items above it, which start with "- ": '
             'start it with "- " to begin a new item, or indent it to belong to the item above')]


def _bad_indent(trouble: _Trouble) -> list[_Found]:
    """A line indented by a different number of spaces from the lines it goes with."""
    less = "expected <block end>, but found '<block mapping start>'" in trouble.problem
    more = "mapping values are not allowed here" in trouble.problem
    if not (less or more):
        return []
    source = trouble.source(trouble.line)
    indent = _indent(source)
    levels = _open_levels(trouble, trouble.line)
    if not levels:
        return []
    if more and indent <= levels[0][0]:
        return []
    best, number = min(levels, key=lambda level: (abs(level[0] - indent), -level[0]))
    return [(trouble.line, indent,
             f"this line is indented by {_spaces(indent)}, but the line it goes with "
             f"({_name_of(trouble.source(number))!r} on line {number + 1}) by {_spaces(best)}: line them up")]


def _needs_quotes(trouble: _Trouble) -> list[_Found]:
    """Text that begins with a character YAML keeps for itself: @ ` * & ! % | > ? -."""
    problem = trouble.problem
    started = re.search(r"found character '(.)' that cannot start any token", problem)
    if started:
        character = started.group(1)
    elif "alias" in problem or "while scanning an alias" in trouble.context:
        character = "*"
    elif "sequence entries are not allowed here" in problem:
        character = "-"
    elif "mapping keys are not allowed here" in problem:
        character = "?"
    else:
        return []
    source = trouble.source(trouble.line)
    column = source.find(character, trouble.column) if character in source[trouble.column :] else trouble.column
    if character == "*" and re.match(r"^\s*(-\s+)?key:\s*\*\s*(#.*)?$", source):
        return [(trouble.line, column, 'in YAML a * alone means something else: write the key as "*", in quotes')]
    suggestion = _quoted(source)
    message = f"YAML keeps {character} at the start of a text for itself: put the whole text in quotes"
    return [(trouble.line, column, message + (f", as in {suggestion}" if suggestion else ""))]


def _directive(trouble: _Trouble) -> list[_Found]:
    if "expected '<document start>'" not in trouble.problem:
        return []
    for number, line in enumerate(trouble.lines):
        if line.startswith("%"):
            message = "a line that begins with % is read as a YAML instruction: indent it, or put it in quotes"
            return [(number, 0, message)]
    return []


_DIAGNOSES: tuple[Callable[[_Trouble], list[_Found]], ...] = (
    _tabs,
    _unclosed_quote,
    _text_after_closing,
    _unclosed_bracket,
    _colon_in_text,
    _missing_colon,
    _dash_without_space,
    _missing_dash,
    _bad_indent,
    _needs_quotes,
    _directive,
)


def _unrecognised(trouble: _Trouble) -> _Found:
    """What the library said, as a last resort, at the place it said it."""
    said = trouble.problem or trouble.context or "not valid YAML"
    mark = trouble.error.context_mark
    if trouble.problem and trouble.context and mark is not None and mark.line != trouble.line:
        said += f" ({trouble.context} on line {mark.line + 1})"
    return (trouble.line, trouble.column, f"YAML cannot read this line ({said}); check its indentation and quotes")


# -- helpers --------------------------------------------------------------------------------


def _leading_space(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _name_of(source: str) -> str:
    """What a line is called: its field's name with a colon, else its text."""
    match = _KEY_LINE.match(source)
    return f"{match.group('key')}:" if match else source.strip()[:30]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_column(line: str) -> int:
    """Where a line's field starts: after the "- " of a list item."""
    indent = _indent(line)
    return indent + 2 if line[indent:].startswith("- ") else indent


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def _open_levels(trouble: _Trouble, line: int) -> list[tuple[int, int]]:
    """The indents a line could line up with: the line above, and each less indented one above that.

    A list item's fields line up after its "- ", so ``- key:`` counts at the column of ``key``.
    """
    levels: list[tuple[int, int]] = []
    number = trouble.previous_content_line(line)
    while number is not None:
        source = trouble.source(number)
        indent = _indent(source)
        column = _key_column(source)
        if not levels or column < levels[-1][0]:
            levels.append((column, number))
        if indent == 0:
            break
        number = trouble.previous_content_line(number)
    return levels


def _requoted(source: str, quote: str) -> str | None:
    """``key: 'don't'`` as it should be written: ``key: "don't"``."""
    match = _KEY_LINE.match(source)
    if not match or not match.group("value"):
        return None
    key, value = match.group("key"), match.group("value")
    inner = value[1:-1] if len(value) > 1 and value[0] == value[-1] == quote else value
    other = "'" if quote == '"' else '"'
    if other in inner or len(inner) > 60:
        return None
    return f"{key}: {other}{inner}{other}"


def _quoted(source: str) -> str | None:
    """``key: the text`` as it should be written, with the text in double quotes."""
    match = _KEY_LINE.match(source)
    if not match or not match.group("value"):
        return None
    key, value = match.group("key"), match.group("value")
    if len(value) > 60:
        return None
    return f"{key}: {json.dumps(value, ensure_ascii=False)}"
