"""Where the map finds each prompt's rendered audio: the app's audio catalog, served by /audio/."""

from __future__ import annotations

from flask import url_for

from ivr.dashboard.linemap import AudioFinder
from ivr.line import Line
from ivr.web import services


def audio_finder(line: Line) -> AudioFinder:
    """(text, rate) -> the URL of what callers hear for it, or None when they hear Twilio's <Say>."""
    if line.voice.mode != "play":
        return lambda text, rate: None
    return services().audio.links(line, lambda name: url_for("audio.wav", name=name)).url
