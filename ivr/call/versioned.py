"""The line as versions in the shared database: every worker of every server answers with the newest.

The line file seeds the first version, and each valid change of the file is published as a new one.
A thread of each worker asks the database for the newest version's number every few seconds (one
small query) and loads a new version only when that number changes. A version that fails to load
is never answered with: the one before goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from typing import Protocol

from ivr.call.live import Active, LiveLine, Watched, activate
from ivr.line.validate import LineInvalid, LoadedLine, load_line_text

logger = logging.getLogger(__name__)

#: The database is asked at most this often, whatever LINE_RELOAD_SECONDS says (the tests set 0).
SHORTEST_INTERVAL = 0.25


class Versions(Protocol):
    """Where a line's versions are kept (:mod:`ivr.web.versions` keeps them in the call records' database)."""

    def newest(self) -> int | None:
        """The number of the newest version; None when there is none."""

    def text(self, number: int) -> str | None:
        """A version's text."""

    def offer_file(self, loaded: LoadedLine, text: str) -> int | None:
        """Publish the line file's text, unless it was published since the file last changed; the number
        of the version made, or None."""


class VersionedLine(Watched):
    """The newest published version of a line, followed in the background; the line file is watched too."""

    def __init__(self, file: LiveLine, versions: Versions) -> None:
        super().__init__(max(file.interval, SHORTEST_INTERVAL))
        self.watching = "the line's versions"
        self.file = file
        self.versions = versions
        self.path = file.path
        self._offered: str | None = None
        self._number: int | None = None
        self._active = file.current_here()
        self._unavailable = False
        self.look()

    def stop(self) -> None:
        super().stop()
        self.file.stop()

    def look(self) -> None:
        """Publish the line file if it changed and is valid, then take the newest version if it is new.

        The watcher's work; tests call it too. While the database cannot be reached, the version answering
        goes on (the file's, if none could ever be read).
        """
        with self._looking:  # a version's number is taken before it is loaded: two lookers would skip it
            self._look()

    def _look(self) -> None:
        self.file.look()
        from_file = self.file.current_here()
        try:
            self._offer(from_file)
            self._follow(from_file)
        except Exception as error:
            if not self._unavailable:
                logger.error("The line's versions cannot be read (%s); still answering with the version loaded",
                             error)
            self._unavailable = True
            if self._number is None:
                self._active = from_file
            return
        if self._unavailable:
            logger.info("The line's versions can be read again")
        self._unavailable = False

    def _offer(self, from_file: Active) -> None:
        loaded = from_file.loaded
        if from_file.not_the_file is not None or loaded.digest == self._offered:
            return
        try:
            text = self.file.path.read_bytes()
        except OSError:
            return
        if hashlib.sha256(text).hexdigest() != loaded.digest:
            return  # changed again since it was loaded: the next look offers that
        number = self.versions.offer_file(loaded, text.decode("utf-8"))
        self._offered = loaded.digest
        if number is not None:
            logger.info("Line file %s changed: published as version %d", self.file.path, number)

    def _follow(self, from_file: Active) -> None:
        newest = self.versions.newest()
        if newest is None or newest == self._number:
            self._active = dataclasses.replace(self._active, not_the_file=from_file.not_the_file)
            return
        text = self.versions.text(newest)
        self._number = newest
        if text is None:
            return
        try:
            loaded = load_line_text(text.encode("utf-8"), f"version {newest}")
        except LineInvalid as invalid:
            logger.error("Version %d of the line is invalid; still answering with the version before:\n%s",
                         newest, invalid)
            return
        self._active = dataclasses.replace(activate(loaded), published=newest, not_the_file=from_file.not_the_file)
        logger.info("Now answering with version %d of the line", newest)
