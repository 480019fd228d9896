"""A bounded queue and one background thread per process, so no call ever waits for the database."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Job = TypeVar("Job")

#: A thread with nothing to do for this long ends; the next job starts another.
IDLE_SECONDS = 30.0
#: Log dropped jobs at most this often, with how many were dropped.
DROP_LOG_SECONDS = 10.0


class BackgroundWriter(Generic[Job]):
    """Hands jobs to ``write`` on a background thread.

    :meth:`submit` never blocks: when ``maxsize`` jobs are waiting the new one is dropped and
    the drop logged. A job whose write fails is tried ``tries`` times in all, then dropped
    and logged; nothing is ever raised to the caller.
    """

    def __init__(
        self,
        write: Callable[[Job], None],
        *,
        maxsize: int,
        describe: Callable[[Job], str] = repr,
        tries: int = 3,
        backoff: float = 0.25,
        name: str = "call-records",
    ) -> None:
        self._write = write
        self._describe = describe
        self._maxsize = maxsize
        self._tries = tries
        self._backoff = backoff
        self._name = name
        self._dropped = 0
        self._dropped_logged_at = 0.0
        self._start()

    def _start(self) -> None:
        # Also after a fork: the child gets a fresh queue and starts its own thread.
        self._pid = os.getpid()
        self._queue: queue.Queue[Job] = queue.Queue(maxsize=self._maxsize)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job: Job) -> bool:
        """Queue ``job``; False if it was dropped because the queue is full."""
        if os.getpid() != self._pid:
            self._start()
        with self._lock:
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                self._note_drop(job)
                return False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        return True

    def flush(self, timeout: float) -> bool:
        """Wait until every queued job is written or dropped, at most ``timeout`` seconds."""
        if os.getpid() != self._pid:
            self._start()
        deadline = time.monotonic() + timeout
        done = self._queue.all_tasks_done
        with done:
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                done.wait(left)
        return True

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    def _run(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                self._write_with_retries(job)
            finally:
                self._queue.task_done()

    def _write_with_retries(self, job: Job) -> None:
        for attempt in range(1, self._tries + 1):
            try:
                self._write(job)
                return
            except Exception as error:
                if attempt == self._tries:
                    logger.error(
                        "Dropped %s after %d failed tries: %s: %s",
                        self._describe(job), attempt, type(error).__name__, error,
                    )
                    return
                logger.debug("Writing %s failed (%s); trying again", self._describe(job), error)
                time.sleep(self._backoff * 2 ** (attempt - 1))

    def _note_drop(self, job: Job) -> None:
        self._dropped += 1
        now = time.monotonic()
        if now - self._dropped_logged_at >= DROP_LOG_SECONDS:
            logger.warning(
                "The call-records queue is full (%d waiting): dropped %s (%d dropped since the last report)",
                self._maxsize, self._describe(job), self._dropped,
            )
            self._dropped_logged_at = now
            self._dropped = 0
