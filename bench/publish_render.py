"""How long publishing takes to render and audit one changed prompt (issue 20).

Each round changes one answer of the Botox line to a text never rendered before and does what publishing does
first (:func:`ivr.speech.changed.render_changed`): render the changed prompt at each of the line's paces with its
engine, then transcribe it with Whisper at the default pace. ``python -m bench.publish_render`` writes its
section of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
from pathlib import Path

import click

from bench.sections import commit, write_section
from ivr.config import DEFAULT_LINE_FILE, PROJECT_ROOT
from ivr.line.validate import load_line, load_line_text
from ivr.speech.changed import ChangedAudio, render_changed

OLD = "within one to two days."


def measure(rounds: int, folder: Path) -> list[ChangedAudio]:
    live = load_line(DEFAULT_LINE_FILE).line
    text = DEFAULT_LINE_FILE.read_text()
    results = []
    for round_ in range(rounds):
        changed = text.replace(OLD, f"within one to two days, round {round_ + 1}.")
        new = load_line_text(changed.encode("utf-8"), "changed").line
        audio = render_changed(live, new, folder, audit=True)
        if audio.count != 1 or audio.not_audited:
            raise click.ClickException(f"expected one changed prompt audited, got {audio}")
        results.append(audio)
        click.echo(f"round {round_ + 1}: render {audio.render_seconds:.2f} s, audit {audio.audit_seconds:.2f} s")
    return results


def report(results: list[ChangedAudio], command: str) -> str:
    def row(what: str, figures: list[float]) -> str:
        return f"| {what} | {statistics.median(figures):.2f} s | {max(figures):.2f} s |"

    render = [audio.render_seconds for audio in results]
    audit = [audio.audit_seconds for audio in results]
    wers = [prompt.wer for audio in results for prompt in audio.heard]
    return "\n".join([
        "## Rendering and auditing a changed prompt before publishing",
        "",
        f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} with `{command}` (commit {commit()}), on"
        f" {os.cpu_count()} cores (load average {os.getloadavg()[0]:.2f} at the end), {len(results)} rounds. Each"
        " publishes the Botox line with one answer changed to a text never rendered: the prompt is rendered with"
        " flite (`rms`) at its three paces, then transcribed by Whisper (tiny.en, loaded each round, as each"
        " publish does) at the default pace. Only changed prompts are rendered and audited: a publish that changes"
        " n prompts takes about n times the render and the transcription, plus one load of Whisper.",
        "",
        "| step | median | worst |",
        "| --- | ---: | ---: |",
        row("render (3 paces)", render),
        row("audit (load Whisper, transcribe)", audit),
        row("both", [r + a for r, a in zip(render, audit, strict=True)]),
        "",
        f"Word error rate of the changed answer: median {statistics.median(wers):.2f}, worst {max(wers):.2f}"
        " (bar for a prompt: 0.25).",
    ])


@click.command()
@click.option("--rounds", type=int, default=5, show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=PROJECT_ROOT / "docs" / "benchmarks.md", show_default=True)
def main(rounds: int, output: Path) -> None:
    """Time rendering and auditing one changed prompt, as publishing does, and write docs/benchmarks.md's section."""
    with tempfile.TemporaryDirectory(prefix="ivr-publish-render-") as work:
        results = measure(rounds, Path(work))
    command = " ".join(["python -m bench.publish_render", *sys.argv[1:]])
    write_section(output, "publish-render", report(results, command))
    click.echo(f"wrote {output}")


if __name__ == "__main__":
    main()
