"""Helpers the languages' own code shares: comparing words as a listener hears them."""

from __future__ import annotations

import re
import unicodedata


def plain(text: str) -> str:
    """Text in a language with no normaliser of its own: lower case, accents off, digits one by one, no punctuation."""
    text = without_accents(text.lower())
    text = re.sub(r"(?<=\d)[.,](?=\d{3})", "", text)
    text = re.sub(r"\d", lambda digit: f" {digit.group()} ", text)
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


def without_accents(text: str) -> str:
    """``text`` with its accents and tildes off ("más" is "mas", "español" is "espanol")."""
    return "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char))


def straight_quotes(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def digits_as_words(text: str, words: tuple[str, ...]) -> str:
    """Every digit as its word, one by one."""
    return re.sub(r"\d", lambda digit: f" {words[int(digit.group())]} ", text)
