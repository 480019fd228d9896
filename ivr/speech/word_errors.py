"""How the audit compares what was meant with what was heard: both texts normalised the same way, per language.

A listener does not hear punctuation, capitals or how a number is written, so none of that
counts as an error; anything a listener would hear differently does. How each language is
normalised is its pack's (:mod:`ivr.languages`). The only module that imports jiwer.
"""

from __future__ import annotations

from ivr.languages import normaliser


def normalise(text: str, language: str = "en-US") -> str:
    """``text`` as words to compare in ``language``: the language pack's own normaliser (``normalise`` in
    ``ivr/languages/<code>/__init__.py``), or for a language without one, lower case, accents off, digits one
    by one and no punctuation (:func:`ivr.languages.text.plain`)."""
    return normaliser(language)(text)


def word_error_rate(meant: str, heard: str, language: str = "en-US") -> float:
    """Word error rate of ``heard`` against ``meant``, both normalised (1.0 if nothing is heard)."""
    import jiwer

    reference, hypothesis = normalise(meant, language), normalise(heard, language)
    if not hypothesis:
        return 1.0
    return float(jiwer.wer(reference, hypothesis))
