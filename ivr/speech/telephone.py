"""Telephone audio: what a phone line carries, 8 kHz mono G.711 μ-law in a WAV file."""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path

import numpy as np
import soundfile
import soxr

TELEPHONE_RATE = 8000
#: libsndfile's name for G.711 μ-law samples.
ULAW = "ULAW"
#: Peak level of rendered speech: loud enough to use μ-law's range, with headroom against clipping.
PEAK = 10 ** (-1 / 20)
#: Frequency compression: sound below KNEE (Hz) is left as it is; above, compressed by RATIO.
KNEE = 3000.0
RATIO = 4.0
#: Phase vocoder frame and hop, in samples.
_FRAME = 512
_HOP = 128


class IncompleteAudio(RuntimeError):
    """A WAV file that was still being written when it should have been finished."""


def to_telephone(
    samples: np.ndarray, rate: int, knee: float = KNEE, ratio: float = RATIO, peak: float = PEAK
) -> np.ndarray:
    """Speech at any sample rate as 8 kHz float samples, levelled to ``peak`` (the loudest sample).

    A phone line carries nothing above 4 kHz, where much of what tells "b" from "m" and
    "s" from "f" lies; so the sound above :data:`KNEE` is first compressed into the band
    (:func:`lower_high_frequencies`) rather than cut off.
    """
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    lowered = lower_high_frequencies(mono.astype(np.float32), rate, knee, ratio)
    narrow = soxr.resample(lowered, rate, TELEPHONE_RATE, quality="VHQ")
    loudest = float(np.max(np.abs(narrow))) if narrow.size else 0.0
    if loudest > 0:
        narrow = narrow * (peak / loudest)
    return np.clip(narrow, -1.0, 1.0).astype(np.float32)


def lower_high_frequencies(samples: np.ndarray, rate: int, knee: float = KNEE, ratio: float = RATIO) -> np.ndarray:
    """Nonlinear frequency compression, as hearing aids do it: the same sound below ``knee``;
    above it, a frequency f is moved to ``knee + (f - knee) / ratio``.

    A phase vocoder (Hann window, 75 % overlap) measures each bin's true frequency, maps it,
    and accumulates the new phase, so that moved sound stays smooth from frame to frame.
    """
    if ratio <= 1 or samples.size == 0:
        return samples
    window = np.hanning(_FRAME).astype(np.float32)
    padded = np.concatenate([np.zeros(_FRAME, np.float32), samples, np.zeros(_FRAME, np.float32)])
    frames = np.lib.stride_tricks.sliding_window_view(padded, _FRAME)[::_HOP] * window
    spectrum = np.fft.rfft(frames, axis=1)
    freqs = np.fft.rfftfreq(_FRAME, 1 / rate)
    magnitude, phase = np.abs(spectrum), np.angle(spectrum)
    # Each bin's true frequency, from how far its phase moved beyond what its centre predicts.
    advance = np.diff(phase, axis=0, prepend=phase[:1])
    expected = 2 * np.pi * freqs * _HOP / rate
    deviation = np.mod(advance - expected + np.pi, 2 * np.pi) - np.pi
    true_freq = freqs + deviation * rate / (2 * np.pi * _HOP)
    # For each output bin, the input frequency that lands on it.
    source = np.where(freqs <= knee, freqs, knee + (freqs - knee) * ratio)
    position = np.clip(source / (rate / _FRAME), 0, len(freqs) - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, len(freqs) - 1)
    weight = position - low
    new_magnitude = magnitude[:, low] * (1 - weight) + magnitude[:, high] * weight
    new_magnitude[:, source >= rate / 2] = 0
    moved_freq = true_freq[:, np.rint(position).astype(int)]
    new_freq = np.where(freqs <= knee, moved_freq, knee + (moved_freq - knee) / ratio)
    new_phase = np.cumsum(2 * np.pi * new_freq * _HOP / rate, axis=0)
    below = freqs <= knee
    new_phase[:, below] = phase[:, below]
    # Overlap-add, normalised by the summed squared window.
    out_frames = np.fft.irfft(new_magnitude * np.exp(1j * new_phase), n=_FRAME, axis=1) * window
    length = _HOP * (len(out_frames) - 1) + _FRAME
    out = np.zeros(length, np.float64)
    norm = np.zeros(length, np.float64)
    for index, frame in enumerate(out_frames):
        start = index * _HOP
        out[start : start + _FRAME] += frame
        norm[start : start + _FRAME] += window**2
    out /= np.maximum(norm, 1e-6)
    return out[_FRAME : _FRAME + samples.size].astype(np.float32)


def write_telephone_wav(path: Path, samples: np.ndarray) -> None:
    """Write 8 kHz samples as a μ-law WAV file, the form Twilio plays without converting."""
    soundfile.write(path, samples, TELEPHONE_RATE, subtype=ULAW, format="WAV")


def read_telephone_wav(path: Path) -> np.ndarray:
    """The float samples of a rendered file, checking it is 8 kHz mono μ-law."""
    info = soundfile.info(path)
    if (info.samplerate, info.channels, info.subtype) != (TELEPHONE_RATE, 1, ULAW):
        raise ValueError(
            f"{path} is {info.samplerate} Hz, {info.channels} channel(s), {info.subtype}; "
            f"expected {TELEPHONE_RATE} Hz, 1 channel, {ULAW}"
        )
    samples, _ = soundfile.read(path, dtype="float32")
    return samples


def wait_until_complete(path: Path, timeout: float, poll: float = 0.01) -> None:
    """Return once the WAV file at ``path`` is whole; raise :class:`IncompleteAudio` after ``timeout``.

    Whole means: its RIFF header's sizes match the file's size, and the size has stopped
    changing between two looks. The writer may still be filling it when this is called.
    """
    deadline = time.monotonic() + timeout
    last_size = -1
    while True:
        size = _size(path)
        if size is not None and size == last_size and _riff_complete(path, size):
            return
        last_size = size if size is not None else -1
        if time.monotonic() >= deadline:
            state = "does not exist" if size is None else f"has {size} bytes and is not a complete WAV"
            raise IncompleteAudio(f"{path} {state} after {timeout:.1f} s")
        time.sleep(poll)


def _size(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return None


def _riff_complete(path: Path, size: int) -> bool:
    """Whether the RIFF size and the data chunk's size both account for the whole file."""
    try:
        with open(path, "rb") as file:
            header = file.read(12)
            if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
                return False
            (riff_size,) = struct.unpack("<I", header[4:8])
            if riff_size + 8 != size:
                return False
            offset = 12
            while offset + 8 <= size:
                file.seek(offset)
                chunk_id, chunk_size = struct.unpack("<4sI", file.read(8))
                if chunk_id == b"data":
                    return offset + 8 + chunk_size == size
                offset += 8 + chunk_size + (chunk_size & 1)
    except (OSError, struct.error):
        return False
    return False
