"""Content-addressed names of rendered prompts."""

from __future__ import annotations

import functools
import hashlib
import json
import re

#: What a rendered file is. Change it whenever rendering changes, so that no old file is served again.
FORMAT = "wav-mulaw-8000-mono-v3"
#: Names are the first 32 hex digits of a SHA-256: 128 bits, no collision in practice.
NAME_LENGTH = 32
NAME_PATTERN = re.compile(rf"^[0-9a-f]{{{NAME_LENGTH}}}$")


@functools.lru_cache(maxsize=4096)  # asked for each prompt of each answer
def audio_name(
    spoken: str, engine: str, voice: str, rate: int, volume: float, language: str = "en-US", written: str = ""
) -> str:
    """The file name (without extension) of ``spoken`` said in ``language`` by this engine and voice at this
    rate and volume.

    ``spoken`` is the text as the engine is given it (after the line's pronunciations and the
    language's speech-text rules), so a changed text, pronunciation, language, engine, voice, rate,
    volume or format gives another name: a file is never rendered twice and never stale. (The same
    words in two languages, "Botox.", are two files: each language's voice says them its own way.)

    ``written`` is the text as the line writes it, when the speech-text step changed it: two texts said
    alike ("call 911." and "call 9 1 1.") are then two files, each with its own transcript, so what a
    file is said to say is always the text it was played for. A text the step leaves alone keeps the
    name it had before written texts were named.
    """
    facts: dict[str, object] = {"format": FORMAT, "text": spoken, "engine": engine, "voice": voice, "rate": int(rate),
                                "volume": float(volume), "language": language}
    if written and written != spoken:
        facts["written"] = written
    canonical = json.dumps(
        facts,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:NAME_LENGTH]


def is_audio_name(name: str) -> bool:
    return NAME_PATTERN.fullmatch(name) is not None
