"""English: the code of its pack (its words are in the YAML files beside this one).

``clock`` is how the offline voice is given a clock time; ``normalise`` is how the audit compares
what was meant with what was heard.
"""

from __future__ import annotations

import re

from ivr.languages.text import digits_as_words, straight_quotes


def clock(hour: int, minute: int, half: str) -> str:
    """A clock as the offline voice is given it: "9 30 AM", "5 PM"."""
    return f"{hour}{f' {minute:02d}' if minute else ''} {half}"


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


def normalise(text: str) -> str:
    """English text as words to compare, the same way for what was meant and what was heard.

    Lower case; curly apostrophes straight; contractions written out ("don't" → "do not");
    hyphenated words as one ("after-hours" and "after hours" are "afterhours"), other hyphens
    and slashes as spaces; every digit as its word, one by one ("press 1" and
    "press one", "9 1 1" and "911" agree); other punctuation dropped; British spellings
    as American ("centimetres" and "centimeters" agree); "a.m." as "am"; words that sound the
    same written the same ("two", "too" and "to"); and compounds as one word ("good bye").
    """
    text = straight_quotes(text.lower())
    for short, full in _CONTRACTED_WORDS.items():
        text = re.sub(rf"\b{re.escape(short)}\b", full, text)
    for ending, full in _CONTRACTED_ENDINGS.items():
        text = re.sub(rf"{re.escape(ending)}\b", full, text)
    text = _HALF_DAY.sub(lambda half: f" {half.group(1)}m", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = digits_as_words(text, _DIGITS)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "", text)  # "re-actions" is "reactions"
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    text = " ".join(_SPELLINGS.get(word, word) for word in text.split())
    for parts, compound in _COMPOUNDS.items():
        text = re.sub(rf"\b{parts}\b", compound, text)
    return " ".join(_HOMOPHONES.get(word, word) for word in text.split())
