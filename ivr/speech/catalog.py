"""The audio directory: which prompts are rendered, their transcripts, and where to find them."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ivr.line import Line, Voice
from ivr.speech.naming import is_audio_name
from ivr.speech.voicing import Voicing

logger = logging.getLogger(__name__)

WAV = ".wav"
TEXT = ".txt"
#: A listing younger than this after the directory last changed is taken again: a file system's
#: clock may be too coarse to tell two changes within it apart.
_SETTLE_SECONDS = 2.0


class AudioCatalog:
    """The rendered files in one directory: ``<name>.wav`` and its transcript ``<name>.txt``.

    The set of names is kept in memory and listed again only when the directory changes,
    so looking a prompt up costs one ``stat`` of the directory.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._names: frozenset[str] = frozenset()
        self._listed: tuple[int, float] | None = None

    def names(self) -> frozenset[str]:
        """Names of every rendered file, as they are now."""
        try:
            changed = os.stat(self.directory).st_mtime_ns
            now = time.time()
            if self._listed is None or self._listed[0] != changed or self._listed[1] - changed / 1e9 < _SETTLE_SECONDS:
                self._names = frozenset(_rendered(self.directory))
                self._listed = (changed, now)
        except OSError as error:
            # No audio is no failure: every prompt is then read with <Say>.
            if not isinstance(error, FileNotFoundError):
                logger.warning("Cannot list the audio directory %s: %s", self.directory, error)
            self._names, self._listed = frozenset(), None
        return self._names

    def has(self, name: str) -> bool:
        return name in self.names()

    def wav_path(self, name: str) -> Path:
        return self.directory / (name + WAV)

    def text_path(self, name: str) -> Path:
        return self.directory / (name + TEXT)

    def transcript(self, name: str) -> str | None:
        """What the audio called ``name`` says, from its sidecar file."""
        try:
            return self.text_path(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def links(
        self, line: Line, link: Callable[[str], str], language: str | None = None, voice: Voice | None = None
    ) -> AudioLinks:
        """URLs of ``line``'s rendered prompts in ``language`` spoken by ``voice`` (None: the line's own), made
        by ``link(name)``; the directory is listed once here."""
        return AudioLinks(self.names(), Voicing.of(line, language, voice), link)


@dataclass(frozen=True)
class AudioLinks:
    """Where the audio of each text is, for one line, as the directory was when made."""

    names: frozenset[str]
    voicing: Voicing
    link: Callable[[str], str]

    def url(self, text: str, rate: int) -> str | None:
        """The absolute URL of ``text`` rendered at ``rate``, or None when it is not rendered."""
        name = self.voicing.name(text, rate)
        return self.link(name) if name in self.names else None


def store(path: Path, write: Callable[[Path], object]) -> None:
    """Write a file so that nobody ever sees it half written: ``write`` a temporary name, then rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def store_rendered(directory: Path, name: str, text: str, write_wav: Callable[[Path], None]) -> None:
    """Put a rendered prompt in place: its transcript first, then its audio, each written whole."""
    store(directory / (name + TEXT), lambda path: path.write_text(text, encoding="utf-8"))
    store(directory / (name + WAV), write_wav)


def _rendered(directory: Path) -> set[str]:
    names = set()
    with os.scandir(directory) as entries:
        for entry in entries:
            stem, suffix = os.path.splitext(entry.name)
            if suffix == WAV and is_audio_name(stem):
                names.add(stem)
    return names
