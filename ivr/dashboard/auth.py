"""Who may see the dashboard: whoever knows the clinic's password, a few tries a minute at most."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass

from flask import current_app, session
from flask_wtf.csrf import CSRFProtect
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.security import check_password_hash, generate_password_hash

_SESSION_KEY = "dashboard"

#: CSRF tokens for the dashboard's forms only: its views call ``csrf.protect()`` (Twilio's webhooks are
#: signed instead, and must not need a token).
csrf = CSRFProtect()


@dataclass(frozen=True)
class Gate:
    """The dashboard's password (only its hash is kept) and the limit on sign-in attempts.

    Attempts are counted with ``limits`` directly rather than through Flask-Limiter: one limit on
    one form needs no extension state shared between apps, and the same storage URIs
    (memory:// here, redis:// for several servers) still apply.
    """

    password_hash: str
    limiter: MovingWindowRateLimiter
    limit: str

    @classmethod
    def create(cls, password: str, limit: str, storage_uri: str) -> Gate:
        return cls(
            password_hash=generate_password_hash(password),
            limiter=MovingWindowRateLimiter(storage_from_string(storage_uri)),
            limit=limit,
        )

    def attempt(self, address: str) -> bool:
        """Count a sign-in attempt from ``address``; False when it is over the limit."""
        return self.limiter.hit(parse(self.limit), "dashboard-login", address)

    def retry_after(self, address: str) -> int:
        """Seconds until ``address`` may try again."""
        stats = self.limiter.get_window_stats(parse(self.limit), "dashboard-login", address)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def check(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def mark(self) -> str:
        """What a signed-in session holds: changing the password signs every session out."""
        secret = current_app.secret_key
        key = secret if isinstance(secret, bytes) else str(secret).encode()
        return hmac.new(key, self.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def gate() -> Gate | None:
    """The current app's gate, or None when no password is set and the dashboard is off."""
    return current_app.extensions.get("ivr.dashboard")


def signed_in() -> bool:
    current = gate()
    return current is not None and hmac.compare_digest(str(session.get(_SESSION_KEY, "")), current.mark)


def sign_in() -> None:
    session.clear()
    session[_SESSION_KEY] = gate().mark  # type: ignore[union-attr]
    session.permanent = True


def sign_out() -> None:
    session.clear()
