"""One language's data for understanding by meaning, read from ``ivr/languages/<code>/understanding.yaml``."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from importlib.resources.abc import Traversable
from typing import cast

from ruamel.yaml import YAML

from ivr.languages import language


@dataclass(frozen=True)
class Thresholds:
    """Where the understanding decides, on the cosine of a caller's words to a place's nearest examples."""

    #: The model alone gives the emergency advice only at or above this (the rules do at any score).
    emergency: float
    #: ... and only this far ahead of the best place that is not an emergency.
    emergency_margin: float
    #: A place at or above this, and ahead of the next by ``margin``, is taken without asking.
    sure: float
    margin: float
    #: Below this nothing is understood.
    floor: float
    #: The line's classifier of emergencies (:mod:`ivr.call.meaning.classifier`) gives the advice at or above
    #: this probability, whatever the nearest examples say (above 1: never).
    classifier: float = 2.0
    #: ... and only where the nearest emergency sign is this far ahead of the mild things ("my throat is dry").
    classifier_mild_margin: float = 0.0
    #: ... and only where the nearest emergency sign scores at least this.
    classifier_floor: float = 0.0
    #: Where the two agree, less sure each: the nearest examples' best place is an emergency sign, ``agree_margin``
    #: ahead of every other place, and the classifier gives at least this (with the floor and the mild margin
    #: above). A caller in danger whose words are near no one example ("the words get stuck before they come
    #: out") is caught by both at once more often than by either alone.
    agree: float = 2.0
    agree_margin: float = 0.0
    #: ... and the emergency sign scores at least this (and ``classifier_floor``).
    agree_floor: float = 0.0


@dataclass(frozen=True)
class Understanding:
    """What a language's pack says about understanding callers by meaning."""

    code: str
    #: How many of a place's nearest examples its score is the mean of.
    nearest: int
    thresholds: Thresholds
    #: Words that answer the question back: yes, no.
    yes: tuple[str, ...]
    no: tuple[str, ...]
    #: Emergency signs (breathing, swallowing, speaking) and their examples.
    emergency: Mapping[str, tuple[str, ...]]
    #: The line-wide commands' examples, by command.
    commands: Mapping[str, tuple[str, ...]]
    #: What callers ask that no line of this kind covers.
    out_of_scope: tuple[str, ...]
    #: Mild things that are no emergency: the model's emergency advice must be ahead of them too.
    mild: tuple[str, ...] = ()
    #: What a recogniser writes for a caller's words, and the words (``"feel week"``: ``"feel weak"``), put back
    #: before the meaning reads them: phrases, so that a word heard right elsewhere ("a week ago") stays.
    heard_as: Mapping[str, str] = field(default_factory=dict)


def read_thresholds(path: Traversable, limits: Mapping[str, object] | None) -> Thresholds:
    """The pack's thresholds, by name: each one the pack leaves out has its default, where it has one. Every
    problem is refused at once, each by its threshold's name."""
    limits = limits or {}
    names = {known.name: known for known in fields(Thresholds)}
    problems = [f"{name} is not a threshold" for name in sorted(map(str, limits)) if name not in names]
    problems += [f"{name} is missing" for name, known in names.items()
                 if known.default is MISSING and name not in limits]
    problems += [f"{name} is {value!r}, not a number" for name, value in limits.items()
                 if name in names and not _number(value)]
    if problems:
        raise ValueError(f"{path}: thresholds: " + "; ".join(problems))
    return Thresholds(**{str(name): float(cast(float, value)) for name, value in limits.items()})


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@functools.cache
def load_understanding(code: str) -> Understanding | None:
    """The understanding data of ``code``'s pack, None when it has none."""
    path = language(code).understanding
    if path is None:
        return None
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    nearest = int(data.get("nearest", 3))
    if nearest < 1:
        raise ValueError(f"{path}: nearest is how many of a place's examples its score is the mean of: 1 or more")
    limits = data["thresholds"]
    examples = data["examples"]
    return Understanding(
        code=code,
        nearest=nearest,
        thresholds=read_thresholds(path, limits),
        yes=_texts(data["yes"]),
        no=_texts(data["no"]),
        emergency={str(sign): _texts(texts) for sign, texts in examples["emergency"].items()},
        commands={str(command): _texts(texts) for command, texts in examples["commands"].items()},
        out_of_scope=_texts(examples["out_of_scope"]),
        mild=_texts(examples.get("mild")),
        heard_as={" ".join(str(heard).lower().split()): " ".join(str(meant).lower().split())
                  for heard, meant in (data.get("heard_as") or {}).items()},
    )


def _texts(values: object) -> tuple[str, ...]:
    return tuple(" ".join(str(value).split()) for value in values or ())  # type: ignore[attr-defined]
