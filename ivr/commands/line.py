"""`ivr validate` and `ivr schema`: check line files, and write the JSON Schema editors check them with."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ivr.commands.errors import Command, CommandFailed


def validate_files(files: tuple[Path, ...]) -> None:
    """Print every problem of each line file with its file, line and node; raises CommandFailed if one has errors.

    Every file is checked, whichever fail.
    """
    from ivr.line.validate import LineInvalid, format_problems, load_line

    failed = False
    for path in files:
        try:
            loaded = load_line(path)
        except LineInvalid as invalid:
            click.echo(format_problems(invalid.problems), err=True)
            _say_if_served_from_last_good(path)
            failed = True
            continue
        if loaded.warnings:
            click.echo(format_problems(loaded.warnings))
        click.echo(f"{path}: ok, {len(loaded.line.nodes)} nodes")
    if failed:
        raise CommandFailed()


def _say_if_served_from_last_good(path: Path) -> None:
    """A broken file that a server has answered with: say that it answers with the last good version."""
    from flask import Flask

    from ivr import settings
    from ivr.call import LastGoodLines, last_good_folder

    instance = Flask("ivr", instance_relative_config=True).instance_path
    kept = LastGoodLines(last_good_folder(settings()["LAST_GOOD_LINE_DIR"], instance)).kept(path)
    if kept is not None:
        click.echo(f"NOTE: {path} has been served: until it is fixed, servers answer with its last good version, "
                   f"kept at {kept.path} on {kept.kept_at:%Y-%m-%d %H:%M} UTC.", err=True)


def write_line_schema(path: Path | None) -> Path:
    """Write the JSON Schema of line files to ``path`` (by default beside the Botox line); where it went."""
    from ivr.line.validate import write_schema

    path = path or _default_schema_path()
    try:
        write_schema(path)
    except OSError as error:
        raise CommandFailed(f"Cannot write {path}: {error.strerror}") from None
    return path


def _default_schema_path() -> Path:
    """The repository's prompts/line.schema.json when run from a clone; else line.schema.json here."""
    from ivr.config import bundled_line_folder

    folder = bundled_line_folder()
    return folder / "line.schema.json" if os.access(folder, os.W_OK) else Path("line.schema.json")


@click.command(cls=Command)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check line files; print every problem with its file, line and node."""
    validate_files(files)


@click.command(cls=Command)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
def schema(path: Path | None) -> None:
    """Write the JSON Schema of line files, for editors that check YAML as it is typed.

    PATH defaults to prompts/line.schema.json beside the Botox line.
    """
    click.echo(f"wrote {write_line_schema(path)}")
