"""Whatever a caller presses or says, at whatever node, the line answers with working TwiML."""

from __future__ import annotations

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.config import DEFAULT_LINE_FILE
from ivr.line.validate import load_line
from tests.calls import Answer, Caller
from tests.conftest import TOKEN

LINE = load_line(DEFAULT_LINE_FILE).line
NODES = [*LINE.nodes, "_end", "", "no-such-node"]
#: Anything a form can carry (surrogates cannot be encoded).
FORM_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
KEYS = st.sampled_from([*"0123456789*#", "", "12", "A", "*#"])
RATES = st.sampled_from(["", "0", "120", "140", "160", "999", "-1", "abc"])
TRAILS = st.lists(st.sampled_from(NODES), max_size=20).map(",".join)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_call_goes_on_or_ends_on_purpose(answer: Answer) -> None:
    assert answer.status == 200, answer.document
    verbs = answer.verbs
    assert verbs, "an empty document hangs up on the caller"
    if "Gather" in verbs:
        assert verbs[verbs.index("Gather") + 1 :] == ["Redirect"], "a <Gather> must be followed by a redirect"
    elif "Dial" in verbs:
        assert verbs[-1] == "Dial" and answer.dial.get("action")  # type: ignore[union-attr]
    else:
        assert verbs[-1] == "Hangup"
        assert answer.heard, "a call never ends in silence"


@FUZZ
@given(node=st.sampled_from(NODES), trail=TRAILS, rate=RATES, digits=st.one_of(KEYS, FORM_TEXT), speech=FORM_TEXT)
def test_any_keys_or_words_at_any_node(app: Flask, node: str, trail: str, rate: str, digits: str, speech: str) -> None:
    caller = Caller(app.test_client(), TOKEN)
    url = f"/voice/respond?node={node}&trail={trail}&tries=0&rate={rate}"
    assert_call_goes_on_or_ends_on_purpose(caller.post(url, {"Digits": digits, "SpeechResult": speech}))


@FUZZ
@given(node=st.sampled_from(NODES), status=st.one_of(st.sampled_from(
    ["completed", "answered", "busy", "no-answer", "failed", "canceled", ""]), FORM_TEXT),
    target=st.sampled_from(["clinic", "after_hours", "elsewhere"]))
def test_any_transfer_result(app: Flask, node: str, status: str, target: str) -> None:
    caller = Caller(app.test_client(), TOKEN)
    url = f"/voice/dial-finished?node={node}&target={target}&tries=0&rate=140"
    assert_call_goes_on_or_ends_on_purpose(caller.post(url, {"DialCallStatus": status}))
