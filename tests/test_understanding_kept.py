"""A line's examples are embedded once per machine (ivr.call.meaning.kept): the next process reads their vectors
from the environment's folder, and understands callers exactly as it would have with the model's own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ivr.call.meaning import encoder, kept

EXAMPLES = ("my throat is closing up", "i can't get my breath", "where is the clinic", "mis párpados se caen")


def _model_unavailable(texts: object) -> np.ndarray:
    raise AssertionError("the kept vectors should have been read, not embedded again")


def test_examples_kept_by_one_process_are_read_by_the_next_bit_for_bit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embedded = encoder.embed_on_disk(EXAMPLES, tmp_path)
    assert [file.name for file in tmp_path.iterdir()] == [kept.file_for(tmp_path, EXAMPLES).name]
    monkeypatch.setattr(encoder, "embed", _model_unavailable)
    read = encoder.embed_on_disk(EXAMPLES, tmp_path)
    assert read.tobytes() == embedded.tobytes()


def test_the_same_examples_in_another_order_or_from_another_model_version_are_embedded_anew(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encoder.embed_on_disk(EXAMPLES, tmp_path)
    assert kept.read(tmp_path, EXAMPLES[::-1], encoder.WIDTH) is None
    monkeypatch.setattr(kept.metadata, "version", lambda name: "9.9.9")
    assert kept.read(tmp_path, EXAMPLES, encoder.WIDTH) is None


@pytest.mark.parametrize("damage", [b"", b"\x93NUMPY not an array", None], ids=["empty", "garbled", "too few"])
def test_a_damaged_file_is_embedded_again_and_replaced(tmp_path: Path, damage: bytes | None) -> None:
    path = kept.file_for(tmp_path, EXAMPLES)
    good = encoder.embed(EXAMPLES)
    if damage is None:
        np.save(path, good[:2])
    else:
        path.write_bytes(damage)
    assert encoder.embed_on_disk(EXAMPLES, tmp_path).tobytes() == good.tobytes()
    assert np.load(path).tobytes() == good.tobytes()


def test_a_folder_that_cannot_be_written_only_costs_the_time(tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    assert encoder.embed_on_disk(EXAMPLES, blocked).tobytes() == encoder.embed(EXAMPLES).tobytes()
