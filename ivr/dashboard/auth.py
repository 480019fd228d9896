"""Who may see the dashboard: staff with a named account and a role, or, until the first account
exists, whoever knows the clinic's shared password; a few tries a minute at most.

Everything a sign-in depends on is shared by every worker and every server with the same
settings: accounts are rows in the call records' database, the shared password's hash is made with
a salt derived from the secret key (so each worker makes the same one), sign-ins are rows in the
database too (so signing out ends a session everywhere), and attempts are counted there, or in redis.
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
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response as BaseResponse

from ivr.store import RecordsUnavailable, Store
from ivr.store.sessions import OpenSession, count_attempt, end_session, open_session, open_sign_in
from ivr.store.staff import ROLES, any_account, record_action
from ivr.store.staff import account as find_account
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


#: Who a sign-in with the shared password is, in the staff record; it may do everything, so that the clinic
#: can make its first accounts in the browser.
SHARED_PASSWORD = "the clinic's shared password"


@dataclass(frozen=True)
class Staff:
    """Who is signed in, and what their role lets them do."""

    name: str
    role: str
    #: The account's name; None for the shared password.
    account: str | None

    def may(self, role: str) -> bool:
        """Whether this person may do what ``role`` may."""
        return ROLES.index(self.role) >= ROLES.index(role)


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
    """The dashboard's accounts and shared password (only hashes are kept), its sign-ins and the limit on attempts."""

    #: The shared password's hash; None when none is set (only accounts sign in).
    password_hash: str | None
    #: What every sign-in row with the shared password holds: changing it (or the secret key) ends every session.
    mark: str
    counter: AttemptCounter
    store: Store | None
    secret: bytes
    #: scrypt's cost for new accounts' passwords, as a power of two.
    cost: int

    @classmethod
    def create(
        cls, password: str, secret: str, limit: str, storage: str, store: Store | None, cost: int
    ) -> Gate:
        key = secret.encode()
        password_hash = _password_hash(password, key, cost) if password else None
        item = parse(limit)
        counter: AttemptCounter
        if storage.strip().lower() == DATABASE_STORAGE:
            counter = DatabaseCounter(store, item)
        else:
            counter = LimitsCounter(MovingWindowRateLimiter(storage_from_string(storage)), item)
        mark = _mark(key, password_hash) if password_hash else ""
        return cls(password_hash, mark, counter, store, key, cost)

    def is_on(self) -> bool:
        """Whether anyone can sign in: a shared password is set, or an account exists."""
        return self.password_hash is not None or (self.store is not None and self.accounts_exist())

    def accounts_exist(self) -> bool:
        try:
            return any_account(self._store())
        except RecordsUnavailable as error:
            raise SignInUnavailable(str(error)) from error

    def asks_for_a_name(self) -> bool:
        """Whether the sign-in form asks for an account's name; when the database cannot say, the form is
        shown all the same (signing in then says why it cannot)."""
        try:
            return self.accounts_exist()
        except SignInUnavailable:
            return self.password_hash is None

    def check(self, name: str, password: str) -> Staff | None:
        """Who signs in with ``name`` and ``password``: an account's, or, while there is none, the shared one's."""
        if not self.accounts_exist():
            if self.password_hash is not None and check_password_hash(self.password_hash, password):
                return Staff(SHARED_PASSWORD, "publisher", None)
            return None
        try:
            found = find_account(self._store(), name.strip())
        except RecordsUnavailable as error:
            raise SignInUnavailable(str(error)) from error
        # An unknown name takes as long to refuse as a wrong password: the time says nothing of who has an account.
        if found is None:
            check_password_hash(self._unknown_name_hash(), password)
            return None
        if not check_password_hash(found.password_hash, password):
            return None
        return Staff(found.name, found.role, found.name)

    def hash_password(self, password: str) -> str:
        return hash_password(password, self.cost)

    def _unknown_name_hash(self) -> str:
        if not _UNKNOWN_NAME_HASH:
            _UNKNOWN_NAME_HASH.append(hash_password(secrets.token_urlsafe(16), self.cost))
        return _UNKNOWN_NAME_HASH[0]

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

    def open_session(self, staff: Staff) -> str:
        token = secrets.token_urlsafe(32)
        lifetime = current_app.permanent_session_lifetime
        mark = self.mark
        try:
            if staff.account is not None:
                found = find_account(self._store(), staff.account)
                mark = _mark(self.secret, found.password_hash) if found else "removed"
            open_session(self._store(), _session_id(token), mark, services().clock(), lifetime, staff.account)
        except RecordsUnavailable as error:
            raise SignInUnavailable(str(error)) from error
        return token

    def staff(self, token: str) -> Staff | None:
        """Who the sign-in of ``token`` is, if it is still open with the password it was made with."""
        try:
            found = open_sign_in(self._store(), _session_id(token), services().clock())
            return self._still_valid(found) if found else None
        except RecordsUnavailable as error:
            raise SignInUnavailable(str(error)) from error

    def _still_valid(self, found: OpenSession) -> Staff | None:
        if found.account is None:
            # The shared password signs in only until the first account exists.
            if self.password_hash is None or found.mark != self.mark or any_account(self._store()):
                return None
            return Staff(SHARED_PASSWORD, "publisher", None)
        if found.role is None or found.password_hash is None:
            return None  # the account was removed
        if not hmac.compare_digest(found.mark, _mark(self.secret, found.password_hash)):
            return None  # its password changed
        return Staff(found.account, found.role, found.account)

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
    return staff() is not None


def staff() -> Staff | None:
    """Who is signed in for this request (asked of the database once a request); None for nobody."""
    if "dashboard_signed_in" not in g:
        current = gate()
        token = session.get(_SESSION_KEY)
        g.dashboard_signed_in = False  # so that an error page shown meanwhile is shown signed out
        g.dashboard_staff = None
        found = current.staff(token) if current is not None and isinstance(token, str) else None
        g.dashboard_staff = found
        g.dashboard_signed_in = found is not None
    found_staff: Staff | None = g.dashboard_staff
    return found_staff


def sign_in(who: Staff) -> None:
    token = gate().open_session(who)  # type: ignore[union-attr]
    session.clear()
    session[_SESSION_KEY] = token
    session.permanent = True
    g.dashboard_staff, g.dashboard_signed_in = who, True


def record(action: str, detail: str = "", who: str | None = None) -> None:
    """Keep what a member of staff did (by default, whoever is signed in). Never raises: the action is done
    already, and the log says what could not be kept."""
    current = gate()
    name = who or (signed.name if (signed := staff()) else "nobody signed in")
    try:
        if current is None or current.store is None:
            raise RecordsUnavailable("there is no database to keep it in")
        record_action(current.store, services().clock(), name, action, detail)
    except RecordsUnavailable as error:
        logger.error("Could not keep the staff record of %s by %s (%s): %s", action, name, detail, error)


def hash_password(password: str, cost: int) -> str:
    """An account's password's scrypt hash (salted at random), with N = 2**cost."""
    return generate_password_hash(password, method=f"scrypt:{2**cost}:{_SCRYPT_R}:{_SCRYPT_P}")


def sign_out() -> None:
    token = session.get(_SESSION_KEY)
    session.clear()
    current = gate()
    if current is not None and isinstance(token, str):
        current.end(token)


#: A hash of no one's password, made once, that an unknown name's password is checked against.
_UNKNOWN_NAME_HASH: list[str] = []


def _mark(secret: bytes, password_hash: str) -> str:
    """What a sign-in keeps of the password it was made with: a new password (or secret key) ends it."""
    return hmac.new(secret, password_hash.encode(), hashlib.sha256).hexdigest()[:32]


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
