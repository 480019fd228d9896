"""A caller's words in one plain form, as the rules and the meaning compare them with the line's."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w' ]+")


def plain_words(text: str, accents: bool = False) -> str:
    """Lower case, straight apostrophes, no other punctuation, single spaces; without accents unless ``accents``
    (the rules fold them, as recognisers write "atras" and "atrás"; the meaning keeps them, as its model tells
    "débil" from "debil")."""
    text = text.lower()
    if accents:
        text = unicodedata.normalize("NFC", text)
    else:
        text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(_NOT_WORD.sub(" ", text).split())
