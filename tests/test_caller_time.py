"""The caller-time benchmark's arithmetic (bench/caller_time.py), with every text lasting one second a word."""

from __future__ import annotations

from pathlib import Path

from bench.caller_time import measure
from ivr.config import DEFAULT_LINE_FILE
from ivr.line import Script
from ivr.line.validate import load_line
from tests.line_files import base_line, write_line


def _words(text: str) -> float:
    return float(len(text.split()))


def test_the_first_choice_is_the_greeting_then_the_first_option(tmp_path: Path) -> None:
    line = load_line(write_line(tmp_path, base_line())).line
    result = measure(line, _words)
    script = Script(line)
    first = script.option(line.nodes["main"].options[0])  # type: ignore[union-attr]
    assert result.first_choice_open == _words(line.greeting) + _words(first)
    assert result.first_choice_closed == result.first_choice_open + _words(script.closed_now())
    assert [text for text, _ in result.opening] == [line.greeting, first]


def test_each_answer_is_reached_by_its_fewest_presses_and_pressing_early_is_never_slower(tmp_path: Path) -> None:
    line = load_line(write_line(tmp_path, base_line())).line
    result = measure(line, _words)
    routes = {route.node: route for route in result.routes}
    assert set(routes) == {"opening-hours", "swelling"}, "every answer, and only answers"
    assert routes["swelling"].keys == ("2",)
    opening = Script(line).opening(line.nodes["main"], closed=False)  # type: ignore[arg-type]
    assert routes["swelling"].waiting == sum(map(_words, opening))
    assert routes["swelling"].pressing == sum(map(_words, opening[:3])), "the greeting and options 1 and 2"
    assert all(route.pressing <= route.waiting for route in result.routes)


def test_the_botox_line_reaches_every_answer_in_two_presses_or_fewer() -> None:
    result = measure(load_line(DEFAULT_LINE_FILE).line, _words)
    assert result.routes and all(1 <= len(route.keys) <= 2 for route in result.routes)
    assert result.median_pressing < result.median_waiting


def test_in_a_line_of_two_languages_the_offer_comes_before_the_first_choice_open_or_closed() -> None:
    line = load_line(DEFAULT_LINE_FILE).line
    result = measure(line, _words)
    emergency, rest = Script(line).greeting_parts
    offer = "Para español, oprima 9."
    first = Script(line).option(line.nodes["main"].options[0])  # type: ignore[union-attr]
    assert [text for text, _ in result.opening] == [emergency, offer, rest, first]
    assert result.first_choice_closed == result.first_choice_open, "the closed notice waits until after the choices"
    assert result.estimated == (offer,)
