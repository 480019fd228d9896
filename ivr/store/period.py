"""A period of days in the clinic's time zone: what the figures and exports cover."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """Days from ``first`` to ``last``, both included, in the clinic's time zone."""

    first: dt.date
    last: dt.date
    zone: dt.tzinfo

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), self.zone)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), self.zone)

    @property
    def length(self) -> int:
        """How many days it covers."""
        return (self.last - self.first).days + 1

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range(self.length)]

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.first - dt.timedelta(days=self.length), self.first - dt.timedelta(days=1), self.zone)
