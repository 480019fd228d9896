"""The single values of a line file: node ids, keys and phone numbers, and the base of every part.

A value that is refused raises an error that carries what was written; what to write instead is
the checker's to say (:mod:`ivr.line.validate.advice`).
"""

from __future__ import annotations

from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

#: A node id travels in webhook URLs, so keep it to URL-safe characters.
NODE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
KEY_PATTERN = r"^[0-9*#]$"
EMERGENCY_NUMBER_PATTERN = r"^[0-9]{2,6}$"


class Frozen(BaseModel):
    """Base of every part of a line: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PhoneNumberError(ValueError):
    """A phone number that is not a valid number in E.164 form, read in the clinic's country ``region``."""

    def __init__(self, value: str, region: str | None) -> None:
        self.value = value
        self.region = region
        super().__init__(f"{value!r} is not a phone number in E.164 form (+, the country code, then the number)")


NodeId = Annotated[str, Field(pattern=NODE_ID_PATTERN)]


def _unquoted_digit(value: object) -> object:
    """YAML reads ``key: 1`` as a number; take it as the key "1"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Key = Annotated[
    str,
    Field(pattern=KEY_PATTERN),
    BeforeValidator(
        _unquoted_digit,
        json_schema_input_type=Annotated[str, Field(pattern=KEY_PATTERN)] | Annotated[int, Field(ge=0, le=9)],
    ),
]


def _e164(value: str, info: ValidationInfo) -> str:
    """A valid number in E.164 form; the loader gives the clinic's country as ``region`` in the context."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None
    if number is not None and phonenumbers.is_valid_number(number) and written == value:
        return value
    raise PhoneNumberError(value, info.context.get("region") if info.context else None)


PhoneNumber = Annotated[str, AfterValidator(_e164)]
EmergencyNumber = Annotated[str, Field(pattern=EMERGENCY_NUMBER_PATTERN)]
