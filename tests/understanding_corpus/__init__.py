"""The understanding corpora: what callers of the Botox line say, in their own words, and where it should take them.

Each language's file (``en.txt``, ``es.txt``) is split here, deterministically, into a tune half (examples a
model may learn from, thresholds may be set on) and a held-out half (only reported on). Utterances that are
near-duplicates of each other are kept in the same half, so the held-out half never scores a sentence the
tune half almost contains. README.md beside this file describes the format. Only the standard library is
used, so the comparison in bench/understanding_models.py can read the corpora from a venv without ``ivr``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

HERE = Path(__file__).parent
LANGUAGES = ("en", "es")
Half = Literal["tune", "heldout"]
#: The corpora written apart, each in a folder of its name: nine to tune on, one only to measure.
Written = Literal["written_for_tuning", "written_for_tuning_2", "written_for_tuning_3", "written_for_tuning_4",
                  "written_for_tuning_5", "written_for_tuning_6", "written_for_tuning_7", "everyday_symptoms",
                  "everyday_symptoms_2", "written_blind"]

#: The corpora to tune on half of whose utterances are written into the language packs as examples (round 10,
#: ``given_as_example``); the other half is what ``written`` gives, to measure them on.
EXAMPLED: frozenset[Written] = frozenset({"written_for_tuning", "written_for_tuning_2", "written_for_tuning_3",
                                          "written_for_tuning_4", "everyday_symptoms", "everyday_symptoms_2"})
#: The concerning classes the issue sets targets for, and the places that count as reaching them.
CONCERNING: dict[str, frozenset[str]] = {
    "breathing": frozenset({"emergency"}),
    "swallowing": frozenset({"emergency"}),
    "speaking": frozenset({"emergency"}),
    "chest": frozenset({"emergency"}),
    # The clinic check, or the emergency advice (issue 19's targets allow either).
    "weakness": frozenset({"check-weakness", "emergency"}),
    "vision": frozenset({"check-vision", "emergency"}),
    "eyelid": frozenset({"check-signs", "check-swelling"}),
    "redness": frozenset({"check-signs", "check-swelling", "check-reaction"}),
    "swelling_lasts": frozenset({"check-swelling"}),
}
#: The classes whose callers must be given the emergency advice; every other class is a possible false alarm.
EMERGENCY_CLASSES = frozenset({"breathing", "swallowing", "speaking", "chest"})
#: The class of the corpora written apart that is none of the concerning ones (its target: ``any``).
ANYTHING_ELSE = "other"
#: Two utterances sharing at least this share of their words (Jaccard) are near-duplicates.
NEAR_DUPLICATE = 0.6

_HEADING = re.compile(r"^##\s*(?P<label>[\w-]+)\s*->\s*(?P<target>[\w-]+)\s*$")
_NOT_WORD = re.compile(r"[^\w' ]+")


@dataclass(frozen=True)
class Utterance:
    """One thing a caller says, its class (``label``) and the place it should reach (``target``)."""

    text: str
    label: str
    target: str
    half: Half
    #: The text as the corpus has it, where ``text`` is something else (what a recogniser heard of it).
    written: str = ""

    def accepted(self) -> frozenset[str]:
        """The places that count as understanding this utterance."""
        return CONCERNING.get(self.label, frozenset({self.target}))


def words_of(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: how near-duplicates are compared."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char)).replace("\u2019", "'")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def read(language: str, folder: str = "") -> list[tuple[str, str, str]]:
    """The (text, class, target) of every utterance in ``language``'s file (in ``folder``), in file order."""
    rows: list[tuple[str, str, str]] = []
    label = target = ""
    for number, raw in enumerate((HERE / folder / f"{language}.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading:
            label, target = heading["label"], heading["target"]
        elif line and not line.startswith("#"):
            if not label:
                raise ValueError(f"{language}.txt line {number}: an utterance before any '## class -> target'")
            rows.append((line, label, target))
    return rows


def written(corpus_name: Written, language: str) -> list[Utterance]:
    """The utterances of one of the corpora written apart from the rest (README.md says by whom and why) that
    measure the line: all of them, or for a corpus in ``EXAMPLED`` the half not given as examples. Their class
    ``other`` (target ``any``) is everything that is none of the concerning classes, counted for false
    emergencies and "not understood" only."""
    return [Utterance(text, label, target, "heldout") for text, label, target in read(language, corpus_name)
            if corpus_name not in EXAMPLED or not given_as_example(text)]


def given_as_example(text: str) -> bool:
    """Whether an utterance of a corpus in ``EXAMPLED`` is in the half the packs were given as examples: by a
    hash of the utterance alone, so a line added to a corpus moves no other."""
    return hashlib.md5(text.strip().lower().encode(), usedforsecurity=False).digest()[0] % 2 == 0


def near_duplicates(a: str, b: str) -> bool:
    """Whether two normalised utterances are the same sentence give or take a few words."""
    if a == b:
        return True
    first, second = set(a.split()), set(b.split())
    return len(first & second) / len(first | second) >= NEAR_DUPLICATE


def _clusters(texts: list[str]) -> list[list[int]]:
    """Indexes of ``texts`` grouped so that near-duplicates (and their near-duplicates) share a group."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if near_duplicates(texts[i], texts[j]):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def corpus(language: str) -> list[Utterance]:
    """Every utterance of ``language`` with its half.

    Groups of near-duplicates are taken in the order of a hash of their words (so the split does not follow
    the order the file was written in) and each goes to the half that so far holds fewer of its classes'
    utterances: each class ends split about evenly, and a group is never split.
    """
    rows = read(language)
    normalised = [words_of(text) for text, _, _ in rows]
    groups = sorted(_clusters(normalised),
                    key=lambda g: hashlib.sha256("|".join(sorted(normalised[i] for i in g)).encode()).hexdigest())
    counts: dict[Half, Counter[str]] = {"tune": Counter(), "heldout": Counter()}
    halves: dict[int, Half] = {}
    for group in groups:
        labels = Counter(rows[i][1] for i in group)
        load = {half: sum(counts[half][label] for label in labels) for half in counts}
        half: Half = "tune" if load["tune"] <= load["heldout"] else "heldout"
        counts[half].update(labels)
        for i in group:
            halves[i] = half
    return [Utterance(text, label, target, halves[i]) for i, (text, label, target) in enumerate(rows)]


def half(language: str, which: Half) -> list[Utterance]:
    """The tune or held-out half of ``language``."""
    return [u for u in corpus(language) if u.half == which]
