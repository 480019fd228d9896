"""Issue 19's targets, on the held-out half of the understanding corpora: what callers say in their own words,
at the Botox line's main menu, through the call flow (tests/understanding_corpus/measure.py)."""

from __future__ import annotations

import functools

import pytest

from ivr.call.flow import CallFlow
from ivr.config import DEFAULT_LINE_FILE
from ivr.line.validate import load_line
from tests.understanding_corpus import LANGUAGES, Written, written
from tests.understanding_corpus.measure import Figures, measure

#: About a minute: the flow's examples embedded, then 805 turns or more.
pytestmark = pytest.mark.slow

#: Issue 19's targets: the share of each class that must reach its place (within two turns, counting the
#: question back), at most this share of false emergency advice, and of "not understood".
REACHED = {"breathing": 0.95, "swallowing": 0.95, "speaking": 0.95, "chest": 0.90, "weakness": 0.90,
           "vision": 0.90}
FALSE_EMERGENCY = 0.01
NOT_UNDERSTOOD = 0.15
#: What the line reaches today (docs/understanding.md has the figures): a fall below these is a regression.
#: They sit one utterance (5 points) under the measured figure.
TODAY = {
    "en": {"breathing": 0.90, "swallowing": 0.95, "speaking": 0.95, "chest": 0.95, "weakness": 0.95,
           "vision": 0.85, "eyelid": 0.90, "redness": 0.95, "swelling_lasts": 0.80},
    "es": {"breathing": 0.95, "swallowing": 0.85, "speaking": 0.85, "chest": 0.90, "weakness": 0.95,
           "vision": 0.90, "eyelid": 0.95, "redness": 0.95, "swelling_lasts": 0.75},
}
#: The issue's targets not yet met on the held-out half (held as strict xfails, so that meeting one is seen).
UNMET = {("es", "swallowing"), ("es", "speaking")}
#: The corpus written blind (tests/understanding_corpus/README.md), 35 of each class: what it reaches today, less
#: one utterance (3 points), and at most one more false emergency than today's among its 200 others.
BLIND = {
    "en": {"breathing": 0.91, "swallowing": 0.91, "speaking": 0.88, "chest": 0.97, "weakness": 0.97, "vision": 0.97},
    "es": {"breathing": 0.91, "swallowing": 0.88, "speaking": 0.82, "chest": 0.94, "weakness": 0.97, "vision": 0.97},
}
BLIND_FALSE_EMERGENCIES = {"en": 8, "es": 5}
#: The corpora to tune on are measured on the half of each not given to the packs as examples (round 10,
#: tests/understanding_corpus: ``written``): on it, today's figures less one utterance, and at most one more false
#: emergency than today's among its others.
#: Everyday symptoms said briefly (35 of each concerning class, 330 everyday complaints, in all).
EVERYDAY = {
    "en": {"breathing": 0.88, "chest": 0.93, "weakness": 0.94, "vision": 0.92},
    "es": {"breathing": 0.88, "chest": 0.95, "weakness": 0.93, "vision": 0.88},
}
EVERYDAY_FALSE_EMERGENCIES = {"en": 6, "es": 4}
#: A second writer's everyday symptoms (round 9: 40 of each concerning class, 440 everyday complaints, in all).
EVERYDAY_2 = {
    "en": {"breathing": 0.95, "swallowing": 0.95, "speaking": 0.86, "chest": 0.94, "weakness": 0.94, "vision": 0.94},
    "es": {"breathing": 0.95, "swallowing": 0.94, "speaking": 0.95, "chest": 0.95, "weakness": 0.92, "vision": 0.95},
}
EVERYDAY_2_FALSE_EMERGENCIES = {"en": 2, "es": 6}
#: A seventh writer's callers in danger (round 8: 240 others in all, half of them hard near misses).
WRITTEN_3 = {
    "en": {"breathing": 0.96, "swallowing": 0.94, "speaking": 0.90, "chest": 0.91},
    "es": {"breathing": 0.95, "swallowing": 0.96, "speaking": 0.91, "chest": 0.88},
}
WRITTEN_3_FALSE_EMERGENCIES = {"en": 13, "es": 26}
#: A ninth writer's callers in danger, told indirectly (round 9: 80 each of swallowing and speaking, 60 of
#: breathing, 120 near misses, in all).
WRITTEN_4 = {
    "en": {"breathing": 0.93, "swallowing": 0.90, "speaking": 0.87},
    "es": {"breathing": 0.94, "swallowing": 0.95, "speaking": 0.86},
}
WRITTEN_4_FALSE_EMERGENCIES = {"en": 14, "es": 17}
#: A tenth writer's callers in danger and others (round 10, none of it given as examples: all of it is measured).
WRITTEN_5 = {
    "en": {"breathing": 0.91, "swallowing": 0.95, "speaking": 0.95},
    "es": {"breathing": 0.97, "swallowing": 0.95, "speaking": 0.88},
}
WRITTEN_5_FALSE_EMERGENCIES = {"en": 27, "es": 25}
#: An eleventh writer's callers in danger and others, more than half of them near misses (round 11: none of it an
#: example, only its figures read while round 11's rules were written).
WRITTEN_6 = {
    "en": {"breathing": 0.92, "swallowing": 0.90, "speaking": 0.92, "chest": 0.93},
    "es": {"breathing": 0.92, "swallowing": 0.90, "speaking": 0.84, "chest": 0.96},
}
WRITTEN_6_FALSE_EMERGENCIES = {"en": 33, "es": 32}
#: A twelfth writer's trouble swallowing and speaking told indirectly, and near misses of the voice and the swallow
#: (round 11: its misses and false alarms were read, and rules written on them).
WRITTEN_7 = {
    "en": {"breathing": 0.98, "swallowing": 0.97, "speaking": 0.94},
    "es": {"breathing": 0.97, "swallowing": 0.97, "speaking": 0.95},
}
WRITTEN_7_FALSE_EMERGENCIES = {"en": 35, "es": 24}


@functools.cache
def _flow() -> CallFlow:
    """The Botox line's call flow, both languages: built once for every test here."""
    return CallFlow(load_line(DEFAULT_LINE_FILE).line)


@functools.cache
def _figures(language: str) -> Figures:
    return measure(_flow(), language)


def _fallen(figures: Figures, floors: dict[str, float]) -> dict[str, str]:
    """Each class that reaches its place less often than its floor, with the share it reaches."""
    return {label: f"{figures.share(label):.0%}" for label, floor in floors.items() if figures.share(label) < floor}


def _assert_written_holds(corpus: Written, language: str, floors: dict[str, float], most_false: int, *,
                          show_lines: bool) -> None:
    """A corpus written apart reaches each class's floor and gives at most ``most_false`` false emergencies;
    a failure shows its false alarms' lines only where ``show_lines`` (never the blind corpus's)."""
    figures = measure(_flow(), language, utterances=written(corpus, language))
    assert _fallen(figures, floors) == {}, "\n".join(figures.rows())
    shown = figures.false_emergencies if show_lines else "\n".join(figures.rows())
    assert figures.plain_false_emergencies <= most_false, shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_false_emergencies_and_words_not_understood_stay_within_the_targets(language: str) -> None:
    figures = _figures(language)
    assert figures.false_emergency <= FALSE_EMERGENCY, figures.false_emergencies
    assert figures.not_understood_share <= NOT_UNDERSTOOD


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_concerning_class_reaches_its_place_at_least_as_often_as_today(language: str) -> None:
    figures = _figures(language)
    assert _fallen(figures, TODAY[language]) == {}, "\n".join(figures.rows())


_NOT_YET = pytest.mark.xfail(strict=True, reason="issue 19: not yet met (docs/understanding.md)")


@pytest.mark.parametrize(("language", "label"), [
    pytest.param(language, label, marks=[_NOT_YET] if (language, label) in UNMET else [])
    for language in LANGUAGES for label in REACHED])
def test_each_concerning_class_meets_issue_19s_target(language: str, label: str) -> None:
    figures = _figures(language)
    assert figures.share(label) >= REACHED[label], "\n".join(figures.rows())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_corpus_written_blind_is_understood_at_least_as_well_as_today(language: str) -> None:
    """Only its figures are printed: a change that fails here is undone or rethought on the tuning data, never
    mended by reading the corpus's lines (tests/understanding_corpus/README.md)."""
    _assert_written_holds("written_blind", language, BLIND[language], BLIND_FALSE_EMERGENCIES[language],
                          show_lines=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_everyday_complaints_are_seldom_given_the_emergency_advice(language: str) -> None:
    """An ear ache, a knee or grief is no emergency; trouble breathing or chest pain said briefly is one."""
    _assert_written_holds("everyday_symptoms", language, EVERYDAY[language], EVERYDAY_FALSE_EMERGENCIES[language],
                          show_lines=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_cough_or_a_sore_throat_from_a_second_writer_of_everyday_complaints_is_no_emergency(language: str) -> None:
    """A cough that will not go or a scratchy throat, said alone, is no emergency; trouble swallowing or speaking,
    said as a member of the public says it, still is."""
    _assert_written_holds("everyday_symptoms_2", language, EVERYDAY_2[language],
                          EVERYDAY_2_FALSE_EMERGENCIES[language], show_lines=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_callers_in_danger_in_a_seventh_writers_words_are_given_the_advice(language: str) -> None:
    """Babbling, breathing worse and worse, lungs that will not fill: said as a writer who read nothing of the
    line says them."""
    _assert_written_holds("written_for_tuning_3", language, WRITTEN_3[language],
                          WRITTEN_3_FALSE_EMERGENCIES[language], show_lines=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_callers_in_danger_told_indirectly_by_a_ninth_writer_are_given_the_advice(language: str) -> None:
    """Ribs sucked in with each breath, a cough at every swallow, a golf ball lodged in the throat: said as a writer
    who read nothing of the line says them; a voice lost at a concert is no emergency."""
    _assert_written_holds("written_for_tuning_4", language, WRITTEN_4[language],
                          WRITTEN_4_FALSE_EMERGENCIES[language], show_lines=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_callers_in_danger_and_near_misses_from_a_tenth_writer_hold_round_10s_figures(language: str) -> None:
    """Said in many regions' ways by a writer who read nothing of the line, and none of it an example: it measures
    what the line learned from the corpora before it."""
    _assert_written_holds("written_for_tuning_5", language, WRITTEN_5[language],
                          WRITTEN_5_FALSE_EMERGENCIES[language], show_lines=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_callers_in_danger_and_near_misses_from_an_eleventh_writer_hold_round_11s_figures(language: str) -> None:
    """Trouble told as over or long ago, a usual breathlessness, a pet, a machine or a saying is seldom an emergency;
    callers in danger, told as a writer who read nothing of the line tells them, are still given the advice."""
    _assert_written_holds("written_for_tuning_6", language, WRITTEN_6[language],
                          WRITTEN_6_FALSE_EMERGENCIES[language], show_lines=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_words_unsaid_and_a_voice_that_was_always_so_from_a_twelfth_writer_hold_round_11s_figures(
        language: str) -> None:
    """Wrong words, a sentence left unfinished, food chewed and spat out are given the advice; a lifelong stammer, a
    voice always quiet or tablets always hard to swallow are seldom."""
    _assert_written_holds("written_for_tuning_7", language, WRITTEN_7[language],
                          WRITTEN_7_FALSE_EMERGENCIES[language], show_lines=True)
