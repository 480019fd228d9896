"""Drafts of the line on the dashboard: started from a version or a file, edited as forms or as YAML, each mistake
shown at its field, two editors never overwriting each other unawares, and published only without mistakes."""

from __future__ import annotations

import html as htmllib
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from ruamel.yaml import YAML

from ivr.config import DEFAULT_LINE_FILE
from ivr.store import Store
from ivr.store.drafts import DraftGone, DraftMoved, create_draft, discard_draft, draft_text, drafts, save_draft
from ivr.store.versions import history
from tests.calls import Caller, transcripts_from
from tests.conftest import TOKEN, Clock
from tests.pages import csrf_token, read
from tests.test_staff_accounts import _store, signed_in_as, with_staff

LINE = "Botox swelling and inflammation"
OLD = "It should go down within one to two days."
NEW = "It should go down within two days at most."
ANSWER = "f:nodes/swelling-duration/text/en"


@pytest.fixture
def staff_app(make_app: Callable[..., Flask]) -> Flask:
    """A dashboard with a viewer (Vera), an editor (Eddie) and a publisher (Pat)."""
    return with_staff(make_app)


def _start(client: FlaskClient) -> tuple[int, str]:
    """Start a draft from the live version; its number and its page."""
    token = csrf_token(client.get("/dashboard/drafts").get_data(as_text=True))
    response = client.post("/dashboard/drafts", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    number = int(response.headers["Location"].rsplit("/", 1)[1])
    return number, client.get(response.headers["Location"]).get_data(as_text=True)


def _fields(html: str) -> dict[str, str]:
    """The draft form as a browser sends it when the Save button is pressed: every field, as shown."""
    form = html[html.index('class="draft-form"'):html.index("</form>", html.index('class="draft-form"'))]
    fields = dict(re.findall(r'<input type="(?:hidden|text)"[^>]* name="([^"]+)" value="([^"]*)"', form))
    fields.update(re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>', form))
    for name, options in re.findall(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    return {name: htmllib.unescape(value) for name, value in fields.items()}


def _save(client: FlaskClient, number: int, fields: dict[str, str], **changed: str) -> tuple[int, str]:
    response = client.post(f"/dashboard/drafts/{number}", data={**fields, **changed})
    if response.status_code == 302:
        return 302, client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.get_data(as_text=True)


def _heard(app: Flask) -> str:
    caller = Caller(app.test_client(), TOKEN)
    caller.dial_in()
    caller.press("2")
    return caller.press("1").heard_with(transcripts_from(app.test_client()))  # a changed answer is rendered first


def test_an_editor_changes_an_answer_in_its_form_and_the_rest_stays_as_written(staff_app: Flask) -> None:
    eddie = signed_in_as(staff_app, "Eddie")
    number, html = _start(eddie)
    page = read(html)
    assert page.h1 == f"Draft {number}"
    fields = _fields(html)
    assert fields[ANSWER].startswith("Some people get mild swelling")
    assert "f:nodes/swelling-duration/text/es" in fields, "every language of the line has its field"
    status, after = _save(eddie, number, fields, **{ANSWER: fields[ANSWER].replace(OLD, NEW)})
    assert status == 302 and "Saved, as revision 2" in read(after).text
    text = draft_text(_store(staff_app), number) or ""
    assert NEW in " ".join(text.split())
    assert "# CLINIC'S OWN SAFETY ADDITION: the two-day threshold" in text, "comments are kept"
    assert text.count("\n") > 400
    assert OLD in _heard(staff_app), "callers do not hear a draft"


def test_a_mistake_is_saved_shown_at_its_field_and_stops_publishing_until_fixed(staff_app: Flask) -> None:
    eddie = signed_in_as(staff_app, "Eddie")
    number, html = _start(eddie)
    fields = _fields(html)
    clinic = "f:clinic/phone"
    status, after = _save(eddie, number, fields, **{clinic: "020 555 0143"})
    assert status == 302
    page = read(after)
    assert "1 mistake to fix before it can be published" in page.text
    assert "This draft cannot be published: it has 1 mistake to fix first." in page.text
    error = re.search(r'<p class="field-error" id="f\.clinic\.phone-error-1">([^<]+)</p>', after)
    assert error and "+" in error.group(1), "the mistake is explained beside the phone number's field"
    assert 'href="#f.clinic.phone"' in after, "the summary links to the field"
    assert _fields(after)[clinic] == "020 555 0143", "the draft kept what was typed"

    pat = signed_in_as(staff_app, "Pat")
    pats = pat.get(f"/dashboard/drafts/{number}").get_data(as_text=True)
    assert "Show the differences from the live version" not in pats, "no publish button for a draft with mistakes"
    refused = pat.post(f"/dashboard/drafts/{number}/review", data={
        "csrf_token": csrf_token(pats), "revision": "2", "note": "New desk"})
    assert refused.status_code == 400
    assert "Not published: it has 1 mistake to fix first." in read(refused.get_data(as_text=True)).text

    status, fixed = _save(eddie, number, _fields(after), **{clinic: "+12025550199"})
    assert "mistake" not in read(fixed).text.split("Publish")[0]
    assert "a publisher can publish it" in read(fixed).text


def test_choices_are_added_moved_and_removed_by_buttons(staff_app: Flask) -> None:
    eddie = signed_in_as(staff_app, "Eddie")
    number, html = _start(eddie)
    fields = _fields(html)
    _, moved = _save(eddie, number, fields, action="down:main:0")
    after = _fields(moved)
    assert after["f:nodes/main/options/0/goto"] == "swelling"
    assert after["f:nodes/main/options/1/goto"] == "symptoms"
    _, added = _save(eddie, number, after, action="add:main")
    after = _fields(added)
    assert after["f:nodes/main/options/4/key"] == "5"
    assert "f:nodes/main/options/4/label/es" in after
    assert "mistake" in read(added).text, "a new choice's empty texts are mistakes to fill in"
    _, removed = _save(eddie, number, after, action="remove:main:4")
    assert "f:nodes/main/options/4/key" not in _fields(removed)
    assert "mistake" not in read(removed).text.split("Publish")[0]


def test_a_second_editor_is_shown_what_changed_since_and_can_apply_their_changes(staff_app: Flask) -> None:
    eddie, pat = signed_in_as(staff_app, "Eddie"), signed_in_as(staff_app, "Pat")
    number, html = _start(eddie)
    eddies, pats = _fields(html), _fields(pat.get(f"/dashboard/drafts/{number}").get_data(as_text=True))
    assert _save(eddie, number, eddies, **{ANSWER: eddies[ANSWER].replace(OLD, NEW)})[0] == 302
    title = "f:nodes/main/title"
    status, conflict = _save(pat, number, pats, **{title: "The main menu"})
    assert status == 409
    page = read(conflict)
    assert "Eddie saved this draft after you opened it" in page.text
    since = page.table("What changed since you opened it")
    assert since[1][:2] == ["Answer 'How long swelling lasts'", "text in English changed"]
    again = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', conflict))
    assert again["revision"] == "2" and again[title] == "The main menu"
    assert pat.post(f"/dashboard/drafts/{number}", data=again).status_code == 302
    text = " ".join((draft_text(_store(staff_app), number) or "").split())
    assert NEW in text and "title: The main menu" in text, "both editors' changes are kept"


def test_the_yaml_editor_saves_a_broken_file_and_says_where_it_is_broken(staff_app: Flask) -> None:
    eddie = signed_in_as(staff_app, "Eddie")
    number, _ = _start(eddie)
    raw = eddie.get(f"/dashboard/drafts/{number}/yaml").get_data(as_text=True)
    broken = DEFAULT_LINE_FILE.read_text().replace("start: main", "start: [main")
    response = eddie.post(f"/dashboard/drafts/{number}/yaml", data={
        "csrf_token": csrf_token(raw), "revision": "1", "text": broken})
    assert response.status_code == 302
    assert draft_text(_store(staff_app), number) == broken
    page = read(eddie.get(f"/dashboard/drafts/{number}").get_data(as_text=True))
    assert "This draft cannot be shown as forms" in page.text
    assert "cannot be published" in page.text
    late = eddie.post(f"/dashboard/drafts/{number}/yaml", data={
        "csrf_token": csrf_token(raw), "revision": "1", "text": DEFAULT_LINE_FILE.read_text()})
    assert late.status_code == 409, "a text sent from revision 1 does not replace revision 2 unasked"
    assert "Save my text over theirs" in late.get_data(as_text=True)
    assert draft_text(_store(staff_app), number) == broken


def test_a_publisher_publishes_a_draft_and_callers_hear_it(staff_app: Flask) -> None:
    pat = signed_in_as(staff_app, "Pat")
    number, html = _start(pat)
    fields = _fields(html)
    _, saved = _save(pat, number, fields, **{ANSWER: fields[ANSWER].replace(OLD, NEW)})
    review = pat.post(f"/dashboard/drafts/{number}/review", data={
        "csrf_token": csrf_token(saved), "revision": "2", "note": "Shorter, as the nurse asked"})
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    assert read(html).table("Differences from the live version")[1][:2] == [
        "Answer 'How long swelling lasts'", "text in English changed"]
    form = {name: htmllib.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html)}
    assert pat.post("/dashboard/line/publish", data={**form, "note": "Shorter, as the nurse asked"}).status_code == 302
    staff_app.extensions["ivr"].line.look()
    assert NEW in _heard(staff_app)
    newest = history(_store(staff_app), LINE)[0]
    assert (newest.number, newest.published_by) == (2, "Pat")
    assert pat.get(f"/dashboard/drafts/{number}").status_code == 404, "a published draft is no longer edited"


def test_a_draft_saved_again_while_its_review_was_open_stays_open_after_publishing(staff_app: Flask) -> None:
    pat, eddie = signed_in_as(staff_app, "Pat"), signed_in_as(staff_app, "Eddie")
    number, html = _start(pat)
    review = pat.post(f"/dashboard/drafts/{number}/review", data={
        "csrf_token": csrf_token(html), "revision": "1", "note": "Same again"}).get_data(as_text=True)
    eddies = _fields(eddie.get(f"/dashboard/drafts/{number}").get_data(as_text=True))
    assert _save(eddie, number, eddies, **{ANSWER: eddies[ANSWER].replace(OLD, NEW)})[0] == 302
    form = {name: htmllib.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', review)}
    assert pat.post("/dashboard/line/publish", data={**form, "note": "Same again"}).status_code == 302
    assert pat.get(f"/dashboard/drafts/{number}").status_code == 200, "Eddie's save is still a draft to publish"


def test_an_uploaded_file_becomes_a_draft_and_downloads_as_it_was(staff_app: Flask) -> None:
    eddie = signed_in_as(staff_app, "Eddie")
    token = csrf_token(eddie.get("/dashboard/drafts").get_data(as_text=True))
    text = DEFAULT_LINE_FILE.read_text().replace("start: main", "start: nowhere")
    response = eddie.post("/dashboard/drafts", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode("utf-8")), "ours.yaml")})
    assert response.status_code == 302
    page = eddie.get(response.headers["Location"]).get_data(as_text=True)
    assert "Started from the file ours.yaml" in read(page).text
    number = int(response.headers["Location"].rsplit("/", 1)[1])
    assert eddie.get(f"/dashboard/drafts/{number}.yaml").get_data(as_text=True) == text
    listed = read(eddie.get("/dashboard/drafts").get_data(as_text=True)).table("Drafts being edited, last saved first")
    assert [row[0] for row in listed[1:]] == [f"Draft {number}"]
    gone = eddie.post(f"/dashboard/drafts/{number}/discard", data={"csrf_token": token})
    assert gone.status_code == 302
    assert eddie.get(f"/dashboard/drafts/{number}").status_code == 404



def test_two_saves_of_one_revision_keep_the_first_and_refuse_the_second_on_each_database(store: Store) -> None:
    clock = Clock()
    made = create_draft(store, LINE, "name: one", started_from="version 1", by="Eddie", now=clock())
    assert save_draft(store, made.id, "name: two", opened_at=1, by="Eddie", now=clock()).revision == 2
    with pytest.raises(DraftMoved) as moved:
        save_draft(store, made.id, "name: three", opened_at=1, by="Pat", now=clock())
    assert moved.value.newest == 2
    assert draft_text(store, made.id) == "name: two"
    assert [(d.id, d.revision, d.saved_by) for d in drafts(store, LINE)] == [(made.id, 2, "Eddie")]
    discard_draft(store, made.id, by="Pat", now=clock())
    assert drafts(store, LINE) == []
    with pytest.raises(DraftGone):
        save_draft(store, made.id, "name: four", opened_at=2, by="Eddie", now=clock())
    assert draft_text(store, 999) is None


def test_a_place_is_added_then_removed_and_a_choice_leading_to_it_is_told_so(staff_app: Flask) -> None:
    eddie = signed_in_as(staff_app, "Eddie")
    number, html = _start(eddie)
    _, added = _save(eddie, number, _fields(html), action="add-place", new_kind="answer", new_title="Bruising")
    fields = _fields(added)
    assert fields["f:nodes/bruising/title"] == "Bruising"
    assert {"f:nodes/bruising/text/en", "f:nodes/bruising/text/es"} <= set(fields)
    assert "Answer 'Bruising'" in read(added).text
    goto = "f:nodes/body/options/2/goto"
    _, led = _save(eddie, number, fields, **{goto: "bruising"})
    assert _fields(led)[goto] == "bruising"
    _, removed = _save(eddie, number, _fields(led), action="remove-place:bruising")
    assert "f:nodes/bruising/title" not in _fields(removed)
    error = re.search(r'<p class="field-error" id="f\.nodes\.body\.options\.2\.goto-error-1">([^<]+)</p>', removed)
    assert error and "there is no node 'bruising'" in htmllib.unescape(error.group(1))


def test_editors_and_publishers_find_drafts_in_the_top_navigation_and_viewers_do_not(staff_app: Flask) -> None:
    def navigation(name: str) -> str:
        html = signed_in_as(staff_app, name).get("/dashboard/line").get_data(as_text=True)
        return html[html.index('<nav aria-label="Dashboard">'):html.index("</nav>")]

    assert 'href="/dashboard/drafts">Drafts</a>' in navigation("Eddie")
    assert 'href="/dashboard/drafts">Drafts</a>' in navigation("Pat")
    assert ">Drafts</a>" not in navigation("Vera")


def test_a_draft_published_from_the_browser_is_kept_with_the_line_files_line_breaks(staff_app: Flask) -> None:
    pat = signed_in_as(staff_app, "Pat")
    number, html = _start(pat)
    review = pat.post(f"/dashboard/drafts/{number}/review", data={
        "csrf_token": csrf_token(html), "revision": "1", "note": "Same again"}).get_data(as_text=True)
    form = {name: htmllib.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', review)}
    # As a browser sends a hidden field's line breaks.
    form["text"] = form["text"].replace(OLD, NEW).replace("\n", "\r\n")
    assert pat.post("/dashboard/line/publish", data={**form, "note": "Shorter"}).status_code == 302
    published = pat.get("/dashboard/line/2.yaml").get_data(as_text=True)
    assert "\r" not in published
    assert published == DEFAULT_LINE_FILE.read_text(encoding="utf-8").replace(OLD, NEW)
    assert pat.get(f"/dashboard/drafts/{number}").status_code == 404, "the draft published is closed"


def test_a_whole_place_is_moved_up_and_down_and_callers_would_hear_the_same_line(staff_app: Flask) -> None:
    eddie = signed_in_as(staff_app, "Eddie")
    number, html = _start(eddie)
    places = re.findall(r'<h2 id="g\.nodes\.([a-z-]+)-heading">', html)
    assert places[2:4] == ["emergency", "check-signs"]
    assert 'value="place-up:main"' not in html and f'value="place-down:{places[-1]}"' not in html
    _, moved = _save(eddie, number, _fields(html), action="place-up:check-signs")
    assert re.findall(r'<h2 id="g\.nodes\.([a-z-]+)-heading">', moved)[2:4] == ["check-signs", "emergency"]
    text = draft_text(_store(staff_app), number)
    assert text is not None and text.index("  check-signs:") < text.index("  emergency:")
    plain = YAML(typ="safe", pure=True)
    assert plain.load(text) == plain.load(DEFAULT_LINE_FILE.read_text(encoding="utf-8"))
    _, back = _save(eddie, number, _fields(moved), action="place-down:check-signs")
    assert draft_text(_store(staff_app), number) == DEFAULT_LINE_FILE.read_text(encoding="utf-8")
    assert "Saved, as revision 3" in read(back).text
