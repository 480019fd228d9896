"""The dashboard's pages for publishers: staff accounts, and the record of what staff did."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ivr.dashboard import auth
from ivr.dashboard.accounts import a_role, change_role, drop_account, make_account, name_problem, password_problem
from ivr.dashboard.exports import local_time, staff_csv
from ivr.dashboard.views import bp, needs
from ivr.store import Store
from ivr.store.staff import ROLES, AccountProblem
from ivr.store.staff import accounts as all_accounts
from ivr.store.staff import actions as staff_actions
from ivr.web import services

#: The most actions the staff record's page lists (the newest); the download has them all.
ACTIONS_LISTED = 500
_registered: list[bool] = []


def register() -> None:
    """Add these pages to the dashboard's blueprint (once: the blueprint is shared by every app)."""
    if _registered:
        return
    _registered.append(True)
    bp.add_url_rule("/accounts", view_func=needs("publisher")(accounts), methods=["GET", "POST"])
    bp.add_url_rule("/accounts/<path:name>/role", view_func=needs("publisher")(account_role), methods=["POST"])
    bp.add_url_rule("/accounts/<path:name>/remove", view_func=needs("publisher")(account_remove), methods=["POST"])
    bp.add_url_rule("/staff-record", view_func=needs("publisher")(staff_record))
    bp.add_url_rule("/export/staff-record.csv", view_func=needs("publisher")(export_staff_record))


def accounts() -> ResponseReturnValue:
    """Every account and its role; a form to add one."""
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        name, chosen, password = form.get("name", ""), form.get("role", ""), form.get("password", "")
        errors = {field: problem for field, problem in (
            ("name", name_problem(name)),
            ("role", None if chosen in ROLES else "Choose a role."),
            ("password", password_problem(password)),
            ("again", None if password == form.get("again", "") else "The two passwords are not the same."),
        ) if problem}
        if not errors:
            try:
                make_account(_store(), name, chosen, _gate().hash_password(password), by=_me(), now=_now())
            except AccountProblem as problem:
                errors["name"] = f"{str(problem)[0].upper()}{str(problem)[1:]}."
            else:
                return redirect(url_for("dashboard.accounts", done=f"{name} can now sign in as {a_role(chosen)}."))
    page = render_template("dashboard/accounts.html", accounts=all_accounts(_store()), roles=ROLES, errors=errors,
                           form=form if errors else {}, done=request.args.get("done", ""), problem="")
    return page, 400 if errors else 200


def account_role(name: str) -> ResponseReturnValue:
    return _change(lambda: change_role(_store(), name, request.form.get("role", ""), by=_me(), now=_now()),
                   f"{name} is now {a_role(request.form.get('role', ''))}.")


def account_remove(name: str) -> ResponseReturnValue:
    return _change(lambda: drop_account(_store(), name, by=_me(), now=_now()), f"{name}'s account is removed.")


def staff_record() -> ResponseReturnValue:
    """What staff did, newest first: who signed in, failed to, published, rolled back, changed an account."""
    zone = zoneinfo.ZoneInfo(_zone_name())
    found = [(local_time(action.at, zone), action) for action in staff_actions(_store())]
    return render_template("dashboard/staff_record.html", actions=found[:ACTIONS_LISTED], total=len(found),
                           zone=_zone_name())


def export_staff_record() -> ResponseReturnValue:
    """The whole staff record, as CSV."""
    text = staff_csv(staff_actions(_store()), zoneinfo.ZoneInfo(_zone_name()))
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="staff-record.csv"'})


def _change(change: Callable[[], None], done: str) -> ResponseReturnValue:
    try:
        change()
    except AccountProblem as problem:
        page = render_template("dashboard/accounts.html", accounts=all_accounts(_store()), roles=ROLES, errors={},
                               form={}, done="", problem=f"{str(problem)[0].upper()}{str(problem)[1:]}.")
        return page, 400
    return redirect(url_for("dashboard.accounts", done=done))


def _gate() -> auth.Gate:
    gate = auth.gate()
    if gate is None:  # the dashboard's guard lets no request here without one
        raise auth.SignInUnavailable("the dashboard is off")
    return gate


def _store() -> Store:
    store = _gate().store
    if store is None:
        raise auth.SignInUnavailable("there is no database to keep accounts in")
    return store


def _me() -> str:
    who = auth.staff()
    return who.name if who else "nobody signed in"


def _now() -> dt.datetime:
    return services().clock()


def _zone_name() -> str:
    return services().line.current().loaded.line.clinic.hours.timezone
