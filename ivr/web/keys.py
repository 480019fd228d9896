"""Secret keys the app needs: from a setting, or made once and kept in the instance folder."""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from flask import Flask

logger = logging.getLogger(__name__)


def text_setting(app: Flask, name: str) -> str:
    """A setting that is text whatever it looks like.

    ``from_prefixed_env`` reads IVR_* values as JSON, so a password such as 1234 would become a
    number: when it did, the environment's own text is taken.
    """
    value = app.config.get(name)
    raw = os.environ.get(f"IVR_{name}")
    if value is not None and not isinstance(value, str) and raw is not None:
        return raw
    return "" if value is None else str(value)


def instance_key(app: Flask, setting: str, filename: str) -> str:
    """The secret in ``app.config[setting]``; if unset, one made for this server and kept in a file.

    The file is in the instance folder, readable by its owner only, so every worker of a server
    (and the next start) uses the same key. Servers that share a database must share the key
    too: set it in each server's environment. Under TESTING nothing is written: a throwaway
    key is made for the app.
    """
    value = text_setting(app, setting)
    if value:
        return value
    if app.testing:
        return secrets.token_hex(32)
    path = Path(app.instance_path) / filename
    key = _read(path) or _create(path)
    logger.warning(
        "%s is not set (IVR_%s): using the key kept in %s. Servers sharing one database need the same key.",
        setting, setting, path,
    )
    return key


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _create(path: Path) -> str:
    key = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _wait_for(path)  # another worker is making it
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def _wait_for(path: Path) -> str:
    for _ in range(40):
        key = _read(path)
        if key:
            return key
        time.sleep(0.05)
    raise RuntimeError(f"{path} holds no key: remove it, or set the key in the environment")
