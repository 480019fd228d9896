"""Rendering a line's prompts to telephone audio, with the line's engine, in worker processes.

Every text a caller can hear in each of the line's languages (:mod:`ivr.speech.languages`) at
each of its rates becomes one 8 kHz μ-law WAV file named by what it says and how
(:class:`~ivr.speech.voicing.Voicing`); a language that Twilio's ``<Say>`` speaks gets none.
Engines are not thread-safe, and some (pyttsx3) render a text differently depending on what
they rendered before, so rendering runs in processes forked from a fork server that has
imported the renderer and the engines: one process per prompt for such an engine, a few
long-lived ones otherwise. Each render has one scratch folder for the engines' raw output,
removed when it ends.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ivr.line import Line, Voice
from ivr.speech.catalog import AudioCatalog, store_rendered
from ivr.speech.engine import (
    ENGINES,
    Engine,
    EngineUnavailable,
    PromptFailed,
    RenderError,
    UnknownVoice,
    UnsupportedLanguage,
    engine_class,
)
from ivr.speech.languages import SpokenLanguage, spoken_language, spoken_languages
from ivr.speech.telephone import PEAK, to_telephone, write_telephone_wav
from ivr.speech.voicing import Voicing

__all__ = [
    "EngineUnavailable",
    "PromptFailed",
    "RenderError",
    "RenderPlan",
    "RenderReport",
    "UnknownVoice",
    "UnsupportedLanguage",
    "plan_line",
    "render_line",
    "render_plan",
    "speaker",
]


@dataclass(frozen=True)
class Job:
    """One prompt at one rate: ``text`` is what the file says, ``spoken`` what the engine is given."""

    text: str
    spoken: str
    rate: int
    name: str


@dataclass(frozen=True)
class Failure:
    text: str
    rate: int
    reason: str


@dataclass(frozen=True)
class RenderPlan:
    """What rendering a line needs: its voicing, the prompts whose audio is missing, how many are there."""

    voicing: Voicing
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


def plan_line(
    line: Line, audio_dir: str | Path, rates: Iterable[int] | None = None, language: SpokenLanguage | None = None
) -> RenderPlan:
    """Every text a caller can hear on ``line`` in ``language`` (None: its first) at each of its voice's rates,
    less what is rendered already; nothing for a language Twilio's ``<Say>`` speaks."""
    directory = Path(audio_dir)
    language = language or spoken_language(line)
    voicing = language.voicing
    existing = AudioCatalog(directory).names()
    jobs: dict[str, Job] = {}
    reused = 0
    for text in language.texts if language.offline else ():
        for rate in rates or language.voice.rates:
            name = voicing.name(text, rate)
            if name in existing:
                reused += 1
            elif name not in jobs:
                jobs[name] = Job(text, voicing.spoken(text), rate, name)
    return RenderPlan(voicing, directory, tuple(jobs.values()), reused)


def render_plan(
    plan: RenderPlan, progress: Callable[[int], None] | None = None, workers: int | None = None
) -> RenderReport:
    """Render a plan's prompts in worker processes (one per core); ``progress(n)`` after each n done.

    Raises :class:`UnknownVoice` or :class:`EngineUnavailable` before writing anything when the
    voice or the engine is wrong; a prompt that fails on its own is reported, not raised.
    """
    if not plan.jobs:
        return RenderReport(rendered=0, reused=plan.reused)
    voicing = plan.voicing
    engine = engine_class(voicing.engine)
    engine.check_language(voicing.language)
    plan.directory.mkdir(parents=True, exist_ok=True)
    count = max(1, min(workers or os.cpu_count() or 1, len(plan.jobs)))
    failures: list[Failure] = []
    rendered = 0
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, *(spec.partition(":")[0] for spec in ENGINES.values())])
    with tempfile.TemporaryDirectory(prefix="ivr-render-") as scratch, ProcessPoolExecutor(
        count,
        mp_context=context,
        initializer=_start_worker,
        initargs=(_Work(voicing.engine, voicing.voice, voicing.volume, str(plan.directory), scratch),),
        max_tasks_per_child=1 if engine.one_prompt_per_process else None,
    ) as pool:
        try:
            pool.submit(_check_voice).result()
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
    """Render every prompt of ``line`` in each of its languages at each rate into ``audio_dir``, skipping
    those already there."""
    reports = [render_plan(plan_line(line, audio_dir, language=language), progress)
               for language in spoken_languages(line)]
    return RenderReport(
        rendered=sum(report.rendered for report in reports),
        reused=sum(report.reused for report in reports),
        failed=tuple(failure for report in reports for failure in report.failed),
    )


def speaker(voice: Voice, rate: int | None = None, language: str = "en-US") -> Callable[[str], None]:
    """A function that reads a text aloud through this computer's sound output, with pyttsx3.

    A line rendered with pyttsx3 is read with its own voice; any other with pyttsx3's voice for
    its language. The engine lives in the calling process: call the function from one thread only.
    """
    from ivr.speech.pyttsx3_engine import Pyttsx3Engine
    from ivr.speech.pyttsx3_engine import speaker as pyttsx3_speaker

    name = voice.name if voice.engine == "pyttsx3" and voice.name else Pyttsx3Engine.default_voice(language)
    return pyttsx3_speaker(name, rate or voice.default_rate)


# -- inside a worker process ------------------------------------------------------------


@dataclass(frozen=True)
class _Work:
    """What every job of one render shares."""

    engine: str
    voice: str
    volume: float
    directory: str
    scratch: str


_worker: Engine | None = None
_work: _Work | None = None
_startup_error = ""


def _start_worker(work: _Work) -> None:
    """Process pool initializer: this process's one engine."""
    global _worker, _work, _startup_error
    _work = work
    try:
        _worker = engine_class(work.engine)()
    except Exception as error:  # reported with each job, where the caller sees it
        _startup_error = f"{type(error).__name__}: {error}"


def _engine() -> tuple[Engine, _Work]:
    if _worker is None or _work is None:
        raise EngineUnavailable(f"the speech engine did not start: {_startup_error}")
    return _worker, _work


def _check_voice() -> None:
    engine, work = _engine()
    engine.check_voice(work.voice)


def _render(job: Job) -> None:
    """Render one prompt into the audio directory: the transcript, then the audio, each written whole."""
    engine, work = _engine()
    samples, rate = engine.speech(job.spoken, work.voice, job.rate, Path(work.scratch))
    telephone = to_telephone(samples, rate, peak=PEAK * work.volume)
    if not telephone.any():
        raise PromptFailed(f"the {work.engine} engine produced only silence for {job.text[:60]!r}")
    store_rendered(Path(work.directory), job.name, job.text, lambda path: write_telephone_wav(path, telephone))
