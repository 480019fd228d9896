"""The SQLite file of the call records, looked at before each use: can it be written, is it still the file
that was opened.

Both go wrong without an error that says so. A file made read-only (or immutable) while open kills the
process that next writes to it (SIGBUS: the WAL index is memory-mapped), and a connection opened while
it was read-only stays read-only after it is writable again. A file deleted or replaced while open takes
writes on into the old file, which nobody will ever read. Looking costs a few system calls a batch.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

#: The files SQLite keeps beside the database in WAL mode.
_BESIDE = ("-wal", "-shm")


class FileUnwritable(RuntimeError):
    """The SQLite file, or one SQLite keeps beside it, cannot be written just now."""


class SqliteFile:
    """Watches one SQLite file on behalf of a store; ``reopen`` makes the store drop its connections."""

    def __init__(self, path: str | Path, reopen: Callable[[], None]) -> None:
        self.path = Path(path)
        self._reopen = reopen
        self._lock = threading.Lock()
        #: The file (device, inode) the store's connections have open; None until one is opened.
        self._opened: tuple[int, int] | None = None
        #: Records this process wrote into that file.
        self._written = 0
        self._unwritable_since: float | None = None

    def connected(self) -> None:
        """A connection was opened: note which file it opened, unless one was noted already."""
        with self._lock:
            if self._opened is None:
                self._opened = self._identity()

    def wrote(self, count: int) -> None:
        with self._lock:
            self._written += count

    def check(self) -> None:
        """Before a use: raises FileUnwritable while the file cannot be written; drops the connections when
        it can be again, or when the file is not the one they have open."""
        if self._must_start_again():
            # Not under the lock: a connection opened meanwhile reports to connected(), which takes it.
            self._reopen()

    def _must_start_again(self) -> bool:
        with self._lock:
            unwritable = self._unwritable()
            if unwritable:
                if self._unwritable_since is None:
                    self._unwritable_since = time.monotonic()
                    logger.error("Call records: %s cannot be written (%s is read-only); every record is dropped, "
                                 "and counted in the log, until it can be", self.path, Path(unwritable).name)
                raise FileUnwritable(f"{unwritable} cannot be written")
            if self._unwritable_since is not None:
                logger.warning("Call records: %s can be written again after %.0f s; recording resumes with new "
                               "connections", self.path, time.monotonic() - self._unwritable_since)
                self._unwritable_since = None
                return self._forget()
            if self._opened is not None and self._identity() != self._opened:
                gone = "replaced" if self.path.exists() else "deleted"
                logger.error("Call records: lost %d records that this process had written to %s, which was %s "
                             "while open; new records go to %s", self._written, self.path, gone,
                             "the file there now" if gone == "replaced" else "a new file")
                return self._forget()
            return False

    def _forget(self) -> bool:
        """Forget the file the connections had open (the caller holds the lock): they must be dropped."""
        self._opened = None
        self._written = 0
        return True

    def _identity(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_dev, info.st_ino)

    def _unwritable(self) -> str | None:
        """The first of the file, the files beside it and its folder that cannot be written; None if all can."""
        for path in (self.path, *(Path(f"{self.path}{suffix}") for suffix in _BESIDE)):
            if path.exists() and not os.access(path, os.W_OK):
                return str(path)
        folder = self.path.parent
        if folder.is_dir() and not os.access(folder, os.W_OK):
            return str(folder)
        return None
