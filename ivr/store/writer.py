"""A bounded queue and one background thread per process, so no call ever waits for the database."""

from __future__ import annotations

import atexit
import logging
import math
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
#: While jobs are being dropped because the queue is full, say how many at least this often.
DROP_LOG_SECONDS = 10.0
#: After the first job arrives, wait this long for others to write with it (unless someone flushes).
GATHER_SECONDS = 0.05
#: The most jobs written together.
BATCH_SIZE = 500
#: When the process ends (a server restarting its workers, say), wait this long at most for what is queued.
EXIT_FLUSH_SECONDS = 5.0


class DropLog:
    """Counts dropped jobs and says so in the log, so that none is lost in silence.

    Every dropped job is in exactly one line beginning "<what>: dropped N record(s)". Drops from a
    failed write are logged at once, one line per write. Drops because the queue is full come many
    at a time: the first is logged at once, the rest in a summary at most ``interval`` seconds
    later (a timer writes it even if no further job comes), and what is left at exit.
    """

    def __init__(self, what: str, interval: float | None = None) -> None:
        self._what = what
        self._interval = DROP_LOG_SECONDS if interval is None else interval
        self._lock = threading.Lock()
        self._unreported = 0
        self._reported_at = -math.inf
        self._timer: threading.Timer | None = None
        self.total = 0

    def queue_full(self, waiting: int) -> None:
        """One job was dropped because ``waiting`` jobs fill the queue."""
        with self._lock:
            self.total += 1
            self._unreported += 1
            if time.monotonic() - self._reported_at >= self._interval:
                self._report(f"because the queue is full ({waiting} waiting): the database is slow or unreachable")
            elif self._timer is None:
                delay = max(0.0, self._reported_at + self._interval - time.monotonic())
                self._timer = threading.Timer(delay, self._report_later, args=(waiting,))
                self._timer.daemon = True
                self._timer.start()

    def failed(self, count: int, reason: str, level: int = logging.ERROR) -> None:
        """``count`` jobs were dropped because writing them failed for ``reason``."""
        with self._lock:
            self.total += count
        logger.log(level, "%s: dropped %d %s %s", self._what, count, _records(count), reason)

    def at_exit(self, still_queued: int) -> None:
        """The process ends: report what the last summary has not, and what could not be written in time."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._unreported:
                self._report("because the queue was full")
            if still_queued:
                self.total += still_queued
                logger.error("%s: dropped %d %s still queued when the process ended", self._what, still_queued,
                             _records(still_queued))
            if self.total:
                logger.warning("%s: %d in all were dropped while this process ran", self._what, self.total)

    def _report_later(self, waiting: int) -> None:
        with self._lock:
            self._timer = None
            if self._unreported:
                self._report(f"in the last {self._interval:.0f} s because the queue was full ({waiting} waiting)")

    def _report(self, reason: str) -> None:
        """Log the drops not yet logged (the caller holds the lock)."""
        count, self._unreported = self._unreported, 0
        self._reported_at = time.monotonic()
        logger.warning("%s: dropped %d %s %s", self._what, count, _records(count), reason)


class BackgroundWriter(Generic[Job]):
    """Hands jobs to ``write`` in batches, on a background thread.

    The thread wakes once per batch rather than once per job: the first job waits up to
    ``gather`` seconds for others, then all that are waiting (up to ``batch_size``) are written
    together. Besides costing less, that keeps the thread out of the requests' way while they
    are being answered.

    :meth:`submit` never blocks: when ``maxsize`` jobs are waiting the new one is dropped. A batch
    whose write fails is tried ``tries`` times in all. If the last error is one that ``retryable``
    says another moment may mend (the database unreachable or locked), the batch is dropped;
    otherwise the data was refused, so each job is tried alone, and only the ones refused are
    dropped. Every drop is counted and logged (:class:`DropLog`); nothing is raised to the caller.
    """

    def __init__(
        self,
        write: Callable[[Sequence[Job]], None],
        *,
        maxsize: int,
        describe: Callable[[Job], str] = repr,
        retryable: Callable[[Exception], bool] = lambda error: isinstance(error, (OSError, TimeoutError)),
        tries: int = 3,
        backoff: float = 0.25,
        gather: float = GATHER_SECONDS,
        batch_size: int = BATCH_SIZE,
        name: str = "call-records",
        what: str = "Call records",
    ) -> None:
        self._write = write
        self._describe = describe
        self._retryable = retryable
        self._maxsize = maxsize
        self._tries = tries
        self._backoff = backoff
        self._gather = gather
        self._batch_size = batch_size
        self._name = name
        self._what = what
        self._start()
        atexit.register(_flush_at_exit, weakref.ref(self))

    def _start(self) -> None:
        # Also after a fork: the child gets a fresh queue, its own counts and its own thread.
        self._pid = os.getpid()
        self._queue: queue.Queue[Job] = queue.Queue(maxsize=self._maxsize)
        self._lock = threading.Lock()
        self._hurry = threading.Event()
        self._thread: threading.Thread | None = None
        # Jobs are written in the order they were queued, so a flush waits for a count, not an empty queue.
        self._queued = 0
        self._finished = 0
        self._progress = threading.Condition()
        self.drops = DropLog(self._what)
        #: Whether the last batch could not be written (reported by /healthz).
        self.failing = False

    def submit(self, job: Job) -> bool:
        """Queue ``job``; False if it was dropped because the queue is full."""
        if os.getpid() != self._pid:
            self._start()
        with self._lock:
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                self.drops.queue_full(self._maxsize)
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
        """Jobs queued and not yet written or dropped (the batch being written included)."""
        with self._lock:
            return self._queued - self._finished

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
                with self._progress, self._lock:
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
        self.failing = error is not None and self._retryable(error)
        if error is None:
            return
        if self._retryable(error):
            self.drops.failed(len(batch), f"after {self._tries} failed tries ({_summary(error)})")
            return
        if len(batch) > 1:
            logger.warning("%s: the database refused %d records written together (%s); writing each alone",
                           self._what, len(batch), _summary(error))
        for job in batch:
            error = self._try([job], 1) if len(batch) > 1 else error
            if error is not None:
                self.drops.failed(1, f"({self._describe(job)}) that the database refused: {_summary(error)}")

    def _try(self, jobs: list[Job], tries: int) -> Exception | None:
        """Write ``jobs`` together, up to ``tries`` times; the last error if every try failed."""
        for attempt in range(1, tries + 1):
            try:
                self._write(jobs)
                return None
            except Exception as error:
                if attempt == tries or not self._retryable(error):
                    return error
                logger.debug("Writing %d records failed (%s); trying again", len(jobs), error)
                time.sleep(self._backoff * 2 ** (attempt - 1))
        return None


def _records(count: int) -> str:
    return "record" if count == 1 else "records"


def _summary(error: Exception) -> str:
    """The error's type and first line: SQLAlchemy's messages go on with the statement's text."""
    first = (str(error).strip().splitlines() or [""])[0][:300]
    return f"{type(error).__name__}: {first}"


def _flush_at_exit(reference: weakref.ref[BackgroundWriter[Any]]) -> None:
    writer = reference()
    if writer is None or writer._pid != os.getpid():
        return
    writer.flush(EXIT_FLUSH_SECONDS)
    writer.drops.at_exit(writer.waiting)
