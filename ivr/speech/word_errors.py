"""How the audit compares what was meant with what was heard: both texts normalised the same way, per language.

A listener does not hear punctuation, capitals or how a number is written, so none of that
counts as an error; anything a listener would hear differently does. The only module that
imports jiwer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable


def language_code(language: str) -> str:
    """The language of a BCP 47 tag, without its country: "es-US" -> "es"."""
    return language.split("-")[0].lower()


def normalise(text: str, language: str = "en-US") -> str:
    """``text`` as words to compare in ``language`` (:func:`english` for English, :func:`spanish` for Spanish;
    other languages: :func:`plain`)."""
    return _NORMALISERS.get(language_code(language), plain)(text)


def word_error_rate(meant: str, heard: str, language: str = "en-US") -> float:
    """Word error rate of ``heard`` against ``meant``, both normalised (1.0 if nothing is heard)."""
    import jiwer

    reference, hypothesis = normalise(meant, language), normalise(heard, language)
    if not hypothesis:
        return 1.0
    return float(jiwer.wer(reference, hypothesis))


# -- English ---------------------------------------------------------------------------------

_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_CONTRACTED_WORDS = {
    "can't": "cannot", "won't": "will not", "it's": "it is", "that's": "that is", "there's": "there is",
    "what's": "what is", "let's": "let us",
}
_CONTRACTED_ENDINGS = {"n't": " not", "'re": " are", "'ve": " have", "'ll": " will", "'m": " am", "'d": " would"}
#: British and American spellings of the same word count as the same word.
_SPELLINGS = {
    "centimetres": "centimeters", "centimetre": "centimeter", "metres": "meters", "metre": "meter",
    "millimetres": "millimeters", "millimetre": "millimeter", "colour": "color", "favour": "favor",
    "behaviour": "behavior", "programme": "program", "anaesthetic": "anesthetic", "paediatric": "pediatric",
    "okay": "ok", "percent": "per cent", "cm": "centimeters", "mm": "millimeters",
}
#: Words that sound the same are the same word to a listener ("press to" is "press two", "For" may be
#: heard as "4"): each is written one way on both sides.
_HOMOPHONES = {
    "two": "to", "too": "to", "four": "for", "fore": "for", "won": "one", "ate": "eight", "hear": "here",
    "buy": "by", "bye": "by", "know": "no", "write": "right", "there": "their", "hole": "whole", "weak": "week",
    "peace": "piece",
}
#: Compounds a listener may write in two words.
_COMPOUNDS = {"good bye": "goodbye", "eye lid": "eyelid", "after hours": "afterhours"}
#: A time's half of the day however it is written: "9 AM", "9 a.m.", "9am".
_HALF_DAY = re.compile(r"(?<=\d)\s*([ap])\.?\s?m\b\.?")


def english(text: str) -> str:
    """English text as words to compare, the same way for what was meant and what was heard.

    Lower case; curly apostrophes straight; contractions written out ("don't" → "do not");
    hyphenated words as one ("after-hours" and "after hours" are "afterhours"), other hyphens
    and slashes as spaces; every digit as its word, one by one ("press 1" and
    "press one", "9 1 1" and "911" agree); other punctuation dropped; British spellings
    as American ("centimetres" and "centimeters" agree); "a.m." as "am"; words that sound the
    same written the same ("two", "too" and "to"); and compounds as one word ("good bye").
    """
    text = _straight_quotes(text.lower())
    for short, full in _CONTRACTED_WORDS.items():
        text = re.sub(rf"\b{re.escape(short)}\b", full, text)
    for ending, full in _CONTRACTED_ENDINGS.items():
        text = re.sub(rf"{re.escape(ending)}\b", full, text)
    text = _HALF_DAY.sub(lambda half: f" {half.group(1)}m", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = _digits_as_words(text, _DIGITS)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "", text)  # "re-actions" is "reactions"
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    text = " ".join(_SPELLINGS.get(word, word) for word in text.split())
    for parts, compound in _COMPOUNDS.items():
        text = re.sub(rf"\b{parts}\b", compound, text)
    return " ".join(_HOMOPHONES.get(word, word) for word in text.split())


# -- Spanish ---------------------------------------------------------------------------------

_SPANISH_DIGITS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
#: "a el" and "de el" are said, and written by a recogniser, as "al" and "del".
_SPANISH_CONTRACTIONS = {"a el": "al", "de el": "del"}
#: The same word written another way.
_SPANISH_SPELLINGS = {"cm": "centimetros", "centimetro": "centimetros", "okey": "ok", "okay": "ok", "mm": "milimetros"}
#: Compounds a recogniser may write in two words.
_SPANISH_COMPOUNDS = {"o prima": "oprima"}
#: An hour and its half of the day, once digits are words: "9 a. m.", "9 am", and as it is said, "9 de la
#: mañana" (accents are off by then); one o'clock is "la una".
_SPANISH_HOUR = re.compile(
    r"\b(cero|uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce)\s*"
    r"(?:([ap])\s?\.?\s?m\b\.?|de la (?:(manana|madrugada)|tarde|noche)|del mediodia)"
)


def spanish(text: str) -> str:
    """Spanish text as words to compare, the same way for what was meant and what was heard.

    Lower case; accents and the tilde off ("más" and "mas", "español" and "espanol" agree: recognisers
    write either); ¿ ¡ and other punctuation dropped; every digit as its Spanish word, one by one
    ("oprima 1" and "oprima uno", "9 1 1", "911" and "nueve uno uno" agree; "novecientos once" does
    not); "a el" and "de el" as "al" and "del"; an hour's half of the day as "am" or "pm" however it is
    written or said ("9 a. m.", "9:00 a.m." and "nueve de la mañana"; "1 p. m." and "una de la tarde");
    "o prima" as "oprima"; "cm" as "centímetros".
    """
    text = _straight_quotes(text.lower())
    text = "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char))
    text = re.sub(r"(?<=\d)[:.]00\b", "", text)  # "5:00" is "5"
    text = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text)  # "1.000" and "1,000" are a thousand
    text = _digits_as_words(text, _SPANISH_DIGITS)
    text = _SPANISH_HOUR.sub(_spanish_hour, text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "", text)
    text = re.sub(r"[^a-z ]+", " ", text)
    text = " ".join(_SPANISH_SPELLINGS.get(word, word) for word in text.split())
    for parts, joined in {**_SPANISH_CONTRACTIONS, **_SPANISH_COMPOUNDS}.items():
        text = re.sub(rf"\b{parts}\b", joined, text)
    return text


def _spanish_hour(match: re.Match[str]) -> str:
    hour, written, morning = match.groups()
    half = f"{written}m" if written else "am" if morning else "pm"
    return f"{'uno' if hour == 'una' else hour} {half}"


# -- any other language ----------------------------------------------------------------------


def plain(text: str) -> str:
    """Text in a language with no normaliser of its own: lower case, accents off, digits one by one, no punctuation."""
    text = "".join(char for char in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(char))
    text = re.sub(r"(?<=\d)[.,](?=\d{3})", "", text)
    text = re.sub(r"\d", lambda digit: f" {digit.group()} ", text)
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


def _straight_quotes(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def _digits_as_words(text: str, words: tuple[str, ...]) -> str:
    """Every digit as its word, one by one."""
    return re.sub(r"\d", lambda digit: f" {words[int(digit.group())]} ", text)


_NORMALISERS: dict[str, Callable[[str], str]] = {"en": english, "es": spanish}
