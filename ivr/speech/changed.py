"""Before a version of the line is published: its changed prompts rendered with the line's engine, and audited.

Only the prompts whose audio the live version has not got (a text changed, or its voice) are rendered, at every
rate of their language, into the audio directory the servers play from: callers never hear Twilio's ``<Say>``
because a text was just changed. Each is then transcribed at the default rate, as the audit does, and its word
error rate set against docs/audio.md's bar for a prompt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ivr.line import Line
from ivr.speech.audit import AuditError, AuditReport, audit_line, bars_for
from ivr.speech.engine import PromptFailed
from ivr.speech.languages import SpokenLanguage, spoken_language, spoken_languages
from ivr.speech.recogniser import AUDIT_COMPUTE_TYPE, Recogniser, RecogniserUnavailable
from ivr.speech.render import plan_line, render_plan


@dataclass(frozen=True)
class HeardPrompt:
    """One changed prompt as the audit heard it at its language's default rate."""

    language: str
    kind: str
    text: str
    heard: str
    wer: float
    #: docs/audio.md's bar for a single prompt at the default rate.
    limit: float

    @property
    def met(self) -> bool:
        return self.wer <= self.limit


@dataclass(frozen=True)
class ChangedAudio:
    """What publishing a version renders first, and how clearly the audit heard it."""

    #: The changed prompts, by language tag, that callers hear as the line's own audio.
    changed: dict[str, tuple[str, ...]]
    rendered: int
    heard: tuple[HeardPrompt, ...] = ()
    #: Why the changed prompts were not audited ("" when they were, or when none changed).
    not_audited: str = ""
    render_seconds: float = 0.0
    audit_seconds: float = 0.0
    #: The languages whose changed prompts callers hear read by <Say>, which has nothing to render.
    said: tuple[str, ...] = field(default=())

    @property
    def count(self) -> int:
        return sum(len(texts) for texts in self.changed.values())


def changed_prompts(live: Line | None, new: Line) -> list[SpokenLanguage]:
    """Each language of ``new`` that callers hear as rendered audio, narrowed to the prompts whose audio at its
    default rate ``live`` has not got (every prompt of a language ``live`` lacks, or voices otherwise)."""
    found = []
    for language in spoken_languages(new):
        if not language.offline:
            continue
        rate = language.voice.default_rate
        before = _live_names(live, language, rate)
        kinds = {text: kind for text, kind in language.kinds.items() if language.voicing.name(text, rate) not in before}
        if kinds:
            found.append(SpokenLanguage(language.line, language.voice, kinds))
    return found


def render_changed(live: Line | None, new: Line, audio_dir: str | Path, audit: bool = True) -> ChangedAudio:
    """Render ``new``'s changed prompts (those ``live`` has no audio for) into ``audio_dir`` and, with ``audit``,
    transcribe them. Raises :class:`~ivr.speech.engine.RenderError` when one cannot be rendered: such a version is
    not to be published."""
    languages = changed_prompts(live, new)
    started = time.perf_counter()
    rendered = 0
    for language in languages:
        rendered += _render(language, Path(audio_dir))
    render_seconds = time.perf_counter() - started
    changed = {language.tag: tuple(language.texts) for language in languages}
    said = tuple(language.tag for language in spoken_languages(new) if not language.offline)
    if not audit or not languages:
        return ChangedAudio(changed, rendered, render_seconds=render_seconds, said=said,
                            not_audited="" if not languages else "the audit is switched off (PUBLISH_AUDIT)")
    started = time.perf_counter()
    heard: list[HeardPrompt] = []
    try:
        for language in languages:
            recogniser = _recogniser(language.tag)
            heard.extend(_heard(audit_line(language.line, audio_dir, language=language, recogniser=recogniser)))
    except AuditError as error:
        return ChangedAudio(changed, rendered, tuple(heard), f"{error}", render_seconds,
                            time.perf_counter() - started, said)
    return ChangedAudio(changed, rendered, tuple(heard), "", render_seconds, time.perf_counter() - started, said)


def _recogniser(tag: str) -> Recogniser:
    """Whisper on one thread: the server goes on answering calls meanwhile, and on a busy machine two threads
    that wait for each other took four times as long (docs/benchmarks.md)."""
    try:
        return Recogniser(tag, threads=1, compute_type=AUDIT_COMPUTE_TYPE)
    except RecogniserUnavailable as error:
        raise AuditError(str(error)) from None


def _live_names(live: Line | None, language: SpokenLanguage, rate: int) -> set[str]:
    if live is None:
        return set()
    try:
        before = spoken_language(live, language.tag)
    except LookupError:
        return set()
    if not before.offline:
        return set()
    return {before.voicing.name(text, rate) for text in before.texts}


def _render(language: SpokenLanguage, directory: Path) -> int:
    report = render_plan(plan_line(language.line, directory, language=language))
    if report.failed:
        failure = report.failed[0]
        raise PromptFailed(f"{len(report.failed)} of the changed prompts could not be rendered; the first, "
                           f"{failure.text[:60]!r} at {failure.rate} words a minute: {failure.reason}")
    return report.rendered


def _heard(report: AuditReport) -> list[HeardPrompt]:
    limit = bars_for(report.language).worst
    return [HeardPrompt(report.language, score.kind, score.text, score.heard, score.wer, limit)
            for score in report.scores]
