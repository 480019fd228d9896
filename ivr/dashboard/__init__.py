"""The clinic's dashboard: what callers ask, where they give up, who reached the clinic."""

from __future__ import annotations

import logging

from flask import Flask

from ivr.dashboard import auth, drafts, line_versions, people, try_it, views
from ivr.web import instance_key, open_store, text_setting

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the dashboard; it is switched off (every page says so) until a password is set or a staff
    account exists.

    Accounts and sign-ins are kept in the call records' database (opened for the dashboard alone when
    call records are switched off and a password is set), so that they hold on every worker and server.
    """
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = not app.config["DEV_MODE"]
    # CSRF is checked by the dashboard's own views, not app-wide: Twilio's webhooks are POSTs too.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    auth.csrf.init_app(app)
    people.register()
    line_versions.register()
    drafts.register()
    try_it.register()
    app.register_blueprint(views.bp)
    for status in (404, 405):
        app.register_error_handler(status, views.not_found)
    password = text_setting(app, "DASHBOARD_PASSWORD")
    store = app.extensions.get("ivr.store")
    if not password and store is None:
        logger.info("The dashboard is off: make an account (ivr users add) or set IVR_DASHBOARD_PASSWORD")
        return
    app.secret_key = instance_key(app, "SECRET_KEY", "secret.key")
    store = store or open_store(app, "nobody can sign in to the dashboard")
    app.extensions["ivr.dashboard"] = auth.Gate.create(
        password, app.secret_key, text_setting(app, "DASHBOARD_LOGIN_LIMIT"),
        text_setting(app, "DASHBOARD_LOGIN_LIMIT_STORAGE"), store, int(app.config["DASHBOARD_PASSWORD_COST"]),
    )
    # Only the hash is kept.
    app.config["DASHBOARD_PASSWORD"] = ""
