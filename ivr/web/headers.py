"""Headers on every response: no browser feature the line does not use, and HTTPS kept once it is seen."""

from __future__ import annotations

from flask import Flask, Response, request

#: The line's pages use none of these; a page that somehow ran a script could not ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb",
    )
)
#: A year: a browser that has seen the dashboard over HTTPS never asks for it over HTTP again.
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    # Behind a proxy, request.is_secure follows its X-Forwarded-Proto (IVR_PROXY_HOPS, IVR_TRUSTED_PROXIES).
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    return response
