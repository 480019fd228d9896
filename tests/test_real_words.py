"""A spelling dictionary's real words are read once per machine (ivr.call.emergency.real_words): the next process
reads them from the environment's folder, and tells real words from misspellings as the dictionary does."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.call.emergency import real_words
from ivr.call.emergency.language import fold

#: Real Spanish words (one written with an accent in the dictionary), misspellings and what is no word at all.
REAL = ("respiracion", "garganta", "hinchazon", "parpado")
NOT_REAL = ("respirasion", "gargnta", "zzzzzz", "x\0", "a" * 60, "日本語")


def _dictionary_unavailable(*args: object) -> list[str]:
    raise AssertionError("the kept real words should have been read, not the dictionary")


def test_real_words_kept_by_one_process_are_read_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = real_words.real_words("es", 100, fold, tmp_path)
    assert all(word in first for word in REAL) and not any(word in first for word in NOT_REAL)
    real_words.real_words.cache_clear()
    monkeypatch.setattr(real_words, "_from_dictionary", _dictionary_unavailable)
    again = real_words.real_words("es", 100, fold, tmp_path)
    assert again.words.tobytes() == first.words.tobytes()
    assert all(word in again for word in REAL) and not any(word in again for word in NOT_REAL)


def test_a_folder_that_cannot_be_written_only_costs_the_time(tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    words = real_words.real_words("es", 100, fold, blocked)
    assert "garganta" in words and "gargnta" not in words
