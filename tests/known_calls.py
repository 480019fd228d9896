"""A day of calls with known journeys, placed through the webhooks, and the figures they must give: ten in
English, and four more in Spanish for the figures by language."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import CLOSED, OPEN, Clock
from tests.delivery import Call, sid

#: Tuesday 24 November 2026 in New York, the clinic's time zone: the day of every call below.
TODAY = "Tue 24 Nov 2026"


def make_the_days_calls(app: Flask, clock: Clock) -> None:
    """Ten calls: answers heard, the emergency advice by keys and by phrases, and transfers for
    every reason (a symptom, key 0, silence, an error) with every result, one of them after hours."""
    clock.now = OPEN
    a = Call(app, sid(1), "+12025550111")
    a.dial_in()
    a.press("2")  # swelling and reactions
    a.press("1")  # how long swelling lasts
    a.hang_up(40)

    b = Call(app, sid(2), "+12025550122")
    b.dial_in()
    b.press("2")
    b.press("1")
    b.press("*")  # hear it again
    b.press("2")  # have the swelling checked: put through for a symptom
    b.dial_ends("busy")
    b.hang_up(120)

    c = Call(app, sid(3), "+12025550133")
    c.dial_in()
    c.stay_silent()
    c.press("5")  # not a choice at the main menu
    c.say("swelling")
    c.press("0")  # the clinic, by key 0
    c.dial_ends("completed")
    c.hang_up(300)

    d = Call(app, sid(4), "+12025550111")  # the first caller again
    d.dial_in()
    d.hang_up(5)

    e = Call(app, sid(5), "+266696687")  # a withheld number
    e.dial_in()
    e.press("1")  # worrying symptoms
    e.press("1")  # the emergency advice, by key
    e.hang_up(30)

    f = Call(app, sid(6), "+12025550144")
    f.dial_in()
    f.say("I can't breathe")  # an emergency phrase at the main menu
    f.hang_up(20)

    g = Call(app, sid(7), "+12025550155")
    g.dial_in()
    g.press("1")
    g.say("swallow")  # the words of the emergency choice, which the line hears as an emergency phrase
    g.hang_up(25)

    h = Call(app, sid(8), "+12025550166")
    h.dial_in()
    for _ in range(3):
        h.stay_silent()  # the third silence: the line stops asking and puts the caller through
    h.dial_ends("no-answer")
    h.hang_up(90)

    i = Call(app, sid(9), "+12025550177")
    i.dial_in()
    with pytest.MonkeyPatch.context() as patch:
        from ivr.call import CallFlow

        patch.setattr(CallFlow, "respond", _broken)
        i.press("2")  # the webhook fails: an apology, and a transfer
    i.dial_ends("failed")
    i.hang_up(60)

    clock.now = CLOSED  # 11 PM in New York
    j = Call(app, sid(10), "+12025550199")
    j.dial_in()
    j.press("0")  # put through to the after-hours line
    j.dial_ends("completed")
    j.hang_up(200)
    clock.now = OPEN


def make_the_days_spanish_calls(app: Flask, clock: Clock) -> None:
    """Four calls in Spanish, after the day's ten in English: the emergency advice by key and by an emergency
    phrase, a transfer somebody answered and one nobody did."""
    clock.now = OPEN
    k = Call(app, sid(11), "+12025550211")
    k.dial_in()
    k.press("9")  # Spanish, by its key
    k.press("1")  # worrying symptoms
    k.press("1")  # the emergency advice, by key
    k.hang_up(35)

    m = Call(app, sid(12), "+12025550222")
    m.dial_in()
    m.say("español")  # Spanish, in words
    m.say("no puedo respirar")  # an emergency phrase in Spanish
    m.hang_up(25)

    n = Call(app, sid(13), "+12025550233")
    n.dial_in()
    n.press("9")
    n.press("0")  # the clinic
    n.dial_ends("completed")
    n.hang_up(150)

    o = Call(app, sid(14), "+12025550244")
    o.dial_in()
    o.say("español")
    o.say("quiero hablar con una enfermera")  # the clinic, in words
    o.dial_ends("no-answer")
    o.hang_up(70)


def _broken(*args: object) -> None:
    raise RuntimeError("a bug in the call flow")
