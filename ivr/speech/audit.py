"""How well callers can follow the rendered prompts of one language, measured with an offline recogniser.

Each rendered file goes through a phone line's round trip (8 kHz G.711 μ-law, as a call
carries it), is transcribed by Whisper in the prompt's language (:mod:`ivr.speech.recogniser`:
tiny.en for English, multilingual base otherwise; nothing is downloaded), and scored with the
word error rate against its text, both normalised for that language (:mod:`ivr.speech.word_errors`).
A language that Twilio's ``<Say>`` speaks cannot be heard offline, and is reported as not audited.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from ivr.languages import DEFAULT_LANGUAGE, AuditBars, find
from ivr.languages import language as read_language
from ivr.line import Line
from ivr.speech.catalog import AudioCatalog
from ivr.speech.languages import ANSWER, SpokenLanguage, spoken_language
from ivr.speech.recogniser import AUDIT_COMPUTE_TYPE, Recogniser, RecogniserUnavailable, phone_line
from ivr.speech.telephone import TELEPHONE_RATE, read_telephone_wav
from ivr.speech.word_errors import word_error_rate


def bars_for(language: str) -> AuditBars:
    """The audit's bars for ``language``: its pack's (``audit`` in its ``speech.yaml``), else English's. What a
    caller needs does not change with the language (issue 9); no offline voice here meets them in Spanish
    (docs/audio.md)."""
    pack = find(language)
    return (pack.audit if pack is not None else None) or _english_bars()


def _english_bars() -> AuditBars:
    bars = read_language(DEFAULT_LANGUAGE).audit
    if bars is None:
        raise AuditError("the English language pack sets no audit bars")
    return bars




class AuditError(RuntimeError):
    """The audit cannot run: no recogniser, or prompts that are not rendered."""


class NotAuditable(AuditError):
    """The language is spoken by Twilio's ``<Say>``, which cannot be heard offline."""


@dataclass(frozen=True)
class Score:
    text: str
    rate: int
    name: str
    heard: str
    wer: float
    #: What the prompt is: greeting, closed notice, menu, option, key help, answer, transfer or phrase.
    kind: str

    @property
    def answer(self) -> bool:
        return self.kind == ANSWER


@dataclass(frozen=True)
class Bar:
    """One bar of the audit, and the figure measured against it."""

    what: str
    figure: float
    limit: float

    @property
    def met(self) -> bool:
        return self.figure <= self.limit


@dataclass(frozen=True)
class RateSummary:
    rate: int
    prompts: int
    median: float
    answers: int
    answers_median: float
    worst: float


@dataclass(frozen=True)
class AuditReport:
    scores: tuple[Score, ...]
    default_rate: int
    language: str = "en-US"
    #: The engine and voice that rendered the prompts, and the recogniser that heard them.
    engine: str = ""
    voice: str = ""
    recogniser: str = ""

    def rates(self) -> list[int]:
        return sorted({score.rate for score in self.scores})

    def summary(self, rate: int) -> RateSummary:
        at_rate = [s.wer for s in self.scores if s.rate == rate]
        answers = [s.wer for s in self.scores if s.rate == rate and s.answer]
        return RateSummary(
            rate,
            len(at_rate),
            statistics.median(at_rate) if at_rate else 0.0,
            len(answers),
            statistics.median(answers) if answers else 0.0,
            max(at_rate, default=0.0),
        )

    def worst_first(self) -> list[Score]:
        return sorted(self.scores, key=lambda s: (-s.wer, s.rate, s.text))

    def bars(self) -> list[Bar]:
        """Every bar of the report's language that applies to the rates audited."""
        limits = bars_for(self.language)
        bars = []
        for rate in self.rates():
            summary = self.summary(rate)
            if rate == self.default_rate:
                bars.append(Bar(f"{rate} wpm (default): median over {summary.prompts} prompts", summary.median,
                                limits.median))
                if summary.answers:
                    bars.append(Bar(f"{rate} wpm (default): median over {summary.answers} answers",
                                    summary.answers_median, limits.median))
                bars.append(Bar(f"{rate} wpm (default): worst prompt", summary.worst, limits.worst))
            else:
                bars.append(Bar(f"{rate} wpm: median over {summary.prompts} prompts", summary.median,
                                limits.other_rate_median))
        return bars

    @property
    def passes(self) -> bool:
        return all(bar.met for bar in self.bars())

    def as_dict(self) -> dict[str, object]:
        return {
            "language": self.language,
            "audited": True,
            "engine": self.engine,
            "voice": self.voice,
            "recogniser": self.recogniser,
            "passes": self.passes,
            "bars": [{**asdict(bar), "met": bar.met} for bar in self.bars()],
            "summaries": [asdict(self.summary(rate)) for rate in self.rates()],
            "scores": [asdict(score) for score in self.worst_first()],
        }


# -- the audit ------------------------------------------------------------------------------


def audit_line(
    line: Line,
    audio_dir: str | Path,
    rates: Iterable[int] | None = None,
    progress: Callable[[int], None] | None = None,
    recogniser: Recogniser | None = None,
    answers_only: bool = False,
    language: SpokenLanguage | None = None,
) -> AuditReport:
    """Transcribe every rendered prompt of ``line`` in ``language`` (None: its first) at ``rates`` (the default
    rate unless given) and score it.

    Raises :class:`NotAuditable` for a language that Twilio's ``<Say>`` speaks, and :class:`AuditError`
    when the recogniser is missing or a prompt is not rendered.
    """
    language = language or spoken_language(line)
    if not language.offline:
        raise NotAuditable(not_auditable(language))
    catalog = AudioCatalog(audio_dir)
    voicing = language.voicing
    texts = [text for text, kind in language.kinds.items() if kind == ANSWER or not answers_only]
    wanted = [(text, rate) for rate in (rates or [language.voice.default_rate]) for text in texts]
    named = [(text, rate, voicing.name(text, rate)) for text, rate in wanted]
    missing = [name for _, _, name in named if not catalog.has(name)]
    if missing:
        raise AuditError(
            f"{len(missing)} of {len(named)} prompts are not rendered in {catalog.directory}: run ivr render"
        )
    try:
        recogniser = recogniser or Recogniser(language.tag, compute_type=AUDIT_COMPUTE_TYPE)
    except RecogniserUnavailable as error:
        raise AuditError(str(error)) from None
    scores = []
    for text, rate, name in named:
        heard = recogniser.transcribe(phone_line(read_telephone_wav(catalog.wav_path(name))), TELEPHONE_RATE)
        scores.append(Score(text, rate, name, heard, word_error_rate(text, heard, language.tag),
                            language.kinds[text]))
        if progress is not None:
            progress(1)
    return AuditReport(tuple(scores), language.voice.default_rate, language.tag, voicing.engine, voicing.voice,
                       recogniser.weights.name)


def not_auditable(language: SpokenLanguage) -> str:
    """Why a language spoken by Twilio's ``<Say>`` is not audited, and how to measure an offline voice instead."""
    voice = language.voice.say_voice or "Twilio's default voice"
    return (
        f"{language.tag} is spoken by Twilio's <Say> ({voice}), which cannot be heard offline: not audited. "
        f"To measure what an offline voice would give, add --engine pyttsx3 (and --voice NAME)."
    )
