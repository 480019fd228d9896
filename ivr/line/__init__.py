"""An information line: the typed, immutable model a call runs on, its texts, hours and views by language.

Checking a clinic's file and saying what to fix is :mod:`ivr.line.validate`'s job.
"""

from ivr.line.hours import WEEKDAYS, OpeningHours, TimeRange, describe, is_open, spoken_time
from ivr.line.model import (
    OFFER_KEYS,
    AnswerNode,
    CallSettings,
    Clinic,
    CommandWords,
    EmergencyNode,
    EngineName,
    Keys,
    Line,
    LineLanguage,
    MenuNode,
    Messaging,
    Node,
    Option,
    Phrases,
    TransferNode,
    Voice,
)
from ivr.line.script import END, Script, all_prompts, opening_offers, spoken_key
from ivr.line.sentences import KEY_SENTENCES, fill, names_number, phrase_names
from ivr.line.texts import MAX_SAY_CHARS, Text, Translations, Word, Words, clean_text, picked

__all__ = [
    "END",
    "KEY_SENTENCES",
    "MAX_SAY_CHARS",
    "OFFER_KEYS",
    "WEEKDAYS",
    "AnswerNode",
    "CallSettings",
    "Clinic",
    "CommandWords",
    "EmergencyNode",
    "EngineName",
    "Keys",
    "Line",
    "LineLanguage",
    "MenuNode",
    "Messaging",
    "Node",
    "OpeningHours",
    "Option",
    "Phrases",
    "Script",
    "Text",
    "TimeRange",
    "TransferNode",
    "Translations",
    "Voice",
    "Word",
    "Words",
    "all_prompts",
    "clean_text",
    "describe",
    "fill",
    "is_open",
    "names_number",
    "opening_offers",
    "phrase_names",
    "picked",
    "spoken_key",
    "spoken_time",
]
