"""The clinic's dashboard pages: figures, the line map, the CSV export, signing in and out."""

from __future__ import annotations

import csv
import io
import logging
import re
import zoneinfo

from flask import Blueprint, Response, abort, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError

from ivr.dashboard import auth, report
from ivr.dashboard.audio import audio_finder
from ivr.dashboard.linemap import line_map
from ivr.dashboard.period import PeriodChoice, choose_period
from ivr.line.model import Line
from ivr.store import RecordsUnavailable
from ivr.store.export import COLUMNS, export_rows
from ivr.store.figures import figures as read_figures
from ivr.web import records
from ivr.web.services import services

logger = logging.getLogger(__name__)

bp = Blueprint(
    "dashboard", __name__, url_prefix="/dashboard",
    template_folder="templates", static_folder="static", static_url_path="/static",
)

#: No script runs on these pages; nothing is framed or fetched from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; img-src 'self' data:; media-src 'self'; style-src 'self'"
)
_OPEN = ("dashboard.login", "dashboard.static")


@bp.before_request
def _guard() -> ResponseReturnValue | None:
    """Off without a password; forms need their CSRF token; every page but sign-in needs a session."""
    if request.endpoint == "dashboard.static":
        return None
    if auth.gate() is None:
        return render_template("dashboard/off.html"), 404
    if request.method == "POST":
        auth.csrf.protect()
    if request.endpoint not in _OPEN and not auth.signed_in():
        return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Same-origin referrers: Flask-WTF compares the Referer with the host on HTTPS forms.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "dashboard.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _page_facts() -> dict[str, object]:
    return {"line_name": _line().name, "signed_in": auth.signed_in()}


@bp.errorhandler(CSRFError)
def _form_expired(error: CSRFError) -> ResponseReturnValue:
    return render_template("dashboard/message.html", title="The form has expired",
                           message="The page was open too long or came from elsewhere. Please try again.",
                           again=request.path), 400


@bp.errorhandler(RecordsUnavailable)
def _records_unavailable(error: RecordsUnavailable) -> ResponseReturnValue:
    logger.error("Dashboard: %s", error)
    return render_template("dashboard/message.html", title="The call records cannot be read just now",
                           message="The phone line is still answering calls. Please try again in a few minutes.",
                           again=request.full_path), 503


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in with the clinic's password."""
    gate = auth.gate()
    assert gate is not None  # the guard answered already otherwise
    error = None
    if request.method == "POST":
        address = request.remote_addr or "unknown"
        if not gate.attempt(address):
            wait = gate.retry_after(address)
            logger.warning("Dashboard sign-in attempts from %s are over the limit", address)
            page = render_template("dashboard/login.html", error=None, wait=wait, next=_next())
            return page, 429, {"Retry-After": str(wait)}
        if gate.check(request.form.get("password", "")):
            auth.sign_in()
            return redirect(_next())
        logger.warning("A wrong dashboard password from %s", address)
        error = "That password is not right. Please try again."
    return render_template("dashboard/login.html", error=error, wait=None, next=_next()), 401 if error else 200


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    auth.sign_out()
    return redirect(url_for("dashboard.login"))


@bp.get("")
def figures() -> ResponseReturnValue:
    """Figures of the calls over a chosen period, each as a chart and a table."""
    line = _line()
    choice = _chosen_period(line)
    assert choice.period is not None
    found = read_figures(records.settled_store(), line.name, choice.period)
    return render_template(
        "dashboard/figures.html",
        line=line,
        choice=choice,
        figures=found,
        summary=report.summary(found),
        sections=report.sections(found, line),
        export=url_for("dashboard.export", **{"from": choice.first, "to": choice.last}),
    )


@bp.get("/map")
def map_page() -> ResponseReturnValue:
    """Every node of the line: what callers hear, its keys and where they lead, and its audio."""
    line = _line()
    return render_template("dashboard/map.html", line=line, map=line_map(line, audio_finder(line)))


@bp.get("/export.csv")
def export() -> ResponseReturnValue:
    """The period's calls and their turns as a CSV file."""
    line = _line()
    choice = _chosen_period(line)
    assert choice.period is not None
    rows = export_rows(records.settled_store(), line.name, choice.period)
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = csv.DictWriter(out, COLUMNS)
    writer.writeheader()
    writer.writerows({name: _cell(value) for name, value in row.items()} for row in rows)
    slug = re.sub(r"[^a-z0-9]+", "-", line.name.lower()).strip("-") or "line"
    filename = f"calls-{slug}-{choice.first}-to-{choice.last}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# -- helpers --------------------------------------------------------------------------


def _line() -> Line:
    return services().line.current().loaded.line


def _chosen_period(line: Line) -> PeriodChoice:
    """The period the request asks for; a wrong one is answered with the figures page and its problems."""
    zone = zoneinfo.ZoneInfo(line.clinic.hours.timezone)
    choice = choose_period(request.args, services().clock().astimezone(zone).date(), zone)
    if choice.period is None:
        abort(make_response(render_template("dashboard/figures.html", line=line, choice=choice), 400))
    return choice


def _next() -> str:
    """Where to go after signing in: a dashboard page, never another site."""
    target = request.args.get("next", "")
    if target.startswith("/dashboard") and not target.startswith("/dashboard/login") and "\\" not in target:
        return target
    return url_for("dashboard.figures")


def _cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (callers' words are in some)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
