"""The dashboard's page of the line's versions: which answers now, who published each, when and why; each
downloadable as YAML, and any older one published again in one step."""

from __future__ import annotations

import re
import zoneinfo

from flask import Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ivr.dashboard import auth
from ivr.dashboard.exports import local_time
from ivr.dashboard.views import bp, needs
from ivr.line.validate import LineInvalid
from ivr.store import Store
from ivr.store.versions import history, version
from ivr.web import services
from ivr.web.versions import NotPublished, roll_back

_registered: list[bool] = []


def register() -> None:
    """Add these pages to the dashboard's blueprint (once: the blueprint is shared by every app)."""
    if _registered:
        return
    _registered.append(True)
    bp.add_url_rule("/line", view_func=needs("viewer")(versions))
    bp.add_url_rule("/line/<int:number>.yaml", view_func=needs("viewer")(version_file))
    bp.add_url_rule("/line/<int:number>/rollback", view_func=needs("publisher")(rollback), methods=["POST"])


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


def _line_name() -> str:
    return services().line.current().loaded.line.name


def _store() -> Store:
    gate = auth.gate()
    if gate is None or gate.store is None:
        raise auth.SignInUnavailable("there is no database to keep the line's versions in")
    return gate.store
