"""The dashboard in a real browser: signing in and reading it by keyboard, and axe-core on every page."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.browser import serious_violations, serving
from tests.delivery import Call, sid
from tests.test_dashboard import PASSWORD, TODAY, TONE_SECONDS, make_the_days_calls, render_a_tone

pytestmark = pytest.mark.browser


@pytest.fixture
def live(make_app: Callable[..., Flask], tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The line served over HTTP on loopback, with records in a SQLite file and the dashboard on."""
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'calls.sqlite3'}", DASHBOARD_PASSWORD=PASSWORD)
    with serving(app) as url:
        yield app, url


@pytest.fixture
def tab(browser: Any, live: tuple[Flask, str]) -> Iterator[Any]:
    """A browser tab on the live server. CSP is bypassed only so that the tests can add axe-core."""
    context = browser.new_context(base_url=live[1], bypass_csp=True)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def sign_in_by_keyboard(tab: Any) -> None:
    tab.goto("/dashboard")
    assert tab.title().startswith("Sign in")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Skip to main content"
    for _ in range(10):  # to the password field, however many links come first
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.id") == "password":
            break
    tab.keyboard.type(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(lambda url: urlsplit(url).path == "/dashboard")


def test_a_clinic_signs_in_and_reads_the_figures_and_the_map_by_keyboard(
    tab: Any, live: tuple[Flask, str]
) -> None:
    make_the_days_calls(live[0])
    sign_in_by_keyboard(tab)

    assert tab.get_by_role("heading", level=1).inner_text() == "Call figures"
    calls_a_day = tab.get_by_role("table", name="Calls a day (figures)")
    assert calls_a_day.get_by_role("row", name=TODAY).get_by_role("cell").inner_text() == "5"
    answers = tab.get_by_role("table", name="Most-heard answers (figures)")
    assert answers.get_by_role("row").nth(1).inner_text().split("\t") == ["How long swelling lasts", "3", "2"]
    assert tab.get_by_role("img", name="Column chart of calls a day; the table below has the figures.").is_visible()

    tab.get_by_role("link", name="Line map").focus()
    tab.keyboard.press("Enter")
    tab.wait_for_url(lambda url: urlsplit(url).path == "/dashboard/map")
    assert tab.title().startswith("Line map")
    symptoms = tab.get_by_role("region", name="Worrying symptoms")
    symptoms.get_by_role("link", name="Emergency advice").focus()
    tab.keyboard.press("Enter")
    assert tab.evaluate("location.hash") == "#node-emergency"
    assert tab.get_by_role("region", name="Emergency advice").get_by_text("call 9 1 1").first.is_visible()


def test_the_skip_link_takes_the_keyboard_to_the_page_content(tab: Any) -> None:
    sign_in_by_keyboard(tab)
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"


def test_a_call_shows_in_the_browser_within_a_second_of_its_status_callback(
    tab: Any, live: tuple[Flask, str]
) -> None:
    sign_in_by_keyboard(tab)
    call = Call(live[0], sid(42))
    call.dial_in()
    call.press("2")

    began = time.perf_counter()
    call.hang_up(30)
    tab.reload()
    shown = tab.get_by_role("table", name="Calls a day (figures)").get_by_role("row", name=TODAY)
    assert shown.get_by_role("cell").inner_text() == "1"
    assert time.perf_counter() - began < 1.0


def test_a_prompt_on_the_map_plays_from_the_keyboard(tab: Any, live: tuple[Flask, str]) -> None:
    app = live[0]
    line = app.extensions["ivr"].line.current().loaded.line
    render_a_tone(app, line.nodes[line.start].prompt)  # type: ignore[union-attr]
    sign_in_by_keyboard(tab)
    tab.goto("/dashboard/map")

    player = tab.get_by_role("region", name="Main menu").get_by_label("Play this prompt")
    assert player.count() == 1, "only the rendered prompt has a player"
    player.focus()
    tab.keyboard.press("Space")
    tab.wait_for_function("el => el.ended", arg=player.element_handle(), timeout=5000)
    played = player.evaluate("el => ({duration: el.duration, error: el.error, at: el.currentTime})")
    assert played["error"] is None
    assert played["duration"] == pytest.approx(TONE_SECONDS, abs=0.05)
    assert played["at"] == pytest.approx(TONE_SECONDS, abs=0.05)


PAGES = {
    "sign-in": "/dashboard/login",
    "figures": "/dashboard",
    "figures with a wrong period": "/dashboard?from=2026-11-30&to=2026-11-01",
    "line map": "/dashboard/map",
}


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_no_serious_accessibility_problem(
    tab: Any, live: tuple[Flask, str], axe_source: str, name: str
) -> None:
    make_the_days_calls(live[0])
    line = live[0].extensions["ivr"].line.current().loaded.line
    render_a_tone(live[0], line.nodes[line.start].prompt)  # type: ignore[union-attr]
    if name != "sign-in":
        sign_in_by_keyboard(tab)
    tab.goto(PAGES[name])
    assert serious_violations(tab, axe_source) == []


def test_the_sign_in_page_with_a_wrong_password_has_no_serious_accessibility_problem(
    tab: Any, axe_source: str
) -> None:
    tab.goto("/dashboard/login")
    tab.get_by_label("Clinic password").fill("a guess")
    tab.get_by_role("button", name="Sign in").click()
    assert tab.get_by_role("alert").inner_text() == "That password is not right. Please try again."
    assert serious_violations(tab, axe_source) == []


def test_the_switched_off_dashboard_has_no_serious_accessibility_problem(
    browser: Any, make_app: Callable[..., Flask], axe_source: str
) -> None:
    with serving(make_app()) as url:
        context = browser.new_context(base_url=url, bypass_csp=True)
        try:
            off = context.new_page()
            off.goto("/dashboard")
            assert off.get_by_role("heading", level=1).inner_text() == "The dashboard is switched off"
            assert serious_violations(off, axe_source) == []
        finally:
            context.close()
