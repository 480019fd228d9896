"""The line as versions in the database, through `ivr serve` as shipped (two workers) and a second server
sharing the database: a version published with `ivr line publish` is heard in signed webhook calls on every
worker of both, and so is a rollback; on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ivr.config import DEFAULT_LINE_FILE
from tests.calls import Caller, transcripts_over_http
from tests.conftest import TOKEN
from tests.delivery import sid
from tests.served import HttpClient, Served, ivr_servers
from tests.test_commands import ivr

pytestmark = pytest.mark.slow

OLD = "It should go down within one to two days."
NEW = "It should go down within two days at most."
#: Enough calls on each server that both its workers answer some.
CALLS = 8
#: Generous: the target, 5 s, is measured in bench/ and docs/benchmarks.md; this only says "it came".
PATIENCE = 20.0


def _changed_line(folder: Path) -> Path:
    text = DEFAULT_LINE_FILE.read_text(encoding="utf-8")
    changed = text.replace("within one to two days.", "within two days at most.")
    assert changed != text
    path = folder / "changed.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


def _how_long_swelling_lasts(served: Served, n: int) -> str:
    """A call that presses 2 (swelling) then 1 (how long it lasts): what it hears."""
    caller = Caller(HttpClient(served.base), TOKEN, base=served.base, sid=sid(n))  # type: ignore[arg-type]
    caller.dial_in()
    caller.press("2")
    return caller.press("1").heard_with(transcripts_over_http)  # a changed answer is rendered before publishing


def _heard_everywhere(servers: list[Served], sentence: str, first: int) -> float:
    """Seconds until :data:`CALLS` calls in a row on each server all hear ``sentence``."""
    started = time.monotonic()
    calls = first
    while True:
        heard = []
        for served in servers:
            for _ in range(CALLS):
                calls += 1
                heard.append(sentence in _how_long_swelling_lasts(served, calls))
        if all(heard):
            return time.monotonic() - started
        assert time.monotonic() - started < PATIENCE, f"{sentence!r} not heard everywhere after {PATIENCE} s"


def test_a_published_version_and_a_rollback_are_heard_on_every_worker_of_every_server(
    tmp_path: Path, database_url: str
) -> None:
    env = {"IVR_DATABASE_URL": database_url}
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    with ivr_servers([(one, one / "server.log"), (two, two / "server.log")], IVR_DATABASE_URL=database_url) as servers:
        _heard_everywhere(servers, OLD, 0)

        published = ivr("line", "publish", str(_changed_line(tmp_path)), "--note", "Shorter, as the nurse asked",
                        env=env)
        assert published.status == 0, published.err
        assert "as version 2" in published.out
        print(f"\npublish heard on every worker of both servers in {_heard_everywhere(servers, NEW, 1000):.2f} s")

        rolled_back = ivr("line", "rollback", "1", env=env)
        assert rolled_back.status == 0, rolled_back.err
        print(f"rollback heard on every worker of both servers in {_heard_everywhere(servers, OLD, 2000):.2f} s")

    history = ivr("line", "history", env=env)
    lines = history.out.splitlines()
    assert lines[0] == "Botox swelling and inflammation: 3 versions, the newest answering"
    assert [line.split()[0] for line in lines[1:]] == ["3", "2", "1"]
    assert lines[1].endswith("Back to version 1 (version 1 again)")
    assert lines[2].endswith("Shorter, as the nurse asked")
    assert "The first version, from the line file" in lines[3]
    exported = ivr("line", "export", "1", env=env)
    assert exported.out == DEFAULT_LINE_FILE.read_text(encoding="utf-8")
