"""The text line on `ivr serve` with its default workers, a new connection for every message: a texter's
place, their STOP and its expiry hold whichever worker answers. Its database and log are in the stress
folder, which the suite's last test searches for the texter's number."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.calls import CALLER
from tests.conftest import TOKEN
from tests.served import HttpClient, ivr_serve
from tests.texts import Texter, kept_hashes

EMERGENCY = "If you have trouble breathing, swallowing or speaking"


def _pids(log: str) -> set[str]:
    return set(re.findall(r"Booting worker with pid: (\d+)", log))


def test_a_conversation_goes_on_and_stop_holds_on_every_worker(stress_dir: Path) -> None:
    folder = stress_dir / "text-served"
    folder.mkdir()
    database = folder / "texts.sqlite3"
    with ivr_serve(folder, folder / "server.log", IVR_DATABASE_URL=f"sqlite:///{database}") as served:
        assert len(_pids(served.log_text())) == 2
        texter = Texter(HttpClient(served.base), TOKEN, base=served.base)
        assert texter.text("hello").startswith(EMERGENCY)
        # Each message on a new connection: the place is the database's, not a worker's.
        for _ in range(3):
            assert "Swelling and reactions." in texter.text("2")
            assert "should go down within one to two days" in texter.text("1")
            assert "Main menu." in texter.text("menu")
        assert "tengo" not in texter.text("ESPAÑOL")
        assert "Hinchazón y reacciones." in texter.text("2")
        assert texter.send("STOP") == []
        for body in ["hello", "2", "I can't breathe", "HELP"] * 3:
            assert texter.send(body) == [], "a stopped number is never written to, on any worker"
        assert texter.text("START").startswith(EMERGENCY)
        assert "Swelling and reactions." in texter.text("2")
        log = served.log_text()

    assert CALLER not in log and CALLER[1:] not in log
    places = kept_hashes(database, "text_conversations")
    assert len(places) == 1 and len(places[0]) == 64


def test_an_expired_conversation_starts_again_on_every_worker(stress_dir: Path) -> None:
    folder = stress_dir / "text-expiry"
    folder.mkdir()
    with ivr_serve(folder, folder / "server.log", IVR_DATABASE_URL=f"sqlite:///{folder / 'texts.sqlite3'}",
                   IVR_TEXT_CONVERSATION_HOURS=str(1.5 / 3600)) as served:
        texter = Texter(HttpClient(served.base), TOKEN, base=served.base)
        texter.send("hello")
        assert "Swelling and reactions." in texter.text("2")
        time.sleep(2.0)
        for _ in range(2):  # each worker sees the conversation over
            reply = texter.text("1")
            assert reply.removeprefix("(1/2) ").startswith(EMERGENCY), "first, in the first part if the reply is cut"
            assert "Please choose the symptom that fits best." in reply
            time.sleep(2.0)
