"""The last good version of each line file, kept in the instance folder.

Every worker reads the line file when it starts. If the file was broken since the server started,
a worker that restarts (killed, out of memory, the server reloaded) answers with the copy kept here,
so a typo can never stop the line. Only a line never once valid stops a server from starting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ivr.line.validate import LineInvalid, LoadedLine, load_line

logger = logging.getLogger(__name__)

#: The copies' folder in the instance folder, unless the LAST_GOOD_LINE_DIR setting names another.
FOLDER_NAME = "last-good-lines"


@dataclass(frozen=True)
class KeptLine:
    """A kept copy of a line file, valid when it was kept."""

    path: Path
    kept_at: dt.datetime


class LastGoodLines:
    """One copy for each line file served, named after the file's full path."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def copy_of(self, line_file: str | Path) -> Path:
        """Where the copy of ``line_file`` is (or would be) kept."""
        source = Path(line_file).resolve()
        tag = hashlib.sha256(str(source).encode()).hexdigest()[:16]
        return self.folder / f"{source.stem}-{tag}.yaml"

    def keep(self, line_file: str | Path, loaded: LoadedLine) -> None:
        """Keep the file's bytes as its last good version, if they are still those that were loaded.

        Never raises: a line that cannot be kept is still served, and the log says why.
        """
        copy = self.copy_of(line_file)
        try:
            raw = Path(line_file).read_bytes()
            if hashlib.sha256(raw).hexdigest() != loaded.digest:
                return  # changed again since it was read: the next look at it keeps that version
            if copy.is_file() and copy.read_bytes() == raw:
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed, so that a worker starting meanwhile reads the old copy or the new.
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".keeping-")
            with os.fdopen(handle, "wb") as file:
                file.write(raw)
            os.replace(temporary, copy)
        except OSError as error:
            logger.error("Could not keep the last good version of line file %s in %s (%s): if the file is "
                         "broken later, a restarting server could not answer", line_file, self.folder, error)
            return
        logger.info("Kept this version of line file %s as its last good one, in %s", line_file, copy)

    def kept(self, line_file: str | Path) -> KeptLine | None:
        """The kept copy of ``line_file``, if there is one."""
        copy = self.copy_of(line_file)
        try:
            modified = copy.stat().st_mtime
        except OSError:
            return None
        return KeptLine(copy, dt.datetime.fromtimestamp(modified, dt.UTC))

    def load(self, line_file: str | Path) -> tuple[LoadedLine, KeptLine] | None:
        """The last good version of ``line_file``, loaded; None if none was ever kept (or it is unusable)."""
        kept = self.kept(line_file)
        if kept is None:
            return None
        try:
            return load_line(kept.path), kept
        except LineInvalid as invalid:  # a newer version of the line's rules may refuse an old copy
            logger.error("The last good version of line file %s, %s, is no longer valid:\n%s",
                         line_file, kept.path, invalid)
            return None


def last_good_folder(setting: str, instance_path: str) -> Path:
    """The folder of the kept copies: the LAST_GOOD_LINE_DIR setting, or one in the instance folder."""
    return Path(setting) if setting else Path(instance_path) / FOLDER_NAME
