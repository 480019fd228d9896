"""Callers understood by what they mean: concerning places from anywhere, the question back, and what the line
covers, heard as Twilio's signed webhooks are answered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.calls import Caller
from tests.conftest import OPEN, Clock
from tests.delivery import Call, sid
from tests.pages import read, sign_in
from tests.test_commands import ivr
from tests.test_dashboard import PASSWORD, SECRET, rows

VISION_CHECK = "Blurred or double vision after Botox should be checked by the clinic."
WEAKNESS_CHECK = "Weakness away from where you were injected should be checked by the clinic."
EMERGENCY = "If you have trouble breathing, swallowing or speaking, hang up now and call 9 1 1."


def _at(caller: Caller, *keys: str) -> None:
    caller.dial_in()
    for key in keys:
        caller.press(key)


@pytest.mark.parametrize("place", [(), ("4",), ("2", "1")], ids=["main menu", "pain answer", "swelling answer"])
def test_blurred_vision_in_a_callers_own_words_is_put_through_to_the_clinic_from_anywhere(
        caller: Caller, place: tuple[str, ...]) -> None:
    _at(caller, *place)
    answer = caller.say("my vision went blurry after the botox")
    assert VISION_CHECK in answer.heard
    assert answer.dialled_number == "+12025550143"


def test_chest_pain_in_a_callers_own_words_gets_the_emergency_advice_at_once_never_a_question(caller: Caller) -> None:
    _at(caller, "3")
    answer = caller.say("my chest feels really tight and heavy")
    assert answer.heard.count(EMERGENCY) == 2
    assert "Is that right?" not in answer.heard
    assert answer.gather is None and answer.verbs[-1] == "Hangup"


@pytest.mark.parametrize("place", [(), ("3",)], ids=["main menu", "symptoms menu"])
def test_a_chest_named_for_something_else_is_no_emergency_but_the_chest_alone_still_is(
        caller: Caller, place: tuple[str, ...]) -> None:
    _at(caller, *place)
    cough = caller.say("i've got a chesty cough and a cold")
    assert EMERGENCY not in cough.heard and cough.gather is not None
    answer = caller.say("chest")
    assert answer.heard.count(EMERGENCY) == 2 and answer.verbs[-1] == "Hangup"


def test_words_nearest_trouble_swallowing_and_near_nothing_else_get_the_advice_at_once(caller: Caller) -> None:
    _at(caller)
    answer = caller.say("it takes me three or four goes to get a mouthful down")
    assert answer.heard.count(EMERGENCY) == 2
    assert "Is that right?" not in answer.heard and answer.verbs[-1] == "Hangup"


SPANISH_EMERGENCY = "Si tiene dificultad para respirar, tragar o hablar, cuelgue ahora y llame al 9 1 1."


@pytest.mark.parametrize(("keys", "words"), [
    ((), "can i go swimming and hold my breath under water after botox"),
    ((), "a sharp stabbing pain in my big toe"),
    ((), "there's a throbbing ache in my heel after my run"),
    (("9",), "tengo un dolor horrible en el talón"),
    ((), "sharp pain in my right shoulder"),
    ((), "pain right on top of my shoulder"),
    ((), "this cough just won't go, it's been a month"),
    ((), "my throat feels rough like sandpaper"),
    (("9",), "tengo una tos seca que no se me quita"),
    (("9",), "tengo el corazón roto"),
    (("9",), "no puedo pasar ni el lunes ni el martes"),
    (("9",), "la factura es incoherente"),
    ((), "aw i'm a bit choked up thank you you've been so kind"),
    ((), "my voice is fine i just want to know if that's a risk"),
])
def test_words_near_an_emergency_and_as_near_something_else_are_no_emergency(
        caller: Caller, keys: tuple[str, ...], words: str) -> None:
    """Holding a breath under water, a sharp pain far from the heart (a mild thing, or a pain the rules tell is
    only elsewhere), a cough or a scratchy throat alone, a heart broken by grief, being choked up or a voice that is
    fine, is no emergency."""
    _at(caller, *keys)
    answer = caller.say(words)
    assert EMERGENCY not in answer.heard and SPANISH_EMERGENCY not in answer.heard and answer.gather is not None


@pytest.mark.parametrize(("keys", "words", "advice"), [
    ((), "I have a cough whenever I drink", EMERGENCY),
    ((), "my jaw is so tired I can't chew or swallow", EMERGENCY),
    ((), "my chest is burning after dinner", EMERGENCY),
    (("9",), "tengo la voz ronca y no me sale", SPANISH_EMERGENCY),
    (("9",), "me cansa masticar y tragar", SPANISH_EMERGENCY),
    ((), "i have a pain in my left arm and my jaw", EMERGENCY),
    ((), "pain between my shoulder blades and i feel sweaty", EMERGENCY),
    (("9",), "me duele la mandíbula y el brazo izquierdo", SPANISH_EMERGENCY),
    ((), "a sharp pain in my shoulder and i feel sick and clammy", EMERGENCY),
    ((), "sharp pain between my shoulder blades and i feel like i'm going to pass out", EMERGENCY),
    ((), "pain in my upper back and i feel grey and cold", EMERGENCY),
    ((), "pain in my neck and it's hard to get food down", EMERGENCY),
    (("9",), "tengo un dolor en el hombro izquierdo y me siento muy mal", SPANISH_EMERGENCY),
    (("9",), "me duele la espalda y tengo taquicardia", SPANISH_EMERGENCY),
    ((), "is tightness in my chest normal", EMERGENCY),
    ((), "my daughter choked while laughing", EMERGENCY),
    ((), "my little boy keeps coughing every time he has his milk", EMERGENCY),
    (("9",), "toso y se me sale el líquido por la nariz", SPANISH_EMERGENCY),
    ((), "my mum coughs every time she drinks anything", EMERGENCY),
    (("9",), "toso cada vez que bebo algo", SPANISH_EMERGENCY),
])
def test_a_danger_sign_in_mild_words_is_still_given_the_advice(
        caller: Caller, keys: tuple[str, ...], words: str, advice: str) -> None:
    """Mild examples (a cough, a hoarse voice, a tired jaw, heartburn, pain elsewhere in the body) must not hide
    the danger beside them, nor pain where the heart's may be felt (an arm, the jaw, the back)."""
    _at(caller, *keys)
    answer = caller.say(words)
    assert answer.heard.count(advice) == 2 and answer.verbs[-1] == "Hangup"


def test_a_lone_short_word_chooses_no_option_and_said_again_is_no_emergency(caller: Caller) -> None:
    """"me" lies wholly within the Spanish options "me preocupa" (symptoms) and "me duele el pecho" (the emergency) to
    a set ratio: a recogniser's fragment, or what is left of "me atraganté de risa" once the laughter is set aside,
    took a caller to the symptoms and then to the emergency advice."""
    _at(caller, "9")
    last_choice_of_the_main_menu = caller.last.heard.split(".")[-2]  # type: ignore[union-attr]
    for _ in range(2):
        answer = caller.say("me")
        assert SPANISH_EMERGENCY not in answer.heard and answer.gather is not None
        assert last_choice_of_the_main_menu in answer.heard


def test_a_caller_who_cannot_understand_the_line_hears_it_again_not_the_emergency_advice(caller: Caller) -> None:
    _at(caller, "4")
    pain = caller.last.heard  # type: ignore[union-attr]
    answer = caller.say("sorry i can't understand you")
    assert EMERGENCY not in answer.heard and answer.gather is not None
    assert pain in answer.heard


def test_a_caller_the_line_is_unsure_of_is_asked_once_and_yes_puts_them_through(caller: Caller) -> None:
    _at(caller)
    question = caller.say("something is off with my eyes")
    assert question.heard == ("It sounds like blurred or double vision. Is that right? "
                              "Say yes or press 1. Say no or press 2.")
    assert question.gather is not None
    answer = caller.say("yes")
    assert VISION_CHECK in answer.heard and answer.dialled_number == "+12025550143"


def test_no_to_the_question_returns_the_caller_to_where_they_were(caller: Caller) -> None:
    _at(caller, "4")
    pain = caller.last.heard  # type: ignore[union-attr]
    caller.say("something is off with my eyes")
    answer = caller.press("2")
    assert answer.dial is None and answer.heard.startswith(pain.split(".")[0])


def test_the_question_is_asked_in_the_callers_language(caller: Caller) -> None:
    _at(caller, "9")
    question = caller.say("i'm tired all the time")
    assert question.heard.startswith("Parece que se trata de debilidad lejos de donde le inyectaron. ¿Es así?")
    answer = caller.say("sí")
    assert "Si siente debilidad lejos de donde le inyectaron" in answer.heard


def test_a_spanish_caller_is_understood_with_the_accents_the_recogniser_writes(caller: Caller) -> None:
    _at(caller, "9")
    answer = caller.say("ando débil de todo")
    assert "¿Es así?" not in answer.heard
    assert "Si siente debilidad lejos de donde le inyectaron" in answer.heard


def test_what_a_recogniser_mishears_is_understood_as_the_caller_meant_it(caller: Caller) -> None:
    _at(caller)
    assert caller.say("I can't breed").heard.count(EMERGENCY) == 2
    caller.dial_in()
    answer = caller.say("I feel week all over")
    assert WEAKNESS_CHECK in answer.heard and answer.dialled_number == "+12025550143"


def test_a_week_heard_right_still_tells_how_long_the_swelling_has_lasted(caller: Caller) -> None:
    _at(caller)
    answer = caller.say("my face has been swollen for a week now")
    assert answer.heard.startswith("It sounds like swelling that has lasted more than two days.")


def test_out_of_scope_words_hear_what_the_line_covers_the_clinics_number_and_the_menu_again(caller: Caller) -> None:
    _at(caller)
    answer = caller.say("my knee hurts when i walk")
    assert answer.heard.startswith("This line answers questions about swelling, inflammation and other effects "
                                   "after Botox.")
    assert "The number for Example Skin Clinic is 2 0 2, 5 5 5, 0 1 4 3." in answer.heard
    assert "Sorry, I did not understand that." not in answer.heard
    assert "For a worrying symptom, press 1." in answer.heard and answer.gather is not None


def test_the_text_phone_explains_how_each_spoken_turn_was_understood() -> None:
    ran = ivr("call", "--explain", "--at", "tuesday 10:00", stdin="something is off with my eyes\n2\nrepeat\n")
    assert ran.status == 0, ran.err
    assert "[Understood at main: meaning: place check-vision" in ran.out
    assert "a concerning place, unsure (asked back) -> main]" in ran.out
    assert "[Understood at main: rules: repeat -> main]" in ran.out


def test_the_dashboard_counts_questions_back_noes_and_out_of_scope_words_by_place(
        make_app: Callable[..., Flask], database_url: str, clock: Clock) -> None:
    app = make_app(DATABASE_URL=database_url, DASHBOARD_PASSWORD=PASSWORD, SECRET_KEY=SECRET)
    clock.now = OPEN
    unsure = Call(app, sid(1), "+12025550111")
    unsure.dial_in()
    unsure.say("something is off with my eyes")  # asked back at the main menu
    unsure.press("2")  # no
    unsure.say("my knee hurts when i walk")  # out of scope at the main menu
    unsure.hang_up(40)
    clinic = app.test_client()
    sign_in(clinic, PASSWORD)
    figures = read(clinic.get("/dashboard?period=today").get_data(as_text=True))
    main = rows(figures, "Understood by meaning, by place: asked back, said no to the question, and out of scope")
    assert main["Main menu"] == {"Place": "Main menu", "Answers": "3", "Asked back": "1", "Said no": "1",
                                 "Out of scope": "1"}
