"""Only Twilio may drive a call: check X-Twilio-Signature on every webhook."""

from __future__ import annotations

import logging

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator, get_signature_algorithm

logger = logging.getLogger(__name__)


def public_url() -> str:
    """The URL Twilio requested, which is what it signed.

    Behind a proxy Flask sees another host and scheme, so a configured PUBLIC_URL wins;
    otherwise the request's own URL (which ProxyFix corrects when PROXY_HOPS is set).
    """
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def check_twilio_signature() -> None:
    """Answer 403 unless the request carries Twilio's valid signature (dev mode excepted)."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        return  # development mode; create_app refuses to start otherwise
    signature = request.headers.get("X-Twilio-Signature", "")
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings", ""))
    url = public_url()
    if not signature or not RequestValidator(token).validate(url, request.form, signature, algorithm):
        logger.warning("Refused a webhook with a missing or wrong signature for %s", request.path)
        abort(403)
