"""Understanding what a caller means, not only the words they use (see :mod:`ivr.call.meaning.sense`)."""

from ivr.call.meaning.encoder import embed, preload
from ivr.call.meaning.pack import Understanding, load_understanding
from ivr.call.meaning.sense import MeaningSense, Reading

__all__ = ["MeaningSense", "Reading", "Understanding", "embed", "load_understanding", "preload"]
