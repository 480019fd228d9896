"""The dashboard's page of the line's versions: which answers now, who published each, when and why; each
downloadable as YAML, any older one published again in one step, and a line file published with a note,
after its differences from the live version are shown in plain words."""

from __future__ import annotations

import logging
import re
import zoneinfo

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ivr.dashboard import auth
from ivr.dashboard.exports import local_time
from ivr.dashboard.views import LARGER_FORMS, bp, needs
from ivr.line import Line
from ivr.line.differences import differences
from ivr.line.validate import LineInvalid, format_problems, load_line_text
from ivr.line.validate.limits import MAX_BYTES
from ivr.speech.changed import ChangedAudio, render_changed
from ivr.speech.engine import RenderError
from ivr.store import Store
from ivr.store.drafts import DraftGone, draft_text, mark_published
from ivr.store.versions import history, newest_number, version
from ivr.web import services
from ivr.web.versions import NotPublished, publish_text, roll_back

logger = logging.getLogger(__name__)
_registered: list[bool] = []


def register() -> None:
    """Add these pages to the dashboard's blueprint (once: the blueprint is shared by every app)."""
    if _registered:
        return
    _registered.append(True)
    bp.add_url_rule("/line", view_func=needs("viewer")(versions))
    bp.add_url_rule("/line/<int:number>.yaml", view_func=needs("viewer")(version_file))
    bp.add_url_rule("/line/<int:number>/rollback", view_func=needs("publisher")(rollback), methods=["POST"])
    bp.add_url_rule("/line/review", view_func=needs("publisher")(review), methods=["POST"])
    bp.add_url_rule("/line/publish", view_func=needs("publisher")(publish_reviewed), methods=["POST"])
    LARGER_FORMS.update({"dashboard.review": _UPLOAD_BYTES, "dashboard.publish_reviewed": _UPLOAD_BYTES})


#: A line file is 256 kB at most; sent back in a form it may take three times that.
_UPLOAD_BYTES = 3 * MAX_BYTES + 64 * 1024


def versions(problem: str = "", status: int = 200) -> ResponseReturnValue:
    """Every version of the line, newest first."""
    line = line_name()
    active = services().line.current()
    zone = zoneinfo.ZoneInfo(active.loaded.line.clinic.hours.timezone)
    rows = [(local_time(found.published_at, zone), found) for found in history(versions_store(), line)]
    who = auth.staff()
    # What the database says is published, not the version this worker has taken yet: the page that comes back
    # from publishing may be made by a worker that takes it a second later, and must not offer it again.
    answering = newest_number(versions_store(), line) or active.published
    return render_template("dashboard/versions.html", rows=rows, answering=answering, zone=str(zone),
                           done=request.args.get("done", ""), problem=problem,
                           may_publish=bool(who and who.may("publisher"))), status


def version_file(number: int) -> ResponseReturnValue:
    """One version's line file, exactly as it was published."""
    found = version(versions_store(), line_name(), number)
    if found is None:
        abort(404)
    slug = re.sub(r"[^a-z0-9]+", "-", found.line.lower()).strip("-") or "line"
    return Response(found.text, mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-version-{number}.yaml"'})


def rollback(number: int) -> ResponseReturnValue:
    """Publish version ``number`` again: it answers on every worker within seconds."""
    who = auth.staff()
    name = who.name if who else "nobody signed in"
    try:
        made = roll_back(versions_store(), line_name(), number, by=name, note=request.form.get("note", ""))
    except NotPublished as refused:
        return versions(f"Not rolled back: {refused}.", 400)
    except LineInvalid as invalid:
        return versions(f"Not rolled back: version {number} has {len(invalid.errors)} errors for this version of "
                        "the line's software, so it cannot answer calls.", 400)
    auth.record("rolled back", f"to version {number}, published again as version {made.number}: {made.note}")
    done = f"Version {number} is published again, as version {made.number}. Callers hear it within seconds."
    return redirect(url_for("dashboard.versions", done=done))


def review(problem: str = "") -> ResponseReturnValue:
    """A line file sent to be published: its problems, or its differences from the live version in plain words,
    with a button to publish it (and a second confirmation when what keeps callers safe changes)."""
    upload = request.files.get("file")
    raw = upload.read(MAX_BYTES + 1) if upload is not None else form_text("text").encode("utf-8")
    if not raw.strip():
        return versions("Not published: choose a line file to publish.", 400)
    name = upload.filename if upload is not None and upload.filename else "the file sent"
    return show_review(raw, name, request.form.get("note", "").strip(), problem, draft=request.form.get("draft", ""))


def show_review(raw: bytes, name: str, note: str, problem: str = "", *, draft: str = "") -> ResponseReturnValue:
    """The review page of a line file's bytes (sent, or a draft's): its problems, or its differences from the
    live version. ``draft`` is the draft's number, which the publish form carries, so that publishing closes it."""
    try:
        loaded = load_line_text(raw, name)
    except LineInvalid as invalid:
        return render_template("dashboard/review.html", problems=format_problems(invalid.problems), changes=[],
                               note=note, text="", base=None, problem="", draft=draft), 400
    if loaded.line.name != line_name():
        return versions(f"Not published: the file is the line {loaded.line.name!r}, not this server's line "
                        f"{line_name()!r} (the line's name is its first setting, name:).", 400)
    base = newest_number(versions_store(), line_name())
    live = version(versions_store(), line_name(), base) if base else None
    changes = differences(live.text if live else "", raw.decode("utf-8"))
    try:
        audio: ChangedAudio | None = _render_changed(loaded.line, audit=bool(current_app.config["PUBLISH_AUDIT"]))
    except (RenderError, OSError) as error:
        audio, problem = None, _not_rendered(error)
    return render_template("dashboard/review.html", problems="", changes=changes, note=note,
                           text=raw.decode("utf-8"), base=base, problem=problem, audio=audio, draft=draft,
                           safety=any(change.safety for change in changes)), 400 if problem else 200


def publish_reviewed() -> ResponseReturnValue:
    """Publish the file reviewed, if the live version is still the one it was compared with."""
    form = request.form
    text, note = form_text("text"), form.get("note", "").strip()
    base = newest_number(versions_store(), line_name())
    if str(base) != form.get("base", ""):
        return review("Someone published another version since you opened this page: the differences below are "
                      "from the version live now. Check them again.")
    if not note:
        return review("Say why, in the note: every version is kept with who published it, when and why.")
    live = version(versions_store(), line_name(), base) if base else None
    if any(c.safety for c in differences(live.text if live else "", text)) and form.get("safety") != "checked":
        return review("This changes what keeps callers safe: tick the box to say you have checked it.")
    try:
        _render_changed(load_line_text(text.encode("utf-8"), "the file sent").line, audit=False)
    except LineInvalid:
        return review()
    except (RenderError, OSError) as error:
        return review(_not_rendered(error))
    who = auth.staff()
    try:
        made = publish_text(versions_store(), text.encode("utf-8"), name="the file sent",
                            by=who.name if who else "nobody", note=note)
    except (LineInvalid, NotPublished):
        return review()
    draft = form.get("draft", "")
    if draft.isdigit():
        _close_draft(int(draft), made.number, text)
    from_draft = f" (draft {draft})" if draft.isdigit() else ""
    auth.record("published", f"version {made.number}: {made.note}{from_draft}")
    done = f"Version {made.number} is published. Callers hear it within seconds."
    return redirect(url_for("dashboard.versions", done=done))


def _render_changed(line: Line, audit: bool) -> ChangedAudio:
    """Render the prompts of ``line`` that callers of the live version hear no audio for, into the audio the
    servers play; with ``audit``, transcribe them too."""
    return render_changed(services().line.current().loaded.line, line, services().audio.directory, audit=audit)


def _not_rendered(error: Exception) -> str:
    return (f"Not published: the changed prompts could not be rendered ({error}), so callers would hear them "
            "read by Twilio's voice instead. The version live now goes on.")


def form_text(name: str) -> str:
    """A text sent in a form, its line breaks as a line file's: browsers send those of a textarea or a hidden
    field as CR LF, which would otherwise be kept in the version and in every export of it."""
    return line_file_breaks(request.form.get(name, ""))


def line_file_breaks(text: str) -> str:
    """``text`` with a line file's line breaks (LF), whatever a browser or another system's editor wrote."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_name() -> str:
    """The name of the line this server answers."""
    return services().line.current().loaded.line.name


def versions_store() -> Store:
    """The database that keeps the line's versions and drafts."""
    gate = auth.gate()
    if gate is None or gate.store is None:
        raise auth.SignInUnavailable("there is no database to keep the line's versions in")
    return gate.store


def _close_draft(number: int, version_number: int, text: str) -> None:
    """The draft just published is no longer edited, unless someone saved it again since it was reviewed."""
    found = draft_text(versions_store(), number)
    if found is None or found != text:
        logger.info("Draft %s was published as version %s and saved again since: it stays open", number,
                    version_number)
        return
    try:
        mark_published(versions_store(), number, version_number)
    except DraftGone:
        logger.info("Draft %s was published as version %s, and was closed already", number, version_number)
