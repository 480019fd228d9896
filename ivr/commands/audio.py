"""`ivr render` and `ivr audit-audio`: a line's prompts rendered to audio, and how intelligible they are
(see :mod:`ivr.speech`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import get_args

import click

from ivr.commands.errors import BadOption, CannotRun, Command, CommandFailed
from ivr.commands.serve import LINE_HELP
from ivr.line import EngineName, Line
from ivr.line.validate import LineInvalid, load_line
from ivr.speech.languages import SpokenLanguage, spoken_language, spoken_languages
from ivr.speech.render import RenderError, RenderReport, plan_line, render_plan


def render_audio(line_file: str | None, audio_dir: str | None, rates: Iterable[int] | None = None) -> None:
    """Render a line's missing audio in each of its languages with a progress bar; raises CommandFailed if any
    prompt failed (each failure is printed)."""
    line, directory = _line_and_directory(line_file, audio_dir)
    reports = [_render(line, directory, rates, language) for language in spoken_languages(line)]
    if not all(report.ok for report in reports):
        raise CommandFailed()


def run_audit(
    line_file: str | None,
    audio_dir: str | None,
    rates: tuple[int, ...],
    all_rates: bool,
    answers_only: bool,
    json_path: Path | None,
    language: str | None = None,
    engine: str | None = None,
    voice: str | None = None,
) -> None:
    """Render what is missing, transcribe every prompt of each language (or of ``language``) over a phone
    line, print the word error rates worst first and the bars; with ``engine`` or ``voice``, measure that
    offline engine and voice instead of each language's own.

    Raises CommandFailed if a bar is missed, CannotRun if the audit cannot run or nothing could be audited (a
    language that Twilio's ``<Say>`` speaks cannot be heard offline).
    """
    line, directory = _line_and_directory(line_file, audio_dir)
    try:
        languages = [spoken_language(line, language)] if language else list(spoken_languages(line))
    except LookupError as error:
        raise BadOption(str(error), "--language") from None
    if engine or voice:
        languages = [spoken.with_engine(engine, voice) for spoken in languages]
    results: list[dict[str, object]] = []
    for spoken in languages:
        results.append(_audit_language(line, directory, spoken, rates, all_rates, answers_only))
    if json_path is not None:
        json_path.write_text(json.dumps({"languages": results}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"wrote {json_path}")
    audited = [result for result in results if result["audited"]]
    if not audited:
        raise CannotRun()
    if not all(result["passes"] for result in audited):
        raise CommandFailed()


def _audit_language(
    line: Line, directory: Path, language: SpokenLanguage, rates: tuple[int, ...], all_rates: bool,
    answers_only: bool,
) -> dict[str, object]:
    """Audit one language and print its report; the report as data."""
    from ivr.speech.audit import AuditError, audit_line, not_auditable

    if not language.offline:
        reason = not_auditable(language)
        click.echo(reason)
        return {"language": language.tag, "audited": False, "say_voice": language.voice.say_voice, "why": reason}
    voice = language.voice
    chosen = list(voice.rates) if all_rates else list(rates) or [voice.default_rate]
    unknown = [rate for rate in chosen if rate not in voice.rates]
    if unknown:
        raise BadOption(f"{unknown} not among the line's rates {list(voice.rates)}", "--rate")
    if not _render(line, directory, chosen, language).ok:
        raise CommandFailed()
    count = len(chosen) * sum(1 for kind in language.kinds.values() if kind == "answer" or not answers_only)
    try:
        with click.progressbar(length=count, label=f"Listening ({language.tag})", file=sys.stderr) as bar:
            report = audit_line(line, directory, chosen, progress=bar.update, answers_only=answers_only,
                                language=language)
    except AuditError as error:
        raise CannotRun(f"Cannot audit: {error}") from None
    click.echo(f"{report.language}: {report.engine} {report.voice}, heard by {report.recogniser}")
    click.echo(f"{'WER':>5}  {'wpm':>3}  {'what':13}  text / heard")
    for score in report.worst_first():
        click.echo(f"{score.wer:5.2f}  {score.rate:3d}  {score.kind:13}  {_short(score.text)}")
        if score.wer:
            click.echo(f"{'':27}heard: {_short(score.heard)}")
    for target in report.bars():
        verdict = "met" if target.met else "MISSED"
        click.echo(f"{report.language}, {target.what}: {target.figure:.3f} (bar {target.limit:.2f}): {verdict}")
    if not report.passes and not report.language.lower().startswith("en"):
        click.echo(
            f"This offline voice misses the bars in {report.language}: callers would not follow it. Speak "
            f"{report.language} with Twilio's <Say> instead (voice mode: say with an Amazon Polly voice; "
            "docs/audio.md says why the Botox line does)."
        )
    return report.as_dict()


def _render(
    line: Line, directory: Path, rates: Iterable[int] | None, language: SpokenLanguage | None = None
) -> RenderReport:
    plan = plan_line(line, directory, rates, language)
    if language is not None and not language.offline:
        click.echo(f"{language.tag} is spoken by Twilio's <Say> (voice mode: say): nothing to render")
    try:
        with click.progressbar(length=len(plan.jobs), label="Rendering", file=sys.stderr) as bar:
            report = render_plan(plan, progress=bar.update)
    except RenderError as error:
        raise CommandFailed(f"Error: {error}") from None
    click.echo(
        f"{report.rendered} rendered, {report.reused} already there, {len(report.failed)} failed: {directory}"
    )
    for failure in report.failed:
        click.echo(f"failed at {failure.rate} wpm: {_short(failure.text)}: {failure.reason}", err=True)
    return report


def _line_and_directory(line_file: str | None, audio_dir: str | None) -> tuple[Line, Path]:
    from ivr import settings

    config = settings()
    path = line_file or config["LINE_FILE"]
    try:
        line = load_line(path).line
    except LineInvalid as invalid:
        raise CommandFailed(f"Error: the line file {path} is not valid:\n{invalid}") from None
    return line, Path(audio_dir or config["AUDIO_DIR"])


def _short(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_LINE_OPTION = click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None,
                            help=LINE_HELP)
_AUDIO_DIR_OPTION = click.option(
    "--audio-dir", type=click.Path(file_okay=False), default=None,
    help="Where rendered audio is kept (default: the AUDIO_DIR setting, or audio/ in the instance folder).",
)


@click.command(cls=Command)
@_LINE_OPTION
@_AUDIO_DIR_OPTION
def render(line_file: str | None, audio_dir: str | None) -> None:
    """Render every prompt of a line, at each of its rates, to telephone audio; skip what is there."""
    render_audio(line_file, audio_dir)


@click.command("audit-audio", cls=Command)
@_LINE_OPTION
@_AUDIO_DIR_OPTION
@click.option("--rate", "rates", type=int, multiple=True,
              help="Audit at this rate in words a minute (repeatable; default: the line's default rate).")
@click.option("--all-rates", is_flag=True, help="Audit at every rate of the line.")
@click.option("--answers-only", is_flag=True, help="Audit only the answers, which is faster.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every score and what was heard to this JSON file.")
@click.option("--language", default=None, metavar="LANGUAGE",
              help="Audit only this language of the line, such as es or es-US (default: every language).")
@click.option("--engine", type=click.Choice(get_args(EngineName)), default=None,
              help="Measure what this offline engine would give, instead of each language's own voice "
                   "(also for a language that Twilio's <Say> speaks).")
@click.option("--voice", default=None, metavar="NAME",
              help="With it, this voice of the engine, such as es-419 (default: the engine's voice for the language).")
def audit_audio(line_file: str | None, audio_dir: str | None, rates: tuple[int, ...], all_rates: bool,
                answers_only: bool, json_path: Path | None, language: str | None, engine: str | None,
                voice: str | None) -> None:
    """Measure how intelligible the rendered prompts are over a phone line (word error rate per prompt), in
    each language of the line.

    Prints every prompt worst first. Fails unless, at the default rate, the median is at most 0.05 over
    all prompts and over the answers and no prompt is above 0.25, and at every other rate the median
    is at most 0.10. A language that Twilio's <Say> speaks cannot be heard offline: it is reported as not
    audited (exit status 2 if nothing else was audited).
    """
    run_audit(line_file, audio_dir, rates, all_rates, answers_only, json_path, language, engine, voice)
