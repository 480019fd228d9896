"""A draft edited and published in the browser, through `ivr serve` as shipped (two workers, a new connection for
every request): callers hear it in signed webhook calls on every worker, without a restart."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from tests.served import Browser, csrf_token, ivr_serve
from tests.test_commands import ivr
from tests.test_line_versions_served import NEW, OLD, _heard_everywhere

pytestmark = pytest.mark.slow

ANSWER = "f:nodes/swelling-duration/text/en"


def _hidden(html: str) -> dict[str, str]:
    return {name: htmllib.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}


def test_a_draft_published_in_the_browser_is_heard_on_every_worker(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'calls.sqlite3'}"
    made = ivr("users", "add", "Pat", "--role", "publisher", stdin="a-long-password\n",
               env={"IVR_DATABASE_URL": database})
    assert made.status == 0, made.err
    with ivr_serve(tmp_path, tmp_path / "server.log", IVR_DATABASE_URL=database) as served:
        _heard_everywhere([served], OLD, 0)
        pat = Browser(served.base)
        signed_in = pat.post("/dashboard/login", {"name": "Pat", "password": "a-long-password",
                                                  "csrf_token": csrf_token(pat.get("/dashboard/login").body)})
        assert signed_in.status_code == 302
        token = csrf_token(pat.get("/dashboard/drafts").body)
        started = pat.post("/dashboard/drafts", {"version": "1", "csrf_token": token})
        assert started.status_code == 302
        draft = started.headers["location"].split("?")[0].rsplit("/", 1)[1]
        page = pat.get(f"/dashboard/drafts/{draft}").body
        answer = re.search(rf'name="{ANSWER}"[^>]*>([^<]*)</textarea>', page)
        assert answer is not None
        text = htmllib.unescape(answer.group(1)).replace("within one to two days.", "within two days at most.")
        saved = pat.post(f"/dashboard/drafts/{draft}", {**_hidden(page), ANSWER: text, "action": "save"})
        assert saved.status_code == 302, saved.body[:500]
        page = pat.get(f"/dashboard/drafts/{draft}").body
        review = pat.post(f"/dashboard/drafts/{draft}/review", {**_hidden(page), "note": "Shorter"})
        assert review.status_code == 200, review.body[:500]
        published = pat.post("/dashboard/line/publish", {**_hidden(review.body), "note": "Shorter"})
        assert published.status_code == 302, published.body[:500]
        print(f"\na draft published in the browser was heard on both workers in "
              f"{_heard_everywhere([served], NEW, 1000):.2f} s")
