"""`ivr line`: the line's versions in the database, for operators who keep the line file in git."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ivr.commands.errors import BadOption, Command, CommandFailed
from ivr.commands.records_db import at_the_terminal, open_records
from ivr.store import Store

if TYPE_CHECKING:
    from ivr.line import Line

LINE_OPTION = click.option("--line", "line_name", default=None, metavar="NAME",
                           help="The line's name, when the database keeps several (ivr line history lists them).")


def _which_line(store: Store, name: str | None) -> str:
    from ivr.store.versions import lines

    known = lines(store)
    if name is not None:
        if name not in known:
            raise BadOption(f"the database has no line named {name!r}"
                            + (f": it has {', '.join(map(repr, known))}" if known else ""), "--line")
        return name
    if not known:
        raise CommandFailed("The database has no version of any line yet: a server seeds version 1 from its line "
                            "file when it starts, or publish one (ivr line publish FILE --note ...).")
    if len(known) > 1:
        raise BadOption(f"the database keeps several lines: name one of {', '.join(map(repr, known))}", "--line")
    return known[0]


@click.group()
def line() -> None:
    """The line's published versions: publish a file, list them, export one, roll back to one."""


@line.command(cls=Command)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", required=True, help="Why: kept with the version, with who published it and when.")
def publish(file: Path, note: str) -> None:
    """Check FILE as ivr validate does and publish it: every server answers with it within seconds."""
    from ivr.line.validate import LineInvalid, format_problems, load_line_text
    from ivr.store.staff import record_action
    from ivr.web.services import utc_now
    from ivr.web.versions import NotPublished, publish_text

    raw = file.read_bytes()
    store = open_records()
    try:
        if note.strip():
            _render_changed(store, load_line_text(raw, str(file)).line)
        made = publish_text(store, raw, name=str(file), by=at_the_terminal(), note=note)
        record_action(store, utc_now(), at_the_terminal(), "published",
                      f"version {made.number} of {made.line}, from {file.name}: {made.note}")
    except LineInvalid as invalid:
        raise CommandFailed(f"Not published: {file} has errors.\n{format_problems(invalid.problems)}") from None
    except NotPublished as refused:
        raise BadOption(str(refused), "--note") from None
    finally:
        store.close()
    click.echo(f"Published {file} as version {made.number} of {made.line!r}: servers answer with it within seconds.")


def _render_changed(store: Store, new: Line) -> None:
    """Render the prompts of ``new`` whose audio the live version has not got, into the servers' audio (raises
    CommandFailed when one cannot be), and say how clearly the audit hears each."""
    from ivr import settings
    from ivr.line.validate import LineInvalid, load_line_text
    from ivr.speech.changed import render_changed
    from ivr.speech.engine import RenderError
    from ivr.store.versions import newest_number, version

    number = newest_number(store, new.name)
    found = version(store, new.name, number) if number else None
    if found is None:
        click.echo("No version of this line is live yet: render its audio with ivr render.")
        return
    try:
        live = load_line_text(found.text.encode("utf-8"), f"version {number}").line
    except LineInvalid:
        live = None
    config = settings()
    try:
        audio = render_changed(live, new, config["AUDIO_DIR"], audit=bool(config["PUBLISH_AUDIT"]))
    except (RenderError, OSError) as error:
        raise CommandFailed(f"Not published: the changed prompts could not be rendered ({error}), so callers "
                            "would hear them read by Twilio's voice instead.") from None
    click.echo(f"{audio.count} changed prompt{'s' if audio.count != 1 else ''} rendered into {config['AUDIO_DIR']} "
               f"({audio.rendered} files, {audio.render_seconds:.1f} s).")
    if audio.not_audited:
        click.echo(f"Not audited: {audio.not_audited}.")
    for prompt in audio.heard:
        verdict = "within" if prompt.met else "ABOVE"
        click.echo(f"  WER {prompt.wer:.2f} ({verdict} the bar of {prompt.limit:.2f}), {prompt.kind}, "
                   f"{prompt.language}: {prompt.text[:70]!r} heard as {prompt.heard[:70]!r}")


@line.command(cls=Command)
@LINE_OPTION
def history(line_name: str | None) -> None:
    """Every version, newest first: its number, when, who and why; the newest is the one answering."""
    from ivr.store.versions import history as read_history

    store = open_records()
    try:
        name = _which_line(store, line_name)
        found = read_history(store, name)
    finally:
        store.close()
    click.echo(f"{name}: {len(found)} version{'s' if len(found) != 1 else ''}, the newest answering")
    for version in found:
        again = f" (version {version.again_of} again)" if version.again_of else ""
        click.echo(f"{version.number:>4}  {version.published_at:%Y-%m-%d %H:%M} UTC  {version.published_by}: "
                   f"{version.note}{again}")


@line.command(cls=Command)
@click.argument("number", type=int)
@LINE_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the file here instead of to standard output.")
def export(number: int, line_name: str | None, output: Path | None) -> None:
    """Write version NUMBER's line file, exactly as it was published."""
    from ivr.store.versions import version

    store = open_records()
    try:
        name = _which_line(store, line_name)
        found = version(store, name, number)
    finally:
        store.close()
    if found is None:
        raise CommandFailed(f"The line {name!r} has no version {number} (ivr line history lists them).")
    if output is None:
        click.echo(found.text, nl=False)
        return
    try:
        output.write_text(found.text, encoding="utf-8")
    except OSError as error:
        raise CommandFailed(f"Cannot write {output}: {error.strerror}") from None
    click.echo(f"Wrote version {number} of {name!r} to {output}")


@line.command(cls=Command)
@click.argument("number", type=int)
@LINE_OPTION
@click.option("--note", default="", help="Why (by default: back to version NUMBER).")
def rollback(number: int, line_name: str | None, note: str) -> None:
    """Publish version NUMBER again, as the newest: every server answers with it within seconds."""
    from ivr.line.validate import LineInvalid, format_problems
    from ivr.store.staff import record_action
    from ivr.web.services import utc_now
    from ivr.web.versions import NotPublished, roll_back

    store = open_records()
    try:
        name = _which_line(store, line_name)
        made = roll_back(store, name, number, by=at_the_terminal(), note=note)
        record_action(store, utc_now(), at_the_terminal(), "rolled back",
                      f"{name} to version {number}, published again as version {made.number}: {made.note}")
    except NotPublished as refused:
        raise CommandFailed(f"Not rolled back: {refused}.") from None
    except LineInvalid as invalid:
        raise CommandFailed(f"Not rolled back: version {number} has errors.\n{format_problems(invalid.problems)}") \
            from None
    finally:
        store.close()
    click.echo(f"Version {number} is published again as version {made.number}: servers answer with it within "
               "seconds.")
