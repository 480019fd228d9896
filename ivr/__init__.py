"""An accessible voice information line for clinics, answered over Twilio."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Config, Flask

from ivr.config import defaults

logger = logging.getLogger(__name__)


class UnsafeConfiguration(RuntimeError):
    """The server was asked to start in a way that would put callers at risk."""


def create_app(test_config: dict[str, Any] | None = None, *, serving: bool = True) -> Flask:
    """Build the line's web app: settings, the line file, webhooks and pages.

    ``serving=False`` is for a tool that builds the app but answers no calls from outside
    (the text phone, ``ivr purge``): the signature setting is neither required nor warned about.
    """
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    if serving:
        _check_signature_setting(app)
    _trust_proxies(app)

    from ivr import dashboard, web

    web.init_app(app)
    dashboard.init_app(app)
    return app


def settings() -> Config:
    """The settings :func:`create_app` would use, without building the app: for command-line tools."""
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, None)
    return app.config


def _configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Settings in layers: defaults, then the instance folder's config.py and IVR_* variables, or the test's."""
    app.config.from_mapping(defaults())
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("IVR")
    else:
        app.config.from_mapping(test_config)
    if not app.config["AUDIO_DIR"]:
        app.config["AUDIO_DIR"] = os.path.join(app.instance_path, "audio")


def _check_signature_setting(app: Flask) -> None:
    if app.config["TWILIO_AUTH_TOKEN"]:
        return
    if not app.config["DEV_MODE"]:
        raise UnsafeConfiguration(
            "TWILIO_AUTH_TOKEN is not set, so webhook requests cannot be checked. "
            "Set it, or set IVR_DEV_MODE=true to run unchecked on a development machine."
        )
    logger.warning(
        "DEVELOPMENT MODE: requests are NOT checked against Twilio's signature. "
        "Never point a real phone number at this server."
    )


def _trust_proxies(app: Flask) -> None:
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        from ivr.web import TrustedProxies, trusted_addresses

        trusted = trusted_addresses(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = TrustedProxies(app.wsgi_app, hops, trusted)  # type: ignore[method-assign]
