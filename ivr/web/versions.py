"""The line's versions kept in the call records' database, for :class:`ivr.call.VersionedLine`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask

from ivr.call import LiveLine, VersionedLine
from ivr.line.validate import LoadedLine, load_line_text
from ivr.store import Store
from ivr.store.versions import ROLLED_BACK, Version, newest_number, publish, publish_file, version
from ivr.web.services import Services, utc_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreVersions:
    """The versions of the line named ``line`` in ``store``."""

    store: Store
    line: str

    def newest(self) -> int | None:
        return newest_number(self.store, self.line)

    def text(self, number: int) -> str | None:
        found = version(self.store, self.line, number)
        return found.text if found else None

    def offer_file(self, loaded: LoadedLine, text: str) -> int | None:
        first = self.newest() is None
        published = publish_file(
            self.store, self.line, text, loaded.digest, by=f"the line file {loaded.path}",
            note="The first version, from the line file" if first else "The line file changed", now=utc_now(),
        )
        return published.number if published else None


def init_app(app: Flask) -> None:
    """Answer with the line's newest published version, when call records are kept (LINE_VERSIONS)."""
    store: Store | None = app.extensions.get("ivr.store")
    if not app.config["LINE_VERSIONS"]:
        return
    if store is None:
        logger.warning("The line is answered from its file alone: its versions are kept in the call records' "
                       "database, which this server has not got")
        return
    services: Services = app.extensions["ivr"]
    if not isinstance(services.line, LiveLine):
        return
    name = services.line.current_here().loaded.line.name
    services.line = VersionedLine(services.line, StoreVersions(store, name))
    # Keep no connection from start-up, as the store's migration does: `ivr serve` builds an app once before
    # its workers, and a connection it kept would hold a SQLite file's WAL open after the file was deleted.
    store.engine.dispose()


class NotPublished(ValueError):
    """A version that cannot be published; the message says why."""


def publish_text(store: Store, raw: bytes, *, name: str, by: str, note: str) -> Version:
    """Check a line file's bytes as ``ivr validate`` does and publish them as the newest version of their line.

    Raises :class:`LineInvalid` for a line with errors (it is never published), NotPublished without a note.
    """
    if not note.strip():
        raise NotPublished("say why, in a note: every version is kept with who published it, when and why")
    loaded = load_line_text(raw, name)
    return publish(store, loaded.line.name, raw.decode("utf-8"), loaded.digest, by=by, note=note.strip(),
                   now=utc_now())


def roll_back(store: Store, line: str, number: int, *, by: str, note: str) -> Version:
    """Publish version ``number`` of ``line`` again, as its newest; it is checked again first (raises
    :class:`LineInvalid` if this version of the code refuses it)."""
    found = version(store, line, number)
    if found is None:
        raise NotPublished(f"the line {line!r} has no version {number}")
    newest = newest_number(store, line)
    if newest == number:
        raise NotPublished(f"version {number} is the one answering already")
    loaded = load_line_text(found.text.encode("utf-8"), f"version {number}")
    return publish(store, line, found.text, loaded.digest, by=by, note=note.strip() or f"Back to version {number}",
                   now=utc_now(), source=ROLLED_BACK, again_of=number)
