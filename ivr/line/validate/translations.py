"""Checks of a line in several languages: every text in each language, and the languages set up right.

They read the parsed file, as the tree's checks do, so that a missing translation is reported
beside any other problem: ``prompts/x.yaml:40: error: node 'main': prompt.es: ...``. The sentence
checks then run once in each language (:class:`InLanguage` names the language in their paths).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ivr.languages import find, has, language_name
from ivr.line.model import OFFER_KEYS, CommandWords, Phrases
from ivr.line.texts import LANGUAGE_CODE_PATTERN
from ivr.line.validate.checks import Locate
from ivr.line.validate.errors import (
    LanguageSetting,
    LineProblem,
    MissingTranslation,
    NoEmergencyUnderstanding,
    NotTranslated,
    UnknownLanguage,
    YamlPath,
)

#: The node types a call can start at in a line of several languages: the caller chooses there.
_STARTS_THAT_LISTEN = ("menu", "answer")


def line_languages(root: object) -> tuple[str, ...]:
    """The codes under ``languages:`` that are written as codes, in the file's order (none: one language)."""
    section = root.get("languages") if isinstance(root, Mapping) else None
    if not isinstance(section, Mapping):
        return ()
    return tuple(str(code) for code in section if re.match(LANGUAGE_CODE_PATTERN, str(code)))


def translatable_paths(root: object) -> Iterator[YamlPath]:
    """Where the file writes a text callers hear (or words they say), whatever it writes there."""
    if not isinstance(root, Mapping):
        return
    for field in ("greeting", "emergency_phrases"):
        if field in root:
            yield (field,)
    for section, model in (("phrases", Phrases), ("command_words", CommandWords)):
        written = root.get(section)
        if isinstance(written, Mapping):
            yield from ((section, name) for name in written if name in model.model_fields)
    nodes = root.get("nodes")
    for node_id, node in nodes.items() if isinstance(nodes, Mapping) else ():
        if not isinstance(node, Mapping):
            continue
        for field in ("prompt", "text"):
            if node.get(field) is not None:
                yield ("nodes", node_id, field)
        options = node.get("options")
        for index, option in enumerate(options if isinstance(options, list) else ()):
            if isinstance(option, Mapping):
                yield from (("nodes", node_id, "options", index, field)
                            for field in ("label", "words") if field in option)


def check_translations(locate: Locate, root: object) -> list[LineProblem]:
    """Every problem with the line's languages and with the languages of its texts."""
    languages = line_languages(root)
    problems = [*_texts(locate, root, languages)]
    if languages:
        problems += [*_settings(locate, root, languages), *_without_built_ins(locate, root, languages)]
    return problems


def _texts(locate: Locate, root: object, languages: tuple[str, ...]) -> Iterator[LineProblem]:
    for path in translatable_paths(root):
        value = locate_value(root, path)
        if value is None:
            continue  # the shape's checks say it is empty
        if not languages:
            if isinstance(value, Mapping):
                yield locate.problem(
                    UnknownLanguage, path,
                    "is written in several languages, but the line names none: list them under languages: "
                    "at the top of the file (see docs/line-file.md), or write the text alone", at_key=True)
            continue
        if not isinstance(value, Mapping):
            yield locate.problem(NotTranslated, path, _not_translated(path, languages), at_key=True)
            continue
        for code in languages:
            if code not in value:
                yield locate.problem(MissingTranslation, (*path, code), _missing(path, code), at_key=True)
        for code in value:
            if str(code) not in languages:
                yield locate.problem(
                    UnknownLanguage, (*path, code),
                    f"{code!r} is not one of the line's languages ({_codes(languages)}): check its spelling, "
                    "or add it under languages:", at_key=True)


def _not_translated(path: YamlPath, languages: tuple[str, ...]) -> str:
    each = ", ".join(f"{code}:" for code in languages)
    if path[0] in ("phrases", "command_words"):
        return (
            f"is written for one language only; a fixed sentence or command word the line rewords must be reworded "
            f"in each of its languages ({each} under it), so that no language says something else by accident; "
            "or remove it to use the built-in one"
        )
    return f"is written for one language only: write it in each of the line's languages, with {each} under it"


def _missing(path: YamlPath, code: str) -> str:
    what = "the words" if path[-1] in ("words", "emergency_phrases") or path[0] == "command_words" else "the text"
    return f"has no {language_name(code)}: add {code}: under it, with {what} in {language_name(code)}"


def _settings(locate: Locate, root: object, languages: tuple[str, ...]) -> Iterator[LineProblem]:
    assert isinstance(root, Mapping)
    first = languages[0]
    section = root["languages"]
    call = root.get("call")
    own = {
        "speech_language": isinstance(call, Mapping) and "speech_language" in call,
        "voice": "voice" in root,
        "pronounce": "pronounce" in root,
    }
    for code in languages:
        settings = section.get(code)
        settings = settings if isinstance(settings, Mapping) else {}
        if code == first:
            for field, twice in own.items():
                if twice and field in settings:
                    where = "call.speech_language" if field == "speech_language" else field
                    yield locate.problem(
                        LanguageSetting, ("languages", code, field),
                        f"{language_name(code)}'s {field} is written twice, here and as the line's {where}: "
                        "keep one (the line's own settings are its first language's)", at_key=True)
            if not own["speech_language"] and "speech_language" not in settings and code != "en":
                yield locate.problem(
                    LanguageSetting, ("languages", code),
                    f"{language_name(code)} needs its speech_language (the line's own is en-US when left out): "
                    f"add speech_language: {_example_tag(code).split(' ')[0]} under it", at_key=True)
        elif "speech_language" not in settings:
            yield locate.problem(
                LanguageSetting, ("languages", code, "speech_language"),
                f"{language_name(code)} needs its speech_language, for Twilio's speech recognition and voice: "
                f"add speech_language: {_example_tag(code).split(' ')[0]}", at_key=True)
        spoken = settings.get("speech_language")
        if isinstance(spoken, str) and spoken.split("-")[0].lower() != code:
            yield locate.problem(
                LanguageSetting, ("languages", code, "speech_language"),
                f"{spoken!r} is not {language_name(code)}: write a speech_language of {code}, such as "
                f"{_example_tag(code)}")
    spoken = call.get("speech_language") if isinstance(call, Mapping) else None
    if isinstance(spoken, str) and spoken.split("-")[0].lower() != first:
        yield locate.problem(
            LanguageSetting, ("call", "speech_language"),
            f"{spoken!r} is not {language_name(first)}, the line's first language: write a speech_language of "
            f"{first}, such as {_example_tag(first)}")
    for code in languages[1 + len(OFFER_KEYS):]:
        yield locate.problem(
            LanguageSetting, ("languages", code),
            f"a line can offer at most {len(OFFER_KEYS)} languages besides its first: at the first menu only the "
            "keys for going back and for the main menu are free to choose a language with", at_key=True)
    start = root.get("start")
    nodes = root.get("nodes")
    node = nodes.get(start) if isinstance(nodes, Mapping) and isinstance(start, str) else None
    if isinstance(node, Mapping) and "type" in node and node.get("type") not in _STARTS_THAT_LISTEN:
        yield locate.problem(
            LanguageSetting, ("start",),
            f"a line of several languages starts at a menu or an answer, where callers choose their language; "
            f"{start!r} is a {node.get('type')}")
    for code in languages:
        pack = find(code)
        if pack is None or pack.emergency is None:
            yield locate.problem(
                NoEmergencyUnderstanding, ("languages", code),
                f"the line has no built-in understanding of emergencies in {language_name(code)}: callers' words "
                f"are read as English; list the ways callers say it under emergency_phrases ({code}:)", at_key=True)


def _without_built_ins(locate: Locate, root: object, languages: tuple[str, ...]) -> Iterator[LineProblem]:
    """A language with no built-in sentences needs every phrase and command word written in it."""
    assert isinstance(root, Mapping)
    for code in languages:
        if has(code):
            continue
        for section, model in (("phrases", Phrases), ("command_words", CommandWords)):
            written = root.get(section)
            missing = [name for name in model.model_fields if not (isinstance(written, Mapping) and name in written)]
            if missing:
                yield locate.problem(
                    MissingTranslation, ("languages", code),
                    f"the line has no built-in {section.replace('_', ' ')} in {language_name(code)}: write each of "
                    f"{', '.join(missing)} under {section}:, in every language", at_key=True)


def locate_value(root: object, path: YamlPath) -> object:
    """The parsed value at ``path``, or None."""
    here = root
    for part in path:
        found = isinstance(here, Mapping) and part in here
        found = found or (isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here))
        if not found:
            return None
        here = here[part]  # type: ignore[index]
    return here


def _codes(languages: tuple[str, ...]) -> str:
    return ", ".join(languages)


def _example_tag(code: str) -> str:
    return {"en": "en-US or en-GB", "es": "es-US or es-MX"}.get(code, f"{code}-{code.upper()}")


@dataclass(frozen=True)
class InLanguage:
    """The file's locator, for the sentence checks of one language: a problem with a text written in each
    language points at (and names) that language's text."""

    locate: Locate
    root: object
    code: str

    @property
    def file(self) -> str:
        return self.locate.file

    def line_of(self, *path: str | int) -> int | None:
        return self.locate.line_of(*self._in_language(path))

    def problem(self, kind: type[LineProblem], path: YamlPath, message: str, *, at_key: bool = False) -> LineProblem:
        return self.locate.problem(kind, self._in_language(path), message, at_key=at_key)

    def _in_language(self, path: YamlPath) -> YamlPath:
        value = locate_value(self.root, path)
        return (*path, self.code) if isinstance(value, Mapping) and self.code in value else path

