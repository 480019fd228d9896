"""Who may see the dashboard: whoever knows the clinic's password, a few tries a minute at most.

Everything a sign-in depends on is shared by every worker and every server with the same
settings: the password's hash is made with a salt derived from the secret key (so each worker
makes the same one), sign-ins are rows in the call records' database (so signing out ends a
session everywhere), and attempts are counted there too, or in redis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response as BaseResponse

from ivr.store import RecordsUnavailable, Store
from ivr.store.sessions import count_attempt, end_session, open_session, session_is_open
from ivr.web import services

logger = logging.getLogger(__name__)

_SESSION_KEY = "dashboard"
#: The setting that counts attempts in the call records' database.
DATABASE_STORAGE = "database"
#: A browser that has signed in keeps this cookie, so that its attempts are counted apart from its address's.
BROWSER_COOKIE = "ivr_dashboard_browser"
BROWSER_COOKIE_DAYS = 400
#: scrypt's block size and parallelism, werkzeug's; its cost N is 2 to the DASHBOARD_PASSWORD_COST setting
#: (15, werkzeug's too). :func:`check_password_hash` reads all three back from the hash.
_SCRYPT_R, _SCRYPT_P = 8, 1

#: CSRF tokens for the dashboard's forms only: its views call ``csrf.protect()`` (Twilio's webhooks are
#: signed instead, and must not need a token).
csrf = CSRFProtect()


class SignInUnavailable(RuntimeError):
    """Sign-ins cannot be kept or checked just now: the database that holds them cannot be used."""


class AttemptCounter(Protocol):
    def attempt(self, who: str) -> int:
        """Count an attempt by ``who``: 0 if it is within the limit, else the seconds to wait."""


@dataclass(frozen=True)
class LimitsCounter:
    """Attempts counted with the ``limits`` library: ``memory://`` (one process only) or ``redis://``."""

    limiter: MovingWindowRateLimiter
    limit: RateLimitItem

    def attempt(self, who: str) -> int:
        if self.limiter.hit(self.limit, "dashboard-login", who):
            return 0
        stats = self.limiter.get_window_stats(self.limit, "dashboard-login", who)
        return max(1, math.ceil(stats.reset_time - time.time()))


@dataclass(frozen=True)
class DatabaseCounter:
    """Attempts counted in the call records' database, which every worker and server shares."""

    store: Store | None
    limit: RateLimitItem

    def attempt(self, who: str) -> int:
        if self.store is None:
            raise SignInUnavailable("there is no call records database to count sign-in attempts in")
        window = dt.timedelta(seconds=self.limit.get_expiry())
        try:
            wait = count_attempt(self.store, who, services().clock(), window, self.limit.amount)
        except RecordsUnavailable as error:
            raise SignInUnavailable(str(error)) from error
        return math.ceil(wait)


@dataclass(frozen=True)
class Gate:
    """The dashboard's password (only its hash is kept), its sign-ins and the limit on attempts."""

    password_hash: str
    #: What every sign-in row holds: changing the password (or the secret key) ends every session.
    mark: str
    counter: AttemptCounter
    store: Store | None
    secret: bytes

    @classmethod
    def create(
        cls, password: str, secret: str, limit: str, storage: str, store: Store | None, cost: int
    ) -> Gate:
        key = secret.encode()
        password_hash = _password_hash(password, key, cost)
        item = parse(limit)
        counter: AttemptCounter
        if storage.strip().lower() == DATABASE_STORAGE:
            counter = DatabaseCounter(store, item)
        else:
            counter = LimitsCounter(MovingWindowRateLimiter(storage_from_string(storage)), item)
        mark = hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:32]
        return cls(password_hash, mark, counter, store, key)

    def check(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def who(self, address: str) -> str:
        """Whose attempt this request is: the browser, if it has signed in before, else its address.

        A keyed hash, so the database holds no address. A browser that has signed in is counted on
        its own, so that the clinic's staff are never locked out by guesses from their address
        (behind a proxy, everybody's address may be the proxy's).
        """
        browser = self._browser()
        subject = f"browser:{browser}" if browser else f"address:{address}"
        return hmac.new(self.secret, subject.encode(), hashlib.sha256).hexdigest()

    def remember_browser(self, response: BaseResponse) -> None:
        """Give the browser that has just signed in a cookie saying so (unless it has one)."""
        if self._browser():
            return
        value = self._serializer().dumps(secrets.token_urlsafe(16))
        config = current_app.config
        response.set_cookie(
            BROWSER_COOKIE, value, max_age=BROWSER_COOKIE_DAYS * 86400, path="/dashboard",
            secure=bool(config["SESSION_COOKIE_SECURE"]), httponly=True, samesite="Lax",
        )

    def _browser(self) -> str | None:
        value = request.cookies.get(BROWSER_COOKIE, "")
        if not value:
            return None
        try:
            return str(self._serializer().loads(value, max_age=BROWSER_COOKIE_DAYS * 86400))
        except BadSignature:
            return None

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt="ivr-dashboard-browser")

    def _store(self) -> Store:
        if self.store is None:
            raise SignInUnavailable("there is no call records database to keep sign-ins in")
        return self.store

    def open_session(self) -> str:
        token = secrets.token_urlsafe(32)
        lifetime = current_app.permanent_session_lifetime
        try:
            open_session(self._store(), _session_id(token), self.mark, services().clock(), lifetime)
        except RecordsUnavailable as error:
            raise SignInUnavailable(str(error)) from error
        return token

    def is_open(self, token: str) -> bool:
        try:
            return session_is_open(self._store(), _session_id(token), self.mark, services().clock())
        except RecordsUnavailable as error:
            raise SignInUnavailable(str(error)) from error

    def end(self, token: str) -> None:
        try:
            end_session(self._store(), _session_id(token), services().clock())
        except RecordsUnavailable as error:
            raise SignInUnavailable(str(error)) from error


def gate() -> Gate | None:
    """The current app's gate, or None when no password is set and the dashboard is off."""
    return current_app.extensions.get("ivr.dashboard")


def signed_in() -> bool:
    """Whether this request comes from an open sign-in (asked of the database once a request)."""
    if "dashboard_signed_in" not in g:
        current = gate()
        token = session.get(_SESSION_KEY)
        g.dashboard_signed_in = False  # so that an error page shown meanwhile is shown signed out
        g.dashboard_signed_in = current is not None and isinstance(token, str) and current.is_open(token)
    return bool(g.dashboard_signed_in)


def sign_in() -> None:
    token = gate().open_session()  # type: ignore[union-attr]
    session.clear()
    session[_SESSION_KEY] = token
    session.permanent = True


def sign_out() -> None:
    token = session.get(_SESSION_KEY)
    session.clear()
    current = gate()
    if current is not None and isinstance(token, str):
        current.end(token)


def _session_id(token: str) -> str:
    """What the database keeps for a cookie's token: its hash, which opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def _password_hash(password: str, secret: bytes, cost: int) -> str:
    """The password's scrypt hash in werkzeug's format, salted from the secret key, with N = 2**cost.

    A random salt would give every worker its own hash; this one is the same wherever the
    settings are, and still unknown to anyone without the secret key.
    """
    n, r, p = 2**cost, _SCRYPT_R, _SCRYPT_P
    salt = hmac.new(secret, b"ivr dashboard password salt", hashlib.sha256).hexdigest()[:16]
    digest = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p).hex()
    return f"scrypt:{n}:{r}:{p}${salt}${digest}"
