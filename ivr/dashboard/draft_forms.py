"""A draft shown as its tree in plain words, each text a field of one form, each problem beside its field.

The form's fields are named by where their value is in the file (``f:nodes/main/prompt/es``), so that a
save changes only the values that differ from the revision the form was opened at, and a problem of the
checker, which carries the same path, finds its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ivr.languages import language_name
from ivr.line import editing
from ivr.line.editing import Path
from ivr.line.validate import LineProblem

#: A form field's name starts so; the rest is its path, its parts joined by "/".
PREFIX = "f:"
KINDS = {"menu": "Menu", "answer": "Answer", "transfer": "Put through to the clinic",
         "emergency": "Emergency advice"}
_CLINIC = (("name", "The clinic's name"), ("phone", "The clinic's phone number"),
           ("after_hours_phone", "The after-hours phone number"), ("emergency_number", "The emergency number"))
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class FormField:
    path: Path
    label: str
    value: str
    #: "text" (a paragraph), "line" (one line), "words" (comma-separated), "goto" (a place).
    kind: str
    hint: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return PREFIX + "/".join(str(part) for part in self.path)

    @property
    def id(self) -> str:
        return "f." + ".".join(str(part) for part in self.path)


@dataclass
class Group:
    """A part of the line: the greeting, the clinic, a place, one of a place's choices."""

    path: Path
    heading: str
    #: What it does, in plain words: "Key 1 leads to Menu 'Worrying symptoms'".
    says: str
    fields: list[FormField] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    choices: list[Group] = field(default_factory=list)
    #: For a place that may have choices, its id (the "add a choice" button names it).
    node: str | None = None
    #: For a choice: its place, its index and how many choices the place has.
    index: int | None = None
    siblings: int = 0

    @property
    def id(self) -> str:
        return "g." + ".".join(str(part) for part in self.path) if self.path else "g.line"


@dataclass(frozen=True)
class Summary:
    """A problem in the summary at the top: where it is, what, and the anchor of its field (or group)."""

    where: str
    message: str
    anchor: str
    severity: str


@dataclass
class DraftForm:
    languages: list[str]
    groups: list[Group]
    summary: list[Summary]

    def fields(self) -> Iterable[FormField]:
        for group in self.groups:
            yield from _fields_below(group)


def languages_of(data: Mapping[str, Any]) -> list[str]:
    found = data.get("languages")
    return [str(code) for code in found] if isinstance(found, Mapping) else []


def draft_form(data: CommentedMap, problems: Iterable[LineProblem]) -> DraftForm:
    """The draft's tree, with each problem beside the field (or part of the line) it is about."""
    languages = languages_of(data)
    places = _places(data)
    groups = [_line_group(data, languages, places), _clinic_group(data, languages)]
    nodes = data.get("nodes")
    for node in (nodes if isinstance(nodes, Mapping) else []):
        groups.append(_place_group(data, str(node), languages, places))
    form = DraftForm(languages, groups, [])
    _place_problems(form, list(problems))
    return form


def changes(form: Mapping[str, str], data: CommentedMap) -> list[tuple[Path, str]]:
    """The fields of a sent form whose values differ from ``data``'s, as (path, value sent)."""
    found: list[tuple[Path, str]] = []
    for name, value in form.items():
        if not name.startswith(PREFIX):
            continue
        path = editing.as_path(name[len(PREFIX):].split("/"), data)
        if _shown(editing.get(data, path), path) != _normal(value, path):
            found.append((path, value))
    return found


def apply(data: CommentedMap, changed: Iterable[tuple[Path, str]]) -> None:
    """Put each changed value into the draft: words as a list, an emptied optional text removed."""
    for path, value in changed:
        if "words" in path:
            editing.put_words(data, path, [word.strip() for word in value.split(",") if word.strip()])
        elif not value.strip() and path[:1] == ("phrases",):
            editing.remove(data, path)
        else:
            editing.put_text(data, path, value)


def _shown(value: object, path: Path) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if value is None or isinstance(value, Mapping):
        return ""
    return _normal(str(value), path)


def _normal(value: str, path: Path) -> str:
    if "words" in path:
        return ", ".join(word.strip() for word in value.split(",") if word.strip())
    return " ".join(value.split())


def _places(data: Mapping[str, Any]) -> dict[str, str]:
    """Each place's id and what staff call it: "Menu 'Main menu'"."""
    nodes = data.get("nodes")
    if not isinstance(nodes, Mapping):
        return {}
    return {str(node): _place_name(str(node), place) for node, place in nodes.items()}


def _place_name(node: str, place: object) -> str:
    kind = KINDS.get(str(editing.get(place, ("type",))), "Place")
    title = editing.get(place, ("title",))
    return f"{kind} '{title}'" if isinstance(title, str) and title.strip() else f"{kind} {node}"


def _texts(data: object, path: Path, label: str, languages: list[str], kind: str = "text",
           hint: str = "") -> list[FormField]:
    """One field for each language of the line (one alone for a line of one language)."""
    value = editing.get(data, path)
    if not languages:
        return [FormField(path, label, _shown(value, path), kind, hint)]
    fields = []
    for index, code in enumerate(languages):
        here = editing.get(value, (code,)) if isinstance(value, Mapping) else value if index == 0 else None
        fields.append(FormField((*path, code), f"{label}, in {language_name(code)}", _shown(here, path), kind, hint))
    return fields


def _line_group(data: CommentedMap, languages: list[str], places: dict[str, str]) -> Group:
    start = _shown(data.get("start"), ("start",))
    group = Group((), "The line", f"Calls start with the greeting, then {places.get(start, start or 'no place')}.")
    group.fields.append(FormField(("name",), "The line's name", _shown(data.get("name"), ("name",)), "line"))
    group.fields.extend(_texts(data, ("greeting",), "The greeting, which begins with the emergency sentence",
                               languages, hint="Said first on every call: keep it short."))
    group.fields.append(FormField(("start",), "The first place callers hear", start, "goto"))
    group.fields.extend(_texts(data, ("phrases", "emergency"), "The emergency advice", languages,
                               hint="Leave empty to say the line's own emergency advice."))
    return group


def _clinic_group(data: CommentedMap, languages: list[str]) -> Group:
    group = Group(("clinic",), "The clinic", "Who callers are put through to, and when it is open.")
    for name, label in _CLINIC:
        path: Path = ("clinic", name)
        if name == "name":
            group.fields.extend(_texts(data, path, label, languages if isinstance(editing.get(data, path), Mapping)
                                       else [], kind="line"))
        else:
            group.fields.append(FormField(path, label, _shown(editing.get(data, path), path), "line",
                                          "With + and the country code, no spaces." if "phone" in name else ""))
    zone: Path = ("clinic", "hours", "timezone")
    group.fields.append(FormField(zone, "Time zone of the opening hours", _shown(editing.get(data, zone), zone),
                                  "line", "Such as Europe/London or America/New_York."))
    for day in _DAYS:
        path = ("clinic", "hours", day)
        group.fields.append(FormField(path, f"Open on {day.capitalize()}", _shown(editing.get(data, path), path),
                                      "line", 'Such as 09:00-17:00, or "closed".'))
    return group


def _place_group(data: CommentedMap, node: str, languages: list[str], places: dict[str, str]) -> Group:
    path: Path = ("nodes", node)
    place = editing.get(data, path)
    kind = str(editing.get(place, ("type",)))
    says = {"menu": "Callers hear its prompt, then its choices.",
            "answer": "Callers hear its text, then its choices, if any.",
            "transfer": "Callers hear its text, then are put through to the clinic.",
            "emergency": "Callers hear its text, if any, then the emergency advice, twice."}
    group = Group(path, places.get(node, node), says.get(kind, "A place of a kind the line does not have."),
                  node=node if kind in ("menu", "answer") else None)
    group.fields.append(FormField((*path, "title"), "Title (for staff; callers do not hear it)",
                                  _shown(editing.get(place, ("title",)), (*path, "title")), "line"))
    texts = {"menu": ("prompt", "What callers hear first"), "answer": ("text", "The answer"),
             "transfer": ("text", "Said before putting the caller through"),
             "emergency": ("text", "Said before the emergency advice (may be empty)")}
    if kind in texts:
        name, label = texts[kind]
        group.fields.extend(_texts(data, (*path, name), label, languages))
    options = editing.get(place, ("options",))
    count = len(options) if isinstance(options, list) else 0
    group.choices.extend(_choice_group(data, node, index, count, languages, places) for index in range(count))
    return group


def _choice_group(data: CommentedMap, node: str, index: int, count: int, languages: list[str],
                  places: dict[str, str]) -> Group:
    path: Path = ("nodes", node, "options", index)
    option = editing.get(data, path)
    key, goto = _shown(editing.get(option, ("key",)), ()), _shown(editing.get(option, ("goto",)), ())
    label = editing.get(option, ("label",))
    first = editing.get(label, (languages[0],)) if languages and isinstance(label, Mapping) else label
    heading = f"Choice {index + 1}: key {key or '(none)'}" + (f", {first}" if isinstance(first, str) else "")
    group = Group(path, heading, f"Leads to {places.get(goto, goto or 'no place')}.", index=index, siblings=count,
                  node=node)
    group.fields.append(FormField((*path, "key"), "Key to press (1 to 6)", key, "line"))
    group.fields.extend(_texts(data, (*path, "label"), "What callers hear for it", languages, kind="line"))
    group.fields.extend(_texts(data, (*path, "words"), "Words callers may say for it", languages, kind="words",
                               hint="Separate them with commas."))
    group.fields.append(FormField((*path, "goto"), "Where it leads", goto, "goto"))
    return group


def _fields_below(group: Group) -> Iterable[FormField]:
    yield from group.fields
    for choice in group.choices:
        yield from _fields_below(choice)


def _groups_below(groups: list[Group]) -> Iterable[Group]:
    for group in groups:
        yield group
        yield from _groups_below(group.choices)


def _place_problems(form: DraftForm, problems: list[LineProblem]) -> None:
    """Each problem beside its field: the field at its path or the nearest above it; else the part of the line at
    its path; else the first field below its path; else the part of the line it is in. Every problem is in the
    summary too."""
    fields = list(form.fields())
    groups = list(_groups_below(form.groups))
    for problem in problems:
        path = tuple(problem.path)
        text = problem.message if problem.is_error else f"Worth a look: {problem.message}"
        above = [f for f in fields if path[:len(f.path)] == f.path]
        below = [f for f in fields if f.path[:len(path)] == path] if path else []
        exact = [g for g in groups if g.path == path]
        target: FormField | Group | None = (max(above, key=lambda f: len(f.path)) if above else
                                            exact[0] if exact else below[0] if below else None)
        if target is None:
            containing = [g for g in groups if path[:len(g.path)] == g.path]
            target = max(containing, key=lambda g: len(g.path)) if containing else None
        where = _where(target, groups, problem)
        if target is None:
            form.summary.append(Summary(where, text, "raw", problem.severity))
            continue
        target.problems.append(text)
        form.summary.append(Summary(where, text, target.id, problem.severity))


def _where(target: FormField | Group | None, groups: list[Group], problem: LineProblem) -> str:
    if target is None:
        return f"The file, line {problem.line}" if problem.line else "The file"
    path = target.path
    owner = max((g for g in groups if path[:len(g.path)] == g.path), key=lambda g: len(g.path))
    place = next((g for g in groups if g.path == path[:2]), None) if path[:1] == ("nodes",) else None
    where = f"{place.heading}, {owner.heading.lower()}" if place is not None and owner is not place else owner.heading
    return f"{where}: {target.label}" if isinstance(target, FormField) else where


def field_labels(form: DraftForm) -> dict[str, str]:
    """Each field's name and where it is, in plain words: "Menu 'Main menu': Title"."""
    labels: dict[str, str] = {}
    for group in _groups_below(form.groups):
        for item in group.fields:
            labels[item.name] = f"{group.heading}: {item.label}"
    return labels
