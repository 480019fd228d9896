"""Settings, layered: defaults, the instance folder's config.py, IVR_* environment variables, tests."""

from __future__ import annotations

import contextlib
import logging
import os
import site
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where `pip install .` puts the repository's prompts/ (pyproject.toml's data-files), under the environment.
INSTALLED_LINES = Path("share") / "ivr" / "prompts"
_DEFAULT_LINE_NAME = "botox-inflammation.yaml"


def bundled_line_folder() -> Path:
    """The folder of the default line: the repository's prompts/ when run from a clone (or an editable
    install), else the copy a plain `pip install .` put in the environment."""
    repository = PROJECT_ROOT / "prompts"
    if (repository / _DEFAULT_LINE_NAME).is_file():
        return repository
    for base in (sysconfig.get_path("data"), site.getuserbase()):
        installed = Path(base) / INSTALLED_LINES
        if (installed / _DEFAULT_LINE_NAME).is_file():
            return installed
    return repository


DEFAULT_LINE_FILE = bundled_line_folder() / _DEFAULT_LINE_NAME


def environment_folder(name: str) -> Path:
    """Where files made from installed packages are kept (joined models, examples' vectors): the environment's
    ``share/ivr/<name>`` (a virtual environment's own folder, which git never sees), or the user's cache when
    the environment is not writable."""
    shared = Path(sys.prefix) / "share" / "ivr" / name
    existing = next(folder for folder in (shared, *shared.parents) if folder.exists())
    if os.access(existing, os.W_OK):
        return shared
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "ivr" / name


def keep_array(path: Path, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` (a ``.npy`` file) with :func:`keep_file`."""
    import numpy as np

    keep_file(path, lambda out: np.save(out, array, allow_pickle=False))


def keep_file(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """``write`` a file to ``path`` (its folder made if need be) under a temporary name, then rename it, so that
    a reader never sees half of one. Raises OSError when the folder cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    try:
        os.chmod(temporary, 0o644)  # readable by a server run as another user, as a file made by open() is
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def keeping(what: str, folder: Path, otherwise: str) -> Iterator[None]:
    """Around keeping files in ``folder`` (:func:`keep_file`, :func:`keep_array`): a folder that cannot be written
    is no failure; the rest of the block is skipped, and the log says so: "``what`` cannot be kept in ``folder``
    (why): ``otherwise``"."""
    try:
        yield
    except OSError as error:
        logger.info("%s cannot be kept in %s (%s): %s", what, folder, error, otherwise)


def read_kept_array(path: Path, what: str, otherwise: str, mapped: bool = False) -> np.ndarray | None:
    """The array :func:`keep_array` kept at ``path`` (mapped read-only into memory if ``mapped``), or None when
    there is none. A file that cannot be read counts as none, and the log says so: "``what`` in ``path`` cannot
    be read (why): ``otherwise``"."""
    import numpy as np

    try:
        array: np.ndarray = np.load(path, mmap_mode="r" if mapped else None, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as error:
        logger.warning("%s in %s cannot be read (%s): %s", what, path, error, otherwise)
        return None
    return array


def defaults() -> dict[str, Any]:
    """Every setting with its default; docs/operations.md's settings table lists the same names."""
    return {
        # The line's YAML file.
        "LINE_FILE": str(DEFAULT_LINE_FILE),
        # How often (seconds) a worker looks whether the line file changed.
        "LINE_RELOAD_SECONDS": 1.0,
        # Keep the line as versions in the call records' database and answer with the newest published one
        # (the line file seeds the first, and each valid change of the file is published); false: the file alone.
        "LINE_VERSIONS": True,
        # Where the last good version of the line file is kept, for a server that restarts while the file
        # is broken; empty for "last-good-lines" in the instance folder.
        "LAST_GOOD_LINE_DIR": "",
        # The public base URL Twilio calls, e.g. https://line.example.org (no trailing slash).
        "PUBLIC_URL": "",
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_HOPS": 0,
        # The addresses those headers are trusted from (the proxy's), comma-separated: anyone else who
        # reaches the app's port directly is seen as the address they connect from.
        "TRUSTED_PROXIES": "127.0.0.1,::1",
        # Serve without checking Twilio's signature: for a laptop, never for a real number.
        "DEV_MODE": False,
        # Twilio's auth token; read from TWILIO_AUTH_TOKEN too.
        "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN", ""),
        # The Twilio account's SID (AC...), read from TWILIO_ACCOUNT_SID too: with the auth token, it lets a
        # line with a messaging number send answers by text during calls. Unset: answers are never offered so.
        "TWILIO_ACCOUNT_SID": os.environ.get("TWILIO_ACCOUNT_SID", ""),
        # Where Twilio's REST API is reached: empty for Twilio's own (a stand-in's address, for tests).
        "TWILIO_API_URL": "",
        # Request bodies larger than this are refused with 413 (Twilio's are about 2 kB).
        "MAX_CONTENT_LENGTH": 16 * 1024,
        # -- rendered audio (docs/audio.md) --
        # Where prompts rendered to telephone audio are kept; empty for "audio" in the instance folder.
        "AUDIO_DIR": "",
        # Render the line's missing audio when the app starts, before it answers (takes seconds).
        # Off: run `ivr render` after changing the line; prompts with no audio are read by Twilio's <Say>.
        "RENDER_ON_START": False,
        # Before a version is published (the dashboard, ivr line publish), transcribe its changed prompts, as
        # ivr audit-audio does, and show how clearly each is heard (they are rendered whatever this says).
        "PUBLISH_AUDIT": True,
        # -- text messages (docs/text-messages.md) --
        # A text conversation's place is kept this many hours after its last message; after that, the
        # next message starts again with the emergency sentence.
        "TEXT_CONVERSATION_HOURS": 4.0,
        # The longest sending an answer by text during a call may take, all its parts: the caller waits for it,
        # and Twilio waits 15 seconds for the webhook.
        "TEXT_SEND_SECONDS": 5.0,
        # -- call records and the dashboard (docs/dashboard.md) --
        # Keep a record of each call's journey (off for trying a line from a terminal, say).
        "RECORD_CALLS": True,
        # Where call records are kept: empty for a SQLite file in the instance folder, or a
        # PostgreSQL URL shared by several servers. Read from DATABASE_URL too.
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        # Secret key of the keyed hash that stands for a caller's number; servers sharing a
        # database need the same one. Unset: made once and kept in the instance folder.
        "CALLER_HASH_KEY": "",
        # The longest one record write may wait for the database (connecting, locks) before it gives up.
        "RECORD_TIMEOUT_SECONDS": 2.0,
        # Records waiting to be written; when this many wait, new ones are dropped (and logged).
        "RECORD_QUEUE_SIZE": 1000,
        # The longest a page of figures first waits for the records this server has queued to be written.
        "RECORD_SETTLE_SECONDS": 0.5,
        # The clinic's dashboard password (hashed at start); unset, the dashboard is switched off.
        "DASHBOARD_PASSWORD": "",
        # scrypt's cost for the password's hash, as a power of two (2**15, werkzeug's default): the work of
        # every sign-in. The tests lower it; a real server keeps it.
        "DASHBOARD_PASSWORD_COST": 15,
        # Sign-in attempts allowed from one address.
        "DASHBOARD_LOGIN_LIMIT": "5 per minute",
        # Where sign-in attempts are counted: "database" (the call records' database, which every worker and
        # server shares), redis://host, or memory:// (one process only: each worker would count its own).
        "DASHBOARD_LOGIN_LIMIT_STORAGE": "database",
        # Signs the dashboard's session cookie. Unset: made once and kept in the instance folder.
        "SECRET_KEY": "",
        # Send the session cookie over HTTPS only; unset (None): yes, except in development mode.
        "SESSION_COOKIE_SECURE": None,
        # Keep the session cookie from scripts and from other sites' requests.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A dashboard sign-in lasts this many seconds (8 hours).
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    }
