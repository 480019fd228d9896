"""The sentence-embedding model: Google's multilingual Universal Sentence Encoder (v3), in numpy.

It is loaded once per process, and :func:`preload` loads it in the server's parent before the workers
fork, so that they share its 130 MB of weights and vocabulary instead of each loading its own. Vectors of
a line's examples are kept by their texts, so that a line's version is embedded once, in the parent too,
and on disk (:mod:`ivr.call.meaning.kept`), so that the next process reads them instead.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ivr.call.meaning import kept as kept_files
from ivr.call.meaning.ready import load_model

logger = logging.getLogger(__name__)

#: The examples of at most this many versions of lines are kept (a reload makes a new one).
_KEPT_VERSIONS = 8
#: The length of the model's vectors.
WIDTH = 512
_kept: dict[tuple[str, ...], np.ndarray] = {}
_lock = threading.Lock()


@functools.cache
def _model() -> Any:
    logger.debug("Loading the understanding model (multilingual Universal Sentence Encoder 3)")
    # One thread: two workers share two cores, and a turn's sentence is short. Its tokenizer and backend are
    # made here rather than at the first sentence, held compactly, and read ready-made where they were kept.
    return load_model()


@functools.cache
def preload() -> None:
    """Load the model now (in the server's parent, before its workers fork).

    The package reads its weights and vocabulary at the first sentence, not when made: one sentence is embedded
    here, since the line's examples may come from disk (:mod:`ivr.call.meaning.kept`) without the model. A
    line's understanding calls it too, so that no caller's turn waits for the weights (2 s, more when busy).
    """
    embed(["loaded before the workers fork"])


def embed(texts: Sequence[str]) -> np.ndarray:
    """Each text's vector, of length one (rows in the order of ``texts``)."""
    if not texts:
        return np.zeros((0, WIDTH), dtype=np.float32)
    vectors = np.asarray(_model().encode(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def embed_kept(texts: Sequence[str], folder: Path | None = None) -> np.ndarray:
    """:func:`embed` of a line's examples, computed once for the same texts in this process, and read from
    ``folder`` (the environment's, by default) where another process has kept them."""
    key = tuple(texts)
    with _lock:
        found = _kept.get(key)
        if found is None:
            if len(_kept) >= _KEPT_VERSIONS:
                _kept.pop(next(iter(_kept)))
            found = _kept[key] = embed_on_disk(key, folder or kept_files.default_folder())
            found.setflags(write=False)
    return found


def embed_on_disk(texts: Sequence[str], folder: Path) -> np.ndarray:
    """:func:`embed` of ``texts``, read from ``folder`` if kept there, else embedded and kept."""
    found = kept_files.read(folder, texts, WIDTH)
    if found is None:
        found = embed(texts)
        kept_files.write(folder, texts, found)
    return found
