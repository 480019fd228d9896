"""Sections of docs/benchmarks.md that other benchmarks write; the load benchmark keeps them when it rewrites it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ivr.config import PROJECT_ROOT

_SECTION = re.compile(r"<!-- section:(?P<name>[a-z-]+) -->\n.*?<!-- /section:(?P=name) -->\n", re.S)


def kept_sections(text: str) -> str:
    """Every written section of ``text``, in order, to put back after a rewrite."""
    return "".join(match.group() for match in _SECTION.finditer(text))


def write_section(path: Path, name: str, body: str) -> None:
    """Put ``body`` in ``path`` as its section ``name``: replacing the old one, or at the end."""
    block = f"<!-- section:{name} -->\n{body.rstrip()}\n<!-- /section:{name} -->\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"<!-- section:{name} -->\n.*?<!-- /section:{name} -->\n", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def commit() -> str:
    """The commit measured, and whether the working tree had changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}, with uncommitted changes" if changed else head
