"""Only Twilio may drive a call: check X-Twilio-Signature on every webhook."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
from collections.abc import Iterator
from urllib.parse import quote

from flask import abort, current_app, request
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, RequestValidator, get_signature_algorithm

logger = logging.getLogger(__name__)

#: What werkzeug leaves unescaped in a path when it rebuilds a request's URL.
_PATH_SAFE = "!$&'()*+,/:;=@%"


def public_url() -> str:
    """The URL Twilio requested, which is what it signed, as the request carried it.

    Behind a proxy Flask sees another host and scheme, so a configured PUBLIC_URL wins;
    otherwise the request's own scheme and host (which ProxyFix corrects when PROXY_HOPS
    is set). The query string is kept byte for byte, escapes and all.
    """
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if not base:
        base = f"{request.scheme}://{request.host}{quote(request.root_path.rstrip('/'), safe=_PATH_SAFE)}"
    url = base + quote(request.path, safe=_PATH_SAFE)
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


def _signed_urls() -> Iterator[str]:
    """The URLs Twilio may have signed: as requested, then with its escapes decoded.

    Twilio signs some URLs before escaping characters it then sends escaped (``@`` and
    ``:`` in SIP addresses, for one), so the decoded form is accepted too, as werkzeug
    gives it (``request.url``), or with PUBLIC_URL, the path decoded.
    """
    received = public_url()
    yield received
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if base:
        query = request.query_string.decode("latin-1")
        decoded = f"{base}{request.path}" + (f"?{query}" if query else "")
    else:
        decoded = request.url
    if decoded != received:
        yield decoded


@functools.lru_cache(maxsize=8)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


#: The hash of each algorithm Twilio names in X-Twilio-Webhooks-Signature-Settings.
_DIGESTS = {HMAC_SHA1: hashlib.sha1, HMAC_SHA256: hashlib.sha256}


def _valid(validator: RequestValidator, url: str, signature: str, algorithm: str) -> bool:
    """RequestValidator.validate, which also tries the URL with and without its port.

    The URL exactly as given (one of those two) is tried first, in one pass over the form,
    and alone when it matches: that is every request Twilio sends.
    """
    digest = _DIGESTS.get(algorithm.upper())
    if digest is not None:
        mac = hmac.new(validator.token, _signed_text(url).encode(), digest)
        if hmac.compare_digest(base64.b64encode(mac.digest()), signature.encode()):
            return True
    return bool(validator.validate(url, request.form, signature, algorithm))


def _signed_text(url: str) -> str:
    """What Twilio signs: the URL, then each parameter's name and value, sorted (as
    RequestValidator.compute_signature makes it from a MultiDict)."""
    parts = [url]
    for name, values in sorted(request.form.lists()):
        parts += [name + value for value in sorted(set(values))]
    return "".join(parts)


def check_twilio_signature() -> None:
    """Answer 403 unless the request carries Twilio's valid signature (dev mode excepted)."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        return  # development mode; create_app refuses to start otherwise
    signature = request.headers.get("X-Twilio-Signature", "")
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings", ""))
    validator = _validator(token)
    if not signature or not any(_valid(validator, url, signature, algorithm) for url in _signed_urls()):
        logger.warning("Refused a webhook with a missing or wrong signature for %s", request.path)
        abort(403)
