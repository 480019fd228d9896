"""A bounded queue and one background thread per process, so no call ever waits for the database."""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

Job = TypeVar("Job")

#: A thread with nothing to do for this long ends; the next job starts another.
IDLE_SECONDS = 30.0
#: Log dropped jobs at most this often, with how many were dropped.
DROP_LOG_SECONDS = 10.0
#: After the first job arrives, wait this long for others to write with it (unless someone flushes).
GATHER_SECONDS = 0.05
#: The most jobs written together.
BATCH_SIZE = 500
#: When the process ends (a server restarting its workers, say), wait this long at most for what is queued.
EXIT_FLUSH_SECONDS = 5.0


class BackgroundWriter(Generic[Job]):
    """Hands jobs to ``write`` in batches, on a background thread.

    The thread wakes once per batch rather than once per job: the first job waits up to
    ``gather`` seconds for others, then all that are waiting (up to ``batch_size``) are written
    together. Besides costing less, that keeps the thread out of the requests' way while they
    are being answered.

    :meth:`submit` never blocks: when ``maxsize`` jobs are waiting the new one is dropped and
    the drop logged. A batch whose write fails is tried ``tries`` times in all; then each of its
    jobs is tried once alone, so that one bad job cannot take the others with it, and what still
    fails is dropped and logged. Nothing is ever raised to the caller.
    """

    def __init__(
        self,
        write: Callable[[Sequence[Job]], None],
        *,
        maxsize: int,
        describe: Callable[[Job], str] = repr,
        tries: int = 3,
        backoff: float = 0.25,
        gather: float = GATHER_SECONDS,
        batch_size: int = BATCH_SIZE,
        name: str = "call-records",
    ) -> None:
        self._write = write
        self._describe = describe
        self._maxsize = maxsize
        self._tries = tries
        self._backoff = backoff
        self._gather = gather
        self._batch_size = batch_size
        self._name = name
        self._dropped = 0
        self._dropped_logged_at = 0.0
        self._start()
        atexit.register(_flush_at_exit, weakref.ref(self))

    def _start(self) -> None:
        # Also after a fork: the child gets a fresh queue and starts its own thread.
        self._pid = os.getpid()
        self._queue: queue.Queue[Job] = queue.Queue(maxsize=self._maxsize)
        self._lock = threading.Lock()
        self._hurry = threading.Event()
        self._thread: threading.Thread | None = None
        # Jobs are written in the order they were queued, so a flush waits for a count, not an empty queue.
        self._queued = 0
        self._finished = 0
        self._progress = threading.Condition()

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
            self._queued += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        return True

    def flush(self, timeout: float) -> bool:
        """Write what is queued now without waiting for more, and wait until it is written or dropped,
        at most ``timeout`` seconds. Jobs queued meanwhile are not waited for."""
        if os.getpid() != self._pid:
            self._start()
        with self._lock:
            target = self._queued
        self._hurry.set()
        with self._progress:
            return self._progress.wait_for(lambda: self._finished >= target, timeout)

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            self._hurry.wait(self._gather)
            self._hurry.clear()  # a flush from now on hurries the next batch
            batch = [first, *self._take(self._batch_size - 1)]
            try:
                self._write_batch(batch)
            finally:
                with self._progress:
                    self._finished += len(batch)
                    self._progress.notify_all()

    def _take(self, most: int) -> list[Job]:
        jobs: list[Job] = []
        while len(jobs) < most:
            try:
                jobs.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return jobs

    def _write_batch(self, batch: list[Job]) -> None:
        error = self._try(batch, self._tries)
        if error is None:
            return
        if len(batch) == 1:
            self._log_dropped(batch[0], self._tries, error)
            return
        logger.warning("Writing %d records together failed %d times (%s); writing each alone",
                       len(batch), self._tries, type(error).__name__)
        for job in batch:
            error = self._try([job], 1)
            if error is not None:
                self._log_dropped(job, self._tries + 1, error)

    def _try(self, jobs: list[Job], tries: int) -> Exception | None:
        """Write ``jobs`` together, up to ``tries`` times; the last error if every try failed."""
        for attempt in range(1, tries + 1):
            try:
                self._write(jobs)
                return None
            except Exception as error:
                if attempt == tries:
                    return error
                logger.debug("Writing %d records failed (%s); trying again", len(jobs), error)
                time.sleep(self._backoff * 2 ** (attempt - 1))
        return None

    def _log_dropped(self, job: Job, tries: int, error: Exception) -> None:
        logger.error("Dropped %s after %d failed tries: %s: %s", self._describe(job), tries,
                     type(error).__name__, error)

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


def _flush_at_exit(reference: weakref.ref[BackgroundWriter[Any]]) -> None:
    writer = reference()
    if writer is not None and not writer.flush(EXIT_FLUSH_SECONDS):
        logger.error("The process ended with %d records not yet written", writer.waiting)
