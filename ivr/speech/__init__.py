"""Prompts as telephone audio that the line renders itself (pyttsx3, espeak-ng on Linux)."""
