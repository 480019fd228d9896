"""The sentences of a line (:mod:`ivr.line.sentences`) checked once when the line loads.

Every text a caller can hear may hold ``{placeholders}``, filled from the line: the fixed
``phrases`` each take the names their default wording uses (and ``{clinic}`` and
``{emergency_number}``, or the six key names in the sentences about keys); the greeting,
prompts, answers and labels take ``{clinic}`` and ``{emergency_number}``. ``{{`` and ``}}``
say a brace itself. The rule here refuses, at load, an unknown or misspelt name, an
unmatched brace and a sentence with nothing to say, and a greeting (or emergency advice)
without the line's emergency number; :func:`fill` then cannot fail during a call.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from ivr.line.model import AnswerNode, Line, MenuNode, Phrases, TransferNode
from ivr.line.sentences import (
    LINE_NAMES,
    Placeholder,
    TemplateError,
    UnfillableName,
    UnmatchedBraces,
    fill,
    names_number,
    parse,
    phrase_names,
)
from ivr.line.validate.checks import Locate
from ivr.line.validate.errors import (
    EmptySentence,
    LineProblem,
    MissingEmergencyAdvice,
    UnknownPlaceholder,
    UnmatchedBrace,
)

_ADVICE_EXAMPLE = (
    "If you have trouble breathing, swallowing or speaking, hang up now and call {emergency_number}."
)
#: The kind of problem for each way a sentence cannot be read.
_TEMPLATE_PROBLEMS: dict[type[TemplateError], type[LineProblem]] = {
    UnmatchedBraces: UnmatchedBrace,
    UnfillableName: UnknownPlaceholder,
}


def check_sentences(line: Line, locate: Locate) -> Iterator[LineProblem]:
    """Every problem with the sentences of ``line``, each where it is written."""
    broken: set[tuple[str | int, ...]] = set()
    for path, text, allowed in _sentences(line):
        for problem in _template_problems(locate, path, text, allowed):
            broken.add(path)
            yield problem
    number = line.clinic.emergency_number
    for path, text in ((("greeting",), line.greeting), (("phrases", "emergency"), line.phrases.emergency)):
        if path not in broken and not names_number(fill(text, {"emergency_number": number}), number):
            yield _problem(MissingEmergencyAdvice, locate, path, _advice_message(path, text, number))


def _sentences(line: Line) -> Iterator[tuple[tuple[str | int, ...], str, frozenset[str]]]:
    """(where it is written, text, names it may use) of every sentence of the line."""
    yield ("greeting",), line.greeting, LINE_NAMES
    for phrase in Phrases.model_fields:
        yield ("phrases", phrase), getattr(line.phrases, phrase), phrase_names(phrase)
    for node_id, node in line.nodes.items():
        if isinstance(node, MenuNode):
            yield ("nodes", node_id, "prompt"), node.prompt, LINE_NAMES
        elif isinstance(node, AnswerNode | TransferNode) or node.text:
            yield ("nodes", node_id, "text"), node.text or "", LINE_NAMES
        for index, option in enumerate(node.options if isinstance(node, MenuNode | AnswerNode) else ()):
            yield ("nodes", node_id, "options", index, "label"), option.label, LINE_NAMES


def _template_problems(
    locate: Locate, path: tuple[str | int, ...], text: str, allowed: frozenset[str]
) -> Iterator[LineProblem]:
    try:
        template = parse(text)
    except TemplateError as error:
        yield _problem(_TEMPLATE_PROBLEMS[type(error)], locate, path, str(error))
        return
    names = [piece.name for piece in template if isinstance(piece, Placeholder)]
    for name in dict.fromkeys(names):
        if name not in allowed:
            yield _problem(UnknownPlaceholder, locate, path, _unknown_message(name, allowed))
    literal = "".join(piece for piece in template if isinstance(piece, str))
    if not names and not any(char.isalnum() for char in literal):
        yield _problem(EmptySentence, locate, path, f"{text!r} has nothing a caller could hear; write a sentence")


def _advice_message(path: tuple[str | int, ...], text: str, number: str) -> str:
    said = sorted(set(re.findall(r"(?<!\d)\d{2,4}(?!\d)", text)) - {number})
    also = f" (it says {', '.join(said)}, but the line's emergency_number is {number})" if said else ""
    what = "the greeting" if path == ("greeting",) else "the emergency advice"
    return (
        f"{what} must tell callers to call the emergency number {number}{also}; "
        f"for example: {_ADVICE_EXAMPLE}"
    )


def _unknown_message(name: str, allowed: frozenset[str]) -> str:
    close = difflib.get_close_matches(name, sorted(allowed), n=1)
    hint = f" (did you mean {{{close[0]}}}?)" if close else ""
    if not allowed:
        return f"{{{name}}} is not something this sentence can fill in{hint}; write it without braces"
    usable = ", ".join(f"{{{n}}}" for n in sorted(allowed))
    return f"{{{name}}} is not something this sentence can fill in{hint}; it can use {usable}"


def _problem(kind: type[LineProblem], locate: Locate, path: tuple[str | int, ...], message: str) -> LineProblem:
    return locate.problem(kind, path, message)
