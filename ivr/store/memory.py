"""The language a caller chose last time, for a line that remembers it (``call.remember_language``).

Read from the call records by the caller's keyed hash, never their number. A call is never held up
for it: a lookup waits at most :data:`WAIT_SECONDS`, then the call starts in the line's first language
while the answer, when it comes, is kept for the caller's next call; after a failure or a slow answer
the database is not asked again for :data:`PAUSE_SECONDS`, so a slow or broken database costs no caller
more than that one short wait.
"""

from __future__ import annotations

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
#: Callers whose language is kept in memory, the most recent first.
REMEMBERED = 10_000

Lookup = Callable[[str, str], "str | None"]


class LanguageMemory:
    """Callers' last languages, by (caller hash, line): from memory, else from the database, briefly."""

    def __init__(self, lookup: Lookup, *, wait: float = WAIT_SECONDS, pause: float = PAUSE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lookup = lookup
        self._wait = wait
        self._pause = pause
        self._clock = clock
        self._known: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        self._lock = threading.Lock()
        self._paused_until = -1.0
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ivr-language")

    def language(self, caller_hash: str, line: str) -> str | None:
        """The caller's last language on ``line``, or None (not known, or not known in time)."""
        key = (caller_hash, line)
        with self._lock:
            if key in self._known:
                self._known.move_to_end(key)
                return self._known[key]
            if self._clock() < self._paused_until:
                return None
        future = self._pool.submit(self._lookup, caller_hash, line)
        future.add_done_callback(lambda done: self._keep(key, done))
        try:
            return future.result(timeout=self._wait)
        except FutureTimeout:
            self._pause_for(f"did not answer within {self._wait:.2f} s")
        except Exception as error:
            self._pause_for(f"failed ({type(error).__name__})")
        return None

    def remember(self, caller_hash: str, line: str, language: str) -> None:
        """The caller chose ``language`` on ``line``, just now."""
        self._store((caller_hash, line), language)

    def _keep(self, key: tuple[str, str], done: Future[str | None]) -> None:
        if not done.cancelled() and done.exception() is None:
            with self._lock:
                if key not in self._known:  # a choice made meanwhile is newer than the database's answer
                    self._put(key, done.result())

    def _store(self, key: tuple[str, str], language: str | None) -> None:
        with self._lock:
            self._put(key, language)

    def _put(self, key: tuple[str, str], language: str | None) -> None:
        self._known[key] = language
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
