"""X-Forwarded-* headers believed only from the proxy in front of the line.

Anyone who can reach the app's port directly could otherwise say they are any address they like,
and so make each sign-in guess look like a new visitor's.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """Reads ``hops`` proxies' X-Forwarded-* headers on requests that come from ``trusted`` addresses
    (each an address or a network, such as 10.0.0.0/8); other requests are taken as they come."""

    def __init__(self, app: WSGIApplication, hops: int, trusted: Iterable[str]) -> None:
        self.direct = app
        self.forwarded = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
        self.trusted: tuple[Network, ...] = tuple(ipaddress.ip_network(each, strict=False) for each in trusted)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        app = self.forwarded if self._from_a_proxy(environ.get("REMOTE_ADDR", "")) else self.direct
        return app(environ, start_response)

    def _from_a_proxy(self, address: str) -> bool:
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.trusted)


def trusted_addresses(setting: str | Iterable[str]) -> list[str]:
    """The TRUSTED_PROXIES setting as a list: a comma-separated text, or a list from instance/config.py."""
    items = setting.split(",") if isinstance(setting, str) else list(setting)
    return [item.strip() for item in items if item.strip()]
