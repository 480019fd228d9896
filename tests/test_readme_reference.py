"""The line-file reference (docs/line-file.md) documents every field of the model, and nothing else.

Each section of a line file (walked from the model, so a new section is found too) has a table
in the reference after a ``<!-- fields: WHERE -->`` marker, with one row a field: its name, its
default (or "required"), and what it is for. A field added to the model fails this test until
its row is written; a row whose field is gone fails it too.
"""

from __future__ import annotations

import inspect
import re
import string
from typing import Any

import pytest
from pydantic import BaseModel

from ivr.config import DEFAULT_LINE_FILE, PROJECT_ROOT
from ivr.line import Line, Phrases, all_prompts, model
from ivr.line.validate import Section, load_line, sections

REFERENCE = (PROJECT_ROOT / "docs" / "line-file.md").read_text(encoding="utf-8")
SECTIONS = sections()


def _marker(section: Section) -> str:
    return section.where or "top level"


def _rows(section: Section) -> dict[str, list[str]]:
    """The reference's table for a section: field name -> its cells (default, what it is)."""
    marker = f"<!-- fields: {_marker(section)} -->"
    assert marker in REFERENCE, (
        f"docs/line-file.md documents no fields of {_marker(section)!r} ({section.model.__name__}): add "
        f"{marker} and a table of {', '.join(section.model.model_fields)} under 'What a line file holds'"
    )
    table = REFERENCE.split(marker, 1)[1].lstrip("\n").split("\n\n", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        name = re.fullmatch(r"`([a-z_]+)`", cells[0])
        assert name, f"a row of {_marker(section)!r} does not start with a `field`: {line}"
        rows[name.group(1)] = cells[1:]
    return rows


@pytest.mark.parametrize("section", SECTIONS, ids=_marker)
def test_every_field_of_each_section_has_a_row_and_every_row_a_field(section: Section) -> None:
    documented = set(_rows(section))
    fields = set(section.model.model_fields)
    assert fields - documented == set(), f"{_marker(section)}: fields the reference leaves out"
    assert documented - fields == set(), f"{_marker(section)}: rows for fields the model does not have"


@pytest.mark.parametrize("section", SECTIONS, ids=_marker)
def test_each_row_gives_the_default_and_says_what_the_field_is_for(section: Section) -> None:
    rows = _rows(section)
    for name, field in section.model.model_fields.items():
        default, purpose = rows[name]
        assert len(purpose.split()) >= 3, f"{_marker(section)}.{name}: say what it is for"
        if field.is_required():
            assert default == "required", f"{_marker(section)}.{name} is required"
        else:
            for shown in _shown(field.get_default()):
                assert shown in default, f"{_marker(section)}.{name}: the default should show {shown!r}"


def _shown(default: Any) -> list[str]:
    """What a default's cell must contain."""
    if isinstance(default, BaseModel):
        return ["see"]
    if default is None:
        return ["none"]
    if isinstance(default, bool):
        return [str(default).lower()]
    if isinstance(default, list | tuple | dict):
        return [str(item) for item in default]
    return [str(default)]


def test_every_phrase_names_every_placeholder_the_line_fills_in() -> None:
    rows = _rows(next(section for section in SECTIONS if section.model is Phrases))
    for name, names in _placeholders().items():
        for placeholder in names:
            assert f"`{{{placeholder}}}`" in rows[name][1], f"phrases.{name}: document `{{{placeholder}}}`"


def test_every_phrase_documented_without_names_uses_none() -> None:
    rows = _rows(next(section for section in SECTIONS if section.model is Phrases))
    placeholders = _placeholders()
    for name, cells in rows.items():
        if "No names." in cells[1]:
            assert not placeholders.get(name), f"phrases.{name} has {placeholders[name]}"
            assert not [part for part in string.Formatter().parse(cells[0]) if part[1]]


def _placeholders() -> dict[str, set[str]]:
    """For each phrase, the names in braces the line fills in: found by composing every prompt
    of the Botox line (with and without an after-hours number) with phrases that note them."""
    filled: dict[str, set[str]] = {}

    class Probe(str):
        def format(self, *args: Any, **names: Any) -> str:
            filled.setdefault(self.phrase, set()).update(names)
            return self.phrase

        phrase = ""

    def probe(name: str) -> Probe:
        made = Probe(name)
        made.phrase = name
        return made

    phrases = Phrases.model_construct(**{name: probe(name) for name in Phrases.model_fields})
    line = load_line(DEFAULT_LINE_FILE).line
    without = line.clinic.model_copy(update={"after_hours_phone": None})
    for variant in (line, line.model_copy(update={"clinic": without})):
        all_prompts(variant.model_copy(update={"phrases": phrases}))
    return filled


def test_the_walk_finds_every_model_of_the_line_file() -> None:
    defined = {
        cls for _, cls in inspect.getmembers(model, inspect.isclass)
        if issubclass(cls, BaseModel) and cls.__module__ == model.__name__ and cls.model_fields
    }
    assert defined <= {section.model for section in SECTIONS} | {model.Frozen}
    assert SECTIONS[0].model is Line


def test_the_reference_says_what_staff_asked_about() -> None:
    """What a clinic could not find in the README before: each is now said in the reference."""
    reference = REFERENCE.split("## What a line file holds", 1)[1]
    for said in [
        "A day left out is closed",
        "24-hour clock with two digits for the hour",
        "callers never hear it",
        "No option may use one of these words",
        "skip the menus and hear the emergency advice",
        "an eye clinic would name a sudden loss of sight",
        "is an\nerror at its line",
    ]:
        assert said in reference, said
