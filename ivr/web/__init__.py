"""The line on the web: Twilio's voice and messaging webhooks, the rendered audio, /healthz, and the services a
request uses.

:func:`init_app` sets it all up on the app (:func:`ivr.create_app` calls it).
"""

from __future__ import annotations

from flask import Flask

from ivr.web.keys import instance_key, text_setting
from ivr.web.proxies import TrustedProxies, trusted_addresses
from ivr.web.records import RecordsOff, open_store, purge_records, settled_store
from ivr.web.services import Services, services

__all__ = [
    "RecordsOff",
    "Services",
    "TrustedProxies",
    "init_app",
    "instance_key",
    "open_store",
    "purge_records",
    "services",
    "settled_store",
    "text_setting",
    "trusted_addresses",
]


def init_app(app: Flask) -> None:
    """The services, the call records, the response headers, and the webhooks', audio's and health's blueprints."""
    from ivr.web import audio, health, sms, voice
    from ivr.web.headers import init_app as init_headers
    from ivr.web.records import init_app as init_records
    from ivr.web.services import init_app as init_services
    from ivr.web.versions import init_app as init_versions

    init_services(app)
    init_records(app)
    init_versions(app)
    init_headers(app)
    app.register_blueprint(voice.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(audio.bp)
    app.register_blueprint(health.bp)
