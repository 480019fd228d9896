"""The dashboard's page of the line's versions: which answers now, who published each, when and why; each
downloadable as YAML, any older one published again in one step, and a line file published with a note,
after its differences from the live version are shown in plain words."""

from __future__ import annotations

import re
import zoneinfo

from flask import Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ivr.dashboard import auth
from ivr.dashboard.exports import local_time
from ivr.dashboard.views import LARGER_FORMS, bp, needs
from ivr.line.differences import differences
from ivr.line.validate import LineInvalid, format_problems, load_line_text
from ivr.line.validate.limits import MAX_BYTES
from ivr.store import Store
from ivr.store.versions import history, newest_number, version
from ivr.web import services
from ivr.web.versions import NotPublished, publish_text, roll_back

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
    line = _line_name()
    active = services().line.current()
    zone = zoneinfo.ZoneInfo(active.loaded.line.clinic.hours.timezone)
    rows = [(local_time(found.published_at, zone), found) for found in history(_store(), line)]
    who = auth.staff()
    return render_template("dashboard/versions.html", rows=rows, answering=active.published, zone=str(zone),
                           done=request.args.get("done", ""), problem=problem,
                           may_publish=bool(who and who.may("publisher"))), status


def version_file(number: int) -> ResponseReturnValue:
    """One version's line file, exactly as it was published."""
    found = version(_store(), _line_name(), number)
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
        made = roll_back(_store(), _line_name(), number, by=name, note=request.form.get("note", ""))
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
    note = request.form.get("note", "").strip()
    upload = request.files.get("file")
    raw = upload.read(MAX_BYTES + 1) if upload is not None else request.form.get("text", "").encode("utf-8")
    if not raw.strip():
        return versions("Not published: choose a line file to publish.", 400)
    try:
        loaded = load_line_text(raw, upload.filename if upload is not None and upload.filename else "the file sent")
    except LineInvalid as invalid:
        return render_template("dashboard/review.html", problems=format_problems(invalid.problems), changes=[],
                               note=note, text="", base=None, problem=""), 400
    if loaded.line.name != _line_name():
        return versions(f"Not published: the file is the line {loaded.line.name!r}, not this server's line "
                        f"{_line_name()!r} (the line's name is its first setting, name:).", 400)
    base = newest_number(_store(), _line_name())
    live = version(_store(), _line_name(), base) if base else None
    changes = differences(live.text if live else "", raw.decode("utf-8"))
    return render_template("dashboard/review.html", problems="", changes=changes, note=note,
                           text=raw.decode("utf-8"), base=base, problem=problem,
                           safety=any(change.safety for change in changes)), 400 if problem else 200


def publish_reviewed() -> ResponseReturnValue:
    """Publish the file reviewed, if the live version is still the one it was compared with."""
    form = request.form
    text, note = form.get("text", ""), form.get("note", "").strip()
    base = newest_number(_store(), _line_name())
    if str(base) != form.get("base", ""):
        return review("Someone published another version since you opened this page: the differences below are "
                      "from the version live now. Check them again.")
    if not note:
        return review("Say why, in the note: every version is kept with who published it, when and why.")
    live = version(_store(), _line_name(), base) if base else None
    if any(c.safety for c in differences(live.text if live else "", text)) and form.get("safety") != "checked":
        return review("This changes what keeps callers safe: tick the box to say you have checked it.")
    who = auth.staff()
    try:
        made = publish_text(_store(), text.encode("utf-8"), name="the file sent", by=who.name if who else "nobody",
                            note=note)
    except (LineInvalid, NotPublished):
        return review()
    auth.record("published", f"version {made.number}: {made.note}")
    done = f"Version {made.number} is published. Callers hear it within seconds."
    return redirect(url_for("dashboard.versions", done=done))


def _line_name() -> str:
    return services().line.current().loaded.line.name


def _store() -> Store:
    gate = auth.gate()
    if gate is None or gate.store is None:
        raise auth.SignInUnavailable("there is no database to keep the line's versions in")
    return gate.store
