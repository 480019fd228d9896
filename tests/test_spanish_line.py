"""A caller who speaks Spanish chooses it in the first seconds and hears the whole Botox line in it."""

from __future__ import annotations

from collections import deque
from urllib.parse import parse_qs, urlparse

import pytest

from ivr.config import DEFAULT_LINE_FILE
from ivr.line import AnswerNode, MenuNode, all_prompts
from ivr.line.validate import load_line
from tests.calls import Answer, Caller
from tests.conftest import CLOSED, Clock

LINE = load_line(DEFAULT_LINE_FILE).line
SPANISH = LINE.in_language("es")
SPANISH_TEXTS = set(all_prompts(LINE, "es"))
ENGLISH_TEXTS = set(all_prompts(LINE, "en"))
VOICE = "Polly.Lupe-Neural"
ADVICE = "Si tiene dificultad para respirar, tragar o hablar, cuelgue ahora y llame al 9 1 1."


def said(answer: Answer) -> list[tuple[str, str | None, str | None]]:
    """Each <Say>: its text, its voice and its language."""
    assert answer.root is not None
    return [("".join(say.itertext()).strip(), say.get("voice"), say.get("language")) for say in answer.root.iter("Say")]


def in_spanish(caller: Caller) -> Answer:
    caller.dial_in()
    return caller.press("9")


def state_of(answer: Answer) -> dict[str, list[str]]:
    element = answer.gather if answer.gather is not None else answer.dial
    assert element is not None
    return parse_qs(urlparse(element.get("action", "")).query)


def test_the_start_offers_spanish_in_spanish_by_the_spanish_voice_right_after_the_emergency_sentence(
    caller: Caller,
) -> None:
    first, offer, rest, *menu = said(caller.dial_in())
    assert first == ("If you have trouble breathing, swallowing or speaking, hang up now and call 911.", None, "en-US")
    assert offer == ("Para español, oprima 9.", VOICE, "es-US")
    assert rest == ("This is not medical advice.", None, "en-US")
    assert menu[0] == ("For a worrying symptom, press 1.", None, "en-US")
    gather = caller.last.gather  # type: ignore[union-attr]
    assert gather is not None and gather.get("language") == "en-US"
    assert "español" in gather.get("hints", "")


def test_pressing_9_at_the_start_gives_the_whole_start_in_spanish(caller: Caller) -> None:
    answer = in_spanish(caller)
    heard = said(answer)
    assert heard[0][0].startswith(ADVICE), "the emergency sentence first, in Spanish"
    assert "Si le preocupa un síntoma, oprima 1." in [text for text, _, _ in heard]
    assert {(voice, language) for _, voice, language in heard} == {(VOICE, "es-US")}
    assert answer.gather is not None and answer.gather.get("language") == "es-US"
    hints = answer.gather.get("hints", "")
    assert "me preocupa" in hints and "repetir" in hints and "no puedo respirar" in hints
    assert state_of(answer)["lang"] == ["es"]


@pytest.mark.parametrize("words", ["español", "Espanol.", "Spanish please", "en español por favor"])
def test_saying_spanish_at_the_start_chooses_it(caller: Caller, words: str) -> None:
    caller.dial_in()
    assert caller.say(words).heard.startswith(ADVICE)


def test_a_caller_who_says_nothing_goes_on_in_english_and_hears_the_offer_again(caller: Caller) -> None:
    caller.dial_in()
    again = caller.stay_silent()
    notice, offer, *_ = said(again)
    assert notice[0] == "I did not hear a choice. Take your time." and notice[2] == "en-US"
    assert offer == ("Para español, oprima 9.", VOICE, "es-US"), "a caller who missed it hears it again"
    assert again.gather is not None and again.gather.get("language") == "en-US"
    assert caller.press("9").heard.startswith(ADVICE), "and can still take it"


@pytest.mark.parametrize("first", [("say", "no hablo inglés"), ("say", "what"), ("press", "*")])
def test_the_offer_is_kept_while_the_caller_stays_at_the_start(caller: Caller, first: tuple[str, str]) -> None:
    caller.dial_in()
    how, what = first
    again = caller.say(what) if how == "say" else caller.press(what)
    if what == "no hablo inglés":
        assert again.heard.startswith(ADVICE), "a caller who says they speak no English gets Spanish"
        return
    assert "Para español, oprima 9." in again.heard
    assert caller.press("9").heard.startswith(ADVICE)


def test_once_the_caller_chose_from_the_menu_9_is_back_again(caller: Caller) -> None:
    caller.dial_in()
    caller.press("2")
    back = caller.press("9")
    assert "Main menu." in back.heard and "Para español" not in back.heard
    assert state_of(back)["lang"] == ["en"]


@pytest.mark.parametrize("words", ["nine", "9", "oprima nueve", "el nueve"])
def test_saying_the_key_of_spanish_at_the_start_chooses_it(caller: Caller, words: str) -> None:
    caller.dial_in()
    assert caller.say(words).heard.startswith(ADVICE)


def test_a_choice_from_the_first_menu_is_a_choice_not_a_language(caller: Caller) -> None:
    caller.dial_in()
    assert LINE.nodes["symptoms"].prompt in caller.press("1").heard  # type: ignore[union-attr]


def test_after_the_start_9_goes_back_as_everywhere(caller: Caller) -> None:
    caller.dial_in()
    caller.press("2")
    answer = caller.press("9")
    assert "Main menu." in answer.heard and "español" not in answer.heard


def test_the_choice_is_kept_in_the_signed_url_and_cannot_be_changed_without_the_signature(caller: Caller) -> None:
    answer = in_spanish(caller)
    action = answer.gather.get("action", "")  # type: ignore[union-attr]
    assert "lang=es" in action
    forged = caller.post(action.replace("lang=es", "lang=en"), {"Digits": "2"}, signed=False)
    assert forged.status == 403


def test_every_node_of_the_line_is_heard_in_spanish_and_nothing_in_english(caller: Caller) -> None:
    """A walk over key presses in Spanish reaches every node; every text it hears is Spanish, by the Spanish
    voice: every menu, every answer, every transfer's reason and the emergency advice."""
    reached: set[str] = set()
    heard: set[str] = set()
    queue: deque[tuple[str, ...]] = deque([()])
    while queue:
        keys = queue.popleft()
        answer = in_spanish(caller)
        for key in keys:
            answer = caller.press(key)
        for text, voice, language in said(answer):
            assert (voice, language) == (VOICE, "es-US"), text
            heard.add(text)
        node = _node(answer)
        if node is None or node in reached:
            continue
        reached.add(node)
        if answer.gather is not None and len(keys) < 3:
            queue.extend((*keys, key) for key in "123456")
    assert reached == set(LINE.nodes)
    assert not heard & ENGLISH_TEXTS, "nothing in English"
    assert heard <= SPANISH_TEXTS | {ADVICE}
    for node_id, node in SPANISH.nodes.items():
        if isinstance(node, AnswerNode):
            assert node.text in heard, node_id
        elif isinstance(node, MenuNode):
            assert node.prompt in heard, node_id


def _node(answer: Answer) -> str | None:
    if answer.gather is None and answer.dial is None:
        return "emergency" if ADVICE in answer.heard and answer.verbs[-1] == "Hangup" else None
    return state_of(answer)["node"][0]


@pytest.mark.parametrize(
    ("words", "then_hears"),
    [
        ("oprima dos", "Hinchazón y reacciones."),
        ("la dos", "Hinchazón y reacciones."),
        ("número dos", "Hinchazón y reacciones."),
        ("el dos por favor", "Hinchazón y reacciones."),
        ("la segunda opción", "Hinchazón y reacciones."),
        ("hinchazón", "Hinchazón y reacciones."),
        ("me preocupa un síntoma", "Por favor, elija el síntoma que más se parece al suyo."),
        ("repetir", "Menú principal."),
        ("otra vez", "Menú principal."),
    ],
)
def test_spanish_keys_said_and_words_choose_at_the_first_menu(caller: Caller, words: str, then_hears: str) -> None:
    in_spanish(caller)
    assert then_hears in caller.say(words).heard


@pytest.mark.parametrize("words", ["atrás", "regresar", "menú principal", "regresar al menú principal", "numeral"])
def test_spanish_commands_go_back_to_the_main_menu_from_the_swelling_menu(caller: Caller, words: str) -> None:
    in_spanish(caller)
    caller.press("2")
    assert "Menú principal." in caller.say(words).heard


def test_the_spanish_pace_keys_change_the_pace_of_the_spanish_voice(caller: Caller) -> None:
    in_spanish(caller)
    slower = caller.say("más despacio")
    assert "Desde ahora voy a hablar a este ritmo." in slower.heard
    assert slower.root is not None
    assert {prosody.get("rate") for prosody in slower.root.iter("prosody")} == {"83%"}
    assert "Este ya es el ritmo más lento que tengo." in caller.press("7").heard


def test_asking_for_a_nurse_in_spanish_puts_the_caller_through(caller: Caller) -> None:
    in_spanish(caller)
    answer = caller.say("quiero hablar con una enfermera")
    assert "Por favor, espere mientras le comunico con Example Skin Clinic." in answer.heard
    assert answer.dialled_number == LINE.clinic.phone


def test_after_a_transfer_nobody_answers_the_caller_hears_the_other_ways_in_spanish(caller: Caller) -> None:
    in_spanish(caller)
    caller.press("0")
    answer = caller.dial_ends("busy")
    assert "Lo siento, nadie en Example Skin Clinic pudo contestar en este momento." in answer.heard
    assert "Puede llamar a la línea de atención fuera de horario al 2 0 2, 5 5 5, 0 1 8 8." in answer.heard
    assert "La clínica está abierta de lunes a viernes, de 9 de la mañana a 5 de la tarde" in answer.heard
    assert ADVICE in answer.heard
    assert "Para volver al menú principal, oprima numeral." in answer.heard


def test_outside_opening_hours_the_spanish_caller_hears_so_in_spanish(caller: Caller, clock: Clock) -> None:
    clock.now = CLOSED
    heard = in_spanish(caller).heard
    assert "La clínica está cerrada en este momento." in heard
    assert "hora de Nueva York" in heard


def test_the_emergency_option_gives_the_advice_in_spanish_twice(caller: Caller) -> None:
    in_spanish(caller)
    caller.press("1")
    answer = caller.press("1")
    assert answer.heard.count(ADVICE) == 2
    assert answer.verbs[-1] == "Hangup"


@pytest.mark.parametrize("words", ["no puedo respirar", "me estoy ahogando", "se me cierra la garganta"])
def test_a_spanish_emergency_said_anywhere_reaches_the_advice(caller: Caller, words: str) -> None:
    in_spanish(caller)
    caller.press("3")
    answer = caller.say(words)
    assert answer.heard.count(ADVICE) == 2
    assert answer.verbs[-1] == "Hangup"


def test_an_english_emergency_in_the_spanish_menus_gets_the_advice_in_english_then_in_spanish(caller: Caller) -> None:
    in_spanish(caller)
    answer = caller.say("I can't breathe")
    english = "If you have trouble breathing, swallowing or speaking, hang up now and call 9 1 1."
    assert [text for text, _, _ in said(answer)] == [english, english, ADVICE]
    assert [voice for _, voice, _ in said(answer)] == [None, None, VOICE]
