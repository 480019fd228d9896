"""The sentences of a line as templates: ``call {emergency_number}``, filled in during calls.

Every text a caller can hear may hold ``{placeholders}``, filled from the line: the fixed
``phrases`` each take the names their default wording uses (and ``{clinic}`` and
``{emergency_number}``, or the six key names in the sentences about keys); the greeting,
prompts, answers and labels take ``{clinic}`` and ``{emergency_number}``. ``{{`` and ``}}``
say a brace itself. The checker refuses a line whose sentences cannot all be filled
(:mod:`ivr.line.validate.sentences`), so :func:`fill` cannot fail during a call.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from ivr.line.model import Keys, Phrases

#: The names every text of a line may use.
LINE_NAMES = frozenset({"clinic", "emergency_number"})
#: The names of the line-wide keys, which the sentences about keys use ({clinic} is then the clinic's key).
KEY_NAMES = frozenset(Keys.model_fields)
KEY_SENTENCES = frozenset({"navigation", "pace", "main_menu_offer", "opening_keys"})


class TemplateError(ValueError):
    """Text that cannot be read as a template; the message says why, for clinic staff."""


class UnmatchedBraces(TemplateError):
    """A ``{`` without its ``}``, or the other way round."""


class UnfillableName(TemplateError):
    """A placeholder written with more than a name, such as ``{clinic!r}``."""


@dataclass(frozen=True)
class Placeholder:
    name: str


Template = tuple[str | Placeholder, ...]


def parse(text: str) -> Template:
    """The literal parts and placeholders of ``text``; raises TemplateError."""
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError as error:
        raise UnmatchedBraces(_brace_message(str(error))) from None
    template: list[str | Placeholder] = []
    for literal, name, spec, conversion in pieces:
        if literal:
            template.append(literal)
        if name is None:
            continue
        written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if not name.isidentifier() or spec or conversion:
            raise UnfillableName(
                f"{written} cannot be filled in: write a name alone in braces, such as {{clinic}}"
            )
        template.append(Placeholder(name))
    return tuple(template)


def names_in(text: str) -> frozenset[str]:
    """The placeholder names ``text`` uses (none if it cannot be read)."""
    try:
        return frozenset(piece.name for piece in parse(text) if isinstance(piece, Placeholder))
    except TemplateError:
        return frozenset()


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its placeholders filled. Never raises: this runs during calls.

    A text that passed the checker (:mod:`ivr.line.validate.sentences`) fills completely; anything
    else (a line built in code) keeps an unknown ``{name}`` as written rather than break the call.
    """
    try:
        template = parse(text)
    except TemplateError:
        return text
    return "".join(
        piece if isinstance(piece, str) else values.get(piece.name, "{" + piece.name + "}") for piece in template
    )


def phrase_names(phrase: str) -> frozenset[str]:
    """The placeholders a phrase of ``phrases:`` may use."""
    field = Phrases.model_fields[phrase]
    own = names_in(str(field.default))
    return own | (KEY_NAMES if phrase in KEY_SENTENCES else LINE_NAMES)


def names_number(text: str, number: str) -> bool:
    """Whether ``text`` says ``number`` as a whole number, its digits together or spaced ("9 1 1")."""
    digits = r"[\s,.-]*".join(map(re.escape, number))
    return re.search(rf"(?<!\d){digits}(?!\d)", text) is not None


def _brace_message(error: str) -> str:
    if "Single '}'" in error:
        return "a '}' has no '{' before it; to say a brace itself, write }}"
    return "a '{' is not closed with '}'; to say a brace itself, write {{"
