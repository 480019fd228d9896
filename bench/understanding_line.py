"""The line's understanding by meaning, as served (issue 19): a spoken turn's time, and the server's memory.

Turns: every held-out utterance of both corpora said at the Botox line's main menu through the call flow, in
this process, the model loaded first as ``ivr serve`` loads it; wall clock and the thread's CPU time of each turn
(the recogniser's words to the turn decided)::

    .venv/bin/python -m bench.understanding_line turns

Memory: ``ivr serve`` with its default two workers on a free port (development mode, a throwaway instance
folder), a spoken turn sent to it over a new connection twenty times, then PSS (a shared page counted once) and
RSS (counted in each process), and of it the pages a process holds alone and those it shares, of gunicorn's parent
and workers from ``/proc/<pid>/smaps_rollup``::

    .venv/bin/python -m bench.understanding_line memory

Changed: the Botox line with one label edited, as a clinic saves it, its call flow built again three times (each
time a new label), the model and the language packs' examples' vectors already kept, as in a serving process::

    .venv/bin/python -m bench.understanding_line changed
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from ivr.call.flow import CallFlow, CallState
from ivr.call.meaning import preload
from ivr.call.meaning.kept import default_folder
from ivr.config import DEFAULT_LINE_FILE, PROJECT_ROOT
from ivr.line.validate import load_line
from tests.understanding_corpus import LANGUAGES, half
from tests.understanding_corpus.measure import NOW


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def turns() -> None:
    started = time.perf_counter()
    preload()
    print(f"model loaded: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    flow = CallFlow(load_line(DEFAULT_LINE_FILE).line)
    print(f"line's call flow built (both languages' examples embedded, or read from {default_folder()}): "
          f"{time.perf_counter() - started:.1f} s")
    walls: list[float] = []
    cpus: list[float] = []
    for language in LANGUAGES:
        state = CallState(node=flow.line.start, language=language if language != flow.languages[0] else "")
        for utterance in half(language, "heldout"):
            wall, cpu = time.perf_counter(), time.thread_time()
            flow.respond(state, "", utterance.text, NOW)
            cpus.append((time.thread_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
    for name, values in (("wall", walls), ("CPU", cpus)):
        print(f"{len(values)} spoken turns, {name}: p50 {_percentile(values, 0.5):.1f} ms, "
              f"p99 {_percentile(values, 0.99):.1f} ms, max {max(values):.1f} ms")


def changed() -> None:
    preload()
    text = DEFAULT_LINE_FILE.read_text(encoding="utf-8")
    CallFlow(load_line(DEFAULT_LINE_FILE).line)
    with tempfile.TemporaryDirectory() as folder:
        for edit in range(1, 4):
            line_file = Path(folder) / f"line-{edit}.yaml"
            label = f"Botox and your body {uuid.uuid4().hex[:8]}"  # new, so its vectors are not kept yet
            line_file.write_text(text.replace("Botox and your body", label), encoding="utf-8")
            started = time.perf_counter()
            CallFlow(load_line(line_file).line)
            print(f"line changed ({edit}): call flow built in {time.perf_counter() - started:.1f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rollup(pid: int) -> dict[str, float]:
    """A process's RSS, PSS, and pages it holds alone (Private) or shares with another (Shared), in MB."""
    found = {"Private": 0.0, "Shared": 0.0}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        name = parts[0].rstrip(":")
        if name in ("Rss", "Pss"):
            found[name] = int(parts[1]) / 1024
        elif name.startswith(("Private_", "Shared_")):
            found[name.split("_")[0]] += int(parts[1]) / 1024
    return found


def memory() -> None:
    port = _free_port()
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "IVR_INSTANCE_PATH": instance, "IVR_DATABASE_URL": f"sqlite:///{instance}/calls.db"}
        server = subprocess.Popen([sys.executable, "-m", "ivr", "serve", "--port", str(port), "--dev"], env=env,
                                  cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.5)
            for number in range(20):
                form = urllib.parse.urlencode({"CallSid": f"CA{number:032d}", "SpeechResult": "my eyes went blurry",
                                               "From": "+15555550100", "To": "+12025550143"}).encode()
                urllib.request.urlopen(f"{base}/voice/respond?node=main&tries=0&rate=150", form, timeout=30).read()
            workers = [int(pid) for pid in
                       Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
            total = {"Pss": 0.0, "Rss": 0.0}
            for pid in [server.pid, *workers]:
                rollup = _rollup(pid)
                print(f"{'parent' if pid == server.pid else 'worker'} {pid}: PSS {rollup['Pss']:.0f} MB, "
                      f"RSS {rollup['Rss']:.0f} MB (private {rollup['Private']:.0f}, shared {rollup['Shared']:.0f})")
                for key in total:
                    total[key] += rollup[key]
            print(f"server ({len(workers)} workers): PSS {total['Pss']:.0f} MB, RSS summed {total['Rss']:.0f} MB")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    {"turns": turns, "memory": memory, "changed": changed}[sys.argv[1] if len(sys.argv) > 1 else "turns"]()
