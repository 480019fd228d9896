"""`/healthz`, for load balancers and monitors: is this server answering, with which line, and are its
records being written. Nothing about calls, and nothing secret: anyone who can reach it may read it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ivr.store.recorder import StoreRecorder
from ivr.web.services import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 while this worker answers calls; ``status`` says "degraded" when the line file is broken (the
    last good version answers) or records are not being written (calls are answered all the same)."""
    active = services().line.current()
    recorder = services().recorder
    records: dict[str, object] = {"on": isinstance(recorder, StoreRecorder)}
    if isinstance(recorder, StoreRecorder):
        writer = recorder.writer
        records.update(writing=not writer.failing, waiting=writer.waiting, dropped=writer.drops.total)
    line = {"version": active.version, "published": active.published, "last_good": active.not_the_file is not None}
    degraded = line["last_good"] or records.get("writing") is False
    response = jsonify(status="degraded" if degraded else "ok", line=line, records=records)
    response.headers["Cache-Control"] = "no-store"
    return response
