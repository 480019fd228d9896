"""What a caller hears and says, as a line file writes it: once, or in each of the line's languages.

To mypy a :data:`Text` is the ``str`` a call speaks and :data:`Words` the ``list[str]`` a caller may
say: the code that answers calls sees a line in one language (:meth:`ivr.line.Line.in_language`),
where that is all they are. Only the views and the checker meet a text written in each language,
a :class:`Translations`, and they test for it with ``isinstance``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

from pydantic import AfterValidator, Discriminator, Field, Tag

#: Twilio refuses <Say> text over about 3,000 characters for neural voices.
MAX_SAY_CHARS = 3000
#: A language of a line, as its texts name it: "en", "es".
LANGUAGE_CODE_PATTERN = r"^[a-z]{2,3}$"
#: A language as callers speak it, for speech recognition and <Say>: "en-US", "es".
SPEECH_LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"
#: Where pydantic's error locations name which way a text was written; the loader leaves them out.
ONE_LANGUAGE_TAG = "[one language]"
TRANSLATIONS_TAG = "[translations]"

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

T = TypeVar("T")


class EmptyTextError(ValueError):
    """Text with nothing left to say once control characters and spaces are removed."""


def clean_text(value: str) -> str:
    """Remove what would break TwiML or speech (control characters), fold whitespace."""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL_CHARS.sub("", value)
    value = " ".join(value.split())
    if not value:
        raise EmptyTextError("text is empty")
    return value


def _spoken_length(value: str) -> str:
    if len(value) > MAX_SAY_CHARS:
        raise ValueError(
            f"text is {len(value)} characters; a phone prompt must be at most {MAX_SAY_CHARS}"
        )
    return value


SpokenText = Annotated[str, AfterValidator(clean_text), AfterValidator(_spoken_length)]
Word = Annotated[str, AfterValidator(clean_text)]
LanguageCode = Annotated[str, Field(pattern=LANGUAGE_CODE_PATTERN)]


class Translations(dict[str, Any]):
    """A text (or a list of words) written in each of the line's languages: ``{en: ..., es: ...}``.

    The line seen in one language (:meth:`ivr.line.Line.in_language`) holds the text of that language alone.
    """


def _written_in_languages(value: object) -> str:
    return TRANSLATIONS_TAG if isinstance(value, Mapping) else ONE_LANGUAGE_TAG


def in_languages(kind: object) -> Any:
    """``kind``, or a mapping of language codes to ``kind`` in a line of several languages."""
    return Annotated[
        Annotated[kind, Tag(ONE_LANGUAGE_TAG)]
        | Annotated[
            dict[LanguageCode, kind],  # type: ignore[valid-type]
            AfterValidator(Translations),
            Field(json_schema_extra={"propertyNames": {"pattern": LANGUAGE_CODE_PATTERN}}),
            Tag(TRANSLATIONS_TAG),
        ],
        Discriminator(_written_in_languages),
    ]


if TYPE_CHECKING:
    Text = str
    Words = list[str]
    Sayings = list[str]
else:
    #: What a caller hears, in one language or in each of the line's.
    Text = in_languages(SpokenText)
    #: Words a caller may say, in one language or in each of the line's.
    Words = in_languages(Annotated[list[Word], Field(min_length=1)])
    #: Phrases a caller may say, none or more, in one language or in each of the line's.
    Sayings = in_languages(list[Word])


def picked(value: T, code: str) -> T:
    """The text of ``code`` in a value written in each language; a value written once as it is.

    A translation that is missing falls back to another language's: only a line that is refused for
    it (its problems name the missing text) is ever seen so.
    """
    if isinstance(value, Translations):
        return cast(T, value[code] if code in value else next(iter(value.values()), ""))
    return value
