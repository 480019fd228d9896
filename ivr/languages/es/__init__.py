"""Spanish: the code of its pack (its words are in the YAML files beside this one).

``clock`` is how the offline voice is given a clock time; ``normalise`` is how the audit compares
what was meant with what was heard.
"""

from __future__ import annotations

import re

from ivr.languages.text import digits_as_words, straight_quotes, without_accents


def clock(hour: int, minute: int, half: str) -> str:
    """A clock as it is read in Spanish: "9 y 30 de la mañana", "una de la tarde", "12 del mediodía"."""
    if half == "AM":
        part = "de la noche" if hour == 12 else "de la mañana"
    else:
        part = "del mediodía" if hour == 12 else "de la tarde" if hour < 8 else "de la noche"
    said = "una" if hour == 1 else str(hour)
    return f"{said}{f' y {minute:02d}' if minute else ''} {part}"


_DIGITS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
#: "a el" and "de el" are said, and written by a recogniser, as "al" and "del".
_CONTRACTIONS = {"a el": "al", "de el": "del"}
#: The same word written another way.
_SPELLINGS = {"cm": "centimetros", "centimetro": "centimetros", "okey": "ok", "okay": "ok", "mm": "milimetros"}
#: Compounds a recogniser may write in two words.
_COMPOUNDS = {"o prima": "oprima"}
#: An hour and its half of the day, once digits are words: "9 a. m.", "9 am", and as it is said, "9 de la
#: mañana" (accents are off by then); one o'clock is "la una".
_HOUR = re.compile(
    r"\b(cero|uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce)\s*"
    r"(?:([ap])\s?\.?\s?m\b\.?|de la (?:(manana|madrugada)|tarde|noche)|del mediodia)"
)


def normalise(text: str) -> str:
    """Spanish text as words to compare, the same way for what was meant and what was heard.

    Lower case; accents and the tilde off ("más" and "mas", "español" and "espanol" agree: recognisers
    write either); ¿ ¡ and other punctuation dropped; every digit as its Spanish word, one by one
    ("oprima 1" and "oprima uno", "9 1 1", "911" and "nueve uno uno" agree; "novecientos once" does
    not); "a el" and "de el" as "al" and "del"; an hour's half of the day as "am" or "pm" however it is
    written or said ("9 a. m.", "9:00 a.m." and "nueve de la mañana"; "1 p. m." and "una de la tarde");
    "o prima" as "oprima"; "cm" as "centímetros".
    """
    text = straight_quotes(text.lower())
    text = without_accents(text)
    text = re.sub(r"(?<=\d)[:.]00\b", "", text)  # "5:00" is "5"
    text = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text)  # "1.000" and "1,000" are a thousand
    text = digits_as_words(text, _DIGITS)
    text = _HOUR.sub(_hour, text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "", text)
    text = re.sub(r"[^a-z ]+", " ", text)
    text = " ".join(_SPELLINGS.get(word, word) for word in text.split())
    for parts, joined in {**_CONTRACTIONS, **_COMPOUNDS}.items():
        text = re.sub(rf"\b{parts}\b", joined, text)
    return text


def _hour(match: re.Match[str]) -> str:
    hour, written, morning = match.groups()
    half = f"{written}m" if written else "am" if morning else "pm"
    return f"{'uno' if hour == 'una' else hour} {half}"
