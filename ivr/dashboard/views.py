"""The clinic's dashboard pages: figures, the line map, calls and their journeys, exports, signing in and out."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import zoneinfo
from collections.abc import Callable, Generator, Iterator
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ivr.dashboard import auth, report, words
from ivr.dashboard.accounts import a_role
from ivr.dashboard.audio import audio_finder
from ivr.dashboard.exports import call_row, calls_csv, step_rows, steps_csv
from ivr.dashboard.linemap import line_map, place_kinds
from ivr.dashboard.period import PRESETS, PeriodChoice, choose_period
from ivr.line import Line, is_open
from ivr.store import RecordsUnavailable
from ivr.store.figures import Figures
from ivr.store.figures import figures as read_figures
from ivr.store.journeys import PLACE_COLUMNS, Summary, summarise
from ivr.store.period import Period
from ivr.store.reading import journey as read_journey
from ivr.store.reading import journeys as read_journeys
from ivr.store.staff import account
from ivr.web import RecordsOff, services, settled_store

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
#: The role each page needs (see :func:`needs`); a page not named here needs a publisher.
ROLE_OF: dict[str, str] = {}
#: Pages whose forms may be larger than MAX_CONTENT_LENGTH lets a webhook be: bytes, by endpoint.
LARGER_FORMS: dict[str, int] = {}
#: The most calls the list of a period's calls shows (the newest); the export has them all.
CALLS_LISTED = 500
#: What a page to come back to after signing in may look like: a dashboard path and query, plain characters only.
_NEXT = re.compile(r"/dashboard(/[A-Za-z0-9._~/-]*)?(\?[A-Za-z0-9._~=&%+-]*)?")
_proxy_warned = False


def needs(role: str) -> Callable[[Callable[..., ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    """Say which role a page needs (viewer, editor or publisher); put it under the route."""

    def mark(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        ROLE_OF[f"{bp.name}.{view.__name__}"] = role
        return view

    return mark


@bp.before_request
def _guard() -> ResponseReturnValue | None:
    """Off without a password or an account; forms need their CSRF token; every page but sign-in needs a
    session, and a role that may see it."""
    if request.endpoint == "dashboard.static":
        return None
    gate = auth.gate()
    if gate is None or not gate.is_on():
        return render_template("dashboard/off.html"), 404
    if request.method == "POST":
        if request.endpoint in LARGER_FORMS:
            request.max_content_length = LARGER_FORMS[request.endpoint]
        auth.csrf.protect()
    if request.endpoint in _OPEN:
        return None
    who = auth.staff()
    if who is None:
        return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
    needed = ROLE_OF.get(request.endpoint or "", "publisher")
    if not who.may(needed):
        message = (f"This needs the {needed} role; your account, {who.name}, is {a_role(who.role)}. "
                   "A publisher can change your role.")
        return render_template("dashboard/message.html", title="Your account cannot do this", message=message,
                               again=None), 403
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    return _secure(response)


@bp.context_processor
def _page_facts() -> dict[str, object]:
    return page_facts()


@bp.errorhandler(CSRFError)
def _form_expired(error: CSRFError) -> ResponseReturnValue:
    return render_template("dashboard/message.html", title="The form has expired",
                           message="The page was open too long or came from elsewhere. Please try again.",
                           again=request.path), 400


@bp.errorhandler(RecordsUnavailable)
def _records_unavailable(error: RecordsUnavailable) -> ResponseReturnValue:
    if isinstance(error, RecordsOff):
        return render_template("dashboard/message.html", title="Call records are switched off",
                               message="This line keeps no record of its calls (IVR_RECORD_CALLS is false), so "
                                       "there are no figures to show.", again=None), 404
    logger.error("Dashboard: %s", error)
    return render_template("dashboard/message.html", title="The call records cannot be read just now",
                           message="The phone line is still answering calls. Please try again in a few minutes.",
                           again=request.full_path), 503


@bp.errorhandler(auth.SignInUnavailable)
def _sign_in_unavailable(error: auth.SignInUnavailable) -> ResponseReturnValue:
    logger.error("Dashboard sign-in: %s", error)
    return render_template("dashboard/message.html", title="Signing in is not possible just now",
                           message="The dashboard keeps its sign-ins in the call records' database, which cannot "
                                   "be reached. The phone line is still answering calls. Please try again in a few "
                                   "minutes.", again=url_for("dashboard.login")), 503


def not_found(error: HTTPException) -> ResponseReturnValue:
    """Unknown pages under /dashboard get the dashboard's own page; others Werkzeug's."""
    if not request.path.startswith(bp.url_prefix or "/dashboard"):
        return error
    page = render_template("dashboard/not_found.html", status=error.code, **page_facts())
    return _secure(make_response(page, error.code or 404))


# -- signing in and out ----------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in with a staff account's name and password, or the clinic's password while no account exists."""
    gate = auth.gate()
    if gate is None:  # the guard says so first; this holds under python -O too
        return render_template("dashboard/off.html"), 404
    error = None
    named = gate.asks_for_a_name()
    if request.method == "POST":
        address = request.remote_addr or "unknown"
        _warn_if_behind_an_unknown_proxy()
        wait = gate.counter.attempt(gate.who(address))
        if wait:
            logger.warning("Dashboard sign-in attempts from %s are over the limit", address)
            auth.record("sign-in refused", "too many attempts", who=_name_tried(gate, named))
            page = render_template("dashboard/login.html", error=None, wait=wait, next=_next(), named=named)
            return page, 429, {"Retry-After": str(wait)}
        who = gate.check(request.form.get("name", ""), request.form.get("password", ""))
        if who is not None:
            auth.sign_in(who)
            auth.record("signed in")
            response = redirect(_next())
            gate.remember_browser(response)
            return response
        logger.warning("A wrong dashboard password from %s", address)
        auth.record("sign-in failed", "wrong name or password" if named else "wrong password",
                    who=_name_tried(gate, named))
        error = ("That name and password do not match an account. Please try again." if named
                 else "That password is not right. Please try again.")
    page = render_template("dashboard/login.html", error=error, wait=None, next=_next(), named=named)
    return page, 401 if error else 200


@bp.post("/logout")
@needs("viewer")
def logout() -> ResponseReturnValue:
    auth.record("signed out")
    auth.sign_out()
    return redirect(url_for("dashboard.login"))


def _name_tried(gate: auth.Gate, named: bool) -> str:
    """Who tried to sign in, for the staff record: an account's name, never what else was typed (it may be
    a password typed in the wrong box)."""
    if not named:
        return "someone at the sign-in page"
    name = request.form.get("name", "").strip()
    store = gate.store
    return name if name and store is not None and account(store, name) is not None else "a name with no account"


# -- the pages ----------------------------------------------------------------------------------


@bp.get("")
@needs("viewer")
def figures() -> ResponseReturnValue:
    """The figures of a period, the safety figures first, each beside the period before."""
    line = _line()
    choice, period = _chosen_period(line)
    now = _figures(line, period)
    before = _figures(line, period.previous())
    return render_template(
        "dashboard/figures.html",
        line=line,
        choice=choice,
        figures=now,
        before=before,
        headlines=report.headlines(now, before),
        sections=report.sections(now, line),
        exports=_exports(choice),
    )


@bp.get("/")
@needs("viewer")
def figures_with_a_slash() -> ResponseReturnValue:
    """The figures at the address people often type, /dashboard/: sent on to /dashboard, with their query."""
    query = request.query_string.decode("latin-1")
    return redirect(url_for("dashboard.figures") + (f"?{query}" if query else ""))


@bp.get("/map")
@needs("viewer")
def map_page() -> ResponseReturnValue:
    """Every place of the line: what callers hear, its keys and where they lead, its audio and its figures."""
    line = _line()
    choice, period = _chosen_period(line)
    try:
        found: Figures | None = _figures(line, period)
    except RecordsUnavailable as error:
        logger.warning("Dashboard map without figures: %s", error)
        found = None
    return render_template("dashboard/map.html", line=line, map=line_map(line, audio_finder(line)), choice=choice,
                           figures=found)


@bp.get("/calls")
@needs("viewer")
def calls() -> ResponseReturnValue:
    """The period's calls, newest first, each with a link to its journey."""
    line = _line()
    choice, period = _chosen_period(line)
    zone = _zone(line)
    with _summaries(line, period) as summaries:
        rows = [call_row(s, line, zone, _open_hours(line)) for s in summaries]
    rows.reverse()
    return render_template("dashboard/calls.html", line=line, choice=choice, rows=rows[:CALLS_LISTED],
                           total=len(rows), exports=_exports(choice))


@bp.get("/calls/<call_sid>")
@needs("viewer")
def journey(call_sid: str) -> ResponseReturnValue:
    """One call's journey: every step, where the caller was and what happened. Never the caller's number."""
    line = _line()
    found = read_journey(settled_store(), line.name, call_sid[:64])
    if found is None:
        abort(404)
    summary = summarise(found, place_kinds(line))
    zone = _zone(line)
    return render_template("dashboard/journey.html", line=line, call=call_row(summary, line, zone, _open_hours(line)),
                           steps=step_rows(summary, line, zone), back=request.args.get("back", ""))


@bp.get("/export/calls.csv")
@needs("viewer")
def export_calls() -> ResponseReturnValue:
    """The period's calls, one row each."""
    line = _line()
    choice, period = _chosen_period(line)
    zone = _zone(line)
    with _summaries(line, period) as summaries:
        text = calls_csv((call_row(s, line, zone, _open_hours(line)) for s in summaries), str(zone))
    return _csv(text, "calls", line, choice)


@bp.get("/export/steps.csv")
@needs("viewer")
def export_steps() -> ResponseReturnValue:
    """The period's calls, one row for each step of each."""
    line = _line()
    choice, period = _chosen_period(line)
    zone = _zone(line)
    with _summaries(line, period) as summaries:
        text = steps_csv((row for s in summaries for row in step_rows(s, line, zone)), str(zone))
    return _csv(text, "steps", line, choice)


# -- helpers --------------------------------------------------------------------------------------


def page_facts() -> dict[str, object]:
    """What every page's layout needs: the line's name, and whether to offer the signed-in navigation."""
    signed_in = bool(g.get("dashboard_signed_in"))
    return {"line_name": _line().name, "signed_in": signed_in, "presets": PRESETS,
            "staff": g.get("dashboard_staff"),
            "words": words, "place_columns": PLACE_COLUMNS,
            # Staff only: the message names the file's path.
            "line_not_the_file": services().line.current().not_the_file if signed_in else None}


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Same-origin referrers: Flask-WTF compares the Referer with the host on HTTPS forms.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "dashboard.static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _line() -> Line:
    return services().line.current().loaded.line


def _zone(line: Line) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(line.clinic.hours.timezone)


def _open_hours(line: Line) -> Callable[[dt.datetime], bool]:
    hours = line.clinic.hours
    return lambda moment: is_open(hours, moment)


def _chosen_period(line: Line) -> tuple[PeriodChoice, Period]:
    """The period the request asks for, as typed and as read; a wrong one is answered with the figures page and
    its problems."""
    zone = _zone(line)
    choice = choose_period(request.args, services().clock().astimezone(zone).date(), zone)
    if choice.period is None:
        abort(make_response(render_template("dashboard/figures.html", line=line, choice=choice), 400))
    return choice, choice.period


def _figures(line: Line, period: Period) -> Figures:
    return read_figures(settled_store(), line.name, period, place_kinds(line), _open_hours(line))


@contextlib.contextmanager
def _summaries(line: Line, period: Period) -> Generator[Iterator[Summary]]:
    """The period's calls, read as summaries inside one read of the database."""
    found = read_journeys(settled_store(), line.name, period)
    places = place_kinds(line)
    try:
        yield (summarise(journey, places) for journey in found)
    finally:
        found.close()


def _exports(choice: PeriodChoice) -> dict[str, str]:
    dates: dict[str, Any] = {"from": choice.first, "to": choice.last}
    return {"calls": url_for("dashboard.export_calls", **dates), "steps": url_for("dashboard.export_steps", **dates)}


def _csv(text: str, what: str, line: Line, choice: PeriodChoice) -> Response:
    slug = re.sub(r"[^a-z0-9]+", "-", line.name.lower()).strip("-") or "line"
    filename = f"{what}-{slug}-{choice.first}-to-{choice.last}.csv"
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _next() -> str:
    """Where to go after signing in: a dashboard page of plain characters, never another site or the sign-in."""
    target = request.args.get("next", "")
    path = urlsplit(target).path if _NEXT.fullmatch(target) else ""
    if path and not path.startswith("/dashboard/login") and "/../" not in f"{path}/" and "//" not in path:
        return target
    return url_for("dashboard.figures")


def _warn_if_behind_an_unknown_proxy() -> None:
    """Behind a proxy that is not trusted (IVR_PROXY_HOPS=0), every attempt seems to come from the proxy."""
    global _proxy_warned
    if _proxy_warned or current_app.config["PROXY_HOPS"] or "X-Forwarded-For" not in request.headers:
        return
    _proxy_warned = True
    logger.warning(
        "Dashboard sign-ins come through a proxy (X-Forwarded-For) but IVR_PROXY_HOPS is 0: every attempt counts "
        "against the proxy's address, so a stranger's guesses can lock out staff signing in from a new browser. "
        "Set IVR_PROXY_HOPS to the number of proxies in front of the server."
    )

