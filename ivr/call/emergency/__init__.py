"""Understanding, by meaning, that a caller is in danger (see :mod:`ivr.call.emergency.understanding`)."""

from ivr.call.emergency.language import Language, load_language, read_language
from ivr.call.emergency.understanding import EmergencySense

__all__ = ["EmergencySense", "Language", "load_language", "read_language"]
