"""What the webhooks talk to: hand over a record and go on with the call."""

from __future__ import annotations

from typing import Protocol

from ivr.store.callers import CallerHasher
from ivr.store.fitting import fitted
from ivr.store.records import CallEnd, TurnRecord
from ivr.store.store import Store, unavailable
from ivr.store.writer import BackgroundWriter


class Recorder(Protocol):
    """Keeps call records. No method blocks for long or raises into a call."""

    def caller_hash(self, number: str) -> str | None: ...

    def turn(self, record: TurnRecord) -> None: ...

    def call_ended(self, record: CallEnd) -> None: ...

    def flush(self, timeout: float) -> bool: ...


class NullRecorder:
    """Keeps nothing: for an app built without call records."""

    def caller_hash(self, number: str) -> str | None:
        return None

    def turn(self, record: TurnRecord) -> None:
        pass

    def call_ended(self, record: CallEnd) -> None:
        pass

    def flush(self, timeout: float) -> bool:
        return True


class StoreRecorder:
    """Writes records to a :class:`Store` from a background thread, dropping them rather than waiting.

    Each record is first fitted to its columns, so that no value of one request can fail the
    batch it is written with; every record dropped is counted in the log.
    """

    def __init__(self, store: Store, hasher: CallerHasher, *, queue_size: int) -> None:
        self.store = store
        self._hasher = hasher
        self.writer: BackgroundWriter[TurnRecord | CallEnd] = BackgroundWriter(
            store.write, maxsize=queue_size, describe=_describe, retryable=unavailable
        )

    def caller_hash(self, number: str) -> str | None:
        return self._hasher(number)

    def turn(self, record: TurnRecord) -> None:
        self.writer.submit(fitted(record))

    def call_ended(self, record: CallEnd) -> None:
        self.writer.submit(fitted(record))

    def flush(self, timeout: float) -> bool:
        return self.writer.flush(timeout)


def _describe(record: TurnRecord | CallEnd) -> str:
    """A record as a log may show it: the call and what happened, never a number or words."""
    if isinstance(record, TurnRecord):
        return f"the record of call {record.call_sid}'s turn {record.kind!r} at {record.node!r}"
    return f"the record of call {record.call_sid}'s end ({record.status})"
