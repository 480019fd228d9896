"""A line keeps the TwiML it has made and answers a turn met again with it (ivr.web.documents): what one caller
heard must never reach another whose call is somewhere else in time, language, pace or tries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask

from tests.calls import Caller
from tests.conftest import CLOSED, OPEN, TOKEN, Clock

#: Calls that reach the same places in different states: (when, what the caller does).
CALLS: dict[str, tuple[dt.datetime, tuple[str, ...]]] = {
    "open hours": (OPEN, ("2", "1", "0")),
    "after hours": (CLOSED, ("2", "1", "0")),
    "in Spanish": (OPEN, ("9", "2", "1", "0")),
    "faster": (OPEN, ("8", "2", "1", "0")),
    "a silence first": (OPEN, ("silence", "2", "silence", "1", "0")),
    # Spoken turns: a question back (no, then yes), words the line does not cover, an answer by its meaning.
    "asked back": (OPEN, ("say something is off with my eyes", "say no",
                          "say something is off with my eyes", "say yes")),
    "out of scope": (OPEN, ("say my knee hurts when i walk", "2", "say my knee hurts when i walk", "1", "0")),
    "said, not pressed": (OPEN, ("say my vision went blurry after the botox",)),
}


def _heard(app: Flask, clock: Clock, name: str) -> list[str]:
    """Every document of one call, from the greeting to the transfer."""
    when, steps = CALLS[name]
    clock.now = when
    caller = Caller(app.test_client(), TOKEN)
    documents = [caller.dial_in().document]
    for step in steps:
        if step.startswith("say "):
            documents.append(caller.say(step.removeprefix("say ")).document)
        else:
            documents.append((caller.stay_silent() if step == "silence" else caller.press(step)).document)
    clock.now = OPEN
    return documents


def test_every_caller_hears_what_a_line_that_answered_nobody_else_would_say(
    app: Flask, make_app: Callable[..., Flask], clock: Clock
) -> None:
    # Twice over on one line, each call after others at the same places: the second round is all kept answers.
    for _ in range(2):
        shared = {name: _heard(app, clock, name) for name in CALLS}
    for name in CALLS:
        assert shared[name] == _heard(make_app(), clock, name), f"the {name} call heard another call's answer"


def test_the_calls_differ_where_their_state_does(app: Flask, clock: Clock) -> None:
    """The calls above would prove nothing if their answers were the same anyway."""
    heard = {name: _heard(app, clock, name) for name in CALLS}
    assert heard["open hours"][-1] != heard["after hours"][-1], "the clinic's hours change the transfer"
    assert heard["in Spanish"][-2] != heard["open hours"][-2], "the answer is in Spanish"
    assert "rate=175" in heard["faster"][-2] and heard["faster"][-2] != heard["open hours"][-2], "the pace"
    assert "tries=1" in heard["a silence first"][3], "a silence is counted"
    assert heard["a silence first"][3] != heard["open hours"][1], "the re-prompt after a silence"
    assert "Is that right?" in heard["asked back"][1] and "Is that right?" not in heard["asked back"][2]
    assert heard["asked back"][2] != heard["open hours"][0], "no returns to the menu, not to the greeting"
    assert heard["out of scope"][1] != heard["open hours"][0] and "This line answers" in heard["out of scope"][1]
    assert heard["out of scope"][3] != heard["out of scope"][1], "the same words at another place"
    assert "<Dial" in heard["said, not pressed"][1] and "<Dial" in heard["asked back"][4]
