"""The model's embedding table read from a file mapped into memory, rather than held in each process.

The table is 65 MB: one row of 512 bytes for each of the vocabulary's 128,000 pieces, of which a turn reads a
few dozen. The package unpacks it from its compressed weights into the memory of the process that loads it;
here it is written once per machine as a plain ``.npy`` file (in the environment's folder, named by the
model's version) and mapped read-only instead, so that a process holds only the pages of the rows it has
read, and every server on the machine shares them through the page cache. The rows are the same bytes, so
every vector, and every decision made with it, is the same.
"""

from __future__ import annotations

import logging
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ivr.call.meaning.kept import MODEL_DISTRIBUTION
from ivr.config import environment_folder, keep_array, keeping, read_kept_array

logger = logging.getLogger(__name__)


def default_folder() -> Path:
    """The environment's folder for the table (:func:`ivr.config.environment_folder`)."""
    return environment_folder("model")


def map_table(backend: Any, folder: Path | None = None) -> None:
    """Replace the loaded model's table (``backend.table``) by the same rows mapped from a file.

    A folder that cannot be written, or a file that cannot be read, leaves the table in memory as it was.
    """
    loaded: np.ndarray = backend.table
    path = (folder or default_folder()) / f"table-{metadata.version(MODEL_DISTRIBUTION)}.npy"
    mapped = _read(path, loaded)
    if mapped is None:
        mapped = _write(path, loaded)
    if mapped is not None:
        backend.table = mapped


def _read(path: Path, loaded: np.ndarray) -> np.ndarray | None:
    mapped = read_kept_array(path, "The model's table", "it is written again", mapped=True)
    if mapped is None:
        return None
    if mapped.shape != loaded.shape or mapped.dtype != loaded.dtype:
        logger.warning("The model's table in %s does not fit the model: it is written again", path)
        return None
    return mapped


def _write(path: Path, loaded: np.ndarray) -> np.ndarray | None:
    with keeping("The model's table", path.parent, "each process holds its own"):
        keep_array(path, loaded)
        return _read(path, loaded)
    return None
