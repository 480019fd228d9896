"""Rendering a line's prompts to telephone audio with pyttsx3. The only module that imports pyttsx3.

pyttsx3 2.99 with espeak-ng has pitfalls this module works around:

- two engines in threads of one process crash it, so rendering runs in worker
  processes, forked from a fork server that has imported this module but started no
  engine, one engine each, and nothing here uses threads;
- an engine's output depends on what it rendered before, so each process renders one
  prompt and ends: a fresh engine renders the same text the same way every time;
- ``runAndWait()`` can return before the file is written, so each file is waited
  for until the engine says it finished and the WAV is whole;
- only the last ``save_to_file`` before a ``runAndWait`` is written, so there is
  exactly one of each per prompt;
- ``setProperty`` applies only at the next ``runAndWait``, so voice, rate and volume
  are set again before every prompt, in the same run as the prompt;
- an unknown voice name is silently ignored, so the voice is checked against the
  engine's voices (and its variant against what the engine then uses) before rendering;
- ``runAndWait`` cancels whatever espeak-ng still has queued, such as the rate just set,
  so each prompt waits until espeak-ng is idle (see ``_Engine._wait_until_idle``);
- after ``save_to_file``, ``say`` writes to that file instead of speaking, so the file
  name is cleared after each rendering.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pyttsx3
import soundfile

try:  # the espeak-ng driver's library binding, to know when espeak-ng is idle (Linux)
    from pyttsx3.drivers import _espeak
except (ImportError, OSError):
    _espeak = None

from ivr.call.script import all_prompts
from ivr.line.model import Line, Voice
from ivr.speech.catalog import AudioCatalog, store_rendered
from ivr.speech.naming import audio_name
from ivr.speech.telephone import IncompleteAudio, to_telephone, wait_until_complete, write_telephone_wav


class RenderError(RuntimeError):
    """Rendering could not be done."""


class EngineUnavailable(RenderError):
    """The speech engine does not start on this machine (is espeak-ng installed?)."""


class UnknownVoice(RenderError):
    """The line names a voice the speech engine does not have."""

    def __init__(self, name: str, suggestions: tuple[str, ...] = (), detail: str = "") -> None:
        super().__init__(name, suggestions, detail)
        self.name = name
        self.suggestions = suggestions
        self.detail = detail

    def __str__(self) -> str:
        message = f"the speech engine has no voice {self.name!r}"
        if self.detail:
            message += f" ({self.detail})"
        if self.suggestions:
            message += "; close matches: " + ", ".join(self.suggestions)
        return message + ". `espeak-ng --voices` lists the voices, `espeak-ng --voices=variant` the variants."


class PromptFailed(RenderError):
    """One prompt could not be rendered."""


@dataclass(frozen=True)
class Job:
    """One prompt at one rate, to be rendered into ``directory`` as ``name``."""

    text: str
    rate: int
    voice_name: str
    volume: float
    name: str
    directory: str


@dataclass(frozen=True)
class Failure:
    text: str
    rate: int
    reason: str


@dataclass(frozen=True)
class RenderPlan:
    """What rendering a line needs: the prompts whose audio is missing, and how many are there already."""

    voice: Voice
    directory: Path
    jobs: tuple[Job, ...]
    reused: int


@dataclass(frozen=True)
class RenderReport:
    rendered: int
    reused: int
    failed: tuple[Failure, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.failed


def plan_line(line: Line, audio_dir: str | Path, rates: Iterable[int] | None = None) -> RenderPlan:
    """Every text a caller can hear on ``line`` at each of its rates, less what is rendered already."""
    directory = Path(audio_dir)
    voice = line.voice
    existing = AudioCatalog(directory).names()
    jobs: list[Job] = []
    reused = 0
    for text in all_prompts(line):
        for rate in rates or voice.rates:
            name = audio_name(text, voice.name, rate, voice.volume)
            if name in existing:
                reused += 1
            else:
                jobs.append(Job(text, rate, voice.name, voice.volume, name, str(directory)))
    return RenderPlan(voice, directory, tuple(jobs), reused)


def render_plan(
    plan: RenderPlan, progress: Callable[[int], None] | None = None, workers: int | None = None
) -> RenderReport:
    """Render a plan's prompts in worker processes (one per core); ``progress(n)`` after each n done.

    Raises :class:`UnknownVoice` or :class:`EngineUnavailable` before writing anything when the
    voice or the engine is wrong; a prompt that fails on its own is reported, not raised.
    """
    if not plan.jobs:
        return RenderReport(rendered=0, reused=plan.reused)
    plan.directory.mkdir(parents=True, exist_ok=True)
    count = max(1, min(workers or os.cpu_count() or 1, len(plan.jobs)))
    failures: list[Failure] = []
    rendered = 0
    # One prompt per process: an engine's output depends on what it rendered before (the same text
    # came out up to 80 ms longer or shorter), so a prompt would sound different depending on which
    # worker took it after which other prompt. A fork server that has imported this module starts
    # each process in a fraction of the time a spawned one takes to import it.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker, max_tasks_per_child=1) as pool:
        try:
            pool.submit(_check_voice, plan.voice.name).result()
        except BrokenProcessPool as broken:
            raise EngineUnavailable(f"the rendering processes stopped: {broken}") from None
        futures: dict[Future[None], Job] = {pool.submit(_render, job): job for job in plan.jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                future.result()
                rendered += 1
            except Exception as error:
                failures.append(Failure(job.text, job.rate, f"{type(error).__name__}: {error}"))
            if progress is not None:
                progress(1)
    return RenderReport(rendered=rendered, reused=plan.reused, failed=tuple(failures))


def render_line(
    line: Line, audio_dir: str | Path, progress: Callable[[int], None] | None = None
) -> RenderReport:
    """Render every prompt of ``line`` at each of its rates into ``audio_dir``, skipping those already there."""
    return render_plan(plan_line(line, audio_dir), progress)


def speaker(voice: Voice, rate: int | None = None) -> Callable[[str], None]:
    """A function that reads a text aloud through this computer's sound output and returns when done.

    The engine lives in the calling process: call the function from one thread only.
    """
    if sys.platform.startswith("linux") and shutil.which("aplay") is None:
        raise EngineUnavailable("pyttsx3 plays speech with aplay, which is not installed (Debian: alsa-utils)")
    engine = _Engine()
    engine.use_voice(voice.name)
    chosen = rate or voice.default_rate

    def speak(text: str) -> None:
        engine.say(text, voice.name, chosen, voice.volume)

    return speak


# -- inside a worker process ------------------------------------------------------------

_worker: _Engine | None = None
_startup_error = ""


def _start_worker() -> None:
    """Process pool initializer: this process's one engine."""
    global _worker, _startup_error
    try:
        _worker = _Engine()
    except Exception as error:  # reported with each job, where the caller sees it
        _startup_error = f"{type(error).__name__}: {error}"


def _engine() -> _Engine:
    if _worker is None:
        raise EngineUnavailable(f"the speech engine did not start: {_startup_error} (is espeak-ng installed?)")
    return _worker


def _check_voice(voice_name: str) -> None:
    _engine().use_voice(voice_name)


def _render(job: Job) -> None:
    _engine().render(job)


class _Engine:
    """The one pyttsx3 engine of this process, used from one thread."""

    def __init__(self) -> None:
        try:
            self.engine = pyttsx3.init()
        except Exception as error:
            raise EngineUnavailable(f"pyttsx3 could not start its engine: {error} (is espeak-ng installed?)") from None
        self._finished = threading.Event()
        self._errors: list[str] = []
        self.engine.connect("finished-utterance", self._on_finished)
        self.engine.connect("error", self._on_error)
        self._voices = list(self.engine.getProperty("voices"))
        #: Voice names a line may use, checked, and the names the engine takes for them.
        self._resolved: dict[str, str] = {}
        self._stalled = ""
        self._scratch = tempfile.TemporaryDirectory(prefix="ivr-render-")

    def _on_finished(self, **_: object) -> None:
        self._finished.set()

    def _on_error(self, exception: BaseException | None = None, **_: object) -> None:
        self._errors.append(str(exception))

    def use_voice(self, name: str) -> None:
        """Fail with :class:`UnknownVoice` unless the engine really speaks with voice ``name``.

        ``name`` is a voice's id ("gmw/en-us"), its file name ("en-us"), its name
        ("English (America)") or a language it speaks ("en-gb"), and may add an espeak-ng
        variant ("en-us+m3").
        """
        if name in self._resolved:
            return
        base, plus, variant = name.partition("+")
        engine_name = _engine_voice_name(self._voices, base)
        if engine_name is None:
            labels = sorted({label for voice in self._voices for label in _labels(voice)})
            raise UnknownVoice(name, tuple(difflib.get_close_matches(base.lower(), labels, n=5)))
        self._resolved[name] = engine_name + plus + variant
        probe = Path(self._scratch.name) / "probe.wav"
        try:
            self._synthesize("Test.", probe, name, 175, 1.0)
        except PromptFailed as error:
            del self._resolved[name]
            if "SetVoiceByName" not in str(error):
                raise
            raise UnknownVoice(name, detail=str(error)) from None
        current = str(self.engine.getProperty("voice") or "").lower()
        if variant and not current.endswith("+" + variant.lower()):
            del self._resolved[name]
            raise UnknownVoice(name, detail=f"the engine has no variant {variant!r} and would use {current!r}")

    def render(self, job: Job) -> None:
        """Render one prompt into its directory: the transcript, then the audio, each written whole."""
        self.use_voice(job.voice_name)
        raw = Path(self._scratch.name) / f"{job.name}.wav"
        self._synthesize(job.text, raw, job.voice_name, job.rate, job.volume)
        samples, rate = soundfile.read(raw, dtype="float32")
        raw.unlink()
        if samples.size == 0:
            raise PromptFailed(f"the speech engine produced no audio for {job.text[:60]!r}")
        telephone = to_telephone(samples, rate)
        store_rendered(Path(job.directory), job.name, job.text, lambda path: write_telephone_wav(path, telephone))

    def say(self, text: str, voice_name: str, rate: int, volume: float) -> None:
        """Speak through the sound output; returns when the engine has finished."""
        self._run(voice_name, rate, volume, lambda: self.engine.say(text), _timeout(text, rate, playing=True))

    def _synthesize(self, text: str, path: Path, voice_name: str, rate: int, volume: float) -> None:
        path.unlink(missing_ok=True)
        timeout = _timeout(text, rate)
        # The espeak driver prints "Audio saved to ..." from its own thread: keep it off our output.
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self._run(voice_name, rate, volume, lambda: self.engine.save_to_file(text, str(path)), timeout)
        finally:
            # The espeak driver keeps the file name: a later say() would write there instead of speaking.
            driver = getattr(getattr(self.engine, "proxy", None), "_driver", None)
            if getattr(driver, "_save_file", None) is not None:
                driver._save_file = None  # type: ignore[union-attr]
        try:
            wait_until_complete(path, timeout)
        except IncompleteAudio as error:
            raise PromptFailed(str(error)) from None

    def _run(self, voice_name: str, rate: int, volume: float, utter: Callable[[], None], timeout: float) -> None:
        """One utterance in one ``runAndWait``, with the properties set just before it."""
        if self._stalled:
            raise PromptFailed(f"this worker's engine stalled earlier ({self._stalled}); render again")
        self._wait_until_idle(timeout)
        self._finished.clear()
        self._errors.clear()
        self.engine.setProperty("voice", self._resolved.get(voice_name, voice_name))
        self.engine.setProperty("rate", rate)
        self.engine.setProperty("volume", volume)
        # espeak-ng applies rate and volume from its own queue; were that queue busy at runAndWait,
        # the driver would cancel it, and the prompt would keep the last prompt's rate.
        self._wait_until_idle(timeout)
        utter()
        self.engine.runAndWait()
        # runAndWait may return while the engine is still speaking: wait for its own word.
        if not self._finished.wait(timeout):
            # A late finish would write into the next prompt's file: this engine is not used again.
            self._stalled = f"no end of speech after {timeout:.0f} s"
            raise PromptFailed(f"the speech engine did not finish within {timeout:.0f} s")
        if self._errors:
            raise PromptFailed("the speech engine failed: " + "; ".join(self._errors))


    def _wait_until_idle(self, timeout: float) -> None:
        """Wait until espeak-ng's command queue is empty.

        ``runAndWait`` cancels whatever espeak-ng still has queued: the end of the last
        utterance (it tells of the end a moment before it is done), or the rate and volume
        just set. Either way the prompt would get the wrong rate, or no audio at all.
        """
        if _espeak is None:
            return
        deadline = time.monotonic() + timeout
        while _espeak.IsPlaying():
            if time.monotonic() >= deadline:
                self._stalled = f"still speaking after {timeout:.0f} s"
                raise PromptFailed(f"the speech engine was still busy after {timeout:.0f} s")
            time.sleep(0.002)


def _engine_voice_name(voices: list[object], wanted: str) -> str | None:
    """The name the engine takes for the voice a line calls ``wanted``, or None if it has no such voice."""
    wanted = wanted.lower()
    for voice in voices:
        if wanted in _names(voice):
            return wanted
    for voice in voices:
        if wanted in _languages(voice):
            return str(getattr(voice, "id", ""))
    return None


def _names(voice: object) -> set[str]:
    voice_id = str(getattr(voice, "id", "") or "")
    names = {voice_id, voice_id.rsplit("/", 1)[-1], str(getattr(voice, "name", "") or "")}
    return {name.lower() for name in names if name}


def _languages(voice: object) -> set[str]:
    return {str(language).lower() for language in getattr(voice, "languages", None) or [] if language}


def _labels(voice: object) -> set[str]:
    """What a line may call an engine voice: its id ("gmw/en-us"), the id's last part, name, languages."""
    return _names(voice) | _languages(voice)


def _timeout(text: str, rate: int, playing: bool = False) -> float:
    """A generous bound on the time one prompt may take: rendering is far faster than speaking."""
    seconds_of_speech = len(text.split()) / max(rate, 1) * 60
    return 30.0 + seconds_of_speech * (2.0 if playing else 0.5)
