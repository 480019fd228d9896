"""Pass 1 of checking a line file: the model checks each value, and every refusal becomes a problem."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import phonenumbers
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ivr.line.model import Line
from ivr.line.texts import ONE_LANGUAGE_TAG, TRANSLATIONS_TAG, EmptyTextError
from ivr.line.validate.errors import (
    BadPhoneNumber,
    EmptyText,
    LineProblem,
    MissingField,
    ShapeProblem,
    UnknownField,
    WrongType,
    YamlPath,
)
from ivr.line.validate.fields import model_at
from ivr.line.validate.locate import YamlLocator
from ivr.line.validate.suggest import region_of_zone, zone_name
from ivr.line.validate.tree import readable_keys
from ivr.line.validate.wording import Refusal, shape_message
from ivr.line.values import PhoneNumberError


def check_shape(locate: YamlLocator) -> tuple[Line | None, list[LineProblem]]:
    """The line, if every value is right; and a problem for each value that is not."""
    root = locate.root
    try:
        line = Line.model_validate(_plain(root), context={"region": clinic_region(root)})
    except ValidationError as error:
        reserved = readable_keys(root)
        refusals = _without_fields_found_elsewhere(error.errors(include_url=False))
        return None, [_problem(details, locate, reserved) for details in refusals]
    return line, []


def clinic_region(root: object) -> str | None:
    """The clinic's country, to read its phone numbers with: from a number in E.164 form, else its time zone."""
    clinic = root.get("clinic") if isinstance(root, Mapping) else None
    if not isinstance(clinic, Mapping):
        return None
    for field in ("phone", "after_hours_phone"):
        number = clinic.get(field)
        if isinstance(number, str) and number.strip().startswith("+"):
            try:
                region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
            except phonenumbers.NumberParseException:
                continue
            if region and region != "ZZ":
                return region
    hours = clinic.get("hours")
    zone = hours.get("timezone") if isinstance(hours, Mapping) else None
    if isinstance(zone, str):
        return region_of_zone(zone) or region_of_zone(zone_name(zone) or "")
    return None


def _without_fields_found_elsewhere(refusals: list[ErrorDetails]) -> list[ErrorDetails]:
    """Leave out a "missing" field that the file has, misspelt or in the wrong section.

    ``lable:`` gives "unknown field (did you mean 'label'?)"; "label: required, but missing"
    would only say the same again.
    """
    unknown = [tuple(details["loc"]) for details in refusals if details["type"] == "extra_forbidden"]
    found_names = {str(loc[-1]) for loc in unknown}
    found_near = {(loc[:-1], close) for loc in unknown for close in _close_names(loc)}

    def found_elsewhere(details: ErrorDetails) -> bool:
        loc = tuple(details["loc"])
        return details["type"] == "missing" and (str(loc[-1]) in found_names or (loc[:-1], loc[-1]) in found_near)

    return [details for details in refusals if not found_elsewhere(details)]


def _close_names(loc: YamlPath) -> list[str]:
    model = model_at(loc[:-1])
    names = list(model.model_fields) if model else []
    return difflib.get_close_matches(str(loc[-1]).casefold(), names, n=1, cutoff=0.7)


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


def _problem(details: ErrorDetails, locate: YamlLocator, reserved: Mapping[str, str]) -> LineProblem:
    # How a text was written (once, or in each language) is in the location, not in the file.
    loc: YamlPath = tuple(part for part in details["loc"] if part not in (ONE_LANGUAGE_TAG, TRANSLATIONS_TAG))
    if details["type"].startswith("union_tag_"):
        loc = (*loc, "type")
    _, path = locate.walk(loc)
    refusal = Refusal(details, locate.written(path), reserved)
    at_key = details["type"] == "extra_forbidden" or path[-1:] == ("[key]",)
    if path[-1:] == ("[key]",):
        path = path[:-1]
    return locate.problem(_kind(details), path, shape_message(refusal), at_key=at_key)


def _kind(details: ErrorDetails) -> type[LineProblem]:
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
