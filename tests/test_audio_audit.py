"""How intelligible the rendered Botox line is over a phone line, and how words are compared."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ivr.cli import main
from ivr.config import DEFAULT_LINE_FILE
from ivr.line.load import load_line
from ivr.speech.audit import MAX_MEDIAN_WER, MAX_WER, normalise, phone_line, word_error_rate


@pytest.mark.parametrize(
    ("meant", "heard"),
    [
        ("For swelling, press 1.", "for swelling press one"),
        ("hang up now and call 9 1 1.", "Hang up now and call 911."),
        ("Do not press on it.", "Don't press on it."),
        ("It is more common.", "It's more common."),
        ("about three centimetres", "about 3 centimeters"),
        ("about three centimetres", "about three cm"),
        ("the after-hours line", "the after hours line"),
        ("You can call 2 0 2, 5 5 5, 0 1 4 3.", "You can call 202-555-0143."),
        ("Sorry, I did not understand that.", "Sorry, I did not understand that"),
    ],
)
def test_the_same_words_written_another_way_are_no_error(meant: str, heard: str) -> None:
    assert normalise(meant) == normalise(heard)
    assert word_error_rate(meant, heard) == 0.0


def test_a_wrong_word_and_nothing_heard_are_errors() -> None:
    meant = "some people get mild swelling after botox"
    assert word_error_rate(meant, meant.replace("botox", "maddox")) == pytest.approx(1 / 7)
    assert word_error_rate("press one", "") == 1.0


def test_the_phone_line_keeps_the_length_and_the_sound() -> None:
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)).astype(np.float32)
    carried = phone_line(tone)
    assert carried.shape == tone.shape
    assert np.max(np.abs(carried - tone)) < 0.02, "G.711 μ-law is close to the original"


@pytest.mark.audit
@pytest.mark.slow
def test_the_botox_line_is_intelligible_over_a_phone_line_at_its_default_rate(tmp_path: Path) -> None:
    """The bar: over the line's answers, the median word error rate at most 0.10 and none above 0.20."""
    report_file = tmp_path / "audit.json"
    result = CliRunner().invoke(
        main,
        ["audit-audio", "--line", str(DEFAULT_LINE_FILE), "--audio-dir", str(tmp_path / "audio"), "--answers-only",
         "--json", str(report_file)],
    )
    print(result.output)
    report = json.loads(report_file.read_text())
    (summary,) = report["summaries"]
    assert summary["rate"] == load_line(DEFAULT_LINE_FILE).line.voice.default_rate
    assert summary["answers"] == 7
    assert summary["median"] <= MAX_MEDIAN_WER, result.output
    assert summary["worst"] <= MAX_WER, result.output
    assert result.exit_code == 0, result.output
