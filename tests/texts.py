"""A test texter that drives the messaging webhook as Twilio does: signed form POSTs, then TwiML.

Every reply is parsed with ElementTree, checked against the TwiML schema, and each of its messages
checked for what a phone receives: three segments at most, and GSM-7 unless its language needs more.
"""

from __future__ import annotations

import sqlite3
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ivr.messages import MAX_SEGMENTS, encoding, segments
from tests.calls import CALLER, sign
from tests.twiml_schema import check_against_schema

#: The characters a language may need that GSM-7 lacks: its letters (á, í, ó, ú), nothing else.
ALLOWED_OUTSIDE_GSM = {"en": "", "es": "áíóúÁÍÓÚ"}


class _Response(Protocol):
    status_code: int

    def get_data(self, as_text: bool = False) -> str: ...


class Client(Protocol):
    def post(self, url: str, data: dict[str, str], headers: dict[str, str] | None = None) -> _Response: ...


@dataclass
class Texter:
    """One phone texting the line, through Flask's test client or :class:`tests.served.HttpClient`."""

    client: Client
    token: str
    number: str = CALLER
    base: str = "http://localhost"
    replies: list[list[str]] = field(default_factory=list)

    def send(self, body: str, *, media: int = 0, signed: bool = True) -> list[str]:
        """Text ``body``; the messages the line writes back, each checked."""
        form = {"MessageSid": "SM" + str(len(self.replies)).zfill(32), "AccountSid": "AC" + "0" * 32,
                "From": self.number, "To": "+12025550199", "Body": body, "NumMedia": str(media)}
        url = f"{self.base}/sms"
        headers = {"X-Twilio-Signature": sign(self.token, url, form)} if signed else {}
        response = self.client.post(url, data=form, headers=headers)
        if response.status_code != 200:
            raise AssertionError(f"the line answered {response.status_code}")
        document = response.get_data(as_text=True)
        assert document.startswith("<?xml")
        check_against_schema(document)
        root = ET.fromstring(document)
        assert root.tag == "Response"
        assert all(element.tag == "Message" for element in root), document
        texts = ["".join(element.itertext()) for element in root]
        for text in texts:
            check_fits_a_phone(text)
        self.replies.append(texts)
        return texts

    def text(self, body: str, *, media: int = 0) -> str:
        """The reply to ``body`` as one text (its parts joined)."""
        return "\n".join(self.send(body, media=media))


def check_fits_a_phone(text: str) -> None:
    """Three segments at most, and GSM-7 unless a language's own letters need UCS-2."""
    assert text.strip(), "an empty message"
    assert segments(text) <= MAX_SEGMENTS, f"{segments(text)} segments: {text!r}"
    if encoding(text) == "UCS-2":
        outside = {char for char in text if encoding(char) == "UCS-2"}
        allowed = set("".join(ALLOWED_OUTSIDE_GSM.values()))
        assert outside <= allowed, f"{sorted(outside)} force UCS-2: {[unicodedata.name(c) for c in outside]}"


def kept_hashes(database: Path, table: str) -> list[str]:
    """The caller hashes a SQLite file's ``table`` keeps, after checking that no form of the texter's
    number is anywhere in the file."""
    connection = sqlite3.connect(database)
    try:
        dump = "\n".join(connection.iterdump())
        hashes = [row[0] for row in connection.execute(f"SELECT caller_hash FROM {table}")]
    finally:
        connection.close()
    assert CALLER not in dump and CALLER[1:] not in dump, f"the texter's number is in {database.name}"
    return hashes
