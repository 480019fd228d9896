"""Whatever a texter sends, signed, the line answers 200 with sound messaging TwiML, each message fitting a
phone (three segments at most, GSM-7 unless Spanish's letters need more), or nothing for a stopped number.
The app's database and log are in the stress folder, which the suite's last test searches."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.languages import language
from ivr.languages.messaging import keyword
from ivr.messages import MAX_BODY
from tests.calls import CALLER
from tests.conftest import TOKEN
from tests.stress.conftest import FUZZ
from tests.texts import Texter

WORDS = st.sampled_from(["hi", "2", "1", "0", "menu", "back", "repeat", "clinic", "HELP", "ESPAÑOL", "STOP",
                         "START", "I can't breathe", "tengo hinchazón", "swelling", "", "9", "*", "#", "12"])
ANY = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
HUGE = st.builds(lambda char, size: char * size, st.sampled_from(["x", "é", "😀", " ", "1", "."]),
                 st.sampled_from([400, 1_599, 1_600]))
BODY = st.one_of(WORDS, ANY, HUGE)
STOP_WORDS = language("en").messages.stop_words | language("es").messages.stop_words
START_WORDS = language("en").messages.start_words | language("es").messages.start_words
#: An example is a conversation of up to six messages and a START, about four and a half requests: a quarter
#: of the examples sends as many signed requests to /sms as each voice webhook's fuzzing sends to it.
CONVERSATIONS = settings(FUZZ, max_examples=max(FUZZ.max_examples // 4, 100))


@pytest.mark.long
@CONVERSATIONS
@given(st.lists(st.tuples(BODY, st.sampled_from([0, 0, 1, 3])), min_size=1, max_size=6),
       st.sampled_from([CALLER, "+442071838750", "anonymous", ""]))
def test_any_messages_get_a_reply_that_fits_a_phone(stress_app: Flask, messages: list[tuple[str, int]],
                                                     number: str) -> None:
    texter = Texter(stress_app.test_client(), TOKEN, number=number)
    kept = number.startswith("+")  # a number the line can hash keeps its STOP; "anonymous" cannot
    stopped = False
    for body, media in messages:
        reply = texter.send(body, media=media)  # 200, the schema, each message's length and encoding
        word = keyword(body[:MAX_BODY])
        if word in STOP_WORDS:
            assert reply == []
            stopped = kept
        elif stopped and word not in START_WORDS:
            assert reply == [], "a stopped number is never written to"
        else:
            stopped = False
            assert reply, f"{body[:40]!r} got no reply"
    texter.send("START")
