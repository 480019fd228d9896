"""The line a server is answering with, kept up to date with its file.

A changed file is taken only if it is valid; otherwise the last good line goes on
serving and the reason is logged, so a typo never takes the phone line down.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ivr.call.flow import CallFlow
from ivr.line.errors import LineInvalid
from ivr.line.load import LoadedLine, load_line

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Active:
    loaded: LoadedLine
    flow: CallFlow


class LiveLine:
    """The current version of one line file, looked at again at most every ``interval`` seconds."""

    def __init__(self, path: str | Path, interval: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.path = Path(path)
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._signature = self._stat()
        self._active = _activate(load_line(self.path))  # raises LineInvalid: refuse to start
        self._checked_at = clock()

    def current(self) -> Active:
        if self._clock() - self._checked_at >= self.interval:
            self._refresh()
        return self._active

    def _refresh(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # another thread is already looking
        try:
            self._checked_at = self._clock()
            signature = self._stat()
            if signature == self._signature:
                return
            self._signature = signature
            try:
                loaded = load_line(self.path)
            except LineInvalid as invalid:
                logger.error("Line file %s changed but is invalid; still serving the last good version:\n%s",
                             self.path, invalid)
                return
            except OSError as error:
                logger.error("Line file %s cannot be read (%s); still serving the last good version",
                             self.path, error)
                return
            self._active = _activate(loaded)
            logger.info("Line file %s changed; now serving the new version", self.path)
        finally:
            self._lock.release()

    def _stat(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)


def _activate(loaded: LoadedLine) -> Active:
    for warning in loaded.warnings:
        logger.warning("%s", warning)
    return Active(loaded, CallFlow(loaded.line))
