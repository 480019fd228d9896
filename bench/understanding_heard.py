"""The held-out corpora heard through a phone line (issue 19, part 6): spoken, carried, transcribed, measured.

Each held-out utterance is spoken by an offline voice (English: flite's rms, the line's own voice; Spanish:
espeak-ng's es-419 through pyttsx3, the voice the line names for rendering Spanish itself), made telephone audio
as the renderer makes a prompt, carried through 8 kHz G.711 μ-law (:func:`ivr.speech.recogniser.phone_line`),
and transcribed by the audit's Whisper model for the language (tiny.en; multilingual base). The transcripts are
then measured exactly as the clean text is (:func:`tests.understanding_corpus.measure.measure`)::

    nice -n 10 .venv/bin/python -m bench.understanding_heard en
    nice -n 10 .venv/bin/python -m bench.understanding_heard es

Transcripts are kept in a scratch folder (``--scratch``, by default the environment's ``share/ivr/heard``),
one JSON file per language, voice and model, so a rerun measures again without speaking or listening.
``--so-far`` measures, clean and heard alike, only the utterances a run (perhaps still going) has heard.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import click

from ivr.config import DEFAULT_LINE_FILE, environment_folder
from ivr.line.validate import load_line
from ivr.speech.engine import Engine, engine_class
from ivr.speech.recogniser import Recogniser, phone_line
from ivr.speech.telephone import TELEPHONE_RATE, to_telephone
from tests.understanding_corpus import CONCERNING, LANGUAGES, Half, Utterance, half
from tests.understanding_corpus.measure import Figures, measure

logger = logging.getLogger(__name__)

#: Who speaks each language: (engine, voice, the recogniser's language).
SPEAKERS = {"en": ("flite", "rms", "en-US"), "es": ("pyttsx3", "es-419", "es-US")}
#: Words a minute: the line's default rate.
RATE = 150
#: Transcripts are written after this many new ones, so an interrupted run loses little.
_SAVE_EVERY = 10


def _cache_file(scratch: Path, language: str, recogniser: Recogniser) -> Path:
    engine, voice, _ = SPEAKERS[language]
    model = recogniser.weights.name.replace(" ", "-").replace("(", "").replace(")", "")
    return scratch / f"{language}-{engine}-{voice}-{RATE}-{model}.json"


def _heard(engine: Engine, voice: str, recogniser: Recogniser, text: str, scratch: Path) -> str:
    samples, rate = engine.speech(text, voice, RATE, scratch)
    return recogniser.transcribe(phone_line(to_telephone(samples, rate)), TELEPHONE_RATE)


def transcripts(language: str, utterances: list[Utterance], scratch: Path, threads: int,
                so_far: bool = False) -> dict[str, str]:
    """What the recogniser heard of each utterance's text, from the cache where it is there (``so_far``: only
    from the cache)."""
    engine_name, voice, tag = SPEAKERS[language]
    recogniser = Recogniser(tag, threads=threads)
    path = _cache_file(scratch, language, recogniser)
    known: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    wanted = [] if so_far else [u.text for u in utterances if u.text not in known]
    if wanted:
        engine = engine_class(engine_name)()
        engine.check_voice(voice)
        with tempfile.TemporaryDirectory(prefix="heard-") as work:
            for done, text in enumerate(wanted, 1):
                known[text] = _heard(engine, voice, recogniser, text, Path(work))
                if done % _SAVE_EVERY == 0 or done == len(wanted):
                    _save(path, known)
                    click.echo(f"{language}: {done}/{len(wanted)} heard", err=True)
    return known


def _save(path: Path, known: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(known, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    partial.replace(path)


def heard_figures(language: str, scratch: Path, threads: int, so_far: bool = False, which: Half = "heldout",
                  concerning: bool = False) -> tuple[Figures, Figures]:
    """``language``'s figures on the half ``which`` (``concerning``: its concerning classes alone), on the clean
    text and on what the recogniser heard. On the tune half each utterance's written text is left out of its
    own reading, heard or not."""
    from ivr.call.flow import CallFlow

    utterances = [u for u in half(language, which) if not concerning or u.label in CONCERNING]
    heard = transcripts(language, utterances, scratch, threads, so_far)
    utterances = [u for u in utterances if u.text in heard]
    flow = CallFlow(load_line(DEFAULT_LINE_FILE).line)
    clean = measure(flow, language, which, utterances)
    through = measure(flow, language, which, [replace(u, text=heard[u.text], written=u.text) for u in utterances])
    return clean, through


@click.command()
@click.argument("languages", nargs=-1, type=click.Choice(LANGUAGES))
@click.option("--scratch", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where transcripts are kept (default: the environment's share/ivr/heard).")
@click.option("--threads", type=int, default=1, show_default=True, help="The recogniser's CPU threads.")
@click.option("--so-far", is_flag=True, help="Measure only the utterances already heard; hear none.")
@click.option("--tune", is_flag=True, help="The tune half (each example left out of its own reading).")
@click.option("--concerning", is_flag=True, help="Only the concerning classes (breathing ... swelling that lasts).")
@click.option("--misses", is_flag=True, help="Print each concerning utterance heard amiss (only with --tune).")
def main(languages: tuple[str, ...], scratch: Path | None, threads: int, so_far: bool, tune: bool, concerning: bool,
         misses: bool) -> None:
    """Print each language's held-out figures, clean and heard through a phone line, side by side."""
    folder = scratch or environment_folder("heard")
    which: Half = "tune" if tune else "heldout"
    if misses and not tune:
        raise click.UsageError("--misses reads the tune half only: the held-out half's misses are not for tuning")
    for language in languages or LANGUAGES:
        started = time.monotonic()
        clean, through = heard_figures(language, folder, threads, so_far, which, concerning)
        click.echo(f"{language} ({which}; clean | heard), {time.monotonic() - started:.0f} s:")
        for left, right in zip(clean.rows(), through.rows(), strict=True):
            click.echo(f"  {left:40} | {right.split(': ', 1)[1]}")
        if misses:
            for label, text, place in through.misses:
                click.echo(f"  missed heard {label}: {text!r} -> {place}")


if __name__ == "__main__":
    sys.exit(main())
