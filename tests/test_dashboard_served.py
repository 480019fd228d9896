"""The dashboard through `ivr serve` as shipped (two workers), a new connection for every request.

A sign-in must hold on whichever worker answers, signing out must end it on all of them, and the
limit on sign-in attempts must be counted where every worker sees it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.served import Browser, Served, ivr_serve

PASSWORD = "correct horse battery staple"
PAGES = ("/dashboard", "/dashboard/map", "/dashboard/calls", "/dashboard?period=7d")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served-dashboard")
    # One trusted proxy, so that each test can come from an address of its own (X-Forwarded-For).
    with ivr_serve(folder, folder / "server.log", IVR_DASHBOARD_PASSWORD=PASSWORD, IVR_PROXY_HOPS="1",
                   IVR_SESSION_COOKIE_SECURE="false",
                   IVR_DATABASE_URL=f"sqlite:///{folder / 'calls.sqlite3'}") as server:
        yield server


def test_after_one_sign_in_every_page_is_served_by_every_worker_and_none_after_signing_out(served: Served) -> None:
    clinic = Browser(served.base, address="198.51.100.1")
    assert clinic.sign_in(PASSWORD).status == 302
    signed_in = dict(clinic.cookies)

    statuses = [clinic.get(PAGES[n % len(PAGES)]).status for n in range(100)]
    assert statuses.count(200) == 100, statuses

    assert clinic.sign_out().status == 302
    copied = Browser(served.base, address="198.51.100.1", cookies=signed_in)  # a cookie kept from before
    after = [copied.get(PAGES[n % len(PAGES)]) for n in range(100)]
    assert [r.status for r in after].count(302) == 100
    assert all(r.headers["location"].startswith("/dashboard/login") for r in after)


def test_sign_in_attempts_are_counted_across_workers(served: Served) -> None:
    guesser = Browser(served.base, address="198.51.100.2")
    statuses = [guesser.sign_in("a guess").status for _ in range(5)]
    assert statuses == [401] * 5
    refused = guesser.sign_in(PASSWORD)
    assert refused.status == 429, "the sixth attempt from the address, whichever worker it reaches"
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_guesses_sent_straight_to_the_app_port_cannot_pass_for_many_addresses(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The proxy is elsewhere (192.0.2.10): a guesser who reaches the port itself is seen as who they are."""
    folder = tmp_path_factory.mktemp("served-behind-a-proxy")
    with ivr_serve(folder, folder / "server.log", IVR_DASHBOARD_PASSWORD=PASSWORD, IVR_PROXY_HOPS="1",
                   IVR_TRUSTED_PROXIES="192.0.2.10", IVR_SESSION_COOKIE_SECURE="false",
                   IVR_DATABASE_URL=f"sqlite:///{folder / 'calls.sqlite3'}") as behind_a_proxy:
        statuses = [Browser(behind_a_proxy.base, address=f"203.0.113.{n}").sign_in("a guess").status
                    for n in range(1, 21)]
    assert statuses == [401] * 5 + [429] * 15, "a new X-Forwarded-For for every guess"


def test_staff_who_signed_in_before_are_not_locked_out_by_a_strangers_guesses_from_their_address(
    served: Served,
) -> None:
    """Behind a proxy that is not trusted, everyone has the proxy's address; here they share one on purpose."""
    staff = Browser(served.base, address="198.51.100.3")
    assert staff.sign_in(PASSWORD).status == 302
    assert staff.sign_out().status == 302
    stranger = Browser(served.base, address="198.51.100.3")
    assert [stranger.sign_in("a guess").status for _ in range(5)][-1] == 429
    assert staff.sign_in(PASSWORD).status == 302
    assert staff.get("/dashboard").status == 200


@pytest.mark.parametrize("path", [
    "/dashboard/login?next=/dashboard%0d%0aX:1", "/dashboard?from=9999-12-01&to=9999-12-31",
    "/dashboard/export/calls.csv?from=9999-12-01&to=9999-12-31", "/dashboard/no-such-page",
])
def test_no_odd_address_is_a_server_error(served: Served, path: str) -> None:
    clinic = Browser(served.base, address="198.51.100.4")
    token_page = clinic.get(path if path.startswith("/dashboard/login") else "/dashboard/login")
    assert token_page.status == 200
    from tests.served import csrf_token

    signed = clinic.post(path if path.startswith("/dashboard/login") else "/dashboard/login",
                         {"password": PASSWORD, "csrf_token": csrf_token(token_page.body)})
    assert signed.status == 302 and signed.headers["location"] in ("/dashboard", path)
    assert clinic.get(path).status < 500
