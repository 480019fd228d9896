"""Moving around a line: repeat, back, main menu, pace, silence, wrong keys, transfers, hours."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask

from ivr.call import CallFlow, CallState, Listen
from ivr.config import DEFAULT_LINE_FILE
from ivr.line.validate import load_line
from tests.calls import Caller
from tests.conftest import CLOSED, OPEN, TOKEN, Clock
from tests.line_files import base_line, write_line

MAIN_PROMPT = "Main menu."
SWELLING_PROMPT = "Swelling and reactions."


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_every_answer_and_every_second_try_announces_repeat_back_main_menu_and_clinic_keys(caller: Caller) -> None:
    caller.dial_in()
    caller.press("2")
    for answer in (caller.press("1"), caller.stay_silent(), caller.press("#"), caller.stay_silent()):
        if "Main menu." in answer.heard and "I did not hear" not in answer.heard:
            assert "press star" not in answer.heard, "a menu heard the first time keeps to its choices"
            continue
        assert "To hear this again, press star." in answer.heard
        assert "To go back, press 9." in answer.heard
        assert "For the main menu, press pound." in answer.heard
        assert "To speak to the clinic, press 0." in answer.heard


def test_the_first_menu_goes_straight_from_the_greeting_to_its_choices(caller: Caller) -> None:
    heard = caller.dial_in().heard
    assert heard.startswith("If you have trouble breathing, swallowing or speaking, hang up now and call 911.")
    assert "not medical advice" in heard
    after_greeting = heard.index("not medical advice.") + len("not medical advice.")
    assert heard[after_greeting:].startswith(" For a worrying symptom, press 1.")
    assert MAIN_PROMPT not in heard


def test_every_menu_offers_to_say_or_press(caller: Caller) -> None:
    for answer in (caller.dial_in(), caller.press("2"), caller.press("#"), caller.press("3")):
        assert ", press 1." in answer.heard
        assert "Or say what you need." in answer.heard


def test_the_first_menu_announces_the_slower_and_clinic_keys_after_its_choices(caller: Caller) -> None:
    heard = caller.dial_in().heard
    assert "To slow down, press 7. To speak to the clinic, press 0." in heard
    assert heard.index("press 7") > heard.index("press 4."), "after every choice"
    again = caller.stay_silent().heard
    assert "To slow my speech down, press 7. To speed it up, press 8." in again


def test_star_repeats_nine_goes_back_and_pound_returns_to_the_main_menu(caller: Caller) -> None:
    caller.dial_in()
    caller.press("2")
    answer = caller.press("1")
    assert "go down within one to two days" in answer.heard
    assert "go down within one to two days" in caller.press("*").heard
    assert SWELLING_PROMPT in caller.press("9").heard
    caller.press("3")
    assert MAIN_PROMPT in caller.press("#").heard
    assert MAIN_PROMPT in caller.press("9").heard, "back from the main menu stays there"


def test_a_gather_waits_at_least_eight_seconds_and_is_followed_by_a_redirect(caller: Caller) -> None:
    answer = caller.dial_in()
    gather = answer.gather
    assert gather is not None
    assert int(gather.get("timeout", "0")) >= 8
    assert gather.get("input") == "dtmf speech"
    assert "swelling" in gather.get("hints", "")
    assert answer.verbs == ["Gather", "Redirect"]


def test_silence_prompts_again_then_puts_the_caller_through_when_open(caller: Caller) -> None:
    caller.dial_in()
    first = caller.stay_silent()
    assert "I did not hear a choice" in first.heard
    assert MAIN_PROMPT in first.heard
    second = caller.stay_silent()
    assert "I did not hear a choice" in second.heard
    third = caller.stay_silent()
    assert third.dialled_number == "+12025550143"


def test_silence_when_closed_puts_the_caller_through_to_the_after_hours_line_told_why(
    caller: Caller, clock: Clock
) -> None:
    clock.now = CLOSED
    caller.dial_in()
    caller.stay_silent()
    caller.stay_silent()
    last = caller.stay_silent()
    assert last.heard.startswith("I will put you through to someone who can help you.")
    assert "closed right now" in last.heard
    assert last.dialled_number == "+12025550188"


def test_a_key_that_is_not_a_choice_is_named_and_the_menu_repeats(caller: Caller) -> None:
    caller.dial_in()
    answer = caller.press("5")
    assert "not one of the choices" in answer.heard
    assert MAIN_PROMPT in answer.heard


def test_words_that_match_nothing_are_not_understood_and_the_menu_repeats(caller: Caller) -> None:
    caller.dial_in()
    answer = caller.say("purple elephants")
    assert "did not understand" in answer.heard
    assert MAIN_PROMPT in answer.heard


def test_spoken_commands_work_like_keys(caller: Caller) -> None:
    caller.dial_in()
    caller.say("two")
    assert MAIN_PROMPT in caller.say("go back").heard
    assert caller.say("I'd like to talk to a person").dialled_number == "+12025550143"


def test_outside_opening_hours_a_line_of_one_language_says_so_before_offering_anything(
    make_app, clock: Clock, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    clock.now = CLOSED
    caller = Caller(make_app(LINE_FILE=str(write_line(tmp_path, base_line()))).test_client(), TOKEN)
    heard = caller.dial_in().heard
    assert heard.index("closed right now") < heard.index("press 1")


def test_outside_opening_hours_a_line_of_two_languages_says_so_after_the_choices_before_the_clinic_key(
    caller: Caller, clock: Clock
) -> None:
    """The offer of Spanish takes the seconds the closed notice had before the first choice (15 s at most):
    it comes with the hours, still before the key for the clinic."""
    clock.now = CLOSED
    heard = caller.dial_in().heard
    assert heard.index("press 1") < heard.index("closed right now") < heard.index("To speak to the clinic")
    assert "Monday to Friday, 9 AM to 5 PM; Saturday, 9 AM to 12 noon, New York time" in heard


def test_outside_opening_hours_a_transfer_goes_to_the_after_hours_line(caller: Caller, clock: Clock) -> None:
    clock.now = CLOSED
    caller.dial_in()
    answer = caller.press("0")
    assert "closed right now" in answer.heard
    assert answer.dialled_number == "+12025550188"
    assert _query(answer.dial.get("action"))["target"] == ["after_hours"]  # type: ignore[union-attr]


def test_a_busy_clinic_gives_the_caller_other_ways_and_never_silence(caller: Caller) -> None:
    caller.dial_in()
    caller.press("0")
    answer = caller.dial_ends("busy")
    assert "nobody at Example Skin Clinic could answer" in answer.heard
    assert "after-hours line on 2 0 2, 5 5 5, 0 1 8 8" in answer.heard
    assert "The clinic is open Monday to Friday" in answer.heard
    assert "call 9 1 1" in answer.heard
    assert answer.verbs == ["Gather", "Redirect"]
    assert MAIN_PROMPT in caller.press("#").heard


def test_after_the_alternatives_silence_is_asked_again_then_the_numbers_come_twice_and_goodbye(
    caller: Caller,
) -> None:
    caller.dial_in()
    caller.press("0")
    caller.dial_ends("no-answer")
    for _ in range(2):
        again = caller.stay_silent()
        assert "I did not hear a choice" in again.heard
        assert "after-hours line on 2 0 2, 5 5 5, 0 1 8 8" in again.heard
        assert again.verbs == ["Gather", "Redirect"]
    last = caller.stay_silent()
    assert last.heard.count("after-hours line on 2 0 2, 5 5 5, 0 1 8 8") == 2
    assert last.heard.count("call 9 1 1") == 2
    assert last.heard.endswith("Goodbye.")
    assert last.dial is None and last.verbs[-1] == "Hangup"


def test_a_completed_transfer_ends_with_goodbye(caller: Caller) -> None:
    caller.dial_in()
    caller.press("0")
    answer = caller.dial_ends("completed")
    assert "Goodbye" in answer.heard
    assert answer.verbs[-1] == "Hangup"


def test_a_chosen_pace_holds_for_the_rest_of_the_call(caller: Caller) -> None:
    caller.dial_in()
    slower = caller.press("7")
    assert "I will speak at this pace from now on." in slower.heard
    rate = _query(slower.gather.get("action"))["rate"]  # type: ignore[union-attr]
    later = caller.press("2")
    assert _query(later.gather.get("action"))["rate"] == rate  # type: ignore[union-attr]
    caller.press("7")
    assert "already the slowest pace" in caller.press("7").heard


def test_silence_after_an_answer_offers_the_choices_without_reading_it_all_again(caller: Caller) -> None:
    caller.dial_in()
    caller.press("2")
    assert "go down within one to two days" in caller.press("1").heard
    again = caller.stay_silent()
    assert "I did not hear a choice" in again.heard
    assert "go down within one to two days" not in again.heard
    assert "To hear how to bring swelling down at home, press 1." in again.heard
    assert "To hear this again, press star." in again.heard


def test_a_turn_answered_while_the_line_is_reloaded_is_voiced_by_the_version_that_chose_its_words(
    make_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clinic saves its file while a caller's webhook is answered: the words and the voice that says
    them come from one version of the line, never the old words in the new voice."""
    voiced = base_line().replace("start: main\n", "voice:\n  mode: say\n  say_voice: Polly.Joanna\nstart: main\n")
    path = write_line(tmp_path, voiced)
    app = make_app(LINE_FILE=str(path))
    live = app.extensions["ivr"].line
    before = live.current()
    path.write_text(voiced.replace("Polly.Joanna", "Polly.Matthew").replace("Thank you for calling",
                                                                            "Welcome to"), encoding="utf-8")
    live.look()  # what the line's watcher does when the file changes
    after = live.current()
    assert after is not before, "the edited file is loaded"
    versions = iter([before])
    monkeypatch.setattr(live, "current", lambda: next(versions, after))  # saved just after the first read
    answer = Caller(app.test_client(), TOKEN).dial_in()
    assert answer.root is not None
    says = list(answer.root.iter("Say"))
    assert "Thank you for calling Riverside Clinic." in answer.heard
    assert {say.get("voice") for say in says} == {"Polly.Joanna"}


def test_a_language_flow_keeps_the_callers_language_through_every_move() -> None:
    """The Spanish half of a line, used on its own, keeps a Spanish caller in Spanish: a choice, going back,
    the main menu and a transfer nobody answered each lead to a state that still says Spanish."""
    spanish = CallFlow(load_line(DEFAULT_LINE_FILE).line).flow_in("es")
    now = OPEN
    state = CallState(node=spanish.line.start, rate=spanish.line.voice.default_rate, language="es")
    moves = [
        lambda s: spanish.respond(s, "2", "", now),  # a choice
        lambda s: spanish.respond(s, "9", "", now),  # back
        lambda s: spanish.respond(s, "2", "", now),
        lambda s: spanish.respond(s, "#", "", now),  # the main menu
        lambda s: spanish.dial_finished(s, "clinic", "busy", now),  # the clinic's number, then how else
    ]
    for move in moves:
        turn = move(state)
        assert isinstance(turn.then, Listen), turn.event
        state = turn.then.state
        assert state.language == "es", f"after {turn.event} the caller's language is {state.language!r}"
