"""The dashboard in a real browser, at a desktop's size, a phone's and 200% zoom: signing in and reading it
by keyboard, the safety figures of known calls, and axe-core on every page."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.browser import serious_violations, serving
from tests.conftest import Clock
from tests.delivery import Call, sid
from tests.known_calls import TODAY, make_the_days_calls, make_the_days_spanish_calls
from tests.test_dashboard import PASSWORD, TONE_SECONDS, render_a_tone

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: A desktop window at 200% zoom: half as many CSS pixels, each drawn twice as large.
ZOOMED = {"width": 640, "height": 450}
SIZES = {"1280x900": (DESKTOP, 1), "390x844": (PHONE, 3), "200% zoom": (ZOOMED, 2)}


@pytest.fixture
def live(make_app: Callable[..., Flask], tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The line served over HTTP on loopback, with records in a SQLite file and the dashboard on."""
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'calls.sqlite3'}", DASHBOARD_PASSWORD=PASSWORD)
    with serving(app) as url:
        yield app, url


def open_tab(browser: Any, base: str, size: str = "1280x900") -> Any:
    """A browser tab on the live server. CSP is bypassed only so that the tests can add axe-core."""
    viewport, scale = SIZES[size]
    context = browser.new_context(base_url=base, bypass_csp=True, viewport=viewport, device_scale_factor=scale)
    return context.new_page()


@pytest.fixture
def tab(browser: Any, live: tuple[Flask, str]) -> Iterator[Any]:
    tab = open_tab(browser, live[1])
    try:
        yield tab
    finally:
        tab.context.close()


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


def table_row(tab: Any, caption: str, row: str) -> list[str]:
    cells = tab.get_by_role("table", name=caption).get_by_role("row", name=row, exact=False).first
    return [cell.strip() for cell in cells.inner_text().split("\t")]


def test_the_safety_figures_of_known_calls_are_first_on_the_page(
    tab: Any, live: tuple[Flask, str], clock: Clock
) -> None:
    make_the_days_calls(live[0], clock)
    sign_in_by_keyboard(tab)
    tab.goto("/dashboard?period=today")

    headings = tab.get_by_role("heading", level=2).all_inner_texts()
    assert headings[:2] == ["On this page", "Safety"]
    safety = tab.get_by_role("region", name="Safety")
    headline = safety.locator(".summary div", has_text="Got the emergency advice")
    assert " ".join(headline.locator("dd").inner_text().split()) == "3 0 in the 1 day before"
    assert "3 calls got the emergency advice" in safety.inner_text()
    assert table_row(tab, "Transfers by reason", "Asked for the clinic") == [
        "Asked for the clinic (key 0 or in words)", "2", "2", "100%"]
    assert table_row(tab, "Transfers by reason", "A problem in the line") == ["A problem in the line", "1", "0", "0%"]
    assert table_row(tab, "Transfers by result", "Busy") == ["Busy", "1", "0", "1"]
    assert table_row(tab, "Transfers by result", "Answered") == ["Answered", "1", "1", "2"]
    chart = "Bar chart of how transfers ended; the table below has the figures."
    assert tab.get_by_role("img", name=chart).is_visible()


def test_a_clinic_signs_in_and_reads_the_figures_and_the_map_by_keyboard(
    tab: Any, live: tuple[Flask, str], clock: Clock
) -> None:
    make_the_days_calls(live[0], clock)
    sign_in_by_keyboard(tab)

    assert tab.get_by_role("heading", level=1).inner_text() == "Call figures"
    assert table_row(tab, "Calls a day", TODAY) == [TODAY, "10"]
    tab.get_by_role("link", name="Line map").focus()
    tab.keyboard.press("Enter")
    tab.wait_for_url(lambda url: urlsplit(url).path == "/dashboard/map")
    assert tab.title().startswith("Line map")
    symptoms = tab.get_by_role("region", name="Worrying symptoms")
    assert "Reached it" in symptoms.inner_text()
    symptoms.get_by_role("link", name="Emergency advice").focus()
    tab.keyboard.press("Enter")
    assert tab.evaluate("location.hash") == "#node-emergency"
    assert tab.get_by_role("region", name="Emergency advice").get_by_text("call 9 1 1").first.is_visible()


def test_the_skip_link_takes_the_keyboard_to_the_page_content(tab: Any) -> None:
    sign_in_by_keyboard(tab)
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"


def test_a_call_shows_in_the_browser_as_soon_as_its_status_callback_is_in(
    tab: Any, live: tuple[Flask, str]
) -> None:
    sign_in_by_keyboard(tab)
    call = Call(live[0], sid(42))
    call.dial_in()
    call.press("2")
    began = time.perf_counter()
    call.hang_up(30)
    tab.reload()
    assert table_row(tab, "Calls a day", TODAY) == [TODAY, "1"]
    assert time.perf_counter() - began < 2.0


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


PAGES = {
    "sign-in": "/dashboard/login",
    "figures": "/dashboard?period=today",
    "figures, an empty period": "/dashboard?from=2026-01-01&to=2026-01-02",
    "figures with a wrong period": "/dashboard?from=2026-11-30&to=2026-11-01",
    "line map": "/dashboard/map?period=today",
    "calls": "/dashboard/calls?period=today",
    "a call's journey": f"/dashboard/calls/{sid(3)}",
    "not found": "/dashboard/no-such-page",
}


@pytest.fixture
def shown(browser: Any, live: tuple[Flask, str], clock: Clock) -> Callable[[str], Any]:
    """Tabs signed in at a size, on the live server with the day's calls in English and Spanish."""
    make_the_days_calls(live[0], clock)
    make_the_days_spanish_calls(live[0], clock)
    line = live[0].extensions["ivr"].line.current().loaded.line
    render_a_tone(live[0], line.nodes[line.start].prompt)  # type: ignore[union-attr]
    opened: list[Any] = []

    def at(size: str) -> Any:
        tab = open_tab(browser, live[1], size)
        opened.append(tab)
        sign_in_by_keyboard(tab)
        return tab

    yield at  # type: ignore[misc]
    for tab in opened:
        tab.context.close()


@pytest.mark.parametrize("size", ["1280x900", "390x844"])
def test_every_page_has_no_serious_accessibility_problem(
    shown: Callable[[str], Any], axe_source: str, size: str
) -> None:
    tab = shown(size)
    found = {}
    for name, url in PAGES.items():
        if name == "sign-in":
            tab.context.clear_cookies()
        tab.goto(url)
        found[name] = serious_violations(tab, axe_source)
    assert found == {name: [] for name in PAGES}


@pytest.mark.parametrize("size", ["390x844", "200% zoom"])
def test_at_a_phones_width_and_at_200_percent_every_page_fits_and_its_text_is_legible(
    shown: Callable[[str], Any], size: str
) -> None:
    tab = shown(size)
    for name, url in PAGES.items():
        tab.goto(url)
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is wider than the screen by {overflow} px"
        smallest = tab.evaluate(
            "() => Math.min(...[...document.querySelectorAll('main *')]"
            ".filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))"
            ".filter(e => e.getClientRects().length)"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        assert smallest >= 14, f"text on {name} is {smallest} px"


def test_on_a_phone_the_safety_figures_by_language_fit_the_screen(shown: Callable[[str], Any]) -> None:
    tab = shown("390x844")
    tab.goto("/dashboard?period=today")
    safety = tab.get_by_role("region", name="Safety")
    assert "Of 14 calls, 10 in English and 4 in Spanish." in safety.inner_text()
    assert table_row(tab, "Emergency advice by language", "Spanish") == ["Spanish", "2", "1", "1"]
    assert table_row(tab, "Transfers by language", "Spanish") == ["Spanish", "2", "1"]
    for caption in ("Calls by language", "Emergency advice by language", "Transfers by language"):
        region = tab.get_by_role("region", name=caption)
        assert region.evaluate("el => el.scrollWidth <= el.clientWidth"), f"{caption} needs no scrolling"


def test_a_wide_table_on_a_phone_scrolls_from_the_keyboard(shown: Callable[[str], Any]) -> None:
    tab = shown("390x844")
    tab.goto("/dashboard?period=today")
    region = tab.get_by_role("region", name="Calls at each place")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table is wider than a phone"
    region.focus()
    assert tab.evaluate("document.activeElement.getAttribute('aria-labelledby')").endswith("-caption")
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("End")
    tab.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=2000)
    last = tab.get_by_role("columnheader", name="Ended otherwise")
    assert last.is_visible()


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
        off = open_tab(browser, url)
        try:
            off.goto("/dashboard")
            assert off.get_by_role("heading", level=1).inner_text() == "The dashboard is switched off"
            assert serious_violations(off, axe_source) == []
        finally:
            off.context.close()



def wider_than_the_screen(tab: Any) -> bool:
    return bool(tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") > 0)


STAFF_PAGES = {"line versions": "/dashboard/line", "staff accounts": "/dashboard/accounts",
               "staff record": "/dashboard/staff-record", "a new account's mistakes": "/dashboard/accounts",
               "a line file's differences": "/dashboard/line", "try the line": "/dashboard/try",
               "a trial call": "/dashboard/try"}


@pytest.mark.parametrize("size", ["1280x900", "390x844"])
def test_the_staff_pages_have_no_serious_accessibility_problem_and_fit_the_screen(
    browser: Any, live: tuple[Flask, str], axe_source: str, size: str, tmp_path: Path
) -> None:
    from ivr.config import DEFAULT_LINE_FILE
    from tests.test_line_versions import LINE, publish_text_change

    publish_text_change(live[0], LINE)  # so that a version can be published again
    tab = open_tab(browser, live[1], size)
    try:
        sign_in_by_keyboard(tab)
        found, overflows = {}, {}
        for name, url in STAFF_PAGES.items():
            tab.goto(url)
            if name == "a new account's mistakes":  # each said beside its field
                tab.get_by_label("Name", exact=True).fill("Sam")
                tab.get_by_label("Password (10 characters at least)").fill("short")
                tab.get_by_label("The password again").fill("other")
                tab.keyboard.press("Enter")
                tab.wait_for_selector(".field-error")
            if name == "a line file's differences":  # sent to be published, with a safety change
                changed = tmp_path / "line.yaml"
                changed.write_text(DEFAULT_LINE_FILE.read_text().replace('phone: "+12025550143"',
                                                                         'phone: "+12025550199"'))
                tab.get_by_label("Line file (YAML)").set_input_files(str(changed))
                tab.get_by_label("Why (kept with the version)").fill("The new desk")
                tab.get_by_role("button", name="Show the differences").click()
                tab.wait_for_selector("#changes-caption")
            if name == "a trial call":  # placed on Saturday evening in Spanish, a word said
                tab.get_by_label("Language").select_option("es")
                tab.get_by_label("Day and time, at the clinic").fill("Saturday 20:00")
                tab.get_by_role("button", name="Call the line").click()
                tab.get_by_label("Say words").fill("hinchazón")
                tab.keyboard.press("Enter")
                tab.wait_for_selector("text=The path so far")
            found[name], overflows[name] = serious_violations(tab, axe_source), wider_than_the_screen(tab)
        assert found == {name: [] for name in STAFF_PAGES}
        assert overflows == {name: False for name in STAFF_PAGES}
    finally:
        tab.context.close()


#: The drafts' list, a draft and a mistake at its field are checked on the clinic's walk (tests/test_clinic_walk.py).
DRAFT_PAGES = ("a draft as YAML", "a draft saved by someone else meanwhile")


@pytest.mark.parametrize("size", ["1280x900", "390x844"])
def test_the_draft_pages_have_no_serious_accessibility_problem_and_fit_the_screen(
    browser: Any, live: tuple[Flask, str], axe_source: str, size: str
) -> None:
    from ivr.store.drafts import draft, save_draft

    store = live[0].extensions["ivr.store"]
    tab = open_tab(browser, live[1], size)
    try:
        sign_in_by_keyboard(tab)
        tab.goto("/dashboard/drafts")
        tab.get_by_role("button", name="Start a draft from this version").click()
        tab.wait_for_selector(".draft-form")
        found, overflows = {}, {}
        for name in DRAFT_PAGES:
            if name == "a draft as YAML":
                tab.get_by_role("link", name="See or change the whole draft as YAML").click()
                tab.wait_for_selector("#draft-text")
            else:
                number = int(tab.url.rsplit("/", 2)[-2])
                newest = draft(store, number)
                save_draft(store, number, newest.text + "\n", opened_at=newest.revision, by="Eddie",
                           now=live[0].config["CLOCK"]())
                tab.get_by_role("button", name="Save the draft").click()
                tab.wait_for_selector("text=saved this draft after you opened it")
            found[name], overflows[name] = serious_violations(tab, axe_source), wider_than_the_screen(tab)
        assert found == {name: [] for name in DRAFT_PAGES}
        assert overflows == {name: False for name in DRAFT_PAGES}
    finally:
        tab.context.close()
