"""`ivr text`: the line by text message on the terminal, as `ivr call` is the line by phone."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import click

from ivr.commands.call import _ask, _check_url, _explain, _line_file, call_time
from ivr.commands.errors import BadOption, Command, CommandFailed
from ivr.phone import FlaskTransport, HttpTransport, LineError, Transport

if TYPE_CHECKING:
    from flask import Flask

#: The number the terminal texts from: Twilio's own test number, nobody's phone.
TEST_NUMBER = "+15005550006"
#: Typed alone, sends a picture with no words (NumMedia=1), as a phone can.
PICTURE = "[picture]"


def text_the_line(url: str | None, line_file: str | None, at_time: str | None) -> None:
    """Text a line from the terminal, message by message; raises CommandFailed if it cannot be reached."""
    token = os.environ.get("TWILIO_AUTH_TOKEN") or None
    with tempfile.TemporaryDirectory(prefix="ivr-text-") as folder:
        if url:
            _check_url(url)
            if at_time:
                raise BadOption("a line texted by URL keeps its own clock: leave out --at", "--at")
            _converse(HttpTransport(token), url.rstrip("/"), token)
            return
        app = _in_process(line_file, at_time, folder)
        try:
            _converse(FlaskTransport(app, token=None), "http://localhost", token)
        finally:
            # The conversation's records are written before their throwaway database goes with the folder.
            app.extensions["ivr"].recorder.flush(5)


def _converse(transport: Transport, base: str, token: str | None) -> None:
    click.echo(click.style(f"Texting the line. Type a message; {PICTURE} sends a picture; Ctrl-D stops.",
                           bold=True))
    sent = 0
    while (body := _ask("Your message:")) is not None:
        sent += 1
        picture = body.strip() == PICTURE
        form = {"MessageSid": f"SM{sent:032d}", "From": TEST_NUMBER, "To": "+15005550001",
                "Body": "" if picture else body, "NumMedia": "1" if picture else "0"}
        try:
            document = transport.post(f"{base}/sms", form)
        except LineError as error:
            raise CommandFailed(_explain(error, token).replace("refused the call", "refused the message")) from None
        _show(document)


def _show(document: str) -> None:
    """Each message of the reply, with what it costs: its characters, segments and encoding."""
    from ivr.messages import encoding, segments

    texts = ["".join(message.itertext()) for message in ET.fromstring(document) if message.tag == "Message"]
    if not texts:
        click.echo(click.style("[No reply: the line writes nothing to a number that said STOP.]", dim=True))
    for text in texts:
        click.echo(text)
        click.echo(click.style(f"[{len(text)} characters, {segments(text)} segment(s), {encoding(text)}]",
                               dim=True))


def _in_process(line_file: str | None, at_time: str | None, folder: str) -> Flask:
    """The line in this process, its conversation kept in a throwaway database, not the clinic's records."""
    from ivr import create_app
    from ivr.line.validate import LineInvalid, format_problems, load_line

    path = _line_file(line_file)
    try:
        line = load_line(path).line
    except LineInvalid as invalid:
        raise CommandFailed(f"Cannot text: the line file {path} has errors.\n{format_problems(invalid.problems)}") \
            from None
    settings: dict[str, object] = {
        "DEV_MODE": True, "TWILIO_AUTH_TOKEN": "", "LINE_FILE": path, "RECORD_CALLS": True,
        "DATABASE_URL": f"sqlite:///{os.path.join(folder, 'texts.sqlite3')}", "CALLER_HASH_KEY": os.urandom(16).hex(),
    }
    if at_time:
        moment = call_time(at_time, line.clinic.hours.timezone, now=dt.datetime.now(dt.UTC))
        settings["CLOCK"] = lambda: moment
    return create_app(settings, serving=False)


@click.command(cls=Command)
@click.option("--url", default=None, help="Text a line served at this base URL (such as http://127.0.0.1:8000) "
              "instead of in this process; messages are signed with TWILIO_AUTH_TOKEN, which must be the server's.")
@click.option("--line", "line_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The line file to text in this process (default: IVR_LINE_FILE, or the Botox line).")
@click.option("--at", "at_time", default=None, metavar="WHEN",
              help='Pretend the messages are sent at this time, in the clinic\'s time zone: "saturday 20:00", '
              '"monday", "13:30", or a full time such as 2026-11-28T20:00-05:00 (in process only).')
def text(url: str | None, line_file: str | None, at_time: str | None) -> None:
    """Text a line and read its replies as a phone would get them; type a message to answer."""
    text_the_line(url=url, line_file=line_file, at_time=at_time)
