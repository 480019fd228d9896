"""Headless Chromium for the dashboard's end-to-end tests, and axe-core to check each page.

Chromium is Debian's (/usr/bin/chromium, from `bash scripts/system-packages test`), driven by
Playwright with ``executable_path``: no browser is ever downloaded. axe-core comes from the npm
registry, installed once into tests/.cache (ignored by git) at the pinned version rather than
kept in the repository: half a megabyte of minified code is better fetched than reviewed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("IVR_TEST_CHROMIUM", "/usr/bin/chromium")
#: As root and on a machine without a network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_VERSION = "4.14.1"
AXE_FOLDER = Path(__file__).resolve().parent / ".cache" / f"axe-core-{AXE_VERSION}"
#: Impacts that fail a page.
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The source of axe.min.js, installed with npm on first use."""
    script = AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            reason = "accessibility tests skipped: npm is not installed, so axe-core cannot be had"
            print(f"\n{reason}")
            pytest.skip(reason)
        AXE_FOLDER.mkdir(parents=True, exist_ok=True)
        # Under xdist each worker may get here at once on a fresh clone: one installs, the others wait.
        with (AXE_FOLDER.parent / f"{AXE_FOLDER.name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not script.exists():
                subprocess.run(
                    [npm, "install", "--prefix", str(AXE_FOLDER), "--no-save", "--no-package-lock", "--no-audit",
                     "--no-fund", "--loglevel=error", f"axe-core@{AXE_VERSION}"],
                    check=True, capture_output=True, text=True, timeout=300,
                )
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"browser tests skipped: no Chromium at {CHROMIUM} (`bash scripts/system-packages test` installs it)"
        print(f"\n{reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serious_violations(page: Any, axe_source: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
