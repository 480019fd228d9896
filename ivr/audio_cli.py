"""Wiring of rendering and the intelligibility audit to the terminal (see :mod:`ivr.speech`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from ivr.line.errors import LineInvalid
from ivr.line.load import load_line
from ivr.line.model import Line
from ivr.speech.render import RenderError, RenderReport, plan_line, render_plan


def render_audio(line_file: str | None, audio_dir: str | None, rates: Iterable[int] | None = None) -> int:
    """Render a line's missing audio with a progress bar; the exit status (1 if any prompt failed)."""
    line, directory = _line_and_directory(line_file, audio_dir)
    report = _render(line, directory, rates)
    return 0 if report.ok else 1


def audit_audio(
    line_file: str | None,
    audio_dir: str | None,
    rates: tuple[int, ...],
    all_rates: bool,
    answers_only: bool,
    json_path: Path | None,
) -> int:
    """Render what is missing, transcribe every prompt over a phone line, print the word error rates.

    The exit status is 1 if the bar is missed at any rate audited.
    """
    from ivr.speech.audit import MAX_MEDIAN_WER, MAX_WER, AuditError, audit_line

    line, directory = _line_and_directory(line_file, audio_dir)
    chosen = list(line.voice.rates) if all_rates else list(rates) or [line.voice.default_rate]
    unknown = [rate for rate in chosen if rate not in line.voice.rates]
    if unknown:
        raise click.BadParameter(f"{unknown} not among the line's rates {list(line.voice.rates)}", param_hint="--rate")
    if not _render(line, directory, chosen).ok:
        return 1
    count = len(chosen) * _prompt_count(line, answers_only)
    try:
        with click.progressbar(length=count, label="Listening", file=sys.stderr) as bar:
            report = audit_line(line, directory, chosen, progress=bar.update, answers_only=answers_only)
    except AuditError as error:
        click.echo(f"Cannot audit: {error}", err=True)
        return 2
    click.echo(f"{'WER':>5}  {'wpm':>3}  {'':6}  text")
    for score in report.scores:
        kind = "answer" if score.answer else ""
        click.echo(f"{score.wer:5.2f}  {score.rate:3d}  {kind:6}  {_short(score.text)}")
    click.echo(f"Bar over the line's answers: median at most {MAX_MEDIAN_WER:.2f}, none above {MAX_WER:.2f}.")
    for rate in report.rates():
        summary = report.summary(rate)
        verdict = "met" if summary.passes else "MISSED"
        click.echo(
            f"{rate} wpm, {summary.answers} answers: median {summary.median:.3f}, max {summary.worst:.3f}: {verdict}"
        )
    if json_path is not None:
        json_path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"wrote {json_path}")
    return 0 if report.passes else 1


def _render(line: Line, directory: Path, rates: Iterable[int] | None) -> RenderReport:
    plan = plan_line(line, directory, rates)
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


def _prompt_count(line: Line, answers_only: bool) -> int:
    from ivr.call.script import all_prompts
    from ivr.speech.audit import answer_texts

    answers = answer_texts(line)
    return sum(1 for text in all_prompts(line) if text in answers or not answers_only)


def _short(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
