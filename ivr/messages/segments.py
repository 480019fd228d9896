"""How many SMS segments a text takes, and a text cut into parts that each fit a few.

A text is sent in GSM-7 when every character is in GSM 03.38's alphabet, else in UCS-2. One
GSM-7 segment holds 160 septets (153 in a message of several, the rest is the header that joins
them); a character of the alphabet's extension table (``{ } [ ] ~ | ^ € \\``) takes two, and is never
cut between segments. One UCS-2 segment holds 70 UTF-16 units (67 in a message of several); a
character outside the Basic Multilingual Plane (most emoji) takes two, never cut either.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

#: GSM 03.38's basic alphabet, one septet each (the escape to the extension table left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: two septets each (an escape, then the character).
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

#: (one segment alone, each segment of several) by encoding, in septets or UTF-16 units.
CAPACITY: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}
#: The most segments a reply may take: three GSM-7 segments are 459 characters.
MAX_SEGMENTS = 3

#: Typography that would force UCS-2 on a whole message for a look alone, and its plain spelling.
_PLAIN = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200b": "",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-",
})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def plain(text: str) -> str:
    """``text`` without the typography that forces UCS-2 (curly quotes, dashes, ellipses, odd spaces):
    the same words, which a language's own letters (á, í, ó, ú) keep."""
    return text.translate(_PLAIN)


def encoding(text: str) -> Encoding:
    """The encoding a message of ``text`` is sent in."""
    return "GSM-7" if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text) else "UCS-2"


def _units(text: str, coding: Encoding) -> list[int]:
    """Each character's size in ``coding``: septets, or UTF-16 units."""
    if coding == "GSM-7":
        return [2 if char in GSM7_EXTENDED else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def segments(text: str) -> int:
    """How many segments a message of ``text`` is sent in (an empty text is one)."""
    coding = encoding(text)
    units = _units(text, coding)
    alone, each = CAPACITY[coding]
    if sum(units) <= alone:
        return 1
    count, used = 1, 0
    for size in units:  # a character is never cut between two segments
        if used + size > each:
            count, used = count + 1, 0
        used += size
    return count


def fits(text: str, most: int = MAX_SEGMENTS) -> bool:
    return segments(text) <= most


def parts(blocks: list[str], most: int = MAX_SEGMENTS, numbered: str = "({n}/{of}) ") -> list[str]:
    """``blocks`` (paragraphs, or lists one item a line) as one message, each block on its own line, when it
    fits ``most`` segments; else cut into parts that each fit, every part beginning with its number.

    A part ends at the end of a sentence or of a list's line; only a sentence too long for a part alone is
    cut at a space (and a "word" too long, anywhere).
    """
    blocks = [block.strip() for block in blocks if block.strip()]
    whole = "\n".join(blocks)
    if fits(whole, most):
        return [whole] if whole else []
    pieces = [piece for block in blocks for piece in _pieces(block, most, numbered)]
    guess = 2
    while True:
        packed = _pack(pieces, most, functools.partial(_label, numbered, guess))
        if len(packed) <= guess:
            return [numbered.format(n=n, of=len(packed)) + part for n, part in enumerate(packed, 1)]
        guess = len(packed)


def _label(numbered: str, of: int, n: int) -> str:
    return numbered.format(n=n, of=of)


#: A piece of a block, and what joins it to the piece before it in a part ("\n" or " ").
_Piece = tuple[str, str]


def _pieces(block: str, most: int, numbered: str) -> list[_Piece]:
    """A block's sentences, or its lines, each small enough for a part beside its number."""
    if "\n" in block:
        units = [(line.strip(), "\n") for line in block.splitlines() if line.strip()]
    else:
        sentences = _SENTENCE_END.split(block)
        units = [(sentence, "\n" if index == 0 else " ") for index, sentence in enumerate(sentences)]
    pieces: list[_Piece] = []
    for text, joiner in units:
        cut = _fitting(text, most, numbered)
        pieces += [(piece, joiner if index == 0 else " ") for index, piece in enumerate(cut)]
    return pieces


def _fitting(sentence: str, most: int, numbered: str) -> list[str]:
    """A sentence as it is, or cut at spaces (then anywhere) into pieces that fit beside a part's number."""
    room = numbered.format(n=999, of=999)
    if fits(room + sentence, most):
        return [sentence]
    pieces: list[str] = []
    current = ""
    for word in sentence.split(" "):
        candidate = f"{current} {word}" if current else word
        if fits(room + candidate, most):
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = word
        while not fits(room + current, most):  # a "word" longer than a part: cut it where it must be
            cut = next(i for i in range(len(current), 0, -1) if fits(room + current[:i], most))
            pieces.append(current[:cut])
            current = current[cut:]
    if current:
        pieces.append(current)
    return pieces


def _pack(pieces: list[_Piece], most: int, label: Callable[[int], str]) -> list[str]:
    """Pieces joined into as few parts as fit, in order, each with room for its number (``label(n)``)."""
    packed: list[str] = []
    for piece, joiner in pieces:
        if packed and fits(label(len(packed)) + packed[-1] + joiner + piece, most):
            packed[-1] += joiner + piece
        else:
            packed.append(piece)
    return packed
