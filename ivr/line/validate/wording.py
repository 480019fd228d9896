"""What the model refuses, said for the clinic staff who edit the file (pass 1's messages).

Pydantic says "Input should be a valid list" about ``nodes.main.menu.options.2.words``;
this module says what to write instead, about the option on key 3.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails

from ivr.languages import key_name as spoken_key_name
from ivr.line.hours import CLOCK_PATTERN, RANGE_PATTERN
from ivr.line.texts import ONE_LANGUAGE_TAG, TRANSLATIONS_TAG, EmptyTextError
from ivr.line.validate.advice import advice
from ivr.line.validate.errors import YamlPath
from ivr.line.validate.fields import homes_of_fields, model_at, node_types
from ivr.line.validate.suggest import clock_time, language_tag
from ivr.line.values import KEY_PATTERN, NODE_ID_PATTERN

#: What each of the line's own keys does, said after "it already works everywhere".
COMMAND_PURPOSES = {
    "repeat": "to hear it again",
    "back": "to go back",
    "main_menu": "for the main menu",
    "clinic": "to speak to the clinic",
    "slower": "to slow down",
    "faster": "to speed up",
}
ALL_KEYS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#")
#: Messages to staff name the star and hash keys as a US English line says them.
_STAFF_LANGUAGE = "en-US"

#: What to write when a required field is missing.
_MISSING = {
    "name": "give it a name",
    "clinic": "add the clinic: its name, phone and hours",
    "greeting": "add the greeting, said first on every call (begin it with the emergency advice)",
    "start": "add start: and the id of the first menu",
    "nodes": "add the nodes: the menus, answers and transfers callers hear",
    "phone": 'add the clinic\'s phone number, with + and the country code, such as "+12025550143"',
    "hours": "add the opening hours: a timezone and each day's hours",
    "timezone": "add the clinic's time zone, such as America/New_York",
    "title": "add a short title (staff see it on the dashboard and in records; callers do not hear it)",
    "prompt": "add the prompt, what callers hear before the options",
    "text": "add the text read to callers",
    "options": "add the options callers choose from",
    "key": 'add the key a caller presses for it, such as key: "1"',
    "label": "add the label callers hear, such as label: For swelling (heard as \"For swelling, press 1.\")",
    "words": "add the words a caller may say for it, such as words: [swelling, swollen]",
    "goto": "add goto: and the id of the node it leads to",
    "opens": "write the hours as 09:00-17:00",
    "closes": "write the hours as 09:00-17:00",
}
#: What a too-short list needs.
_TOO_SHORT = {
    "options": "needs at least one option",
    "words": "needs at least one word or phrase a caller may say",
    "rates": "needs at least one rate",
}
#: The unit of a number, for "must be at least 8 seconds".
_UNITS = {
    "no_input_timeout": "seconds",
    "transfer_timeout": "seconds",
    "max_tries": "tries",
    "rates": "words a minute",
    "default_rate": "words a minute",
}
#: Fields whose text callers hear, for the message when it is empty.
_HEARD = {"greeting", "prompt", "text", "label"}
_PHONE_FIELDS = {"phone", "after_hours_phone"}


@dataclass(frozen=True)
class Refusal:
    """One value the model refused, with what a message about it may need."""

    details: ErrorDetails
    #: The scalar as the file writes it (YAML reads ``+12025550143`` as a number), if known.
    written: str | None
    #: The line's own keys: key -> command.
    reserved: Mapping[str, str]

    @property
    def loc(self) -> YamlPath:
        return tuple(self.details["loc"])

    @property
    def value(self) -> Any:
        return self.details["input"]

    @property
    def context(self) -> dict[str, Any]:
        return dict(self.details.get("ctx", {}))

    @property
    def field(self) -> str:
        """The last name in the location: ``("nodes", "main", "menu", "options", 2, "key")`` -> ``"key"``;
        a translation is named by its text's field: ``(..., "prompt", "[translations]", "es")`` -> ``"prompt"``."""
        parts = self.loc
        for index in range(len(parts) - 1, -1, -1):
            part = parts[index]
            if not isinstance(part, str) or part in ("[key]", ONE_LANGUAGE_TAG, TRANSLATIONS_TAG):
                continue
            if index and parts[index - 1] == TRANSLATIONS_TAG:
                continue
            return part
        return ""


def shape_message(refusal: Refusal) -> str:
    """What is wrong with the refused value, and what to write instead."""
    kind = refusal.details["type"]
    handler = _BY_TYPE.get(kind)
    message = handler(refusal) if handler is not None else ""
    if message:
        return message
    if kind.endswith(("_type", "_parsing")):
        return f"must be {_KINDS.get(kind.split('_')[0], 'something else')}, not {_describe(refusal.value)}"
    return refusal.details["msg"]


def keys_rule(reserved: Mapping[str, str]) -> str:
    """"options use keys 1 to 6; 0, 7, 8, 9, star and pound are the line's own"."""
    free = [key for key in ALL_KEYS if key not in reserved]
    own = [key for key in ALL_KEYS if key in reserved]
    return f"options use keys {_key_list(free, ranges=True)}; {_key_list(own)} are the line's own"


def key_name(key: str) -> str:
    return spoken_key_name(key, _STAFF_LANGUAGE)


def did_you_mean(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name.casefold(), [n.casefold() for n in names], n=1, cutoff=0.7)
    if not close:
        return ""
    match = next(n for n in names if n.casefold() == close[0])
    return f" (did you mean {match!r}?)"


# -- one function a pydantic error type ---------------------------------------------------------


def _missing(r: Refusal) -> str:
    hint = _MISSING.get(r.field)
    return f"required, but missing: {hint}" if hint else "required, but missing"


def _unknown(r: Refusal) -> str:
    name = r.field
    if name != name.strip() or re.search(r"[\u00a0\u2000-\u200b\ufeff]", name):
        return (
            f"the name {name!r} has an invisible character in it (perhaps pasted from another program): "
            "retype the line, indenting with spaces"
        )
    model = model_at(r.loc[:-1])
    names = list(model.model_fields) if model else []
    suggestion = did_you_mean(name, names)
    if suggestion:
        return f"unknown field{suggestion}"
    homes = [home for home in homes_of_fields().get(name, ()) if home]
    if homes:
        where = " or ".join(_home_name(home) for home in homes)
        return f"{name!r} does not belong here: it goes in {where}; check its indentation"
    if name.startswith("-"):
        return f'unknown field: to start a list item, put a space after the "-", as in "- {name[1:]}"'
    known = f"; the fields here are {', '.join(names)}" if names else ""
    return f"unknown field (check its spelling and indentation){known}"


def _no_type(r: Refusal) -> str:
    message = f"required, but missing: say which kind of node this is with type: {_or_list(list(node_types()))}"
    if isinstance(r.value, Mapping) and "prompt" in r.value:
        message += " (with a prompt and options, it is probably a menu)"
    return message


def _bad_type(r: Refusal) -> str:
    tag = str(r.context.get("tag", ""))
    kinds = list(node_types())
    return f"{tag!r} is not a kind of node{did_you_mean(tag, kinds)}: write {_or_list(kinds)}"


def _text_type(r: Refusal) -> str:
    value = r.value
    if value is None:
        return _empty(r)
    if isinstance(value, bool | int | float):
        written = r.written if r.written and not r.written.startswith(("'", '"')) else str(value)
        if r.field in _PHONE_FIELDS:
            return f'write the number in quotes, "{written}", so that YAML keeps it as it is written'
        return f'must be text: write it in quotes, as "{written}"'
    if isinstance(value, list):
        return 'must be text, not a list: remove the [ ] or the "- " in front of it'
    if isinstance(value, Mapping):
        return "must be text, not a section of fields: check the indentation of the lines below it"
    return ""


def _list_type(r: Refusal) -> str:
    value = r.value
    if isinstance(value, Mapping) and any(str(key).startswith("-") for key in value):
        return 'must be a list: put a space after each "-" that starts an item'
    if r.field == "options":
        return 'must be a list of options, each starting with "- ", as in - key: "1"'
    if isinstance(value, str):
        return f"must be a list: write [{value}], in square brackets (with commas between several)"
    return f"must be a list, such as [one, two], not {_describe(value)}"


def _section_type(r: Refusal) -> str:
    if r.value is None:
        return "is empty: its fields go on the lines below it, indented"
    return f"must be a section, with its fields on the lines below it, indented (not {_describe(r.value)})"


def _number(r: Refusal) -> str:
    unit = _UNITS.get(r.field, "")
    example = {"seconds": "10", "tries": "3"}.get(unit, "140")
    return f"{r.value!r} is not a whole number: write one, such as {example}{f' ({unit})' if unit else ''}"


def _bound(r: Refusal) -> str:
    unit = f" {_UNITS[r.field]}" if r.field in _UNITS else ""
    for key, words in (("ge", "at least"), ("le", "at most"), ("gt", "more than"), ("lt", "less than")):
        if key in r.context:
            return f"is {r.value}{unit}; it must be {words} {r.context[key]}{unit}"
    return ""


def _too_short(r: Refusal) -> str:
    return _TOO_SHORT.get(r.field, f"needs at least {r.context.get('min_length', 1)}")


def _too_long(r: Refusal) -> str:
    return f"has {r.context.get('actual_length')}; at most {r.context.get('max_length')} are allowed"


def _pattern(r: Refusal) -> str:
    pattern, value = r.context.get("pattern"), r.value
    if pattern == NODE_ID_PATTERN:
        slug = re.sub(r"[^a-z0-9_-]+", "-", str(value).lower()).strip("-_")[:64]
        hint = f": write {slug!r}" if slug else ""
        return f"{value!r} is not a node id{hint} (lower-case letters, digits, - and _ only)"
    if pattern == KEY_PATTERN:
        if "options" in r.loc:
            return f"{value!r} is not a key a caller can press: {keys_rule(r.reserved)}"
        return f"{value!r} is not a key: a key is one of 0 to 9, star (*) or pound (#), in quotes"
    if r.field == "emergency_number":
        digits = re.sub(r"\D", "", str(value))
        return f'write only the digits of the emergency number, in quotes, such as "{digits or "911"}"'
    if r.field == "speech_language":
        tag = language_tag(str(value))
        hint = f'write "{tag}"' if tag else "write a language tag such as en-US or en-GB"
        return f"{value!r} is not a language tag: {hint}"
    if pattern in (CLOCK_PATTERN, RANGE_PATTERN):
        return f"{value!r} is not a time range: write it as 09:00-17:00"
    return f"{value!r} is not written the way this field needs"


def _choice(r: Refusal) -> str:
    expected = str(r.context.get("expected", "")).replace("'", "")
    return f"{r.value!r} is not allowed here: write {expected}"


def _time(r: Refusal) -> str:
    guess = clock_time(str(r.value))
    hint = f'write "{guess}"' if guess else "write it as HH:MM on the 24-hour clock, such as 09:00 or 17:30"
    return f"{r.value!r} is not a time of day: {hint}"


def _validator(r: Refusal) -> str:
    error = r.context.get("error")
    if isinstance(error, EmptyTextError):
        return _empty(r)
    return advice(error) or str(error or "")


def _boolean(r: Refusal) -> str:
    return f"{r.value!r} is not allowed here: write true or false"


_BY_TYPE = {
    "missing": _missing,
    "extra_forbidden": _unknown,
    "union_tag_not_found": _no_type,
    "union_tag_invalid": _bad_type,
    "string_type": _text_type,
    "list_type": _list_type,
    "model_type": _section_type,
    "model_attributes_type": _section_type,
    "dict_type": _section_type,
    "int_type": _number,
    "int_parsing": _number,
    "int_from_float": _number,
    "greater_than_equal": _bound,
    "less_than_equal": _bound,
    "greater_than": _bound,
    "less_than": _bound,
    "too_short": _too_short,
    "too_long": _too_long,
    "string_pattern_mismatch": _pattern,
    "literal_error": _choice,
    "time_parsing": _time,
    "time_type": _time,
    "value_error": _validator,
    "bool_type": _boolean,
    "bool_parsing": _boolean,
}
_KINDS = {"float": "a number such as 0.8", "bool": "true or false", "dict": "a section of fields", "int": "a number"}


def _empty(r: Refusal) -> str:
    if r.field == "key" or r.loc[:1] == ("keys",):
        return 'is empty: in YAML, # starts a comment, so write "#" and "*" in quotes'
    if r.loc[:1] == ("phrases",):
        return "is empty: write the sentence, or remove the line to use the line's own"
    if r.field in _HEARD:
        return "is empty: write what callers hear"
    return "is empty"


def _home_name(home: str) -> str:
    return home.replace("nodes.<id> ", "a node ").replace("clinic.hours.<day>", "a day's hours")


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a section of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"the text {str(value)!r}"


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _key_list(keys: list[str], ranges: bool = False) -> str:
    """``["1", "2", "3"]`` -> "1 to 3" (with ``ranges``); ``["0", "*", "#"]`` -> "0, star and pound"."""
    if ranges and len(keys) > 2 and all(k.isdigit() for k in keys) and _consecutive(keys):
        return f"{keys[0]} to {keys[-1]}"
    names = [key_name(key) for key in keys]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _consecutive(keys: list[str]) -> bool:
    numbers = [int(key) for key in keys]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))
