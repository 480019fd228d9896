"""A caller in danger is understood at every place of every line, however they say it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.call import CallFlow
from ivr.call.emergency import EmergencySense, read_language
from ivr.call.emergency.language import load_language
from ivr.call.emergency.patterns import Heard, PatternError
from ivr.config import DEFAULT_LINE_FILE
from ivr.line.validate import load_line
from tests.calls import Caller
from tests.emergency_corpus import (
    CORPUS,
    EMERGENCIES,
    MAX_FALSE_ALARMS,
    NEAR_MISSES,
    OPEN,
    figures,
    listening_places,
    reaches_emergency_advice,
    said_at,
)
from tests.line_files import base_line, edit
from tests.test_clinic_lines import example_line

SHIPPED = CallFlow(load_line(DEFAULT_LINE_FILE).line)


def _readme_flow(tmp_path: Path, text: str | None = None) -> CallFlow:
    path = tmp_path / "knee.yaml"
    path.write_text(text or example_line())
    return CallFlow(load_line(path).line)


def test_the_corpus_is_big_and_has_no_utterance_on_both_sides() -> None:
    assert len(EMERGENCIES) >= 150
    assert len(NEAR_MISSES) >= 150
    assert not set(map(str.lower, EMERGENCIES)) & set(map(str.lower, NEAR_MISSES))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("place", listening_places(SHIPPED.line))
def test_at_every_place_of_the_shipped_line_every_emergency_is_understood_and_few_near_misses_are(
    place: str, language: str
) -> None:
    found = figures(SHIPPED, place, language, heard_in=language)
    assert not found.missed, f"at {place}, these callers in danger did not hear the emergency advice"
    assert found.false_alarm_rate <= MAX_FALSE_ALARMS, f"at {place}: {found.false_alarms}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_at_every_place_of_the_readme_line_every_emergency_is_understood_and_few_near_misses_are(
    tmp_path: Path, language: str
) -> None:
    flow = _readme_flow(tmp_path)
    for place in listening_places(flow.line):
        found = figures(flow, place, language, heard_in=language)
        assert not found.missed, f"at {place}"
        assert found.false_alarm_rate <= MAX_FALSE_ALARMS, f"at {place}: {found.false_alarms}"


@pytest.mark.parametrize("place", listening_places(SHIPPED.line))
def test_through_the_webhook_a_caller_in_danger_hears_the_advice_and_others_do_not(
    caller: Caller, place: str
) -> None:
    """A sample of the corpus, said the way Twilio sends it: every tenth utterance of each side."""
    url = f"/voice/respond?node={place}&tries=0&rate=140"
    for words in EMERGENCIES[::10]:
        answer = caller.post(url, {"SpeechResult": words, "Confidence": "0.7"})
        assert "hang up now and call 9 1 1" in answer.heard, words
        assert answer.verbs[-1] == "Hangup"
    for words in NEAR_MISSES[1::10]:
        answer = caller.post(url, {"SpeechResult": words, "Confidence": "0.7"})
        assert answer.verbs[-1] != "Hangup" or "Goodbye" in answer.heard, words


def test_a_clinics_emergency_phrases_add_to_the_built_in_understanding(tmp_path: Path) -> None:
    phrases = "emergency_phrases:\n  en: [my vision went dark]\n  es: [se me nubló la vista]\n\nstart: main\n"
    flow = _readme_flow(tmp_path, edit(example_line(), "start: main\n", phrases))
    for words in ("my vision went dark", "I think my vison went dark", "I can't breathe", "my throat is closing"):
        assert reaches_emergency_advice(flow, said_at(flow, "main", words, "en")), words
    for words in ("se me nubló la vista", "creo que se me nublo la vista", "no puedo respirar"):
        assert reaches_emergency_advice(flow, said_at(flow, "main", words, "es")), words
    assert not reaches_emergency_advice(flow, said_at(flow, "main", "my knee is swollen", "en"))
    assert not reaches_emergency_advice(flow, said_at(flow, "main", "tengo la rodilla hinchada", "es"))


def test_the_words_of_an_option_leading_to_an_emergency_node_count_at_every_place(tmp_path: Path) -> None:
    """The small test line's swelling answer offers "If the swelling is severe" (words: severe, very swollen)."""
    flow = _readme_flow(tmp_path, base_line())
    for place in listening_places(flow.line):
        assert reaches_emergency_advice(flow, said_at(flow, place, "my face is very swollen")), place
        assert not reaches_emergency_advice(flow, said_at(flow, place, "my face is a bit swollen")), place


def test_a_lines_own_emergency_number_said_digit_by_digit_is_a_call_for_help(tmp_path: Path) -> None:
    flow = _readme_flow(tmp_path)  # emergency_number 999
    for words in ("I need to call nine nine nine", "999", "get me 9 9 9"):
        assert reaches_emergency_advice(flow, said_at(flow, "aftercare", words)), words


def test_the_spanish_corpus_is_big_and_has_no_utterance_on_both_sides() -> None:
    emergencies, near_misses = CORPUS["es"]
    assert len(emergencies) >= 60
    assert len(near_misses) >= 60
    assert not set(map(str.lower, emergencies)) & set(map(str.lower, near_misses))


@pytest.mark.parametrize(("corpus", "heard_in"), [("en", "es"), ("es", "en")])
def test_callers_who_switch_languages_are_understood_at_every_place(corpus: str, heard_in: str) -> None:
    """English said in the Spanish menus, Spanish said in the English ones: every emergency reaches the
    advice, in the language the caller spoke, and the near-misses stay within the bar."""
    advice = SHIPPED.flow_in(corpus).script.emergency()
    for place in listening_places(SHIPPED.line):
        found = figures(SHIPPED, place, corpus, heard_in=heard_in)
        assert not found.missed, f"{corpus} said at {place} in {heard_in}"
        assert found.false_alarm_rate <= MAX_FALSE_ALARMS, f"at {place}: {found.false_alarms}"
    turn = said_at(SHIPPED, "swelling", CORPUS[corpus][0][0], heard_in)
    assert turn.texts == (advice, advice, SHIPPED.flow_in(heard_in).script.emergency())


def test_at_the_offer_of_spanish_a_spanish_emergency_reaches_the_advice_in_spanish() -> None:
    """The start of a call listens in English, where a Spanish caller has not chosen yet."""
    opening = SHIPPED.start(OPEN)
    state = opening.then.state  # type: ignore[union-attr]
    assert state.offered
    spanish = SHIPPED.flow_in("es").script.emergency()
    for words in CORPUS["es"][0]:
        turn = SHIPPED.respond(state, "", words, OPEN)
        assert reaches_emergency_advice(SHIPPED, turn) and spanish in turn.texts, words
    for words in CORPUS["es"][1]:
        turn = SHIPPED.respond(state, "", words, OPEN)
        assert not reaches_emergency_advice(SHIPPED, turn), words


SPANISH = """\
language: es
spelling: {dictionary: es, real_word_count: 100, classes: [respirar, ahogar]}
rewrite: {"no puedo": no_puedo}
words:
  stop: [pero]
  no_puede: [no_puedo, "no puede"]
  respirar: [respirar, respiro, respira]
  ahogar: [ahogando, ahogo, ahoga]
signs:
  - pattern: "<no_puede> ~2 <respirar>"
  - pattern: "<ahogar>"
"""


def test_a_second_language_is_data_a_file_beside_en_yaml(tmp_path: Path) -> None:
    """Issue 13 adds Spanish as languages/es.yaml; the same reader takes any such file."""
    path = tmp_path / "es.yaml"
    path.write_text(SPANISH)
    sense = EmergencySense(SHIPPED.line, language=read_language(path, "es"))
    assert sense.heard_in("No puedo respirar")
    assert sense.heard_in("me estoy ahogando")
    assert sense.heard_in("no puedo respirár bien")
    assert not sense.heard_in("tengo una pregunta sobre la hinchazón")


def test_a_language_files_mild_things_name_only_classes_it_has(tmp_path: Path) -> None:
    """A misspelt class under a ``mild_alone`` thing's ``unless`` would let the meaning hear an arm's pain as a
    knee's; the error names the thing and the class."""
    path = tmp_path / "es.yaml"
    path.write_text(SPANISH + "mild_alone:\n  cough:\n    unless: [respirar, brazo]\n"
                              "    patterns: [{pattern: \"<ahogar>\"}]\n")
    with pytest.raises(PatternError, match="mild_alone: cough: unless names no class brazo"):
        read_language(path, "es")


def test_trouble_told_as_over_is_set_aside_unless_the_caller_says_it_is_back(tmp_path: Path) -> None:
    """A ``fine`` pattern with ``unless`` is not applied where a word of those classes is said anywhere: "me ahogo
    pero ya pasó" is over, "me ahogo, ya pasó pero volvió" is not."""
    path = tmp_path / "es.yaml"
    path.write_text(SPANISH.replace("words:\n", "words:\n  otra_vez: [volvio, \"otra vez\"]\n")
                    + "fine:\n  - pattern: \"<ahogar> ~4 <stop>? ya paso\"\n    unless: [otra_vez]\n")
    sense = EmergencySense(SHIPPED.line, language=read_language(path, "es"))
    assert not sense.heard_in("me ahogo con el agua pero ya pasó")
    assert sense.heard_in("me ahogo con el agua, ya pasó pero volvió")
    assert sense.heard_in("ya pasó una vez y otra vez me ahogo")


def test_a_class_may_take_in_every_word_of_another_and_names_only_classes_that_have_words(tmp_path: Path) -> None:
    """"trouble: [<respirar>, <ahogar>]" reads as if every word of both were listed under it."""
    path = tmp_path / "es.yaml"
    taking_in = SPANISH.replace("words:\n", "words:\n  problema: [<respirar>, <ahogar>, tos]\n")
    path.write_text(taking_in.replace('  - pattern: "<ahogar>"', '  - pattern: "<problema> fuerte"'))
    sense = EmergencySense(SHIPPED.line, language=read_language(path, "es"))
    assert sense.heard_in("me ahoga fuerte") and sense.heard_in("respiro fuerte") and sense.heard_in("tos fuerte")
    assert not sense.heard_in("me ahoga")
    path.write_text(SPANISH.replace("words:\n", "words:\n  problema: [<respira>]\n"))
    with pytest.raises(PatternError, match="problema: <respira> names no class"):
        read_language(path, "es")


@pytest.mark.parametrize(("entry", "error"), [
    ('{pattern: "<no_puede> ~2 <respirar>|aire"}', "mixes classes and words"),
    ('{pattern: "<no_puede> ~2 <respirar>", unless: [ahora]}', "unless names no class ahora"),
])
def test_a_pattern_that_would_not_match_as_written_is_an_error_that_names_it(
        tmp_path: Path, entry: str, error: str) -> None:
    """"<respirar>|aire" was read as the words "<respirar>" and "aire": the class never matched, silently."""
    path = tmp_path / "es.yaml"
    path.write_text(SPANISH + f"  - {entry}\n")
    with pytest.raises(PatternError, match=error):
        read_language(path, "es")


@settings(max_examples=300, deadline=None)
@given(speech=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_words_at_all_are_read_without_error(speech: str) -> None:
    SHIPPED.matcher.emergency.heard_in(speech)
    SHIPPED.matcher.emergency.without_fine(speech)
    SHIPPED.matcher.emergency.mild_told(speech)


def test_an_emergency_at_the_end_of_a_long_transcript_is_still_heard() -> None:
    speech = "is swelling normal after botox " * 600  # more words than a webhook's body limit carries
    assert not SHIPPED.matcher.emergency.heard_in(speech)
    assert SHIPPED.matcher.emergency.heard_in(speech + " and now I can't breathe")


@pytest.mark.parametrize(
    ("language", "words", "slower"),
    [
        ("en", "you're talking too fast", "I will speak at this pace from now on."),
        ("en", "you are talking way too fast", "I will speak at this pace from now on."),
        ("en", "talking too fast", "I will speak at this pace from now on."),
        ("es", "hable más lento", "Desde ahora voy a hablar a este ritmo."),
        ("es", "hable más lento por favor", "Desde ahora voy a hablar a este ritmo."),
    ],
)
def test_a_caller_asking_the_line_to_slow_down_is_slowed_down_not_sent_away_with_the_emergency_advice(
    caller: Caller, language: str, words: str, slower: str
) -> None:
    """The line's speech said to be too fast was read as the caller's own trouble speaking: the caller heard
    the emergency advice and was hung up on."""
    caller.dial_in()
    if language == "es":
        caller.press("9")
    answer = caller.say(words)
    assert slower in answer.heard, answer.heard
    assert answer.verbs[-1] != "Hangup"


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "I'm talking funny"), ("en", "my speech is weird"), ("en", "you talk funny and I can't breathe"),
     ("es", "hablo raro"), ("es", "mi esposo habla raro")],
)
def test_a_caller_whose_own_speech_is_strange_still_hears_the_advice(
    caller: Caller, language: str, words: str
) -> None:
    caller.dial_in()
    if language == "es":
        caller.press("9")
    answer = caller.say(words)
    assert answer.verbs[-1] == "Hangup", answer.heard


@pytest.mark.parametrize(
    ("words", "danger"),
    [("I am not able to breathe well", True), ("I can't really swallow well", True),
     ("I don't breathe well at all", True), ("I don't know, my breathing is fine", False),
     ("my breathing is fine", False)],
)
def test_a_caller_saying_they_cannot_breathe_well_is_not_taken_for_one_whose_breathing_is_fine(
    words: str, danger: bool
) -> None:
    """ "breathe well" was set aside as a caller's saying all was well, though "not able to" came before it."""
    assert reaches_emergency_advice(SHIPPED, said_at(SHIPPED, SHIPPED.line.start, words)) is danger


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_pattern_passed_over_as_impossible_would_have_matched_nowhere(language: str) -> None:
    """Patterns whose needed words were not said are skipped before they are tried: never one that matches."""
    sense = EmergencySense(SHIPPED.line, load_language(language))
    skipped = 0
    for utterance in [*CORPUS[language][0], *CORPUS[language][1]]:
        words = sense._words_of(utterance)
        heard = Heard.of(words)
        for pattern in (*sense.language.fine, *sense.language.signs):
            if not pattern.possible(heard):
                skipped += 1
                assert not list(pattern.spans(words, len(words))), f"{pattern.text!r} in {utterance!r}"
    assert skipped
