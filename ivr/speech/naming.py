"""Content-addressed names of rendered prompts."""

from __future__ import annotations

import functools
import hashlib
import json
import re

#: What a rendered file is. Change it whenever rendering changes, so that no old file is served again.
FORMAT = "wav-mulaw-8000-mono-v2"
#: Names are the first 32 hex digits of a SHA-256: 128 bits, no collision in practice.
NAME_LENGTH = 32
NAME_PATTERN = re.compile(rf"^[0-9a-f]{{{NAME_LENGTH}}}$")


@functools.lru_cache(maxsize=4096)  # asked for each prompt of each answer
def audio_name(text: str, voice_name: str, rate: int, volume: float) -> str:
    """The file name (without extension) of ``text`` spoken with this voice, rate and volume.

    A changed text, voice, rate, volume or format gives another name, so a file is
    never rendered twice and never stale.
    """
    canonical = json.dumps(
        {"format": FORMAT, "text": text, "voice": voice_name, "rate": int(rate), "volume": float(volume)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:NAME_LENGTH]


def is_audio_name(name: str) -> bool:
    return NAME_PATTERN.fullmatch(name) is not None
