"""Settings, layered: defaults, the instance folder's config.py, IVR_* environment variables, tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LINE_FILE = PROJECT_ROOT / "prompts" / "botox-inflammation.yaml"


def defaults() -> dict[str, Any]:
    """Every setting with its default; README's settings table lists the same names."""
    return {
        # The line's YAML file.
        "LINE_FILE": str(DEFAULT_LINE_FILE),
        # How often (seconds) a worker looks whether the line file changed.
        "LINE_RELOAD_SECONDS": 2.0,
        # The public base URL Twilio calls, e.g. https://line.example.org (no trailing slash).
        "PUBLIC_URL": "",
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_HOPS": 0,
        # Serve without checking Twilio's signature: for a laptop, never for a real number.
        "DEV_MODE": False,
        # Twilio's auth token; read from TWILIO_AUTH_TOKEN too.
        "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN", ""),
        # Request bodies larger than this are refused with 413 (Twilio's are about 2 kB).
        "MAX_CONTENT_LENGTH": 16 * 1024,
    }
