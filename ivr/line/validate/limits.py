"""What a line file may not be, checked before YAML builds anything from it.

A line file is a few tens of kilobytes of text. A much larger file, or one with YAML anchors and
aliases (a name that repeats a part of the file, so that a few hundred bytes can stand for millions
of values), is refused unread: building it could take a server's memory and seconds of its time.
"""

from __future__ import annotations

import contextlib

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.tokens import AliasToken, AnchorToken

from ivr.line.validate.errors import FileTooLarge, LineProblem, YamlAlias

#: The largest line file read: about twelve times the Botox line in two languages.
MAX_BYTES = 256 * 1024
#: Lines with an anchor or alias named at most; one is enough to refuse the file.
_MOST_NAMED = 5


def too_large(size: int, file: str) -> LineProblem | None:
    """The problem of a file of ``size`` bytes, if it is over :data:`MAX_BYTES`."""
    if size <= MAX_BYTES:
        return None
    message = (f"the file is over {MAX_BYTES // 1024} kB, far more than any line needs: "
               "is it the right file?")
    return FileTooLarge(file, None, None, message)


def aliases(text: str, file: str) -> list[LineProblem]:
    """Every line (the first few) with a YAML anchor (``&name``) or alias (``*name``), found by scanning
    the text alone, which costs no more than its length."""
    lines: dict[int, int] = {}
    with contextlib.suppress(YAMLError):  # a syntax error is reported by the parse that follows
        for token in YAML(typ="rt").scan(text):
            if isinstance(token, (AnchorToken, AliasToken)):
                lines.setdefault(token.start_mark.line, token.start_mark.column)
                if len(lines) >= _MOST_NAMED:
                    break
    message = ("YAML anchors (&name) and aliases (*name) are not allowed in a line file: "
               "write each text out in full")
    return [YamlAlias(file, line + 1, None, message, column=column) for line, column in lines.items()]
