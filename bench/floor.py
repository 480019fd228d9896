"""The floor: a bare Flask app that answers every webhook with one constant TwiML document.

It is served under exactly the line's gunicorn settings (:func:`ivr.serving.gunicorn_options`),
so the difference between the two is what the line itself costs: checking the signature,
reading the form, the call flow and making TwiML.
"""

from __future__ import annotations

import argparse

from flask import Flask, Response

#: About the size of the line's own answers (1.4-2 kB), so both send the same amount.
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather action="/voice/respond?node=main&amp;tries=0&amp;rate=100" hints="swelling, pain, repeat, back"'
    ' input="dtmf speech" language="en-US" method="POST" numDigits="1" speechTimeout="auto" timeout="8">'
    "<Say language=\"en-US\">If you have trouble breathing, swallowing or speaking, hang up now and call 9 1 1. "
    "This line gives general information about swelling after Botox, not medical advice. "
    "This is the Example Skin Clinic information line.</Say>"
    "<Say language=\"en-US\">To have everything said more slowly at any time, press 7. To speed it up, press 8.</Say>"
    "<Say language=\"en-US\">Main menu. You can press a key, or say what you would like to hear about.</Say>"
    "<Say language=\"en-US\">If you are worried about a symptom, press 1. For swelling and other reactions "
    "after Botox, press 2. To hear whether Botox spreads through the body, press 3. To hear whether Botox "
    "can ease inflammation and pain, press 4.</Say>"
    "<Say language=\"en-US\">To hear this again, press star. To go back, press 9. For the main menu, press "
    "pound. To speak to the clinic, press 0.</Say></Gather>"
    '<Redirect method="POST">/voice/respond?node=main&amp;tries=0&amp;rate=100</Redirect></Response>'
)

def create_app() -> Flask:
    """The floor app: no signature check, no form, no flow; constant documents."""
    app = Flask(__name__)

    @app.post("/voice")
    @app.post("/voice/respond")
    @app.post("/voice/dial-finished")
    def answer() -> Response:
        return Response(DOCUMENT, mimetype="text/xml")

    @app.post("/voice/status")
    def status() -> Response:
        return Response(status=204)

    return app


def main() -> None:
    from ivr.serving import gunicorn_options, run

    parser = argparse.ArgumentParser(description="Serve the floor app under the line's gunicorn settings.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    run(create_app, gunicorn_options(args.host, args.port, args.workers))


if __name__ == "__main__":
    main()
