"""The emergency sentence of every line is heard with its number digit by digit, over a phone line.

Engines read "911" as "nine hundred eleven" on their own; the speech-text step gives them "9 1 1".
The recogniser is asked to write numbers as the words it hears, so that "nine one one" and
"nine hundred eleven" are told apart (written as digits, both would be "911").
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest

from ivr.config import DEFAULT_LINE_FILE
from ivr.line import Line, Script
from ivr.line.validate import load_line
from ivr.speech.catalog import AudioCatalog
from ivr.speech.recogniser import Recogniser, phone_line
from ivr.speech.render import Job, plan_line, render_plan
from ivr.speech.telephone import TELEPHONE_RATE, read_telephone_wav
from ivr.speech.word_errors import normalise
from tests.audio_lines import spanish_line
from tests.test_clinic_lines import example_line

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SPANISH_DIGIT_WORDS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
SHIPPED_LINES = sorted(DEFAULT_LINE_FILE.parent.glob("*.yaml"))


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return Recogniser()


def _lines(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Line]]:
    readme = tmp_path_factory.mktemp("readme") / "readme-example.yaml"
    readme.write_text(example_line(), encoding="utf-8")
    return [(path.name, load_line(path).line) for path in [*SHIPPED_LINES, readme]]


def _emergency_sentences(line: Line) -> list[str]:
    """The line's emergency advice, and every sentence of its greeting that names the emergency number."""
    number = line.clinic.emergency_number
    greeting = [s for s in re.split(r"(?<=[.!?])\s+", line.greeting) if re.search(rf"(?<!\d){number}(?!\d)", s)]
    return [Script(line).emergency(), *greeting]


def _heard(
    line: Line, texts: list[str], folder: Path, recogniser: Recogniser, rate: int | None = None
) -> dict[str, str]:
    rate = rate or line.voice.default_rate
    plan = plan_line(line, folder, rates=[rate])
    voicing = plan.voicing
    # Each sentence on its own, as the line's voice says it (a line of one language renders its greeting whole).
    jobs = tuple(Job(text, voicing.spoken(text), rate, voicing.name(text, rate)) for text in dict.fromkeys(texts))
    report = render_plan(dataclasses.replace(plan, jobs=jobs))
    assert report.ok, report.failed
    catalog = AudioCatalog(folder)
    return {
        text: recogniser.transcribe(
            phone_line(read_telephone_wav(catalog.wav_path(voicing.name(text, rate)))), TELEPHONE_RATE,
            numbers_in_words=True,
        )
        for text in texts
    }


def _digit_by_digit(number: str, words: tuple[str, ...] = DIGIT_WORDS) -> str:
    return " ".join(words[int(digit)] for digit in number)


def _words(heard: str) -> str:
    """The words heard, lower case and without accents; digits dropped (written as digits, "nine one one" and
    "nine hundred eleven" would both be "911")."""
    folded = "".join(char for char in unicodedata.normalize("NFD", heard.lower()) if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z]+", " ", folded).split())


@pytest.mark.audit
@pytest.mark.slow
@pytest.mark.parametrize("engine", ["the line's own", "pyttsx3"])
def test_every_line_emergency_number_is_heard_digit_by_digit(
    engine: str, recogniser: Recogniser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    checked = 0
    for name, line in _lines(tmp_path_factory):
        if engine == "pyttsx3":
            line = line.model_copy(update={"voice": line.voice.model_copy(update={"engine": "pyttsx3", "name": None})})
        number = line.clinic.emergency_number
        texts = _emergency_sentences(line)
        heard = _heard(line, texts, tmp_path_factory.mktemp("audio"), recogniser)
        for text in texts:
            words = _words(heard[text])
            assert _digit_by_digit(number) in words, f"{name}: {text!r} was heard as {heard[text]!r}"
            assert "hundred" not in words and "eleven" not in words, f"{name}: {heard[text]!r}"
            checked += 1
    assert checked >= 2 * (len(SHIPPED_LINES) + 1), "the advice and the greeting of every line"


@pytest.mark.audit
@pytest.mark.slow
def test_the_spanish_emergency_number_is_heard_digit_by_digit_at_every_rate(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """espeak-ng in Latin American Spanish, heard by multilingual Whisper: "nueve uno uno", never
    "novecientos once" (what espeak-ng says for a bare "911")."""
    _, line = spanish_line(tmp_path_factory.mktemp("spanish-line"), engine=None)
    recogniser = Recogniser(line.call.speech_language)
    texts = _emergency_sentences(line)
    assert len(texts) == 2, "the advice and the greeting's sentence"
    for rate in line.voice.rates:
        heard = _heard(line, texts, tmp_path_factory.mktemp("audio"), recogniser, rate)
        for text in texts:
            words = _words(heard[text])
            assert _digit_by_digit("911", SPANISH_DIGIT_WORDS) in words, f"{text!r} at {rate} wpm: {heard[text]!r}"
            assert "novecientos" not in words and "once" not in words, heard[text]
            meant = normalise(text, "es").split()
            assert sum(word in words.split() for word in meant) >= len(meant) / 2, (
                f"{heard[text]!r} is not the sentence {text!r}, heard at {rate} wpm"
            )
