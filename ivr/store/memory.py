"""The language a caller chose last time, for a line that remembers it (``call.remember_language``).

Read from the call records by the caller's keyed hash, never their number, at the start of every call:
the records are what knows a choice the caller made on another worker or server, and a copy kept here
would go stale as soon as they chose again elsewhere. What this process saw itself (a choice made here,
which the records may not have written yet) wins only when it is newer than the records' answer.

A call is never held up for it: a lookup waits at most :data:`WAIT_SECONDS`; after a failure or a slow
answer the database is not asked again for :data:`PAUSE_SECONDS`, so a slow or broken database costs no
caller more than that one short wait. Meanwhile a call starts in what this process last knew of the
caller, else in the line's first language.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

logger = logging.getLogger(__name__)

#: The longest a call waits for the database's answer.
WAIT_SECONDS = 0.25
#: How long the database is left alone after it failed or was slow.
PAUSE_SECONDS = 30.0
#: Callers whose last known language is kept here, for while the database is paused, the most recent first.
REMEMBERED = 10_000

#: (caller hash, line) -> the language of the caller's last call of the line that has one, and when that call
#: started; None for a caller not known.
Lookup = Callable[[str, str], "tuple[str, dt.datetime] | None"]
#: What is known of a caller: (when, in seconds since the epoch; their language).
Known = tuple[float, str]


class LanguageMemory:
    """Callers' last languages, by (caller hash, line): from the database, briefly; from memory while it is paused."""

    def __init__(self, lookup: Lookup, *, wait: float = WAIT_SECONDS, pause: float = PAUSE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lookup = lookup
        self._wait = wait
        self._pause = pause
        self._clock = clock
        self._known: OrderedDict[tuple[str, str], Known] = OrderedDict()
        self._lock = threading.Lock()
        self._paused_until = -1.0
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ivr-language")

    def language(self, caller_hash: str, line: str) -> str | None:
        """The caller's last language on ``line``, or None (not known, or not known in time)."""
        key = (caller_hash, line)
        with self._lock:
            paused = self._clock() < self._paused_until
        if not paused:
            future = self._pool.submit(self._lookup, caller_hash, line)
            try:
                self._merge(key, future.result(timeout=self._wait))
            except FutureTimeout:
                future.add_done_callback(lambda done: self._keep(key, done))  # at once if it has come since
                self._pause_for(f"did not answer within {self._wait:.2f} s")
            except Exception as error:
                self._pause_for(f"failed ({type(error).__name__})")
        with self._lock:
            known = self._known.get(key)
        return known[1] if known else None

    def remember(self, caller_hash: str, line: str, language: str) -> None:
        """The caller chose ``language`` on ``line``, just now."""
        with self._lock:
            self._put((caller_hash, line), (time.time(), language))

    def _keep(self, key: tuple[str, str], done: Future[tuple[str, dt.datetime] | None]) -> None:
        """A late answer of the records, kept for while the database is paused."""
        if not done.cancelled() and done.exception() is None:
            self._merge(key, done.result())

    def _merge(self, key: tuple[str, str], found: tuple[str, dt.datetime] | None) -> None:
        """The records' answer, unless this process saw a newer choice (the records may not have it yet)."""
        if found is None:
            return
        language, started = found
        if started.tzinfo is None:  # the records keep UTC
            started = started.replace(tzinfo=dt.UTC)
        with self._lock:
            seen = self._known.get(key)
            if seen is None or seen[0] <= started.timestamp():
                self._put(key, (started.timestamp(), language))

    def _put(self, key: tuple[str, str], known: Known) -> None:
        self._known[key] = known
        self._known.move_to_end(key)
        while len(self._known) > REMEMBERED:
            self._known.popitem(last=False)

    def _pause_for(self, why: str) -> None:
        with self._lock:
            already = self._clock() < self._paused_until
            self._paused_until = self._clock() + self._pause
        if not already:
            logger.warning("Looking up a caller's language %s; calls start in the line's first language, and the "
                           "records are not asked again for %.0f s", why, self._pause)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
