"""The offline listener of the audit: a phone line's round trip, then Whisper in the prompt's language.

The only module that imports faster_whisper and ctranslate2. Which model hears which
language, and where its weights come from, is :mod:`ivr.speech.whisper`'s.
"""

from __future__ import annotations

import io
import logging
import os

import numpy as np
import soundfile
import soxr

from ivr.languages import find, language_code
from ivr.speech.telephone import TELEPHONE_RATE, ULAW
from ivr.speech.whisper import RecogniserUnavailable, Weights, weights_for

# Never reach for a model hub: the weights come from installed packages.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

__all__ = ["Recogniser", "RecogniserUnavailable", "phone_line"]

#: What Whisper listens at.
WHISPER_RATE = 16000
BEAM_SIZE = 5
#: float32, not int8, by default: CTranslate2's int8 kernels differ with the CPU's instruction set, and so,
#: slightly, do their transcriptions; float32 hears the same words on any machine. int8 also missed a digit
#: of "9 9 9" that float32 heard, so the checks of single words (emergency numbers) keep float32.
COMPUTE_TYPE = "float32"
#: The audit of a whole line hears it with int8: the Botox line's median and worst prompt are the same as with
#: float32 at every rate (docs/audio.md), for 58% of the CPU. A listener that
#: misses a word can only make the audit stricter, and the bars' margins hold what another CPU writes
#: differently; on one machine the same audio still gives the same words, run after run.
AUDIT_COMPUTE_TYPE = "int8"
#: Beam search alone. Whisper's default retries a doubtful passage at temperatures up to 1.0, which
#: samples; a seed did not make that repeatable (one clip heard four times gave four transcripts), so
#: the audit never samples: the same audio gives the same words, run after run.
TEMPERATURE = 0.0


def phone_line(samples: np.ndarray) -> np.ndarray:
    """What the far end of a call decodes from 8 kHz samples: a G.711 μ-law round trip."""
    carried = io.BytesIO()
    soundfile.write(carried, samples, TELEPHONE_RATE, subtype=ULAW, format="WAV")
    carried.seek(0)
    decoded, _ = soundfile.read(carried, dtype="float32")
    return decoded


def _threads() -> int:
    """As many threads as OpenMP is allowed (``OMP_NUM_THREADS``), else one a core. Several processes sharing
    the cores (a test suite's workers) each set it lower: OpenMP threads that outnumber the cores spin while
    they wait for each other, and one transcription then took nearly twice the CPU."""
    allowed = os.environ.get("OMP_NUM_THREADS", "")
    return int(allowed) if allowed.isdigit() and int(allowed) > 0 else os.cpu_count() or 1


class Recogniser:
    """Whisper on the CPU, listening for one language ("en-US", "es-US"...); the same audio always gives the
    same words."""

    def __init__(self, language: str = "en-US", threads: int | None = None, weights: Weights | None = None,
                 compute_type: str = COMPUTE_TYPE) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise RecogniserUnavailable("the audit needs its extra: pip install 'ivr[audit]'") from None
        # It logs every clip it hears at INFO; the audit prints its own table.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
        self.language = language
        self.weights = weights or weights_for(language)
        self._model = WhisperModel(
            str(self.weights.path),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=threads or _threads(),
            local_files_only=True,
        )

    def transcribe(self, samples: np.ndarray, rate: int, numbers_in_words: bool = False) -> str:
        """What Whisper hears in ``samples``; with ``numbers_in_words``, numbers as the words said ("911" said
        "nine one one" is then written in those words, and said "nine hundred eleven" in those), as the
        language's pack tells the recogniser (``recogniser.numbers_in_words`` in its ``speech.yaml``)."""
        code = language_code(self.language)
        pack = find(self.language)
        asked = pack.recogniser.numbers_in_words if pack is not None else None
        if numbers_in_words and asked is None:
            raise ValueError(f"no way to ask for numbers in words in {self.language!r}")
        audio = soxr.resample(samples, rate, WHISPER_RATE, quality="VHQ").astype(np.float32)
        segments, _ = self._model.transcribe(
            audio,
            language=code,
            beam_size=BEAM_SIZE,
            temperature=TEMPERATURE,
            vad_filter=False,
            condition_on_previous_text=False,
            initial_prompt=asked if numbers_in_words else None,
        )
        return " ".join(segment.text.strip() for segment in segments).strip()
