"""The model's tokenizer vocabulary held in a few arrays rather than as 250,000 Python strings.

The package's tokenizer keeps its 128,000 pieces, and every prefix of them, in a dict from the prefix to its
piece's number plus one (0 for a prefix that is no piece), and the pieces again in a list: 250,000 str objects,
about 40 MB in every process that loads the model. :class:`Vocabulary` answers the same ``get`` from an
open-addressing table of the keys' hashes, their texts in one UTF-8 ``bytes`` and their values in ``array``s:
about 13 MB in a handful of objects, whose pages a turn only reads, so that the workers forked from the
server's parent keep sharing them. Every key and value is the same, so the tokens of a text, and every vector
made from them, are the same.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from typing import Any


class Vocabulary:
    """A read-only ``str -> int`` mapping (values not negative) that offers ``get``, as ``dict`` does."""

    def __init__(self, entries: Mapping[str, int]) -> None:
        size = 1 << (2 * max(1, len(entries))).bit_length()  # at most half full: short probes
        self._mask = size - 1
        self._hashes = array("q", bytes(8 * size))
        self._values = array("i", [-1]) * size  # -1: an empty slot
        self._starts = array("I", bytes(4 * size))
        self._ends = array("I", bytes(4 * size))
        texts = bytearray()
        for key, value in entries.items():
            if value < 0:
                raise ValueError(f"a vocabulary's values are not negative, not {value} for {key!r}")
            slot = hash(key) & self._mask
            while self._values[slot] >= 0:
                slot = (slot + 1) & self._mask
            self._hashes[slot] = hash(key)
            self._values[slot] = value
            self._starts[slot] = len(texts)
            texts += key.encode("utf-8")
            self._ends[slot] = len(texts)
        self._texts = bytes(texts)

    def get(self, key: str, default: Any = None) -> Any:
        """``key``'s value, or ``default`` when it has none."""
        wanted = hash(key)
        mask, values, hashes = self._mask, self._values, self._hashes
        slot = wanted & mask
        while (value := values[slot]) >= 0:
            if hashes[slot] == wanted and self._texts[self._starts[slot]:self._ends[slot]] == key.encode():
                return value
            slot = (slot + 1) & mask
        return default

    def key_at(self, slot: int) -> str:
        return self._texts[self._starts[slot]:self._ends[slot]].decode("utf-8")

    def slots(self) -> Iterator[tuple[int, int]]:
        """(slot, value) of every key."""
        return ((slot, value) for slot, value in enumerate(self._values) if value >= 0)


class Pieces:
    """The tokenizer's list of pieces' texts by number, read from its vocabulary (piece n has the value n + 1)."""

    def __init__(self, vocabulary: Vocabulary, count: int) -> None:
        self._vocabulary = vocabulary
        self._slots = array("I", bytes(4 * count))
        for slot, value in vocabulary.slots():
            if value:
                self._slots[value - 1] = slot

    def __len__(self) -> int:
        return len(self._slots)

    def __getitem__(self, number: int) -> str:
        return self._vocabulary.key_at(self._slots[number])


def compact(tokenizer: Any) -> None:
    """Hold the package's pure-Python tokenizer's vocabulary (``_prefixes``) and pieces (``_pieces``) in a
    :class:`Vocabulary`, letting their strings go."""
    if isinstance(tokenizer._prefixes, Vocabulary):
        return
    vocabulary = Vocabulary(tokenizer._prefixes)
    tokenizer._pieces = Pieces(vocabulary, len(tokenizer._pieces))
    tokenizer._prefixes = vocabulary
