"""The dashboard's drafts of the line: started from a version or an uploaded file, edited as forms (or as the
whole YAML text), every save kept even with mistakes, each mistake shown beside its field, and published
through the Line versions page's review once it has none."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ivr.dashboard import auth
from ivr.dashboard.draft_forms import DraftForm, apply, changes, draft_form, field_labels, languages_of
from ivr.dashboard.line_versions import form_text, line_file_breaks, line_name, show_review, versions_store
from ivr.dashboard.views import LARGER_FORMS, bp, needs
from ivr.line import editing
from ivr.line.editing import NotEditable, Path
from ivr.line.validate import LineInvalid, LineProblem, load_line_text
from ivr.line.validate.limits import MAX_BYTES
from ivr.store.drafts import Draft, DraftGone, DraftMoved, create_draft, discard_draft, draft, drafts, save_draft
from ivr.store.versions import history, newest_number, version
from ivr.web import services

_registered: list[bool] = []
#: A form of the whole draft, or its text, may be three times a line file's largest.
_FORM_BYTES = 3 * MAX_BYTES + 64 * 1024


def register() -> None:
    """Add these pages to the dashboard's blueprint (once: the blueprint is shared by every app)."""
    if _registered:
        return
    _registered.append(True)
    editor = needs("editor")
    bp.add_url_rule("/drafts", view_func=editor(drafts_page))
    bp.add_url_rule("/drafts", endpoint="start_draft", view_func=editor(start_draft), methods=["POST"])
    bp.add_url_rule("/drafts/<int:draft_id>", view_func=editor(draft_page))
    bp.add_url_rule("/drafts/<int:draft_id>", endpoint="save_form", view_func=editor(save_form), methods=["POST"])
    bp.add_url_rule("/drafts/<int:draft_id>/yaml", view_func=editor(draft_yaml))
    bp.add_url_rule("/drafts/<int:draft_id>/yaml", endpoint="save_yaml", view_func=editor(save_yaml),
                    methods=["POST"])
    bp.add_url_rule("/drafts/<int:draft_id>.yaml", view_func=editor(draft_file))
    bp.add_url_rule("/drafts/<int:draft_id>/discard", view_func=editor(discard), methods=["POST"])
    bp.add_url_rule("/drafts/<int:draft_id>/review", view_func=needs("publisher")(review_draft), methods=["POST"])
    LARGER_FORMS.update({f"dashboard.{name}": _FORM_BYTES for name in ("start_draft", "save_form", "save_yaml")})


@dataclass(frozen=True)
class Checked:
    """A draft's text as the checker sees it: its problems (errors and warnings), and whether it may be published."""

    problems: list[LineProblem]
    #: Why it cannot be published, in plain words; empty when it can.
    refusal: str

    @property
    def errors(self) -> int:
        return sum(1 for problem in self.problems if problem.is_error)


def check(text: str) -> Checked:
    """The same checks as ``ivr validate``; a draft of another line cannot be published here either."""
    try:
        loaded = load_line_text(text.encode("utf-8"), "the draft")
    except LineInvalid as invalid:
        errors = sum(1 for problem in invalid.problems if problem.is_error)
        return Checked(list(invalid.problems), f"it has {errors} mistake{'s' if errors != 1 else ''} to fix first")
    if loaded.line.name != line_name():
        return Checked(list(loaded.warnings), f"it is the line {loaded.line.name!r}, not this server's line "
                                              f"{line_name()!r}")
    return Checked(list(loaded.warnings), "")


def drafts_page(problem: str = "", status: int = 200) -> ResponseReturnValue:
    """The drafts being edited, and forms to start one from a version or a file."""
    store = versions_store()
    return render_template("dashboard/drafts.html", drafts=drafts(store, line_name()), problem=problem,
                           versions=history(store, line_name()), live=newest_number(store, line_name()),
                           done=request.args.get("done", "")), status


def start_draft() -> ResponseReturnValue:
    """A new draft from the version chosen, or from the file sent (kept even when it has mistakes)."""
    store, who = versions_store(), _who()
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return drafts_page(f"Not started: the file is larger than a line file can be ({MAX_BYTES // 1024} kB).",
                               400)
        try:
            text = line_file_breaks(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return drafts_page("Not started: the file is not text saved as UTF-8 (choose UTF-8 in the editor's "
                               "Save As).", 400)
        started = f"the file {upload.filename}"
    else:
        number = request.form.get("version", "")
        found = version(store, line_name(), int(number)) if number.isdigit() else None
        if found is None:
            return drafts_page("Not started: choose a version to start from, or a file.", 400)
        text, started = found.text, f"version {found.number}"
    made = create_draft(store, line_name(), text, started_from=started, by=who, now=services().clock())
    auth.record("draft started", f"draft {made.id}, from {started}")
    return redirect(url_for("dashboard.draft_page", draft_id=made.id))


def draft_page(draft_id: int) -> ResponseReturnValue:
    """The draft as its tree in plain words, each text a field, each mistake beside its field."""
    found = _open(draft_id)
    return _form_page(found, request.args.get("saved", ""))


def save_form(draft_id: int) -> ResponseReturnValue:
    """Save the fields changed since the form was opened, then do the button's action (move, add or remove a
    choice); when someone saved meanwhile, show what they changed and offer to apply these changes again."""
    opened_at = _revision()
    found = _open(draft_id, opened_at)
    try:
        data = editing.read(found.text)
    except NotEditable as error:
        return _form_page(found, "", f"This draft can be changed only as YAML text: {error}.", 400)
    changed = changes(request.form, data)
    action = request.form.get("action", "")
    action = "" if action == "save" else action
    return _save(found, lambda: _edited(data, found.text, changed, action), changed=changed, action=action)


def draft_yaml(draft_id: int) -> ResponseReturnValue:
    """The whole draft as YAML text, to read or change at once."""
    found = _open(draft_id)
    return render_template("dashboard/draft_yaml.html", draft=found, text=found.text, checked=check(found.text),
                           saved=request.args.get("saved", ""), problem=""), 200


def save_yaml(draft_id: int) -> ResponseReturnValue:
    """Save the whole text as sent, whatever its mistakes."""
    found = _open(draft_id, _revision())
    text = form_text("text")
    return _save(found, lambda: text, text=text)


def draft_file(draft_id: int) -> ResponseReturnValue:
    """The draft as a YAML file, as last saved."""
    found = _open(draft_id)
    slug = re.sub(r"[^a-z0-9]+", "-", found.line.lower()).strip("-") or "line"
    return Response(found.text, mimetype="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="{slug}-draft-{found.id}-revision-{found.revision}.yaml"'})


def discard(draft_id: int) -> ResponseReturnValue:
    """Throw the draft away: callers never heard it, and the versions are untouched."""
    try:
        discard_draft(versions_store(), draft_id, by=_who(), now=services().clock())
    except DraftGone:
        abort(404)
    auth.record("draft thrown away", f"draft {draft_id}")
    return redirect(url_for("dashboard.drafts_page", done=f"Draft {draft_id} is thrown away."))


def review_draft(draft_id: int) -> ResponseReturnValue:
    """The differences between the draft and the live version, before a publisher publishes it; refused, with
    the reason, while the draft has mistakes."""
    found = _open(draft_id, _revision())
    checked = check(found.text)
    if checked.refusal:
        return _form_page(found, "", f"Not published: {checked.refusal}.", 400)
    return show_review(found.text.encode("utf-8"), "the draft", request.form.get("note", "").strip(),
                       draft=str(found.id))


# -- helpers ----------------------------------------------------------------------------------------


def _edited(data: editing.CommentedMap, over: str, changed: list[tuple[Path, str]], action: str) -> str | None:
    """The draft's new text, or None when nothing changes (then nothing is saved)."""
    apply(data, changed)
    verb, _, where = action.partition(":")
    node, _, index = where.partition(":")
    moved = False
    if verb in ("up", "down", "remove") and index.isdigit():
        path = ("nodes", node, "options", int(index))
        if verb == "remove":
            editing.remove(data, path)
            moved = True
        else:
            moved = editing.move(data, path, -1 if verb == "up" else 1)
    elif verb == "add" and node:
        editing.add_choice(data, node, languages_of(data), str(data.get("start")))
        moved = True
    elif verb in ("place-up", "place-down") and node:
        moved = editing.move_place(data, node, -1 if verb == "place-up" else 1)
    elif verb == "remove-place" and node:
        editing.remove(data, ("nodes", node))
        moved = True
    elif verb == "add-place":
        kind = request.form.get("new_kind", "")
        if kind not in ("menu", "answer", "transfer"):
            raise NotEditable("choose what kind of place to add")
        editing.add_place(data, kind, request.form.get("new_title", ""), languages_of(data))
        moved = True
    return editing.write(data, over) if changed or moved else None


def _save(found: Draft, make: Callable[[], str | None], *, changed: list[tuple[Path, str]] | None = None,
          action: str = "", text: str | None = None) -> ResponseReturnValue:
    """Save what ``make()`` gives (None: nothing to save) on top of the revision the form was opened at; the
    form's changes, its button's action or the whole text sent are offered again if someone saved meanwhile."""
    try:
        made = make()
    except NotEditable as error:
        return _form_page(found, "", f"Not saved: {error}.", 400)
    if made is None:
        return redirect(url_for("dashboard.draft_page", draft_id=found.id, saved="nothing"))
    try:
        saved = save_draft(versions_store(), found.id, made, opened_at=found.revision, by=_who(),
                           now=services().clock())
    except DraftMoved as moved:
        return _conflict(found, moved.newest, changed=changed or [], action=action, text=text)
    except DraftGone:
        abort(404)
    auth.record("draft saved", f"draft {saved.id}, revision {saved.revision}")
    target = "dashboard.draft_yaml" if text is not None else "dashboard.draft_page"
    return redirect(url_for(target, draft_id=found.id, saved=str(saved.revision)) + "#saved")


def _conflict(opened: Draft, newest: int, *, changed: Iterable[tuple[Path, str]] = (), action: str = "",
              text: str | None = None) -> ResponseReturnValue:
    """What someone else saved since this form was opened, in plain words, and the changes not saved, to apply
    on top of theirs."""
    now = draft(versions_store(), opened.id)
    if now is None:
        abort(404)
    since = editing.differences_between(opened.text, now.text)
    fields = [(_field_name(path), value) for path, value in changed]
    try:
        form: DraftForm | None = draft_form(editing.read(opened.text), [])
    except NotEditable:
        form = None
    labels = field_labels(form) if form else {}
    return render_template("dashboard/draft_conflict.html", draft=now, opened=opened, since=since, fields=fields,
                           action=action, text=text, labels=labels,
                           action_words=_action_words(action, dict(_places(form)))), 409


def _form_page(found: Draft, saved: str, problem: str = "", status: int = 200) -> ResponseReturnValue:
    checked = check(found.text)
    try:
        form: DraftForm | None = draft_form(editing.read(found.text), checked.problems)
        unreadable = ""
    except NotEditable as error:
        form, unreadable = None, str(error)
    places = _places(form)
    who = auth.staff()
    return render_template("dashboard/draft.html", draft=found, form=form, unreadable=unreadable, checked=checked,
                           places=places, saved=saved, problem=problem,
                           may_publish=bool(who and who.may("publisher"))), status


def _action_words(action: str, places: dict[str, str]) -> str:
    """A button's action in plain words: "move choice 2 of Menu 'Main menu' up"."""
    verb, _, where = action.partition(":")
    node, _, index = where.partition(":")
    place = places.get(node, node)
    if verb == "add":
        return f"add a choice to {place}"
    if verb == "remove-place":
        return f"remove {place}"
    if verb in ("place-up", "place-down"):
        return f"move {place} {verb.removeprefix('place-')}"
    if verb == "add-place":
        return "add a place"
    if verb in ("up", "down", "remove") and index.isdigit():
        choice = f"choice {int(index) + 1} of {place}"
        return f"remove {choice}" if verb == "remove" else f"move {choice} {verb}"
    return ""


def _places(form: DraftForm | None) -> list[tuple[str, str]]:
    """Each place's id and name, for the "where it leads" lists."""
    if form is None:
        return []
    return [(str(group.path[1]), group.heading) for group in form.groups if group.path[:1] == ("nodes",)]


def _open(draft_id: int, revision: int | None = None) -> Draft:
    """The draft (at ``revision``, the one a form was opened at), or 404 when it is not being edited here."""
    found = draft(versions_store(), draft_id, revision)
    if found is None or found.line != line_name() or found.discarded or found.published_as is not None:
        abort(404)
    return found


def _revision() -> int:
    sent = request.form.get("revision", "")
    if not sent.isdigit():
        abort(400)
    return int(sent)


def _field_name(path: Path) -> str:
    return "f:" + "/".join(str(part) for part in path)


def _who() -> str:
    who = auth.staff()
    return who.name if who else "nobody signed in"

