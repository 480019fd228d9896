"""The line a server is answering with, kept up to date with its file.

A changed file is taken only if it is valid; otherwise the last good line goes on
serving and the reason is logged, so a typo never takes the phone line down. The file
is looked at by a thread of its own: a webhook never waits for a line to be read.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from ivr.call.flow import CallFlow
from ivr.call.last_good import LastGoodLines
from ivr.line.validate import LineInvalid, LoadedLine, load_line

logger = logging.getLogger(__name__)

#: The watcher looks at the file at most this often, whatever the setting says.
SHORTEST_INTERVAL = 0.05


@dataclass(frozen=True)
class Active:
    loaded: LoadedLine
    flow: CallFlow
    #: Why the line file as it is now is not the one answering (None when it is): the file is
    #: broken or unreadable, and this is its last good version.
    not_the_file: str | None = None
    #: The number of the published version answering, when the line is kept as versions in the database.
    published: int | None = None

    @property
    def version(self) -> str:
        """A short name of the version answering: the start of its file's sha256."""
        return self.loaded.digest[:12]


class Watched:
    """A line looked at again every ``interval`` seconds by a thread of its own, in each process that uses it
    (after a fork too: the thread of the process it was made in did not come along)."""

    #: What the thread looks at, for its log lines.
    watching = "the line"

    def __init__(self, interval: float) -> None:
        self.interval = max(interval, SHORTEST_INTERVAL)
        self._watching_in: int | None = None
        self._watch_lock = threading.Lock()
        #: One look at a time: the watcher's, or a test's beside it, never both halfway.
        self._looking = threading.Lock()
        self._stop = threading.Event()

    _active: Active

    def current(self) -> Active:
        """The version answering now; the first call in a process starts its watcher."""
        if self._watching_in != os.getpid():
            self._start_watching()
        return self._active

    def look(self) -> None:
        """Look now, and take a new version if there is a good one."""

    def stop(self) -> None:
        """Stop looking."""
        self._stop.set()

    def _start_watching(self) -> None:
        with self._watch_lock:
            if self._watching_in == os.getpid():
                return
            self._watching_in = os.getpid()
            thread = threading.Thread(target=_watch, args=(weakref.ref(self), self._stop, self.interval),
                                      name="line-watcher", daemon=True)
            thread.start()


class LiveLine(Watched):
    """The current version of one line file, looked at again every ``interval`` seconds in the background.

    With ``kept``, each valid version is kept as the file's last good one, and a file found broken
    when this starts is answered with the version kept; with none kept, :class:`LineInvalid` is raised.
    """

    def __init__(self, path: str | Path, interval: float = 2.0, kept: LastGoodLines | None = None) -> None:
        super().__init__(interval)
        self.path = Path(path)
        self.watching = f"line file {self.path}"
        self._kept = kept
        self._signature = self._stat()
        self._active = self._first()

    def current_here(self) -> Active:
        """The version answering, without starting a watcher (for a line that looks at the file itself)."""
        return self._active

    def look(self) -> None:
        """Look at the file now: take it if it changed and is valid. The watcher's work, for tests too."""
        with self._looking:
            self._look()

    def _look(self) -> None:
        signature = self._stat()
        if signature == self._signature:
            return
        self._signature = signature
        try:
            loaded = load_line(self.path)
        except LineInvalid as invalid:
            logger.error("Line file %s changed but is invalid; still serving the last good version:\n%s",
                         self.path, invalid)
            self._active = dataclasses.replace(self._active, not_the_file=_said(self.path, invalid))
            return
        self._active = activate(loaded)
        self._keep(loaded)
        logger.info("Line file %s changed; now serving the new version", self.path)

    def _first(self) -> Active:
        try:
            loaded = load_line(self.path)
        except LineInvalid as invalid:
            return self._last_good(invalid)
        self._keep(loaded)
        return activate(loaded)

    def _last_good(self, invalid: LineInvalid) -> Active:
        found = self._kept.load(self.path) if self._kept else None
        if found is None:
            raise invalid  # no good line ever seen: refuse to start
        loaded, kept = found
        logger.error(
            "LINE FILE %s IS INVALID: answering with its last good version, kept at %s on %s UTC, until the "
            "file is fixed (ivr validate %s):\n%s",
            self.path, kept.path, f"{kept.kept_at:%Y-%m-%d %H:%M}", self.path, invalid,
        )
        return dataclasses.replace(activate(loaded), not_the_file=_said(self.path, invalid))

    def _keep(self, loaded: LoadedLine) -> None:
        if self._kept is not None:
            self._kept.keep(self.path, loaded)

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)


def _watch(reference: weakref.ref[Watched], stop: threading.Event, interval: float) -> None:
    """Look every ``interval`` seconds, for as long as the line is in use."""
    while not stop.wait(interval):
        watched = reference()
        if watched is None:
            return
        try:
            watched.look()
        except Exception:  # the watcher must go on: the next change may mend what this one broke
            logger.exception("Could not look at %s; still serving the last good version", watched.watching)
        del watched


def _said(path: Path, invalid: LineInvalid) -> str:
    count = len(invalid.errors)
    return f"line file {path} has {count} error{'' if count == 1 else 's'} (ivr validate {path})"


def activate(loaded: LoadedLine) -> Active:
    """The line ready to answer with; its warnings logged."""
    for warning in loaded.warnings:
        logger.warning("%s", warning)
    return Active(loaded, CallFlow(loaded.line))
