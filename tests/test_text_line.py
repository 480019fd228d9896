"""The line by text message: a texter walks the Botox line as a caller does, one signed message at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ivr.config import DEFAULT_LINE_FILE
from ivr.line import AnswerNode, MenuNode
from ivr.line.validate import load_line
from ivr.messages import TextLine
from tests.conftest import CLOSED, TOKEN, Clock
from tests.texts import Texter, kept_hashes

EMERGENCY = "If you have trouble breathing, swallowing or speaking"
EMERGENCIA = "Si tiene dificultad para respirar, tragar o hablar"
MAIN_MENU = ["1 For a worrying symptom", "2 For swelling and other reactions", "3 For Botox and your body",
             "4 For pain and inflammation", "0 The clinic's phone number"]


@pytest.fixture
def texter(make_app: Callable[..., Flask]) -> Texter:
    """A texter on an app of the test's own: unlike a call's, a conversation's place is kept in the database
    (the shared app's would carry one test's conversation into the next)."""
    return Texter(make_app().test_client(), TOKEN)


def test_the_first_message_gets_the_emergency_sentence_first_then_the_first_menu(texter: Texter) -> None:
    reply = texter.text("hello")
    assert reply.startswith(EMERGENCY)
    for choice in MAIN_MENU:
        assert choice in reply
    assert reply.index(EMERGENCY) < reply.index(MAIN_MENU[0])
    assert "Para español, responda ESPAÑOL." in reply


def test_replies_by_number_or_in_words_walk_the_line(texter: Texter) -> None:
    texter.send("hi")
    assert "Swelling and reactions." in texter.text("2")
    answer = texter.text("how long does swelling last")
    assert "should go down within one to two days" in answer
    assert "Reply MENU for the main menu, BACK to go back" in answer


def test_menu_back_and_repeat_work_as_on_the_phone(texter: Texter) -> None:
    texter.send("hi")
    texter.send("2")
    first = texter.text("1")
    assert texter.text("repeat") == first
    assert "Swelling and reactions." in texter.text("back")
    assert "Main menu." in texter.text("MENU")


@pytest.mark.parametrize("words", ["I can't breathe", "my throat is closing and I cannot swallow"])
def test_an_emergency_at_any_place_gets_the_emergency_advice_first(texter: Texter, words: str) -> None:
    texter.send("hi")
    texter.send("2")
    texter.send("1")
    reply = texter.text(words)
    assert reply.startswith(EMERGENCY + ", call 911 now.")
    assert "Main menu" not in reply


def test_an_emergency_in_the_first_message_is_answered_with_the_advice_alone(texter: Texter) -> None:
    reply = texter.text("help my face is swelling and I can't breathe")
    assert reply.startswith(EMERGENCY)
    assert "1 For a worrying symptom" not in reply


def test_a_concerning_symptom_gets_the_clinics_number_and_whether_it_is_open(texter: Texter) -> None:
    texter.send("hi")
    assert "It sounds like a drooping eyelid, or redness or bruising. Is that right?" in texter.text(
        "my eyelid is drooping")
    reply = texter.text("yes")
    assert "should be checked by the clinic" in reply
    assert "Call Example Skin Clinic on +1 202-555-0143. The clinic is open now." in reply


def test_when_the_clinic_is_closed_a_transfer_gives_the_after_hours_number(texter: Texter, clock: Clock) -> None:
    clock.now = CLOSED
    texter.send("hi")
    reply = texter.text("0")
    assert "Example Skin Clinic is closed now. The clinic is open Monday to Friday" in reply
    assert "call the after-hours line on +1 202-555-0188" in reply
    assert "+1 202-555-0143" not in reply


@pytest.mark.parametrize("ask", ["0", "clinic", "Clinic!"])
def test_zero_or_clinic_gives_the_clinics_number_and_keeps_the_place(texter: Texter, ask: str) -> None:
    texter.send("hi")
    texter.send("2")
    assert "+1 202-555-0143" in texter.text(ask)
    assert "should go down within one to two days" in texter.text("1")


@pytest.mark.parametrize("first", ["ESPAÑOL", "español", "Espanol"])
def test_espanol_turns_the_conversation_to_spanish(texter: Texter, first: str) -> None:
    texter.send("hi")
    reply = texter.text(first)
    assert reply.split(" ", 1)[1].startswith(EMERGENCIA)
    assert "1 Si le preocupa un síntoma" in reply
    assert "Hinchazón y reacciones." in texter.text("2")


@pytest.mark.parametrize("word", ["back", "menu"])
def test_back_or_menu_at_the_first_menu_keep_the_language(texter: Texter, word: str) -> None:
    """On the phone, the first menu offers Spanish on the keys for back and the main menu; a texter's BACK or
    MENU are those keys' commands, never the offer."""
    texter.send("hi")
    reply = texter.text(word)
    assert "1 For a worrying symptom" in reply
    assert "Si le preocupa" not in reply
    assert "2 For swelling and other reactions" in texter.text("hello")


def test_espanol_in_a_spanish_conversation_is_no_mistake(texter: Texter) -> None:
    texter.send("hola")
    texter.send("2")
    reply = texter.text("ESPAÑOL")
    assert "Perdón" not in reply
    assert "1 Si le preocupa un síntoma" in reply


def test_a_first_message_in_spanish_is_answered_in_spanish(texter: Texter) -> None:
    reply = texter.text("tengo hinchazón")
    assert EMERGENCIA in reply
    assert "Hinchazón y reacciones." in reply
    assert "dificultad para respirar" in texter.text("no puedo respirar")


def test_help_says_what_the_line_is_and_how_to_reach_the_clinic(texter: Texter) -> None:
    reply = texter.text("HELP")
    assert "text line of Example Skin Clinic" in reply
    assert "+1 202-555-0143" in reply and "911" in reply


def test_stop_ends_the_conversation_and_nothing_is_written_until_start(texter: Texter) -> None:
    texter.send("hi")
    assert texter.send("STOP") == []
    for body in ("hello", "2", "I can't breathe", "HELP", "menu", ""):
        assert texter.send(body) == []
    reply = texter.text("START")
    assert reply.startswith(EMERGENCY)
    assert "Swelling and reactions." in texter.text("2")


def test_a_conversation_expired_starts_again_with_the_emergency_sentence(texter: Texter, clock: Clock) -> None:
    texter.send("hi")
    texter.send("2")
    clock.now += dt.timedelta(hours=3)
    assert "should go down" in texter.text("1"), "three hours on, the conversation goes on"
    clock.now += dt.timedelta(hours=4, minutes=1)
    reply = texter.text("1")
    assert reply.removeprefix("(1/2) ").startswith(EMERGENCY), "first, in the first part if the reply is cut"
    assert "Please choose the symptom that fits best." in reply, "1 is read at the main menu again"


@pytest.mark.parametrize(("body", "media", "says"), [
    ("", 0, "Sorry, I could not find any words in your message."),
    ("", 1, "Sorry, I can read only words, not pictures."),
    ("6", 0, "Sorry, that is not one of the choices."),
    ("😀😀🙏", 0, "Sorry, I could not find any words in your message."),
    ("Bonjour, je voudrais un rendez-vous", 0, "This line answers questions about swelling, inflammation"),
    ("blah " * 320, 0, "Sorry, I did not understand that."),
])
def test_bad_input_gets_a_clear_reply_and_the_place_is_kept(texter: Texter, body: str, media: int,
                                                             says: str) -> None:
    texter.send("hi")
    texter.send("2")
    reply = texter.text(body, media=media)
    assert says in reply
    assert "1 For how long swelling lasts" in reply
    assert "should go down" in texter.text("1")


def test_an_emergency_at_the_end_of_1600_characters_is_not_lost(texter: Texter) -> None:
    texter.send("hi")
    body = ("I had my injections last week and wanted to ask about it. " * 30)[:1560] + " now I can't breathe"
    assert len(body) <= 1600
    assert texter.text(body).startswith(EMERGENCY)


def test_a_message_without_a_signature_is_refused(client: FlaskClient) -> None:
    texter = Texter(client, TOKEN)
    with pytest.raises(AssertionError, match="403"):
        texter.send("hi", signed=False)


def test_no_texters_number_is_kept(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    texter = Texter(app.test_client(), TOKEN)
    texter.send("hi")
    texter.send("2")
    texter.send("STOP")
    stopped = kept_hashes(Path(app.extensions["ivr.store"].engine.url.database), "text_opt_outs")
    assert len(stopped) == 1 and len(stopped[0]) == 64, "the STOP is kept, by a keyed hash"


def _paths() -> dict[str, list[str]]:
    """The keys from the main menu to each answer of the Botox line."""
    line = load_line(DEFAULT_LINE_FILE).line
    found: dict[str, list[str]] = {}
    waiting = [(line.start, [])]
    while waiting:
        node_id, keys = waiting.pop(0)
        node = line.node(node_id)
        if isinstance(node, AnswerNode) and node_id not in found:
            found[node_id] = keys
        if isinstance(node, MenuNode | AnswerNode):
            waiting += [(option.goto, [*keys, option.key]) for option in node.options
                        if option.goto not in found and len(keys) < 4]
    return found


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_answer_of_the_botox_line_is_reachable_by_text(texter: Texter, language: str) -> None:
    line = load_line(DEFAULT_LINE_FILE).line.in_language(language)
    texter.send("ESPAÑOL" if language == "es" else "hello")
    paths = _paths()
    assert len(paths) >= 5
    for node_id, keys in paths.items():
        texter.send("menu")
        for key in keys:
            reply = texter.text(key)
        node = line.node(node_id)
        assert isinstance(node, AnswerNode)
        first_sentence = node.text.split(". ")[0].replace("\u2019", "'")
        assert first_sentence in reply, node_id


def test_1600_emoji_are_taken_though_a_calls_webhook_would_be_too_large(texter: Texter) -> None:
    texter.send("hi")
    assert "Sorry, I could not find any words in your message." in texter.text("😀" * 1600)


def test_a_failure_inside_the_webhook_gets_an_apology_with_the_clinics_number(
        texter: Texter, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(TextLine, "answer", broken)
    reply = texter.text("hi")
    assert "Sorry, something went wrong on this line." in reply
    assert "+1 202-555-0143" in reply and "911" in reply


def test_without_a_database_every_message_is_answered_as_a_first_one(make_app: Callable[..., Flask],
                                                                       tmp_path: Path) -> None:
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'no-such-folder' / 'calls.sqlite3'}")
    texter = Texter(app.test_client(), TOKEN)
    assert texter.text("hi").startswith(EMERGENCY)
    reply = texter.text("2")
    assert reply.startswith(EMERGENCY), "no place could be kept: the conversation starts again, safely"
    assert "Swelling and reactions." in reply


def test_an_emergency_in_english_in_a_spanish_conversation_gets_the_advice_in_both(texter: Texter) -> None:
    texter.send("hola")
    reply = texter.text("I can't breathe")
    assert reply.index(EMERGENCY) < reply.index(EMERGENCIA)
    assert "Responda MENU para el menú principal" in reply
