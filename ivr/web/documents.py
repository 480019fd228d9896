"""The TwiML documents already made, so that a turn met again is answered without building its tree anew.

A document is a pure function of the turn (texts, pace, where the caller is, how many tries, the language,
what happens next: the time of day is in the texts and the transfer), of the line version voicing it, of the
rendered audio there is, and of the URLs it links to. The key is all of them, so a document made for one
call can only ever be given to another whose turn is the same in every respect.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

#: Documents kept per app and worker: a line's places times paces, tries and languages, with room to spare.
MAX_DOCUMENTS = 4096


class Documents:
    """A bounded, thread-safe cache of documents, the least recently used dropped first."""

    def __init__(self, size: int = MAX_DOCUMENTS) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, tuple[object, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: object, key: Hashable, make: Callable[[], str]) -> str:
        """The document for ``key`` under the line ``version`` (an object kept alive with it), made once."""
        full = (id(version), key)
        with self._lock:
            found = self._kept.get(full)
            if found is not None and found[0] is version:
                self._kept.move_to_end(full)
                return found[1]
        document = make()
        with self._lock:
            self._kept[full] = (version, document)
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return document
