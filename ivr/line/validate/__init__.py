"""Checking a clinic's line file: read it, check its shape, its tree and its words, and say what to fix."""
