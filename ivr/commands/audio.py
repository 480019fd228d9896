"""Wiring of rendering and the intelligibility audit to the terminal (see :mod:`ivr.speech`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from ivr.line import Line
from ivr.line.validate import LineInvalid, load_line
from ivr.speech.languages import SpokenLanguage, spoken_language, spoken_languages
from ivr.speech.render import RenderError, RenderReport, plan_line, render_plan


def render_audio(line_file: str | None, audio_dir: str | None, rates: Iterable[int] | None = None) -> int:
    """Render a line's missing audio in each of its languages with a progress bar; the exit status (1 if any
    prompt failed)."""
    line, directory = _line_and_directory(line_file, audio_dir)
    reports = [_render(line, directory, rates, language) for language in spoken_languages(line)]
    return 0 if all(report.ok for report in reports) else 1


def audit_audio(
    line_file: str | None,
    audio_dir: str | None,
    rates: tuple[int, ...],
    all_rates: bool,
    answers_only: bool,
    json_path: Path | None,
    language: str | None = None,
    engine: str | None = None,
    voice: str | None = None,
) -> int:
    """Render what is missing, transcribe every prompt of each language (or of ``language``) over a phone
    line, print the word error rates worst first and the bars; with ``engine`` or ``voice``, measure that
    offline engine and voice instead of each language's own.

    The exit status is 1 if a bar is missed, 2 if the audit cannot run or nothing could be audited (a
    language that Twilio's ``<Say>`` speaks cannot be heard offline).
    """
    line, directory = _line_and_directory(line_file, audio_dir)
    try:
        languages = [spoken_language(line, language)] if language else list(spoken_languages(line))
    except LookupError as error:
        raise click.BadParameter(str(error), param_hint="--language") from None
    if engine or voice:
        languages = [spoken.with_engine(engine, voice) for spoken in languages]
    results: list[dict[str, object]] = []
    for spoken in languages:
        result = _audit_language(line, directory, spoken, rates, all_rates, answers_only)
        if isinstance(result, int):
            return result
        results.append(result)
    if json_path is not None:
        json_path.write_text(json.dumps({"languages": results}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"wrote {json_path}")
    audited = [result for result in results if result["audited"]]
    if not audited:
        return 2
    return 0 if all(result["passes"] for result in audited) else 1


def _audit_language(
    line: Line, directory: Path, language: SpokenLanguage, rates: tuple[int, ...], all_rates: bool,
    answers_only: bool,
) -> dict[str, object] | int:
    """Audit one language and print its report: the report as data, or an exit status if it cannot run."""
    from ivr.speech.audit import AuditError, audit_line, not_auditable

    if not language.offline:
        reason = not_auditable(language)
        click.echo(reason)
        return {"language": language.tag, "audited": False, "say_voice": language.voice.say_voice, "why": reason}
    voice = language.voice
    chosen = list(voice.rates) if all_rates else list(rates) or [voice.default_rate]
    unknown = [rate for rate in chosen if rate not in voice.rates]
    if unknown:
        raise click.BadParameter(f"{unknown} not among the line's rates {list(voice.rates)}", param_hint="--rate")
    if not _render(line, directory, chosen, language).ok:
        return 1
    count = len(chosen) * sum(1 for kind in language.kinds.values() if kind == "answer" or not answers_only)
    try:
        with click.progressbar(length=count, label=f"Listening ({language.tag})", file=sys.stderr) as bar:
            report = audit_line(line, directory, chosen, progress=bar.update, answers_only=answers_only,
                                language=language)
    except AuditError as error:
        click.echo(f"Cannot audit: {error}", err=True)
        return 2
    click.echo(f"{report.language}: {report.engine} {report.voice}, heard by {report.recogniser}")
    click.echo(f"{'WER':>5}  {'wpm':>3}  {'what':13}  text / heard")
    for score in report.worst_first():
        click.echo(f"{score.wer:5.2f}  {score.rate:3d}  {score.kind:13}  {_short(score.text)}")
        if score.wer:
            click.echo(f"{'':27}heard: {_short(score.heard)}")
    for bar in report.bars():
        verdict = "met" if bar.met else "MISSED"
        click.echo(f"{report.language}, {bar.what}: {bar.figure:.3f} (bar {bar.limit:.2f}): {verdict}")
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
        raise click.ClickException(str(error)) from None
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
        raise click.ClickException(f"the line file {path} is not valid:\n{invalid}") from None
    return line, Path(audio_dir or config["AUDIO_DIR"])


def _short(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
