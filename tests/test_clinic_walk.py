"""A clinic changes its line in a real browser, as the README tells it to: an editor changes an answer on one
server, a mistake is explained at its field and fixed, the draft is tried on the page's phone, a publisher on
a second server sharing the database publishes it with a note, and callers hear it on every worker of both;
then it is rolled back. Every page visited is checked by axe at a desktop's size and a phone's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ivr.dashboard.auth import hash_password
from ivr.store import Store
from ivr.store.staff import add_account
from tests.browser import serious_violations
from tests.conftest import PASSWORD_COST, Clock
from tests.served import Served, ivr_servers
from tests.test_dashboard_browser import DESKTOP, PHONE, wider_than_the_screen
from tests.test_line_versions_served import NEW, OLD, _heard_everywhere

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = {"Eddie": "editor-password-1", "Pat": "publisher-password-1"}
#: The place whose answer is changed, and its field.
PLACE, ANSWER = "How long swelling lasts", "The answer, in English"
PHONE_FIELD = "The clinic's phone number"


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[Served, Served]]:
    """Two `ivr serve`s (two workers each) on one SQLite file, with an editor's and a publisher's account."""
    database = f"sqlite:///{tmp_path / 'line.sqlite3'}"
    store = Store.open(database, timeout=2.0)
    store.migrate()
    for name, role in (("Eddie", "editor"), ("Pat", "publisher")):
        add_account(store, name, role, hash_password(PASSWORDS[name], PASSWORD_COST), Clock()())
    store.close()
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    with ivr_servers([(one, one / "server.log"), (two, two / "server.log")], IVR_DATABASE_URL=database) as (a, b):
        yield a, b


class Walk:
    """One browser tab walking the dashboard; every page it comes to is checked once at each size."""

    def __init__(self, tab: Any, axe_source: str) -> None:
        self.tab, self.axe = tab, axe_source
        self.problems: dict[str, list[str]] = {}

    def check(self, name: str) -> None:
        for size, viewport in (("1280x900", DESKTOP), ("390x844", PHONE)):
            self.tab.set_viewport_size(viewport)
            found = serious_violations(self.tab, self.axe)
            if wider_than_the_screen(self.tab):
                found.append("wider than the screen")
            self.problems[f"{name} at {size}"] = found
        self.tab.set_viewport_size(DESKTOP)

    def sign_in(self, base: str, name: str, *, keyboard: bool = False) -> None:
        tab = self.tab
        tab.goto(f"{base}/dashboard")
        assert tab.title().startswith("Sign in")
        if keyboard:
            self.check("sign-in")
            for _ in range(10):  # past the skip link and the page's links, to the name field
                tab.keyboard.press("Tab")
                if tab.evaluate("document.activeElement.id") == "name":
                    break
            tab.keyboard.type(name)
            tab.keyboard.press("Tab")
            tab.keyboard.type(PASSWORDS[name])
            tab.keyboard.press("Enter")
        else:
            tab.get_by_label("Your name (as your account has it)").fill(name)
            tab.get_by_label("Your password").fill(PASSWORDS[name])
            tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(lambda url: urlsplit(url).path == "/dashboard")
        assert f"Signed in: {name}" in tab.locator(".signed-in-as").inner_text()

    def follow(self, link: str, path: str) -> None:
        self.tab.get_by_role("navigation", name="Dashboard").get_by_role("link", name=link).click()
        self.tab.wait_for_url(lambda url: urlsplit(url).path == path)

    def press(self, button: str, path_start: str) -> None:
        self.tab.get_by_role("button", name=button).first.click()
        self.tab.wait_for_url(lambda url: urlsplit(url).path.startswith(path_start))


def test_a_clinic_changes_an_answer_in_the_browser_and_callers_on_both_servers_hear_it_then_the_old_one(
    browser: Any, axe_source: str, two_servers: tuple[Served, Served]
) -> None:
    first, second = two_servers
    context = browser.new_context(bypass_csp=True, viewport=DESKTOP)
    walk = Walk(context.new_page(), axe_source)
    tab = walk.tab
    try:
        # An editor, on the first server, by keyboard.
        walk.sign_in(first.base, "Eddie", keyboard=True)
        walk.check("figures")
        walk.follow("Drafts", "/dashboard/drafts")
        walk.check("drafts")
        walk.press("Start a draft from this version", "/dashboard/drafts/")
        draft = urlsplit(tab.url).path
        answer = tab.get_by_role("region", name=PLACE).get_by_label(ANSWER)
        assert OLD in answer.input_value()
        answer.fill(answer.input_value().replace("within one to two days.", "within two days at most."))
        # A slip in the clinic's number; Enter in a field saves the draft.
        tab.get_by_label(PHONE_FIELD).fill("020 555 0143")
        tab.get_by_label(PHONE_FIELD).press("Enter")
        tab.wait_for_selector("#saved")
        phone = tab.get_by_label(PHONE_FIELD)
        assert phone.get_attribute("aria-invalid") == "true"
        said = tab.locator(f"[id='{phone.get_attribute('aria-describedby').split()[-1]}']").inner_text()
        assert "is not a complete phone number" in said, f"the mistake is explained at its field: {said!r}"
        assert "mistake to fix before it can be published" in tab.locator("#problems-heading").inner_text()
        assert NEW in answer.input_value(), "the answer's change was kept with the mistake"
        walk.check("a draft with a mistake at its field")
        phone.fill("+12025550143")
        walk.press("Save the draft", draft)
        assert tab.get_by_label(PHONE_FIELD).get_attribute("aria-invalid") is None
        assert "a publisher can publish it. Your account, Eddie, is an editor." in tab.inner_text("main")
        assert tab.get_by_role("button", name="Show the differences from the live version").count() == 0
        walk.check("a draft without mistakes, to an editor")
        # He tries it on the page's phone before anyone publishes it: swelling (2), how long it lasts (1).
        with tab.expect_navigation():
            tab.get_by_role("button", name=f"Call draft {draft.rsplit('/', 1)[1]} on the page's phone").click()
        walk.check("the draft on the page's phone")
        for key in ("2", "1"):
            with tab.expect_navigation():
                tab.get_by_role("group", name="Press a key").get_by_role("button", name=key, exact=True).click()
        assert NEW in tab.locator("ol.heard").inner_text(), "the trial call hears the draft, not the live line"
        walk.check("a trial call's answer")
        tab.goto(f"{first.base}{draft}")
        refused = tab.request.post(f"{first.base}{draft}/review", form={
            "csrf_token": tab.locator("input[name=csrf_token]").first.input_value(),
            "revision": tab.locator("input[name=revision]").first.input_value(), "note": "Mine"})
        assert refused.status == 403, "an editor cannot publish, even by sending the form"
        tab.get_by_role("button", name="Sign out").click()

        # A publisher, on the second server: the draft and the sign-ins are in the shared database.
        walk.sign_in(second.base, "Pat")
        walk.follow("Drafts", "/dashboard/drafts")
        tab.get_by_role("link", name=f"Draft {draft.rsplit('/', 1)[1]}").first.click()
        tab.wait_for_url(lambda url: urlsplit(url).path == draft)
        tab.get_by_label("Why (kept with the version)").fill("Shorter, as the nurse asked")
        walk.press("Show the differences from the live version", f"{draft}/review")
        changed = tab.get_by_role("table", name="Differences from the live version").get_by_role("row").nth(1)
        cells = changed.inner_text()
        assert "Answer 'How long swelling lasts'" in cells and "text in English changed" in cells
        assert OLD in cells and NEW in cells, "old and new side by side"
        walk.check("the differences before publishing")
        began = time.monotonic()
        walk.press("Publish: callers hear it within seconds", "/dashboard/line")
        published = _heard_everywhere([first, second], NEW, 1000)
        reached = time.monotonic() - began
        assert "is published. Callers hear it within seconds." in tab.inner_text("main")
        walk.check("the versions after publishing")
        print(f"\npublished in the browser: heard on every worker of both servers {reached:.2f} s after the "
              f"button was pressed ({published:.2f} s after the page came back)")

        tab.get_by_label("Why publish version 1 again").fill("Back to the old wording")
        began = time.monotonic()
        walk.press("Publish version 1 again", "/dashboard/line")
        _heard_everywhere([first, second], OLD, 2000)
        print(f"rolled back in the browser: heard on every worker of both servers {time.monotonic() - began:.2f} s "
              "after the button was pressed")
        assert "Version 1 is published again, as version 3." in tab.inner_text("main")
        assert walk.problems == {name: [] for name in walk.problems}
    finally:
        context.close()
