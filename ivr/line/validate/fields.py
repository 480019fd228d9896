"""The sections of a line file and the fields of each, read from the model itself.

Messages use it to say where a misplaced field belongs, and the README's reference is
tested against it, so that a field added to the model cannot go undocumented.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from ivr.line.model import Line
from ivr.line.validate.errors import YamlPath


@dataclass(frozen=True)
class Section:
    """One kind of mapping in a line file: where it first appears, and its model."""

    #: Where it is, as staff read it: "clinic.hours", "nodes.<id> (menu)", "an option".
    where: str
    model: type[BaseModel]


def sections(root: type[BaseModel] = Line) -> list[Section]:
    """Every model reachable from ``root``, each once, top level first."""
    found: dict[type[BaseModel], str] = {root: ""}
    waiting = [root]
    while waiting:
        model = waiting.pop(0)
        for name, field in model.model_fields.items():
            for inner in _models_in(field.annotation):
                if inner not in found:
                    found[inner] = _where(found[model], name, inner)
                    waiting.append(inner)
    return [Section(where, model) for model, where in found.items()]


def model_at(loc: YamlPath, root: type[BaseModel] = Line) -> type[BaseModel] | None:
    """The model of the mapping at a pydantic error location, such as ``("nodes", "main", "menu")``.

    A tagged union's members are told apart by the tag pydantic puts in the location.
    """
    here: object = root
    for part in loc:
        if isinstance(here, type) and issubclass(here, BaseModel):
            field = here.model_fields.get(str(part))
            if field is None:
                return None
            here = field.annotation
            continue
        here = _step_into(here, part)
        if here is None:
            return None
    here = _unwrap(here)
    return here if isinstance(here, type) and issubclass(here, BaseModel) else None


@functools.cache
def homes_of_fields() -> dict[str, tuple[str, ...]]:
    """For each field name, the sections that have it: ``"timezone" -> ("clinic.hours",)``."""
    homes: dict[str, list[str]] = {}
    for section in sections():
        for name in section.model.model_fields:
            homes.setdefault(name, []).append(section.where)
    return {name: tuple(places) for name, places in homes.items()}


def node_types() -> dict[str, type[BaseModel]]:
    """Each node type's name (``type: menu``) and its model."""
    return {_tag(model): model for model in _models_in(Line.model_fields["nodes"].annotation)}


def _where(parent: str, name: str, model: type[BaseModel]) -> str:
    if name == "options":
        return "an option"
    if name == "nodes":
        return f"nodes.<id> ({_tag(model)})"
    if name == "languages":
        return "languages.<code>"
    if parent.startswith("clinic.hours") and name != "hours":
        return "clinic.hours.<day>"
    return f"{parent}.{name}" if parent else name


def _tag(model: type[BaseModel]) -> str:
    args = typing.get_args(model.model_fields["type"].annotation)
    return str(args[0]) if args else model.__name__


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _unwrap(annotation: object) -> object:
    """``Annotated[X, ...]`` and ``X | None`` -> ``X``."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif _is_union(annotation):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _step_into(annotation: object, part: str | int) -> object | None:
    """The annotation one location part further in: a list's item, a dict's value, a union's member."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is list and isinstance(part, int):
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    if _is_union(annotation):
        members = {_tag(model): model for model in _models_in(annotation)}
        return members.get(str(part))
    return None


def _is_union(annotation: object) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)
