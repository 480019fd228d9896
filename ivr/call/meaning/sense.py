"""Where a caller's words lead by their meaning: the place whose examples are nearest to what was said.

Every option of the line is a place, known by its label, its words and its ``examples``; so are the line-wide
commands, the emergency signs and "out of scope", known by the examples of the language's pack. A caller's
words are embedded (:mod:`ivr.call.meaning.encoder`) and each place scored by the mean cosine of its few
nearest examples. The pack's thresholds then say whether the best place is taken, asked about, or not
understood at all. The rules (:mod:`ivr.call.emergency`, the options' words) stay in front of this: they
are the line's high-precision layer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ivr.call.meaning.classifier import Classifier, train, train_kept
from ivr.call.meaning.encoder import WIDTH, embed, embed_kept, preload
from ivr.call.meaning.pack import Understanding
from ivr.call.plain import plain_words
from ivr.line import AnswerNode, EmergencyNode, Line, MenuNode, Option, TransferNode

#: The meaning reads at most this much of a turn, cut at a word. A caller's description fits in far less (the
#: corpora's longest is under 100 characters); a 1,600-character text took 0.1 s of CPU to embed whole, and
#: 6 ms cut here. The rules, in front, still read all of it, for the emergency signs wherever they are.
MEANING_CHARS = 400

#: "mild" is no place: only what an emergency must be ahead of.
Kind = Literal["emergency", "place", "command", "out_of_scope", "mild"]
#: What a reading decides: go (take the place), ask (the question back first), or nothing understood.
Decision = Literal["go", "ask", "none"]


@dataclass(frozen=True)
class _Place:
    kind: Kind
    #: The node a place leads to, the command's name, or the emergency sign's ("chest", "breathing").
    target: str
    #: Rows of the examples' matrix that are this place's.
    rows: np.ndarray


@dataclass(frozen=True)
class Reading:
    """How a caller's words were understood by their meaning."""

    decision: Decision
    kind: Kind
    target: str
    score: float
    #: The best place of another kind or target, and its score, for the caller's record of why.
    runner_up: str = ""
    runner_up_score: float = 0.0
    why: str = ""

    def explain(self) -> str:
        """One line for ``ivr call --explain``."""
        where = f"{self.kind} {self.target}" if self.kind in ("place", "command") else self.kind
        if self.kind == "emergency":
            where = f"emergency ({self.target})"
        return (f"meaning: {where} {self.score:.2f}, next {self.runner_up or '-'} {self.runner_up_score:.2f}: "
                f"{self.why}")


class MeaningSense:
    """The understanding by meaning of one line in one language, prepared once (its examples embedded)."""

    def __init__(self, line: Line, data: Understanding) -> None:
        self.data = data
        self.concerning = frozenset(
            node_id for node_id, node in line.nodes.items() if isinstance(node, TransferNode) and node.concerning
        )
        texts: list[str] = []
        owners: list[tuple[Kind, str]] = []
        #: Whether each text is the language pack's (the same for every line and every version of it).
        from_pack: list[bool] = []

        def add(kind: Kind, target: str, examples: list[str] | tuple[str, ...], *, pack: bool = False) -> None:
            for text in dict.fromkeys(_plain(str(example)) for example in examples):
                if text:
                    texts.append(text)
                    owners.append((kind, target))
                    from_pack.append(pack)

        concerning_texts: set[str] = set()
        for node in line.nodes.values():
            for option in _options(node):
                goto = line.nodes.get(option.goto)
                said = [option.label, *option.words, *option.examples]
                if isinstance(goto, EmergencyNode):
                    add("emergency", option.goto + ":" + option.key, said)
                elif option.goto in self.concerning:
                    add("place", option.goto, said)
                    concerning_texts.update(_folded(text) for text in said)
        for node in line.nodes.values():
            for option in _options(node):
                goto = line.nodes.get(option.goto)
                if isinstance(goto, EmergencyNode) or option.goto in self.concerning:
                    continue
                # A word a concerning place has too ("weakness") is the concerning place's.
                add("place", option.goto, [text for text in [option.label, *option.words, *option.examples]
                                           if _folded(text) not in concerning_texts])
        for sign, examples in data.emergency.items():
            add("emergency", sign, examples, pack=True)
        spoken_commands = line.command_words.model_dump()
        for command, examples in data.commands.items():
            words = spoken_commands.get(command, [])
            add("command", command, words)
            line_words = {_plain(str(word)) for word in words}
            add("command", command, [text for text in examples if _plain(text) not in line_words], pack=True)
        add("out_of_scope", "out_of_scope", data.out_of_scope, pack=True)
        add("mild", "mild", data.mild, pack=True)
        self._texts = texts
        self._heard_as = _heard_as(data.heard_as)
        self._vectors = _embedded(texts, from_pack)
        preload()  # the weights, which reading the vectors from disk did not need
        by_owner: dict[tuple[Kind, str], list[int]] = {}
        for row, owner in enumerate(owners):
            by_owner.setdefault(owner, []).append(row)
        self._places = [_Place(kind, target, np.array(rows)) for (kind, target), rows in by_owner.items()]
        self._nearest = _NearestRows(self._places, len(texts), data.nearest)
        self._emergency = np.array([kind == "emergency" for kind, _ in owners], dtype=bool)
        self._classifier = train_kept(texts, self._vectors, self._emergency)
        #: The classifier last trained without some examples (``read``'s ``without``), and which.
        self._left_out: tuple[frozenset[str], Classifier | None] = (frozenset(), self._classifier)

    def read(self, speech: str, *, without: frozenset[str] = frozenset(), mild_alone: str = "") -> Reading:
        """Where ``speech`` leads by its meaning, and whether the line should take it, ask, or neither.

        ``without``: examples left out, as if the line did not have them (to measure the examples a line was
        tuned with, each left out in turn). ``mild_alone``: what the rules tell the caller said that is mild alone
        (``EmergencySense.mild_told``: pain far from the heart, a cough), for which the meaning gives no emergency
        advice; "" for none.
        """
        limits = self.data.thresholds
        said = embed([_beginning(self._meant(_plain(speech)))])[0]
        similarities = self._vectors @ said
        if without:
            without = frozenset(_plain(text) for text in without)
            similarities = np.where([text in without for text in self._texts], -1.0, similarities)
        classifier = self._classifier_without(without)
        learned = classifier.probability(said) if classifier is not None and not mild_alone else 0.0
        scored = sorted(zip(self._nearest.scores(similarities).tolist(), self._places, strict=True),
                        key=lambda pair: -pair[0])
        guarded = ""
        if mild_alone:
            if scored[0][1].kind == "emergency":
                guarded = f"only {mild_alone.replace('_', ' ')}, mild alone, so no emergency ({scored[0][1].target}); "
            scored = [pair for pair in scored if pair[1].kind != "emergency"]
        best_score, best = scored[0]
        others = [pair for pair in scored if pair[1].kind != "emergency"]
        nearest_say = (best.kind == "emergency" and best_score >= limits.emergency
                       and best_score - others[0][0] >= limits.emergency_margin)
        agreed = (best.kind == "emergency" and learned >= limits.agree and best_score >= limits.agree_floor
                  and best_score - next(score for score, place in scored if place.kind != "emergency"
                                        and place.kind != "mild") >= limits.agree_margin)
        if not nearest_say and (learned >= limits.classifier or agreed):
            sign_score, sign = next(pair for pair in scored if pair[1].kind == "emergency")
            mild = next((score for score, place in scored if place.kind == "mild"), -1.0)
            if sign_score >= limits.classifier_floor and sign_score - mild >= limits.classifier_mild_margin:
                why = (f"the line's classifier of emergencies {learned:.2f}, at or above {limits.classifier:.2f}"
                       if learned >= limits.classifier else
                       f"the nearest examples' ({sign_score:.2f}) and the classifier's ({learned:.2f}) emergency")
                return Reading("go", "emergency", sign.target, sign_score, others[0][1].target, others[0][0], why)
        if best.kind == "emergency":
            if not nearest_say:
                guarded = (f"an emergency ({best.target} {best_score:.2f}) below {limits.emergency:.2f} or within "
                           f"{limits.emergency_margin:.2f} of the next is not taken; ")
                scored = others
        elif best.kind == "mild":
            guarded = f"nearest something mild ({best_score:.2f}), so no emergency; "
            scored = [pair for pair in scored if pair[1].kind != "emergency"]
        # Mild things are no place: only what an emergency is measured against.
        scored = [pair for pair in scored if pair[1].kind != "mild"]
        best_score, best = scored[0]
        runner_score, runner = next(
            ((score, place) for score, place in scored[1:] if (place.kind, _node(place)) != (best.kind, _node(best))),
            (0.0, best),
        )
        target = _node(best)

        def reading(decision: Decision, why: str) -> Reading:
            return Reading(decision, best.kind, target if best.kind != "emergency" else best.target, best_score,
                           runner.target if runner is not best else "", runner_score, guarded + why)

        if best_score < limits.floor:
            return reading("none", f"below the floor {limits.floor:.2f}")
        if best.kind in ("emergency", "out_of_scope"):
            return reading("go", "nearest")
        sure = best_score >= limits.sure and best_score - runner_score >= limits.margin
        if sure:
            return reading("go", "sure")
        if best.kind == "command":
            return reading("none", "a command, but unsure")
        if target in self.concerning:
            return reading("ask", "a concerning place, unsure")
        return reading("ask", f"unsure between it and {runner.target}")

    def _meant(self, said: str) -> str:
        """``said`` with the pack's misheard phrases put back as the caller meant them."""
        if self._heard_as is None:
            return said
        meant = self.data.heard_as
        return self._heard_as.sub(lambda found: meant[found.group(0)], said)

    def _classifier_without(self, without: frozenset[str]) -> Classifier | None:
        """The classifier, or one trained without the examples ``without`` (kept for the next reading)."""
        if not without:
            return self._classifier
        if self._left_out[0] != without:
            kept = np.array([text not in without for text in self._texts])
            self._left_out = (without, train(self._vectors[kept], self._emergency[kept]))
        return self._left_out[1]


class _NearestRows:
    """Every place's score at once: the mean of its ``nearest`` highest similarities.

    One gather and one sort for all places, instead of a sort and a mean for each: a spoken turn is scored
    against some 30 places. The mean is taken over the same values in the same order as a place's own
    ``np.sort(...)[-nearest:].mean()``: while ``nearest`` is under 8, which numpy sums one after another, the
    scores are the same to the bit (beyond, numpy sums in blocks and the last bit may differ).
    """

    def __init__(self, places: list[_Place], rows: int, nearest: int) -> None:
        widest = max((len(place.rows) for place in places), default=0)
        #: Each place's rows, padded with a row past the end (its similarity -inf, so it sorts first).
        self._rows = np.full((len(places), widest), rows, dtype=np.intp)
        for index, place in enumerate(places):
            self._rows[index, :len(place.rows)] = place.rows
        self._take = min(nearest, widest)
        self._counts = np.array([min(nearest, len(place.rows)) for place in places])

    def scores(self, similarities: np.ndarray) -> np.ndarray:
        """Each place's score, in the dtype of ``similarities``."""
        padded = np.concatenate((similarities, np.full(1, -np.inf, dtype=similarities.dtype)))
        top = np.sort(padded[self._rows], axis=1)[:, -self._take:]
        top[np.isneginf(top)] = 0  # a place with fewer examples: 0 + a + b is a + b, exactly
        return top.sum(axis=1) / self._counts.astype(similarities.dtype)


def _embedded(texts: list[str], from_pack: list[bool]) -> np.ndarray:
    """The vectors of ``texts``: the language pack's examples kept as one set, the line's own as another, so that a
    clinic's changed line embeds only its own texts again (a second or less), not the pack's thousands."""
    vectors = np.empty((len(texts), WIDTH), dtype=np.float32)
    for pack in (True, False):
        rows = [row for row, its in enumerate(from_pack) if its is pack]
        if rows:
            vectors[rows] = embed_kept([texts[row] for row in rows])
    return vectors


def _plain(text: str) -> str:
    """A caller's words as they reach the meaning, and as the examples are embedded: accents kept (to the model
    "débil" and "debil" are far apart, and the examples, as recognisers do, write the accents)."""
    return plain_words(text, accents=True)


def _heard_as(heard_as: Mapping[str, str]) -> re.Pattern[str] | None:
    """One pattern of every misheard phrase, longest first, whole words only."""
    if not heard_as:
        return None
    phrases = sorted(heard_as, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b")


def _beginning(speech: str) -> str:
    """The first :data:`MEANING_CHARS` characters of ``speech``, cut at the last space within them if any."""
    if len(speech) <= MEANING_CHARS:
        return speech
    cut = speech[:MEANING_CHARS]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut


def _node(place: _Place) -> str:
    return "emergency" if place.kind == "emergency" else place.target


def _options(node: object) -> list[Option]:
    return list(node.options) if isinstance(node, MenuNode | AnswerNode) else []


def _folded(text: str) -> str:
    return " ".join(text.lower().split())
