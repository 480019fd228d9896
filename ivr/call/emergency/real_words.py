"""The words a spelling dictionary counts as real, so that a caller's real word is never taken for a misspelt one.

pyspellchecker holds a language's dictionary as a dict of every word it knows to how often it saw it: 34 MB of
Python strings for English, in each process. Only whether a word was seen ``real_word_count`` times is asked, so
only those words are held, as one sorted numpy array of their UTF-8 bytes (1.6 MB for English's 47,000), made
before the server's workers fork and shared by them. They are kept on disk in the environment's folder, so that
a process after the first one on a machine does not read the dictionary at all (and keeps none of the memory
its reading leaves behind).
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

import numpy as np

from ivr.config import environment_folder, keep_array, keeping, read_kept_array


class SortedWords:
    """A set of words held as one sorted numpy array of their UTF-8 bytes, not as Python strings."""

    def __init__(self, words: Iterable[str] | np.ndarray) -> None:
        if isinstance(words, np.ndarray):
            self.words = words
        else:
            self.words = np.array(sorted({word.encode("utf-8") for word in words}), dtype=bytes)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = word.encode("utf-8")
        if not self.words.size or len(key) > self.words.itemsize or key.endswith(b"\0"):
            return False  # numpy's bytes drop trailing NULs, and a longer word would be cut to fit
        index = int(np.searchsorted(self.words, key))
        return index < self.words.size and bool(self.words[index] == key)


@functools.cache
def real_words(code: str, real_word_count: int, fold: Callable[[str], str] | None = None,
               folder: Path | None = None) -> SortedWords:
    """The words pyspellchecker's dictionary for ``code`` saw at least ``real_word_count`` times, each passed
    through ``fold`` first if given ("respiración" counts as "respiracion"), read from ``folder`` (the
    environment's, by default) where an earlier process kept them."""
    name = f"{code}-{real_word_count}-{'folded' if fold else 'as-written'}-{metadata.version('pyspellchecker')}"
    path = (folder or environment_folder("spelling")) / f"{name}.npy"
    kept = read_kept_array(path, "The real words", "they are taken from the dictionary again")
    if kept is not None:
        return SortedWords(kept)
    found = SortedWords(_from_dictionary(code, real_word_count, fold))
    with keeping("The real words", path.parent, "the next process reads the dictionary again"):
        keep_array(path, found.words)
    return found


def _from_dictionary(code: str, real_word_count: int, fold: Callable[[str], str] | None) -> list[str]:
    from spellchecker import SpellChecker

    counts: collections.Counter[str] = collections.Counter()
    for word, count in SpellChecker(language=code, distance=1).word_frequency.dictionary.items():
        counts[fold(word) if fold else word] += count
    return [word for word, count in counts.items() if count >= real_word_count]
