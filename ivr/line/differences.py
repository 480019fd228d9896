"""What changed between two versions of a line file, in the words clinic staff use.

Both files are read as plain YAML (they are checked separately), so a difference is named from where it
is: "Answer 'How long swelling lasts': text in Spanish changed", with the old and new values beside it.
A change to what keeps a caller safe (the emergency number, the clinic's numbers, the greeting that
starts with the emergency sentence, the emergency advice) is marked, so that publishing can ask twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML

from ivr.languages import language_name

_KINDS = {"menu": "Menu", "answer": "Answer", "transfer": "Transfer", "emergency": "Emergency advice"}
_CLINIC = {"name": "The clinic's name", "phone": "The clinic's phone number",
           "after_hours_phone": "The after-hours phone number", "emergency_number": "The emergency number",
           "hours": "Opening hours"}
_TOP = {"name": "The line's name", "greeting": "The greeting, with the emergency sentence",
        "start": "The first menu", "languages": "The line's languages", "voice": "The line's voice",
        "pronounce": "How words are pronounced", "call": "How the line treats callers",
        "phrases": "The line's own sentences"}
_FIELDS = {"text": "text", "prompt": "prompt", "title": "title", "label": "label", "words": "words",
           "goto": "where it leads", "key": "key", "say": "what is said first"}
#: Where a change is one a caller's safety rests on.
_SAFETY = (("clinic", "phone"), ("clinic", "after_hours_phone"), ("clinic", "emergency_number"), ("greeting",),
           ("phrases", "emergency"))


@dataclass(frozen=True)
class Difference:
    #: Where, in plain words: "Answer 'How long swelling lasts'".
    where: str
    #: What changed there: "text in Spanish changed".
    what: str
    before: str
    after: str
    #: The emergency number, the clinic's numbers, the emergency sentence or advice.
    safety: bool


def differences(old_text: str, new_text: str) -> list[Difference]:
    """Every difference between two line files, in file order."""
    old, new = _read(old_text), _read(new_text)
    languages = [str(code) for code in (new.get("languages") or old.get("languages") or {})]
    found = list(_compare_top(old, new, languages))
    return found


def _read(text: str) -> dict[str, Any]:
    """The file as plain mappings, lists and text (it has been checked, so it parses)."""
    loaded = YAML(typ="safe", pure=True).load(text) if text.strip() else {}
    return loaded if isinstance(loaded, dict) else {}


def _compare_top(old: dict[str, Any], new: dict[str, Any], languages: list[str]) -> Iterator[Difference]:
    for name in _keys(old, new):
        if name == "nodes":
            yield from _compare_nodes(old.get("nodes") or {}, new.get("nodes") or {}, languages)
        elif name == "clinic":
            for field in _keys(old.get("clinic") or {}, new.get("clinic") or {}):
                where = _CLINIC.get(field, f"The clinic's {field}")
                yield from _values(where, "", (old.get("clinic") or {}).get(field),
                                   (new.get("clinic") or {}).get(field), languages, ("clinic", field))
        elif name == "phrases":
            for field in _keys(old.get("phrases") or {}, new.get("phrases") or {}):
                where = "The emergency advice" if field == "emergency" else f"The line's sentence '{field}'"
                yield from _values(where, "", (old.get("phrases") or {}).get(field),
                                   (new.get("phrases") or {}).get(field), languages, ("phrases", field))
        else:
            yield from _values(_TOP.get(name, f"The setting '{name}'"), "", old.get(name), new.get(name), languages,
                               (name,))


def _compare_nodes(old: dict[str, Any], new: dict[str, Any], languages: list[str]) -> Iterator[Difference]:
    for node in _keys(old, new):
        before, after = old.get(node), new.get(node)
        where = _place(after if isinstance(after, dict) else before, node)
        if before is None:
            yield Difference(where, "added", "", _plain(after, languages), _is_emergency(after))
        elif after is None:
            yield Difference(where, "removed", _plain(before, languages), "", _is_emergency(before))
        elif isinstance(before, dict) and isinstance(after, dict):
            for field in _keys(before, after):
                if field == "options":
                    yield from _compare_options(where, before.get(field) or [], after.get(field) or [], languages)
                else:
                    yield from _values(where, _FIELDS.get(field, field), before.get(field), after.get(field),
                                       languages, ("emergency",) if _is_emergency(after) else ())
        elif before != after:
            yield Difference(where, "changed", _plain(before, languages), _plain(after, languages), False)


def _compare_options(where: str, old: list[Any], new: list[Any], languages: list[str]) -> Iterator[Difference]:
    """Choices are matched by their key, so reordering them is said as such, not as every choice changed."""
    old_keys = [str(option.get("key")) for option in old if isinstance(option, dict)]
    new_keys = [str(option.get("key")) for option in new if isinstance(option, dict)]
    by_key_old = {str(o.get("key")): o for o in old if isinstance(o, dict)}
    by_key_new = {str(o.get("key")): o for o in new if isinstance(o, dict)}
    for key in dict.fromkeys([*old_keys, *new_keys]):
        before, after = by_key_old.get(key), by_key_new.get(key)
        choice = f"choice {key}"
        if before is None:
            yield Difference(where, f"{choice} added", "", _plain(after, languages), False)
        elif after is None:
            yield Difference(where, f"{choice} removed", _plain(before, languages), "", False)
        else:
            for field in _keys(before, after):
                yield from _values(where, f"{choice}, {_FIELDS.get(field, field)}", before.get(field),
                                   after.get(field), languages, ())
    common = [key for key in old_keys if key in by_key_new]
    if common != [key for key in new_keys if key in by_key_old]:
        yield Difference(where, "choices in another order", ", ".join(old_keys), ", ".join(new_keys), False)


def _values(where: str, field: str, before: Any, after: Any, languages: list[str],
            path: tuple[str, ...]) -> Iterator[Difference]:
    if before == after:
        return
    safety = any(path[:len(rule)] == rule for rule in _SAFETY) or path == ("emergency",)
    if isinstance(before, dict) and isinstance(after, dict) and _by_language(before, after, languages):
        for code in _keys(before, after):
            if before.get(code) != after.get(code):
                what = f"{field} in {language_name(code)}" if field else f"in {language_name(code)}"
                yield Difference(where, f"{what} changed".strip(), _plain(before.get(code), languages),
                                 _plain(after.get(code), languages), safety)
        return
    what = f"{field} " if field else ""
    if before is None:
        yield Difference(where, f"{what}added", "", _plain(after, languages), safety)
    elif after is None:
        yield Difference(where, f"{what}removed", _plain(before, languages), "", safety)
    else:
        yield Difference(where, f"{what}changed", _plain(before, languages), _plain(after, languages), safety)


def _by_language(before: dict[str, Any], after: dict[str, Any], languages: list[str]) -> bool:
    return bool(languages) and set(before) | set(after) <= set(languages)


def _place(node: Any, node_id: str) -> str:
    if not isinstance(node, dict):
        return f"Place '{node_id}'"
    kind = _KINDS.get(str(node.get("type")), "Place")
    title = node.get("title") or node_id
    return f"{kind} '{title}'"


def _is_emergency(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "emergency"


def _plain(value: Any, languages: list[str]) -> str:
    """A value as staff read it: text as it is, lists joined, mappings one "name: value" a line."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_plain(item, languages) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{language_name(str(k)) if str(k) in languages else k}: {_plain(v, languages)}"
                         for k, v in value.items())
    return str(value)


def _keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Both mappings' keys, the new file's order first."""
    return list(dict.fromkeys([*map(str, new), *map(str, old)]))
