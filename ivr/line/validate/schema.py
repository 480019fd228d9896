"""The JSON schema of a line file, so that an editor can check a clinic's file as it is typed.

A line file opts in with a first line such as
``# yaml-language-server: $schema=line.schema.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ivr.line.model import Line

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:ivr:line.schema.json"
TITLE = "Clinic information line"
DESCRIPTION = (
    "One clinic's phone information line: who answers, what callers hear, and the menu tree. "
    "The schema checks each value; `ivr validate` also checks the tree as a whole "
    "(every goto names a node, every node can be reached, no key is used twice in a menu)."
)


def line_json_schema() -> dict[str, Any]:
    """The schema of what the loader accepts, generated from the model."""
    schema = Line.model_json_schema(mode="validation")
    schema.pop("title", None)
    schema.pop("description", None)
    return {"$schema": DIALECT, "$id": SCHEMA_ID, "title": TITLE, "description": DESCRIPTION, **schema}


def schema_text() -> str:
    """The schema as it is written to a file: 2-space indent, trailing newline."""
    return json.dumps(line_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: str | Path) -> None:
    """Write the schema where editors will find it, e.g. prompts/line.schema.json."""
    Path(path).write_text(schema_text(), encoding="utf-8")


if __name__ == "__main__":  # python -m ivr.line.validate.schema prompts/line.schema.json
    write_schema(sys.argv[1] if len(sys.argv) > 1 else "prompts/line.schema.json")
