"""The Botox line's answers, read against the source FAQ (/work/shared/seed/botox-inflammation-faq.txt)."""

from __future__ import annotations

import re

import pytest
import textstat
from textstat.textstat import textstatistics

from ivr.config import DEFAULT_LINE_FILE
from ivr.line import AnswerNode, TransferNode
from ivr.line.validate import load_line
from tests.calls import Caller

LINE = load_line(DEFAULT_LINE_FILE).line
FILE_TEXT = DEFAULT_LINE_FILE.read_text()
#: Every text read to a caller at a node: the answers, and why a transfer is made.
SPOKEN = {node_id: node.text for node_id, node in LINE.nodes.items() if isinstance(node, AnswerNode | TransferNode)}
SPANISH = {node_id: node.text for node_id, node in LINE.in_language("es").nodes.items()
           if isinstance(node, AnswerNode | TransferNode)}
MAX_GRADE = 8
#: Fernández Huerta's reading ease, Spanish's measure: 60 to 70 is "normal", the band of English grades 8 and 9.
MIN_SPANISH_EASE = 60

#: Each fact the source gives, as words its answer must hold.
FACTS = {
    "swelling-duration": ["mild swelling or inflammation", "sensitive skin", "should not be severe",
                          "swelling of any kind", "normal", "within one to two days", "rare cases",
                          "bruising", "drooping eyelid", "redness"],
    "body-effects": ["muscle", "stiff or tight muscles", "movement problems", "Most side effects are mild",
                     "have been reported", "weakness across the body"],
    "pain-relief": ["targeted area", "reduce inflammation", "ease pain", "nerve", "relax", "immediate"],
    "swelling-home": ["ease discomfort", "swelling down", "cool compress", "gently", "Do not press",
                      "cool, not cold", "wrap it in a towel", "Never put ice, or anything frozen"],
    "injection-reactions": ["first week", "usually pass", "several months or longer", "pain", "tenderness",
                            "swelling", "redness", "bruising", "bleeding", "Inflammation", "infection"],
    "spread": ["stays where it was injected", "does not travel", "does not act on the whole body",
               "up to three centimetres"],
    "botulism": ["Botulism of the whole body", "only rarely", "never been reported", "outlet of the stomach",
                 "empties too slowly"],
}


@pytest.mark.parametrize("node_id", sorted(SPOKEN))
def test_every_spoken_answer_reads_at_grade_8_or_below(node_id: str) -> None:
    grade = textstat.flesch_kincaid_grade(SPOKEN[node_id])
    assert grade <= MAX_GRADE, f"{node_id} reads at Flesch-Kincaid grade {grade}"


@pytest.fixture(scope="module")
def spanish_measures() -> textstatistics:
    """textstat's Spanish measures, on an instance of their own: the module's functions share one language
    setting, which the English grade test above reads."""
    measures = textstatistics()
    measures.set_lang("es")
    return measures


@pytest.mark.parametrize("node_id", sorted(SPANISH))
def test_every_spoken_answer_in_spanish_is_easy_to_read(node_id: str, spanish_measures: textstatistics) -> None:
    ease = spanish_measures.fernandez_huerta(SPANISH[node_id])
    assert ease >= MIN_SPANISH_EASE, f"{node_id} reads at Fernández Huerta {ease}"


def test_the_spanish_measures_leave_the_english_grade_alone(spanish_measures: textstatistics) -> None:
    spanish_measures.fernandez_huerta(SPANISH["spread"])
    assert textstat.flesch_kincaid_grade(SPOKEN["spread"]) == textstatistics().flesch_kincaid_grade(SPOKEN["spread"])


#: The same facts in the Spanish answers.
SPANISH_FACTS = {
    "swelling-duration": ["hinchazón o inflamación leve", "piel sensible", "No debería ser fuerte",
                          "cualquier hinchazón", "normal", "en uno o dos días", "casos raros", "moretones",
                          "párpado caído", "piel roja"],
    "body-effects": ["músculo", "músculos rígidos o tensos", "problemas de movimiento",
                     "La mayoría de los efectos secundarios son leves", "se han reportado",
                     "debilidad en todo el cuerpo"],
    "pain-relief": ["zona precisa", "bajar la inflamación", "calmar el dolor", "nervios", "se relajan", "inmediato"],
    "swelling-home": ["aliviar la molestia", "bajar la hinchazón", "compresa fresca", "con suavidad", "No apriete",
                      "fresco, no frío", "envuélvalo primero en una toalla", "No ponga hielo ni nada congelado"],
    "injection-reactions": ["primera semana", "desaparecen", "varios meses o más", "dolor", "dolor al tocar",
                            "hinchazón", "piel roja", "moretones", "sangrado", "inflamación", "infección"],
    "spread": ["se queda donde lo inyectaron", "No viaja", "no actúa en todo el cuerpo", "hasta tres centímetros"],
    "botulism": ["botulismo en todo el cuerpo", "pocas veces", "Nunca se ha reportado", "salida del estómago",
                 "se vacía demasiado despacio"],
}


#: How often, or how nearly, in Spanish.
SPANISH_FREQUENCY = re.compile(
    r"\b(pocas veces|raros?|raras?|a menudo|mucho|suelen?|por lo general|generalmente|la mayoría|nunca|siempre"
    r"|a veces|común|comunes|casi|aproximadamente|alrededor|unos|unas|más o menos)\b",
    re.I,
)
SPANISH_SOURCE_FREQUENCY = {
    "swelling-duration": {"común", "la mayoría", "raros"},
    "injection-reactions": {"suelen", "por lo general"},
    "body-effects": {"mucho", "la mayoría"},
    "botulism": {"pocas veces", "nunca"},
}


def test_the_sources_hedge_is_kept_in_spanish() -> None:
    assert "puede parecer más preocupante" in SPANISH["swelling-duration"]


#: The informal "tú", and the abbreviations of the source: a caller is spoken to as "usted", in plain words.
_NOT_SPOKEN = re.compile(r"\b(tú|tu|tus|tienes|puedes|quieres|oprime|presiona|cuelga|llama|elige|BoNT|BoNT-A"
                         r"|Onabotulinumtoxina?|sistémic[oa])\b")


def test_every_spanish_text_says_usted_and_no_abbreviation() -> None:
    from ivr.line import all_prompts

    for text in all_prompts(LINE, "es"):
        assert not _NOT_SPOKEN.search(text), text


#: How often, or how nearly: words a caller hears as a fact about frequency or size.
FREQUENCY = re.compile(
    r"\b(rarely|rare|often|usually|mostly|seldom|sometimes|always|never|common|commonly|most"
    r"|about|around|roughly|approximately|nearly|almost)\b",
    re.I,
)
#: Those the source itself gives, answer by answer ("In general ... generally transient" is "usually").
SOURCE_FREQUENCY = {
    "swelling-duration": {"common", "most", "rare"},
    "injection-reactions": {"usually"},
    "body-effects": {"often", "most"},
    "botulism": {"rarely", "never"},
    "swelling-home": {"never"},  # the source's "Do not apply ice ... directly to the skin"
}


#: Each language's answers, the facts they must keep, and the frequencies they may give.
_CHECKED = {
    "en": (SPOKEN, FACTS, FREQUENCY, SOURCE_FREQUENCY),
    "es": (SPANISH, SPANISH_FACTS, SPANISH_FREQUENCY, SPANISH_SOURCE_FREQUENCY),
}


@pytest.mark.parametrize(("language", "node_id"), [(language, node_id) for language in _CHECKED for node_id in FACTS])
def test_every_answer_keeps_every_fact_the_source_gives(language: str, node_id: str) -> None:
    texts, facts, _, _ = _CHECKED[language]
    for fact in facts[node_id]:
        assert fact in texts[node_id], f"{node_id} lost {fact!r}"


@pytest.mark.parametrize(("language", "node_id"), [(language, node_id) for language in _CHECKED for node_id in SPOKEN])
def test_no_answer_adds_a_frequency_or_an_approximation_the_source_does_not_give(language: str, node_id: str) -> None:
    texts, _, pattern, allowed = _CHECKED[language]
    said = {word.lower() for word in pattern.findall(texts[node_id])}
    assert said <= allowed.get(node_id, set()), f"{node_id} says {said}"


def test_the_sources_hedge_is_kept() -> None:
    assert "may seem more concerning" in SPOKEN["swelling-duration"]


@pytest.mark.parametrize(("keys", "says"), [(("2", "3", "2"), "Pain, redness, bruising or bleeding")])
def test_the_injection_site_reactions_answer_offers_the_clinic_check(
    caller: Caller, keys: tuple[str, ...], says: str
) -> None:
    answer = caller.dial_in()
    for key in keys:
        answer = caller.press(key)
    assert says in answer.heard and "should be checked by the clinic" in answer.heard
    assert answer.dialled_number == LINE.clinic.phone


@pytest.mark.parametrize("words", ["my eyelid is drooping", "redness", "I have bruising", "drooping eyelid"])
def test_a_drooping_eyelid_redness_or_bruising_on_its_own_is_a_reason_to_be_checked(
    caller: Caller, words: str
) -> None:
    caller.dial_in()
    caller.press("1")
    answer = caller.say(words)
    assert "should be checked by the clinic" in answer.heard
    assert answer.dialled_number == LINE.clinic.phone


def test_the_clinics_own_safety_additions_are_marked_for_the_clinic_to_sign_off() -> None:
    marked = FILE_TEXT.count("CLINIC'S OWN SAFETY ADDITION")
    assert marked >= 5
    for addition in ("greeting:", "  emergency:\n    type: emergency", "  check-signs:", "two-day threshold"):
        before = FILE_TEXT[: FILE_TEXT.index(addition) + len(addition)]
        assert "CLINIC'S OWN SAFETY ADDITION" in before.rsplit("\n\n", 1)[-1], addition


def test_the_spanish_review_puts_every_text_of_the_line_beside_its_english() -> None:
    """docs/botox-line-es.md, the side-by-side review a clinic signs off, is of the line as it is now."""
    from ivr.config import PROJECT_ROOT
    from ivr.line import MenuNode

    review = (PROJECT_ROOT / "docs" / "botox-line-es.md").read_text(encoding="utf-8")
    spanish = LINE.in_language("es")
    pairs = [(LINE.greeting, spanish.greeting)]
    for node_id, node in LINE.nodes.items():
        other = spanish.nodes[node_id]
        if isinstance(node, MenuNode):
            pairs.append((node.prompt, other.prompt))  # type: ignore[union-attr]
        if isinstance(node, AnswerNode | TransferNode):
            pairs.append((node.text, other.text))  # type: ignore[union-attr]
        for option, translated in zip(getattr(node, "options", []), getattr(other, "options", []), strict=True):
            pairs += [(option.label, translated.label), (", ".join(option.words), ", ".join(translated.words))]
    for english, translation in pairs:
        assert f"| {english} | {translation} |" in review, english
