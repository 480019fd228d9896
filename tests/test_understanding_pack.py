"""A language pack's thresholds for understanding by meaning are read by name: one misspelt or left out is
refused with its name, never taken for another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ivr.call.meaning.pack import read_thresholds

PACK = Path("understanding.yaml")
REQUIRED = {"emergency": 0.6, "emergency_margin": 0.08, "sure": 0.6, "margin": 0.05, "floor": 0.3}


def test_thresholds_are_read_by_name_whatever_their_order() -> None:
    limits = dict(reversed(list({**REQUIRED, "classifier": 0.8, "agree_floor": 0.5}.items())))
    thresholds = read_thresholds(PACK, limits)
    assert (thresholds.emergency, thresholds.classifier, thresholds.agree_floor) == (0.6, 0.8, 0.5)
    assert thresholds.agree == 2.0  # left out: never


def test_a_misspelt_threshold_is_refused_by_its_name() -> None:
    with pytest.raises(ValueError, match="agree_flor is not a threshold"):
        read_thresholds(PACK, {**REQUIRED, "agree_flor": 0.5})


def test_a_threshold_left_out_without_a_default_is_refused_by_its_name() -> None:
    limits = {name: value for name, value in REQUIRED.items() if name != "sure"}
    with pytest.raises(ValueError, match="sure is missing"):
        read_thresholds(PACK, limits)


@pytest.mark.parametrize("value", [True, None, "0.6", float("nan"), [0.6]])
def test_a_threshold_that_is_no_number_is_refused_by_its_name(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape(f"emergency is {value!r}, not a number")):
        read_thresholds(PACK, {**REQUIRED, "emergency": value})


def test_a_pack_without_thresholds_says_which_are_missing() -> None:
    with pytest.raises(ValueError, match="emergency is missing; emergency_margin is missing"):
        read_thresholds(PACK, None)
