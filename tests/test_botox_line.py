"""The shipped Botox line, called the way a patient would."""

from __future__ import annotations

from collections import deque

import pytest

from ivr.config import DEFAULT_LINE_FILE
from ivr.line import AnswerNode
from ivr.line.validate import load_line
from tests.calls import Answer, Caller

LINE = load_line(DEFAULT_LINE_FILE).line
CLINIC = LINE.clinic.phone


def test_greeting_starts_with_the_emergency_advice_then_offers_spanish_then_says_it_is_not_medical_advice(
    caller: Caller,
) -> None:
    heard = caller.dial_in().heard
    sentences = [s.strip() for s in heard.split(".") if s.strip()]
    assert "trouble breathing, swallowing or speaking" in sentences[0]
    assert "call 911" in sentences[0]
    assert sentences[1] == "Para español, oprima 9"
    assert "not medical advice" in sentences[2]


def test_every_answer_of_the_faq_is_at_most_two_key_presses_from_the_main_menu(caller: Caller) -> None:
    """Walk the line breadth-first by pressing keys; note the presses each answer needed."""
    answers = {node_id: node.text for node_id, node in LINE.nodes.items() if isinstance(node, AnswerNode)}
    assert len(answers) == 7, "each of the source's seven questions is an answer"
    presses_needed: dict[str, int] = {}
    queue: deque[tuple[str, ...]] = deque([()])
    while queue:
        keys = queue.popleft()
        answer = _call_with(caller, keys)
        for node_id, text in answers.items():
            if text in answer.heard and node_id not in presses_needed:
                presses_needed[node_id] = len(keys)
        if len(keys) < 2 and answer.gather is not None:
            for key in "123456":
                queue.append((*keys, key))
    assert presses_needed.keys() == answers.keys()
    assert max(presses_needed.values()) <= 2


def _call_with(caller: Caller, keys: tuple[str, ...]) -> Answer:
    answer = caller.dial_in()
    for key in keys:
        if answer.gather is None:
            break
        answer = caller.press(key)
    return answer


@pytest.mark.parametrize("keys", [("1", "2"), ("1", "3"), ("0",), ("2", "0"), ("2", "1", "2")])
def test_concerning_symptoms_and_zero_put_the_caller_through_to_the_clinic(
    caller: Caller, keys: tuple[str, ...]
) -> None:
    answer = _call_with(caller, keys)
    assert answer.dialled_number == CLINIC
    dial = answer.dial
    assert dial is not None
    assert int(dial.get("timeout", "0")) >= 5
    assert dial.get("action")


def test_trouble_breathing_is_told_to_hang_up_and_call_the_emergency_number(caller: Caller) -> None:
    answer = _call_with(caller, ("1", "1"))
    assert "hang up now and call 9 1 1" in answer.heard
    assert answer.verbs[-1] == "Hangup"
    assert answer.dial is None


@pytest.mark.parametrize("words", ["I can't breathe", "she is having trouble swallowing", "Cannot speak properly"])
def test_saying_an_emergency_phrase_at_any_menu_goes_straight_to_emergency_advice(caller: Caller, words: str) -> None:
    caller.dial_in()
    caller.press("2")
    answer = caller.say(words)
    assert "call 9 1 1" in answer.heard
    assert answer.verbs[-1] == "Hangup"


def test_saying_swelling_at_the_main_menu_opens_the_swelling_menu(caller: Caller) -> None:
    caller.dial_in()
    answer = caller.say("Swellin.")
    assert LINE.nodes["swelling"].prompt in answer.heard


def test_every_node_of_the_line_can_be_reached_by_pressing_keys(caller: Caller) -> None:
    """A breadth-first walk over key presses reaches every node the file defines."""
    reached: set[str] = set()
    queue: deque[tuple[str, ...]] = deque([()])
    while queue and len(reached) < len(LINE.nodes):
        keys = queue.popleft()
        answer = _call_with(caller, keys)
        node = _node_of(answer)
        if node is None or (node in reached and keys):
            continue
        reached.add(node)
        if answer.gather is not None and len(keys) < 4:
            queue.extend((*keys, key) for key in "123456")
    assert reached == set(LINE.nodes)


def _node_of(answer: Answer) -> str | None:
    """The node a caller is at, from the URL the line will call next (or the emergency advice)."""
    from urllib.parse import parse_qs, urlparse

    element = answer.gather if answer.gather is not None else answer.dial
    if element is None:
        return "emergency" if "call 9 1 1" in answer.heard and answer.verbs[-1] == "Hangup" else None
    return parse_qs(urlparse(element.get("action", "")).query)["node"][0]
