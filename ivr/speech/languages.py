"""The languages of a line as its audio sees them: for each, what is said in it and which voice says it.

Rendering and the audit work one language at a time, each with its own engine, voice,
speech-text rules and recogniser. :func:`spoken_languages` is the one place that says what a
line's languages are for its audio: the line seen in each of its languages
(:meth:`~ivr.line.model.Line.in_language`), with that language's ``speech_language`` and voice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ivr.line import AnswerNode, EmergencyNode, Line, MenuNode, Script, TransferNode, Voice, all_prompts
from ivr.speech.voicing import Voicing

ANSWER = "answer"


@dataclass(frozen=True)
class SpokenLanguage:
    """One language of a line: the line seen in it, its tag, the voice that speaks it, and every text a caller
    can hear in it."""

    #: The line in this language alone (:meth:`~ivr.line.model.Line.in_language`).
    line: Line
    #: Its voice: the view's own, or another the audit measures instead (:meth:`with_engine`).
    voice: Voice
    #: Every text a caller can hear in this language, in a stable order, and what it is (greeting, closed
    #: notice, menu, option, key help, answer, transfer, emergency or phrase).
    kinds: Mapping[str, str]

    @property
    def tag(self) -> str:
        """A BCP 47 tag, as ``call.speech_language`` writes it: "en-US", "es-US"."""
        return self.line.call.speech_language

    @property
    def texts(self) -> list[str]:
        return list(self.kinds)

    @property
    def voicing(self) -> Voicing:
        """How this language's texts become audio files."""
        return Voicing.of(self.line, self.tag, self.voice)

    @property
    def offline(self) -> bool:
        """Whether callers hear the line's own rendered audio in this language (not Twilio's ``<Say>``)."""
        return self.voice.mode == "play"

    def matches(self, wanted: str) -> bool:
        """Whether ``wanted`` names this language: its tag ("es-US") or its language ("es"), in any case."""
        wanted = wanted.lower()
        return wanted in (self.tag.lower(), self.tag.split("-")[0].lower())

    def with_engine(self, engine: str | None, name: str | None) -> SpokenLanguage:
        """This language rendered by an offline engine and voice instead of its own (``None``: keep its own),
        as the audit measures what that engine would give."""
        update: dict[str, object] = {"mode": "play"}
        if engine:
            update["engine"] = engine
            update["name"] = None
        if name:
            update["name"] = name
        return SpokenLanguage(self.line, self.voice.model_copy(update=update), self.kinds)


def spoken_languages(line: Line) -> tuple[SpokenLanguage, ...]:
    """Every language of ``line``, its first language first."""
    views = (line.in_language(code) for code in line.language_codes)
    return tuple(SpokenLanguage(view, view.voice, prompt_kinds(view)) for view in views)


def spoken_language(line: Line, wanted: str | None = None) -> SpokenLanguage:
    """The language of ``line`` that ``wanted`` names ("es", "es-US"); its first language for None.

    Raises LookupError, with the line's languages, for a language the line does not have.
    """
    languages = spoken_languages(line)
    if wanted is None:
        return languages[0]
    for language in languages:
        if language.matches(wanted):
            return language
    raise LookupError(f"the line has no language {wanted!r}; its languages: {', '.join(x.tag for x in languages)}")


def prompt_kinds(line: Line) -> dict[str, str]:
    """Every text a caller can hear on ``line`` (:func:`~ivr.line.script.all_prompts`, in its order), and what
    it is (an answer, a menu, an option...)."""
    script = Script(line)
    kinds: dict[str, str] = {}
    for text in (script.closed(), script.closed_now()):
        kinds[text] = "closed notice"
    for text in (script.pace_help(), script.navigation(), script.say_or_press(), script.opening_keys()):
        kinds[text] = "key help"
    for node in line.nodes.values():
        if isinstance(node, TransferNode | EmergencyNode) and node.text:
            kinds[node.text] = "transfer" if isinstance(node, TransferNode) else "emergency"
        for text in script.options(getattr(node, "options", [])):
            kinds[text] = "option"
        if isinstance(node, MenuNode):
            kinds[node.prompt] = "menu"
    kinds[script.greeting()] = "greeting"
    for node in line.nodes.values():
        if isinstance(node, AnswerNode):
            kinds[node.text] = ANSWER
    return {text: kinds.get(text, "phrase") for text in all_prompts(line)}
