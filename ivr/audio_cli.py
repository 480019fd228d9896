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
    """Render what is missing, transcribe every prompt over a phone line, print the word error rates
    worst first and the bars.

    The exit status is 1 if a bar is missed, 2 if the audit cannot run.
    """
    from ivr.speech.audit import AuditError, audit_line, prompt_kinds

    line, directory = _line_and_directory(line_file, audio_dir)
    chosen = list(line.voice.rates) if all_rates else list(rates) or [line.voice.default_rate]
    unknown = [rate for rate in chosen if rate not in line.voice.rates]
    if unknown:
        raise click.BadParameter(f"{unknown} not among the line's rates {list(line.voice.rates)}", param_hint="--rate")
    if not _render(line, directory, chosen).ok:
        return 1
    kinds = prompt_kinds(line)
    count = len(chosen) * sum(1 for kind in kinds.values() if kind == "answer" or not answers_only)
    try:
        with click.progressbar(length=count, label="Listening", file=sys.stderr) as bar:
            report = audit_line(line, directory, chosen, progress=bar.update, answers_only=answers_only)
    except AuditError as error:
        click.echo(f"Cannot audit: {error}", err=True)
        return 2
    click.echo(f"{'WER':>5}  {'wpm':>3}  {'what':13}  text / heard")
    for score in report.worst_first():
        click.echo(f"{score.wer:5.2f}  {score.rate:3d}  {score.kind:13}  {_short(score.text)}")
        if score.wer:
            click.echo(f"{'':27}heard: {_short(score.heard)}")
    for bar in report.bars():
        verdict = "met" if bar.met else "MISSED"
        click.echo(f"{bar.what}: {bar.figure:.3f} (bar {bar.limit:.2f}): {verdict}")
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


def _short(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
